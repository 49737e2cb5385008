-- wrk -s submit.lua: POST a complete answer (NPS 9 + a comment) to each link
-- of submit.txt once. Every thread takes its own stride of the file, so no
-- token is posted twice; a run must stop before the links run out (each
-- thread stops when its share is used up: then wrk reports errors).
local links = {}
for l in io.lines("submit.txt") do links[#links + 1] = l end
-- id is set per thread by setup (a global of the thread's Lua state);
-- pass the thread count after "--": wrk -t2 ... -s submit.lua URL -- 2
threads, i = 1, 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter - 1)
end
init = function(args)
  threads = tonumber(args[1] or "1")
end
local body = "a_q1=9&a_q2=Quick+delivery+and+a+friendly+courier"
request = function()
  local k = id + i * threads + 1
  i = i + 1
  if k > #links then
    return wrk.format("GET", "/healthz/exhausted")
  end
  return wrk.format("POST", links[k], {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
