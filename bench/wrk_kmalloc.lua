-- wrk script for bench/bench_http.sh: kmalloc + kfree pairs.
--
-- Machines come after "--" as ID:TOKEN arguments.  Each wrk thread cycles
-- through them; for a machine it sends POST .../kfree of an address a
-- kmalloc on that machine returned when it holds one, else POST
-- .../kmalloc, so the requests are kmalloc and kfree in equal numbers
-- (give or take the ones in flight) and no object is freed twice.
--
-- wrk does not tell response() which connection or request an answer
-- belongs to, so the kmalloc sent to machine j asks for 65 - j bytes
-- (57..64: all kmalloc-64, the same work as {"size":64}) and the "size"
-- echoed in the answer names the machine its "addr" belongs to.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local base, hdr, kmalloc, pend = {}, {}, {}, {}
local n, i = 0, 0
nmalloc, nfree, nbad = 0, 0, 0

function init(args)
	for j, a in ipairs(args) do
		local id, tok = a:match("^([^:]+):(.+)$")
		base[j] = "/v1/machines/" .. id
		hdr[j] = { ["Authorization"] = "Bearer " .. tok,
			   ["Content-Type"] = "application/json" }
		kmalloc[j] = wrk.format("POST", base[j] .. "/kmalloc", hdr[j],
					'{"size":' .. (65 - j) .. '}')
		pend[j] = {}
	end
	n = #base
	if n > 8 then
		error("wrk_kmalloc.lua: at most 8 machines (sizes 57..64)")
	end
	i = tid % n
end

function request()
	i = i % n + 1
	local a = table.remove(pend[i])

	if a then
		nfree = nfree + 1
		return wrk.format("POST", base[i] .. "/kfree", hdr[i],
				  '{"addr":"' .. a .. '"}')
	end
	nmalloc = nmalloc + 1
	return kmalloc[i]
end

function response(status, headers, body)
	local size = body:match('"size": *(%d+)')

	if status ~= 200 then
		nbad = nbad + 1
	elseif size then
		local j = 65 - tonumber(size)
		local a = body:match('"addr": *"(0x%x+)"')

		if pend[j] and a then
			table.insert(pend[j], a)
		else
			nbad = nbad + 1
		end
	end
end

function done(summary, latency, requests)
	local m, f, b = 0, 0, 0

	for _, t in ipairs(threads) do
		m = m + t:get("nmalloc")
		f = f + t:get("nfree")
		b = b + t:get("nbad")
	end
	io.write(string.format("kmalloc-kfree: kmalloc %d kfree %d unexpected %d\n",
			       m, f, b))
end
