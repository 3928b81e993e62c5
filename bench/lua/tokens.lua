-- wrk script: GET the URL's path, rotating over the lines of the file given after "--".
-- A line "-" sends no Authorization header; any other line is sent as "Authorization: Bearer <line>".
-- Every scenario uses this script, so the client's own cost is the same for all of them.
local requests = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    local headers = {}
    if line ~= "-" then
      headers["Authorization"] = "Bearer " .. line
    end
    table.insert(requests, wrk.format("GET", wrk.path, headers))
  end
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
