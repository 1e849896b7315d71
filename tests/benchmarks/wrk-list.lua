-- wrk script shared by every server in the side-by-side run, so that all of them see the same client.
-- Arguments: <list file or -> <PUT body bytes> <threads>.
-- With a list, each request is a PUT to the next "path authorization" line of this thread's share of the list
-- (authorization "-" sends none); without one, wrk's own request (a GET of the URL) is sent.
-- A URL accepts one upload, so a list that runs out starts over and counts the requests beyond its end: the caller
-- discards such a measure and prepares a longer list.
-- done() prints one line: RESULT <2xx> <other status> <duration us> <p50 us> <p99 us> <socket errors> <beyond list>.
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  ok, bad, beyond = 0, 0, 0
  entries = {}
  local list, size, share = args[1], tonumber(args[2] or "0"), tonumber(args[3] or "1")
  if list and list ~= "-" then
    local n = 0
    for line in io.lines(list) do
      if n % share == id then
        local path, authorization = line:match("^(%S+) (.+)$")
        table.insert(entries, { path = path, authorization = authorization })
      end
      n = n + 1
    end
  end
  body = string.rep("a", size)
  position = 0
end

function request()
  if #entries == 0 then
    return wrk.request()
  end
  position = position + 1
  if position > #entries then beyond = beyond + 1 end
  local entry = entries[((position - 1) % #entries) + 1]
  local headers = { ["Content-Type"] = "application/octet-stream" }
  if entry.authorization ~= "-" then
    headers["Authorization"] = entry.authorization
  end
  return wrk.format("PUT", entry.path, headers, body)
end

function response(status)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local good, other, over = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    other = other + thread:get("bad")
    over = over + thread:get("beyond")
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", good, other, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, over))
end
