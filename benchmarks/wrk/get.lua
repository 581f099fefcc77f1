-- GET by id at random among the ids in BENCH_IDS_FILE (one a line), under BENCH_PATH
-- (the id is appended). BENCH_TOKEN: optional bearer token.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
  if line ~= "" then table.insert(ids, line) end
end
local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
local headers = {}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
tid = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tid * 7919)
end

function request()
  return wrk.format("GET", path .. ids[math.random(#ids)], headers)
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
