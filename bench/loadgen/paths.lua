-- wrk script: GET the paths of the URLs in $WRK_URLS (one per line), round robin.
local paths = {}
for line in io.lines(os.getenv("WRK_URLS")) do
  paths[#paths + 1] = line:gsub("^https?://[^/]+", "")
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
