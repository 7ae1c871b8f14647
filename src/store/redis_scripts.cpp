// See redis_scripts.hpp. Request ids are 16 hex digits, so that members of
// the same score (priority) sort by id in Redis's lexicographic tie order:
// the rank (priority, then id) is exact for any id.
#include "store/redis_scripts.hpp"

#include <mbedtls/sha1.h>

#include <array>
#include <map>
#include <stdexcept>

#include "common/hex.hpp"

namespace uvscrape::store::redis_scripts {
namespace {

// Shared by every script: key names, the server's clock, the lease sweep.
constexpr const char* kCommon = R"lua(#!lua
local P = ARGV[1]
local function k(name) return P .. ':' .. name end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Expired leases (a crashed or partitioned process) go back to pending.
local function sweep(now)
  local expired = redis.call('ZRANGEBYSCORE', k('leased'), '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    redis.call('ZREM', k('leased'), id)
    redis.call('HDEL', k('lease'), id)
    redis.call('ZADD', k('pending'), redis.call('HGET', k('prio'), id) or 0, id)
  end
  if #expired > 0 then redis.call('HINCRBY', k('meta'), 'expired_leases', #expired) end
end
local function more()
  return redis.call('ZCARD', k('pending')) > 0 or redis.call('ZCARD', k('leased')) > 0
      or redis.call('HGET', k('meta'), 'seeded') ~= '1'
end
)lua";

constexpr const char* kOpen = R"lua(
local meta = k('meta')
local scraper = redis.call('HGET', meta, 'scraper')
if not scraper then
  redis.call('HSET', meta, 'scraper', ARGV[2], 'seed_params', ARGV[3], 'status', 'running',
             'started', now_ms())
  redis.call('SET', k('seeding'), ARGV[4], 'PX', ARGV[5])
  return {'seed'}
end
if ARGV[6] ~= '1' and scraper ~= ARGV[2] then
  return {'mismatch', "holds a run of scraper '" .. scraper .. "', not '" .. ARGV[2] ..
          "' (store_force resumes it anyway)"}
end
local seed = redis.call('HGET', meta, 'seed_params') or 'null'
if ARGV[6] ~= '1' and seed ~= ARGV[3] then
  return {'mismatch', 'holds a run with other seed_params (' .. seed ..
          '; store_force resumes it anyway)'}
end
local items = redis.call('LLEN', k('items'))
local failures = redis.call('LLEN', k('failures'))
if redis.call('HGET', meta, 'seeded') ~= '1' then
  -- Created, but its seeder has not committed the entries: it is still at
  -- it (join and wait), or it died (its claim expired: seed again).
  if redis.call('SET', k('seeding'), ARGV[4], 'NX', 'PX', ARGV[5]) then return {'seed'} end
  return {'join', '', items, failures, '', ''}
end
local status = redis.call('HGET', meta, 'status') or ''
sweep(now_ms())
local idle = redis.call('ZCARD', k('pending')) == 0 and redis.call('ZCARD', k('leased')) == 0
if status == 'completed' and idle and ARGV[7] ~= '1' then
  return {'finished', status, items, failures}
end
redis.call('HSET', meta, 'status', 'running')
local out = {'join', status, items, failures, redis.call('HGET', meta, 'speculation') or '',
             redis.call('HGET', meta, 'cookies') or ''}
for _, v in ipairs(redis.call('HGETALL', k('files'))) do out[#out + 1] = v end
return out
)lua";

constexpr const char* kCommit = R"lua(
local id, token, settle = ARGV[2], ARGV[3], ARGV[4]
local ack = k('ack:' .. token)
if id ~= '' then
  -- Resubmitted after a lost connection, but it had been stored: the same answer.
  local done = settle ~= 'wait' and redis.call('GET', ack)
  if done then return {1, done} end
  if redis.call('HGET', k('lease'), id) ~= token then
    redis.call('HINCRBY', k('meta'), 'stale_commits', 1)
    return {0, ''}
  end
end
local meta = k('meta')
local own_body = id ~= '' and redis.call('HGET', k('req'), id)
if settle == 'done' or settle == 'failed' then
  redis.call('ZREM', k('leased'), id)
  redis.call('HDEL', k('lease'), id)
  redis.call('HDEL', k('req'), id)
  redis.call('HDEL', k('prio'), id)
  redis.call('HDEL', k('attempts'), id)
  redis.call('HDEL', k('nb'), id)
  redis.call('HINCRBY', meta, settle, 1)
elseif settle == 'wait' then
  -- The process keeps the retry in its frontier: the lease stays its own.
  redis.call('HSET', k('attempts'), id, ARGV[5])
  redis.call('HSET', k('nb'), id, ARGV[6])
elseif settle == 'unstarted' then
  redis.call('ZREM', k('leased'), id)
  redis.call('HDEL', k('lease'), id)
  redis.call('HSET', k('attempts'), id, ARGV[5])
  redis.call('HDEL', k('nb'), id)
  redis.call('ZADD', k('pending'), redis.call('HGET', k('prio'), id) or 0, id)
end
local seeded = redis.call('HGET', meta, 'seeded') == '1'
local ids = {}
local admitted = 0
local at = 8
for i = 1, tonumber(ARGV[7]) do
  local key, record_only, prio, body = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  at = at + 4
  local fresh = true
  if key ~= '' then fresh = redis.call('SADD', k('seen'), key) == 1 end
  -- The run's own entries are never dropped, but seeded once only.
  if record_only == '1' then fresh = not (settle == 'seed' and seeded) end
  if fresh then
    local cid = string.format('%016x', redis.call('INCR', k('next_id')))
    redis.call('HSET', k('req'), cid, body)
    redis.call('HSET', k('prio'), cid, prio)
    redis.call('ZADD', k('pending'), prio, cid)
    -- The child's previous_request(): this request, kept while it has children.
    if id ~= '' then redis.call('HSET', k('parent'), cid, id) end
    admitted = admitted + 1
    ids[#ids + 1] = cid
  else
    ids[#ids + 1] = '0'
  end
end
if admitted > 0 and own_body then redis.call('HSET', k('parents'), id, own_body) end
-- A finished request that is nobody's parent needs no link up any more.
if (settle == 'done' or settle == 'failed') and redis.call('HEXISTS', k('parents'), id) == 0 then
  redis.call('HDEL', k('parent'), id)
end
for i = 1, tonumber(ARGV[at]) do redis.call('RPUSH', k('items'), ARGV[at + i]) end
at = at + tonumber(ARGV[at]) + 1
for i = 1, tonumber(ARGV[at]) do redis.call('RPUSH', k('failures'), ARGV[at + i]) end
at = at + tonumber(ARGV[at]) + 1
if ARGV[at] ~= '' then redis.call('HSET', k('files'), ARGV[at], ARGV[at + 1]) end
if ARGV[at + 2] ~= '' then redis.call('HSET', meta, 'speculation', ARGV[at + 2]) end
if ARGV[at + 3] ~= '' then redis.call('HSET', meta, 'cookies', ARGV[at + 3]) end
-- Settled requests per 10 s (field: Redis's clock in ms / 10,000), for the
-- dashboard's throughput; a week of crawling is some 60,000 small fields.
if settle == 'done' or settle == 'failed' then
  redis.call('HINCRBY', k('settled_10s'), math.floor(now_ms() / 10000), 1)
end
-- The fetch time of the attempt that settled the request, added up per host
-- (count, sum, max in ms) for the dashboard's slowest hosts.
if (settle == 'done' or settle == 'failed') and ARGV[at + 5] ~= '' then
  local host, ms = ARGV[at + 4], tonumber(ARGV[at + 5])
  redis.call('HINCRBY', k('fetch_count'), host, 1)
  redis.call('HINCRBY', k('fetch_sum'), host, ms)
  if ms > tonumber(redis.call('HGET', k('fetch_max'), host) or -1) then
    redis.call('HSET', k('fetch_max'), host, ms)
  end
end
if settle == 'seed' then
  redis.call('HSET', meta, 'seeded', '1')
  redis.call('DEL', k('seeding'))
end
local result = table.concat(ids, ',')
-- A final settle ends the lease: its answer is kept long enough for a
-- resubmission after a reconnect. (A wait keeps the lease, and running it
-- again changes nothing.)
if id ~= '' and settle ~= 'wait' then redis.call('SET', ack, result, 'PX', 300000) end
return {1, result}
)lua";

constexpr const char* kRefill = R"lua(
local now = now_ms()
sweep(now)
local popped = redis.call('ZPOPMIN', k('pending'), ARGV[2])
local out = {0, #popped / 2}
local chain_of = {}
for i = 1, #popped, 2 do
  local id = popped[i]
  local parent = redis.call('HGET', k('parent'), id) or ''
  chain_of[#chain_of + 1] = parent
  local token = tostring(redis.call('INCR', k('tokens')))
  redis.call('HSET', k('lease'), id, token)
  redis.call('ZADD', k('leased'), now + tonumber(ARGV[3]), id)
  out[#out + 1] = id
  out[#out + 1] = token
  out[#out + 1] = redis.call('HGET', k('req'), id) or ''
  out[#out + 1] = redis.call('HGET', k('attempts'), id) or '0'
  out[#out + 1] = redis.call('HGET', k('nb'), id) or ''
  out[#out + 1] = parent
end
-- Every ancestor of the requests taken, once: id, its parent, its JSON; the
-- walk up stops at the ancestors the caller keeps (ARGV[4...]).
local listed = {}
for i = 4, #ARGV do listed[ARGV[i]] = true end
for _, at in ipairs(chain_of) do
  while at ~= '' and not listed[at] do
    listed[at] = true
    local up = redis.call('HGET', k('parent'), at) or ''
    out[#out + 1] = at
    out[#out + 1] = up
    out[#out + 1] = redis.call('HGET', k('parents'), at) or ''
    at = up
  end
end
if more() then out[1] = 1 end
return out
)lua";

constexpr const char* kRenew = R"lua(
local now = now_ms()
local lost = {}
for i = 3, #ARGV, 2 do
  if redis.call('HGET', k('lease'), ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', k('leased'), 'XX', now + tonumber(ARGV[2]), ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
sweep(now)
return lost
)lua";

constexpr const char* kRelease = R"lua(
for i = 3, #ARGV, 2 do
  if redis.call('HGET', k('lease'), ARGV[i]) == ARGV[i + 1] then
    redis.call('ZREM', k('leased'), ARGV[i])
    redis.call('HDEL', k('lease'), ARGV[i])
    redis.call('ZADD', k('pending'), redis.call('HGET', k('prio'), ARGV[i]) or 0, ARGV[i])
  end
end
if ARGV[2] ~= '' then
  redis.call('HSET', k('meta'), 'status', ARGV[2], 'ended', now_ms())
end
return 1
)lua";

// The generic cell rate algorithm: the key holds the host's theoretical
// arrival time (TAT, microseconds on Redis's clock); each grant moves it one
// interval on; a request may go while the TAT is at most burst - 1 intervals
// ahead of now. So over any T seconds at most burst + rate * T are granted,
// however many processes ask. The key expires once it is back in the past.
constexpr const char* kRateToken = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate, burst = tonumber(ARGV[3]), math.max(1, tonumber(ARGV[4]))
local interval = 1000000 / rate
local key = k('rate:' .. ARGV[2])
local tat = math.max(tonumber(redis.call('GET', key) or now), now)
local ahead = tat - now - interval * (burst - 1)
if ahead > 0 then return math.max(1, math.ceil(ahead / 1000)) end
tat = tat + interval
redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return 0
)lua";

}  // namespace

const std::string& open() {
  static const std::string s = std::string(kCommon) + kOpen;
  return s;
}
const std::string& commit() {
  static const std::string s = std::string(kCommon) + kCommit;
  return s;
}
const std::string& refill() {
  static const std::string s = std::string(kCommon) + kRefill;
  return s;
}
const std::string& renew() {
  static const std::string s = std::string(kCommon) + kRenew;
  return s;
}
const std::string& rate_token() {
  static const std::string s = std::string(kCommon) + kRateToken;
  return s;
}
const std::string& release() {
  static const std::string s = std::string(kCommon) + kRelease;
  return s;
}

const std::vector<std::string>& all() {
  static const std::vector<std::string> scripts{open(),  commit(),     refill(),
                                                renew(), rate_token(), release()};
  return scripts;
}

const std::string& sha1_of(const std::string& script) {
  // Keyed by the accessors' own strings, computed once (thread-safe static).
  static const std::map<const std::string*, std::string> shas = [] {
    std::map<const std::string*, std::string> out;
    for (const std::string* s : {&open(), &commit(), &refill(), &renew(), &rate_token(), &release()}) {
      std::array<unsigned char, 20> digest{};
      mbedtls_sha1_ret(reinterpret_cast<const unsigned char*>(s->data()), s->size(), digest.data());
      out.emplace(s, hex_encode({reinterpret_cast<const char*>(digest.data()), digest.size()}));
    }
    return out;
  }();
  const auto it = shas.find(&script);
  if (it == shas.end()) throw std::logic_error("sha1_of: not one of the store's scripts");
  return it->second;
}

}  // namespace uvscrape::store::redis_scripts
