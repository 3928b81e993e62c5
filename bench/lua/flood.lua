-- wrk script: a flood of well-formed personal access tokens with a known prefix (given after "--") and a
-- fresh random 20-character secret on every request, so no two requests present the same wrong token. The tokens
-- have the legacy 46-character shape (no checksum), which the service still accepts: a current-shape token with a
-- random secret would fail its checksum before any store read, so this shape is the costlier flood.
-- Prints how many responses had each status.
local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local threads = {}
local prefix
statuses = {}  -- global: done() reads it from each thread with thread:get

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local secret = {}
  for i = 1, 20 do
    local r = math.random(1, 62)
    secret[i] = alphabet:sub(r, r)
  end
  return wrk.format("GET", wrk.path, { ["Authorization"] = "Bearer pfnstudio_pat_" .. prefix .. table.concat(secret) })
end

function response(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, _, _)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, status .. "=" .. count)
  end
  io.write(string.format("FLOOD requests=%d duration_us=%d statuses=%s\n", summary.requests, summary.duration, table.concat(parts, ",")))
end
