-- Strict sliding-window rate limits shared by every worker: "never more than N sends in ANY window of L ms".
--
-- KEYS: the pause keys first (ARGV[3] of them), then one sorted set per limit.
-- ARGV: [1] member (the delivery id), [2] a unique suffix for this send, [3] number of pause keys,
--       then per limit: N, check_ms, reserve_ms.
-- Returns {go (1|0), at_ms (string), reason, now_ms (string)}. Time is the Redis server's, so workers on
-- different hosts agree on it.
--
-- Each sorted set holds the moments of actual sends (member "<id>:<suffix>") and of slots booked by waiting
-- deliveries (member "<id>"). A send may go now if inserting "now" leaves every window of check_ms holding at
-- most N entries (sends and bookings alike). Otherwise the earliest moment that fits every limit with the wider
-- reserve_ms window is booked and returned: the delivery sleeps until then, and its next call trades the
-- booking for a send (the wider window lets a slightly late wake-up still fit the narrower one).

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member, suffix, npause = ARGV[1], ARGV[2], tonumber(ARGV[3])
local nkeys = #KEYS - npause

local paused_until = 0
for i = 1, npause do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 and now + ttl > paused_until then paused_until = now + ttl end
end
if paused_until > 0 then
  for i = 1, nkeys do redis.call('ZREM', KEYS[npause + i], member) end
  return {0, tostring(paused_until), 'paused', tostring(now)}
end

-- Would inserting x into sorted list s keep every N+1 consecutive entries at least L apart?
local function fits(s, x, L, N)
  local n = #s
  if n + 1 <= N then return true end
  local lo, hi = 1, n + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if s[mid] <= x then lo = mid + 1 else hi = mid end
  end
  local p = lo
  local function m(i)
    if i < p then return s[i] elseif i == p then return x else return s[i - 1] end
  end
  for j = math.max(1, p - N), math.min(p, n + 1 - N) do
    if m(j + N) - m(j) < L then return false end
  end
  return true
end

-- The earliest x >= t that fits: t itself, or just as some entry leaves x's window.
local function earliest(s, t0, L, N)
  if fits(s, t0, L, N) then return t0 end
  local lo, hi = 1, #s + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if s[mid] + L <= t0 then lo = mid + 1 else hi = mid end
  end
  for i = lo, #s do
    if fits(s, s[i] + L, L, N) then return s[i] + L end
  end
  return s[#s] + L
end

local lists, limits, checks, reserves = {}, {}, {}, {}
for i = 1, nkeys do
  local key, base = KEYS[npause + i], 3 + 3 * (i - 1)
  limits[i], checks[i], reserves[i] = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - reserves[i]))
  redis.call('ZREM', key, member)
  local s = {}
  if redis.call('ZCARD', key) >= limits[i] then
    local raw = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    for j = 2, #raw, 2 do s[#s + 1] = tonumber(raw[j]) end
  end
  lists[i] = s
end

local go = true
for i = 1, nkeys do
  if not fits(lists[i], now, checks[i], limits[i]) then go = false; break end
end

local at, entry = now, member .. ':' .. suffix
if not go then
  at, entry = now + 1, member
  local moved = true
  while moved do
    moved = false
    for i = 1, nkeys do
      local e = earliest(lists[i], at, reserves[i], limits[i])
      if e > at then at = e; moved = true end
    end
  end
end

for i = 1, nkeys do
  local key = KEYS[npause + i]
  redis.call('ZADD', key, at, entry)
  local last = at
  local s = lists[i]
  if #s > 0 and s[#s] > last then last = s[#s] end
  redis.call('PEXPIRE', key, math.floor(last - now + reserves[i] + 1000))
end
return {go and 1 or 0, tostring(at), go and 'ok' or 'wait', tostring(now)}
