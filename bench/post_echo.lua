-- wrk script: POST /v1/echo with a large Everything (body: "*"): every scalar kind, maps, nested
-- messages, well-known types; the service echoes it back.
wrk.method = "POST"
wrk.path = "/v1/echo"
wrk.headers["Content-Type"] = "application/json"
local nested = {}
for i = 1, 8 do
  nested[i] = string.format('{"name":"item-%d","value":"%d","color":"COLOR_GREEN"}', i, i * 1000)
end
local words, nums, counts, names = {}, {}, {}, {}
for i = 1, 16 do
  words[i] = string.format('"word-%d"', i)
  nums[i] = string.format('"%d"', i * 123456789)
  counts[i] = string.format('"key-%d":"%d"', i, i)
  names[i] = string.format('"%d":"name-%d"', i, i)
end
wrk.body = '{"i64":"-9007199254740993","u64":"18446744073709551615","i32":-42,"s64":"-7",' ..
  '"f64":"12345678901","dbl":3.25,"flt":1.5,"flag":true,"str":"h\\u00e9llo, world",' ..
  '"data":"AAECAwQFBgcICQ==","color":"COLOR_BLUE","nums":[' .. table.concat(nums, ",") .. '],' ..
  '"words":[' .. table.concat(words, ",") .. '],"counts":{' .. table.concat(counts, ",") .. '},' ..
  '"names":{' .. table.concat(names, ",") .. '},"nested":' .. nested[1] .. ',' ..
  '"nestedList":[' .. table.concat(nested, ",") .. '],"ts":"2024-01-02T03:04:05.123Z",' ..
  '"dur":"1.5s","choiceStr":"picked","colors":["COLOR_RED","COLOR_BLUE"],' ..
  '"snakeCaseField":"s","u32":4000000000}'
