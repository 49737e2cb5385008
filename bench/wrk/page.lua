-- wrk -s page.lua: GET hosted survey pages, walking the links in page.txt
-- round-robin (valid, unanswered invitations).
local links = {}
for l in io.lines("page.txt") do links[#links + 1] = l end
local i = 0
request = function()
  i = i % #links + 1
  return wrk.format("GET", links[i])
end
