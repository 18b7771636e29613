-- wrk script for the list measure: each connection is one adviser paging through their
-- organisation's incidents, following next_cursor, and starting again after PAGES pages. Run with as many
-- threads as connections, so that each thread's variables are one client's state.
-- Arguments (after --): the bearer token, PAGES, and optionally more query parameters.

local threads = {}
local count = 0

function setup(thread)
  thread:set("number", count)
  count = count + 1
  table.insert(threads, thread)
end

local cursor = nil
local pages = 0
failures = 0

function init(args)
  token = args[1]
  walk = tonumber(args[2])
  base = "/api/v1/incidents?limit=50" .. (args[3] or "")
end

function request()
  local path = base
  if cursor then
    path = path .. "&cursor=" .. cursor
  end
  return wrk.format("GET", path, { Authorization = "Bearer " .. token })
end

function response(status, headers, body)
  pages = pages + 1
  if status ~= 200 then
    failures = failures + 1
  end
  cursor = body:match('"next_cursor":"([^"]*)"')
  if pages % walk == 0 then
    cursor = nil
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local errors = summary.errors
  failed = failed + errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d\n", latency:percentile(50),
    latency:percentile(99), summary.requests, summary.duration, failed))
end
