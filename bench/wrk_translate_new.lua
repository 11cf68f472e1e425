-- wrk script for bench/bench_http.sh: GET /v1/machines/{id}/translate of
-- a new address on every request, so no answer comes from the cache:
-- each one is a page-table walk and a JSON rendering.
--
-- Machines come after "--" as ID:TOKEN arguments.  Each wrk thread
-- cycles through them, and steps its own address through the kernel's
-- direct map (0xc0000000 up, one page and a few bytes at a time, a
-- different start per thread), wrapping within the first 512 MiB, which
-- every machine of 1G RAM or more maps: a few hundred thousand distinct
-- addresses, more than a run asks for.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local paths, hdrs, n, i, addr = {}, {}, 0, 0, 0

function init(args)
	for _, a in ipairs(args) do
		local id, tok = a:match("^([^:]+):(.+)$")
		paths[#paths + 1] = "/v1/machines/" .. id .. "/translate?addr="
		hdrs[#hdrs + 1] = { ["Authorization"] = "Bearer " .. tok }
	end
	n = #paths
	i = tid % n
	addr = tid * 0x01000000
end

function request()
	i = i % n + 1
	addr = (addr + 0x1008) % 0x20000000
	return wrk.format("GET", paths[i] .. string.format("0x%08x",
			  0xc0000000 + addr), hdrs[i])
end
