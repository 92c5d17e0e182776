-- wrk script: replays prepared requests (one signed-in session each) and writes the run's
-- figures as one JSON line.
--   BENCH_REQUESTS  a file with one request per line:  METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY
--   BENCH_ONCE=1    each request at most once (bookings, approvals): the threads share the file
--                   out between them and stop when their share is used up
--   BENCH_THREADS   the -t given to wrk (to share the file out)
--   BENCH_RESULT    where to write the JSON line (standard output when unset)
-- Every request carries the same User-Agent as the sessions' sign-in, so the session's
-- fingerprint never changes and no response needs to set a new cookie.
local requests = {}
local counter = 0
local answered = 0
local once = os.getenv("BENCH_ONCE") == "1"
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local function load(share, of)
  local n = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if line ~= "" then
      n = n + 1
      if not once or (n - 1) % of == share then
        local method, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
        local headers = {["User-Agent"] = "esafety-bench/1"}
        if cookie ~= "" then headers["Cookie"] = cookie end
        if method == "POST" then
          headers["Content-Type"] = "application/x-www-form-urlencoded"
        end
        table.insert(requests, wrk.format(method, target, headers, body ~= "" and body or nil))
      end
    end
  end
end

function init(args)
  local index = thread_index or 0
  load(index, tonumber(os.getenv("BENCH_THREADS") or "1"))
  math.randomseed(os.time() + index * 7919)
  if not once then counter = math.random(#requests) - 1 end
  unique = #requests
  exhausted = 0
end

function request()
  counter = counter + 1
  if counter > #requests then
    if once then
      -- Only the few already in flight when the share ran out get here; they are counted.
      exhausted = exhausted + 1
      counter = #requests
    else
      counter = 1
    end
  end
  return requests[counter]
end

if once then
  function response(status, headers, body)
    answered = answered + 1
    if answered >= #requests then wrk.thread:stop() end
  end
end

function done(summary, latency, _)
  local unique, exhausted = 0, 0
  for _, thread in ipairs(threads) do
    -- Round-robin threads each hold the whole file; "once" threads hold a share of it.
    local held = thread:get("unique") or 0
    unique = once and unique + held or math.max(unique, held)
    exhausted = exhausted + (thread:get("exhausted") or 0)
  end
  local e = summary.errors
  local line = string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"unique_requests": %d, "repeated_after_use": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout,
    unique, exhausted)
  local path = os.getenv("BENCH_RESULT")
  if path then
    local file = io.open(path, "w")
    file:write(line)
    file:close()
  else
    io.write(line)
  end
end
