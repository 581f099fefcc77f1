-- POST bodies with a unique domain each (wrk, one Lua state per thread).
-- Environment: BENCH_BODY_FILE (a JSON body with the text DOMAIN where the domain's first
-- label goes), BENCH_PATH, BENCH_PREFIX (unique per run), BENCH_TOKEN (optional bearer).
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "r"))
local template = f:read("*a"):gsub("%s+$", "")
f:close()
local path = os.getenv("BENCH_PATH")
local prefix = os.getenv("BENCH_PREFIX")
local token = os.getenv("BENCH_TOKEN")
local headers = { ["Content-Type"] = "application/json" }
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

-- Globals, so that soak.lua can build on this script.
threads = {}
counter = 0
tid = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local label = prefix .. tid .. "x" .. counter
  local body = template:gsub("DOMAIN", label, 1)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
