-- wrk script for bench/bench_http.sh: GET /v1/machines/{id}/translate
-- spread over the machines given after "--" as ID:TOKEN arguments.
--
-- Requests to one machine serialize on its lock, so each wrk thread
-- cycles through every machine, starting at its own offset.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local reqs, n, i = {}, 0, 0

function init(args)
	local addr = os.getenv("BENCH_ADDR") or "0xc2001000"

	for _, a in ipairs(args) do
		local id, tok = a:match("^([^:]+):(.+)$")
		reqs[#reqs + 1] = wrk.format("GET", "/v1/machines/" .. id ..
			"/translate?addr=" .. addr,
			{ ["Authorization"] = "Bearer " .. tok })
	end
	n = #reqs
	i = tid % n
end

function request()
	i = i % n + 1
	return reqs[i]
end
