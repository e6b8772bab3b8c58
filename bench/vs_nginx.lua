-- wrk script for bench/vs_nginx.sh: each request carries the next address
-- of a list (one a line) as X-Forwarded-For, besides the -H headers.
--
--   wrk ... -s bench/vs_nginx.lua URL -- ADDRESS_FILE
--
-- The requests are formatted once, in init; each thread starts at its own
-- place in the list.

local requests = {}
local i = 0
local offset = 0

function setup(thread)
  offset = offset + 1
  thread:set("start", offset * 7919)
end

function init(args)
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  for line in io.lines(args[1]) do
    headers["X-Forwarded-For"] = line
    requests[#requests + 1] = wrk.format(nil, nil, headers)
  end
  i = (start or 0) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
