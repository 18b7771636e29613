-- wrk script for one request repeated: GET a path, or POST a JSON body, with a bearer token.
-- Arguments (after --): METHOD, PATH, the bearer token ("-" for none), the body ("-" for none).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

failures = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  if args[3] ~= "-" then
    headers["Authorization"] = "Bearer " .. args[3]
  end
  local body = nil
  if args[4] ~= "-" then
    body = args[4]
  end
  prepared = wrk.format(args[1], args[2], headers, body)
end

function request()
  return prepared
end

function response(status, headers, body)
  if status >= 300 then
    failures = failures + 1
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
