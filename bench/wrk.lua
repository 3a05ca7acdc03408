-- wrk script template for `make bench`; bench/harness.py fills in the requests, the expected
-- status and the entry id prefix. One request after the other from the list, round and round.

local requests = {
--[[REQUESTS]]
}
local expected = --[[STATUS]]
local prefix = --[[PREFIX]]
local counter = 0
local threads = {}
unexpected = 0  -- global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for _, r in ipairs(requests) do
    if not r.fresh then
      r.raw = wrk.format(r.method, r.path, r.headers, r.body)
    end
  end
end

function request()
  counter = counter + 1
  local r = requests[(counter % #requests) + 1]
  if r.fresh then
    local id = string.format("%s%012x", prefix, counter)
    return wrk.format(r.method, r.path, r.headers, (string.gsub(r.body, "{{id}}", id)))
  end
  return r.raw
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "unexpected": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, bad,
    e.connect, e.read, e.write, e.timeout))
end
