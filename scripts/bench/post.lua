-- wrk script: POSTs distinct urlencoded leads to /ingest/website (each thread its own prefix).
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  -- Seeded per run and thread: without it every wrk run repeats the same emails, and a second run is all replays.
  math.randomseed(os.time() * 1000 + tid)
  prefix = tostring(tid) .. "x" .. tostring(os.time()) .. "x" .. tostring(math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local body = "name=%D7%93%D7%A0%D7%94+%D7%9B%D7%94%D7%9F&email=u" .. prefix .. "n" .. counter ..
    "%40bench.example&phone=054-" .. string.format("%07d", counter % 10000000) ..
    "&company=Acme&message=%D7%A9%D7%9C%D7%95%D7%9D&utm_source=bench"
  return wrk.format("POST", "/ingest/website", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
