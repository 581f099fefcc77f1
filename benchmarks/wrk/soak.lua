-- Creates at a fixed rate for the soak (wrk, one Lua state per thread).
-- Each thread starts its requests on a schedule of BENCH_RATE / threads per second, whatever
-- the answers' latency, as long as one of its connections is free; a request that starts
-- after its slot counts towards "late_max_us". Every request creates a new customer.
-- Environment: as create.lua, plus BENCH_RATE (requests per second, all threads together),
-- BENCH_THREADS (wrk's -t) and BENCH_LUA_DIR (this directory).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec_t;
  int clock_gettime(int clock_id, timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("timespec_t")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

-- The bodies, headers and per-thread counters are create.lua's.
dofile(os.getenv("BENCH_LUA_DIR") .. "/create.lua")

local interval_us = 1000000 * tonumber(os.getenv("BENCH_THREADS")) / tonumber(os.getenv("BENCH_RATE"))
scheduled = 0
started_us = 0
late_max_us = 0
statuses = {}

function delay()
  local now = now_us()
  if started_us == 0 then started_us = now end
  local due = started_us + scheduled * interval_us
  scheduled = scheduled + 1
  if due > now then return math.floor((due - now) / 1000) end
  if now - due > late_max_us then late_max_us = now - due end
  return 0
end

function response(status, _headers, _body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  local late = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
    late = math.max(late, thread:get("late_max_us"))
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, string.format('"%s":%d', status, n)) end
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"statuses":{%s},"late_max_us":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, table.concat(parts, ","), late,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
