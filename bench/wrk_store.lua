-- wrk script for bench/bench_store.sh: kmalloc + kfree pairs, one request
-- in flight per machine.
--
--   wrk ... -s wrk_store.lua URL -- NTHREADS ID:TOKEN ...
--
-- Thread t (0-based) takes the machines at positions t, t + NTHREADS, ...
-- of the list.  bench_store.sh gives as many machines as connections, so
-- each thread has one machine per connection.  A connection about to
-- send takes a machine that has no request in flight (first in, first
-- out), so no two requests ever wait on one machine's lock: each
-- connection in effect drives a machine of its own, the load of a class
-- where every student has one machine.  For that machine it sends POST
-- .../kfree of the address its last kmalloc returned when it holds one,
-- else POST .../kmalloc: kmalloc and kfree alternate on every machine.
--
-- wrk does not tell response() which request an answer belongs to, so:
--   - the kmalloc sent to the thread's machine j asks for 65 - j bytes
--     (64..33: all kmalloc-64, the same work as {"size":64}); the "size"
--     echoed in the answer names the machine;
--   - the "addr" echoed by a kfree names the machine whose kmalloc
--     returned it; bench_store.sh makes the addresses distinct by giving
--     the k-th machine k live kmalloc-64 objects before the load, and a
--     clash is counted as unexpected.
-- Hence at most 32 machines per thread.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local base, hdr, kmalloc = {}, {}, {}
local held = {}		-- machine -> address its kmalloc returned, not freed
local owner = {}	-- address -> machine that holds it
local busy = {}		-- machine -> a request is in flight
local freeq, qhead, qtail = {}, 1, 0
local n, rr, calls = 0, 0, 0
local inited = false
nmalloc, nfree, nbad, nshared = 0, 0, 0, 0

local function release(j)
	if busy[j] then
		busy[j] = false
		qtail = qtail + 1
		freeq[qtail] = j
	end
end

function init(args)
	local nthreads = tonumber(args[1])

	if not nthreads or nthreads < 1 then
		error("wrk_store.lua: the first argument is the thread count")
	end
	for k = 2, #args do
		if (k - 2) % nthreads == tid then
			local id, tok = args[k]:match("^([^:]+):(.+)$")
			local j = #base + 1

			base[j] = "/v1/machines/" .. id
			hdr[j] = { ["Authorization"] = "Bearer " .. tok,
				   ["Content-Type"] = "application/json" }
			kmalloc[j] = wrk.format("POST", base[j] .. "/kmalloc",
						hdr[j], '{"size":' .. (65 - j) .. '}')
			busy[j] = true
			release(j)
		end
	end
	n = #base
	if n < 1 or n > 32 then
		error("wrk_store.lua: 1 to 32 machines per thread (sizes 64..33)")
	end
	inited = true
end

function request()
	local j

	calls = calls + 1
	-- wrk 4.1 calls thread 0's request() once right after init to check
	-- the script; that request is never sent, so it must change nothing
	if not inited or (tid == 0 and calls == 1) then
		return kmalloc[1] or wrk.format("GET", "/healthz")
	end
	if qhead <= qtail then
		j = freeq[qhead]
		freeq[qhead] = nil
		qhead = qhead + 1
	else
		-- every machine busy: only after an answer nobody could place
		nshared = nshared + 1
		rr = rr % n + 1
		j = rr
	end
	busy[j] = true
	if held[j] then
		nfree = nfree + 1
		return wrk.format("POST", base[j] .. "/kfree", hdr[j],
				  '{"addr":"' .. held[j] .. '"}')
	end
	nmalloc = nmalloc + 1
	return kmalloc[j]
end

function response(status, headers, body)
	local a = body:match('"addr": *"(0x%x+)"')
	local size = body:match('"size": *(%d+)')

	if status ~= 200 or not a then
		nbad = nbad + 1
		return
	end
	if size then			-- a kmalloc's answer
		local j = 65 - tonumber(size)

		if not base[j] or held[j] or owner[a] then
			nbad = nbad + 1
			return
		end
		held[j] = a
		owner[a] = j
		release(j)
	else				-- a kfree's answer
		local j = owner[a]

		if not j then
			nbad = nbad + 1
			return
		end
		owner[a] = nil
		held[j] = nil
		release(j)
	end
end

function done(summary, latency, requests)
	local m, f, b, s = 0, 0, 0, 0

	for _, t in ipairs(threads) do
		m = m + t:get("nmalloc")
		f = f + t:get("nfree")
		b = b + t:get("nbad")
		s = s + t:get("nshared")
	end
	io.write(string.format("kmalloc-kfree: kmalloc %d kfree %d unexpected %d "
			       .. "shared %d\n", m, f, b, s))
end
