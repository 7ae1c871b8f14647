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
-- Multi-argument calls in chunks (unpack's limit): args of 4,000 (even, for
-- field-value and score-member pairs) at a time.
local function many(cmd, key, args)
  for i = 1, #args, 4000 do redis.call(cmd, key, unpack(args, i, math.min(#args, i + 3999))) end
end
-- The same for a command that answers one value per argument, joined.
local function gather(cmd, key, args)
  if #args <= 4000 then return redis.call(cmd, key, unpack(args)) end
  local out = {}
  for i = 1, #args, 4000 do
    local part = redis.call(cmd, key, unpack(args, i, math.min(#args, i + 3999)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end
local function hmget(key, fields) return gather('HMGET', key, fields) end
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

// Several completions in one call (ARGV[2]: how many; then each: id, token,
// settle, attempts, not_before, children (count, then key, record_only,
// priority, JSON each), items (count, then each), failures (count, then
// each), file path, file JSON, speculation, cookies, host, fetch ms). Each is
// checked against its own lease: a stale one is refused (nothing of it is
// stored), the others commit. The script is atomic as a whole, so the writes
// its completions share (the seen set, the new requests, the items, the
// finished requests' fields, the counters) are gathered and made at the end
// with one multi-argument call each. The answer: ok (1 or 0) and the child
// ids ("0": not admitted), comma-separated, per completion in their order.
constexpr const char* kCommit = R"lua(
local meta = k('meta')
local function members(keys) return gather('SMISMEMBER', k('seen'), keys) end
-- Where a completion's parts start in ARGV (see above): its children, items,
-- failures, the rest; and where the next completion starts.
local function layout(at)
  local children_at = at + 6
  local items_at = children_at + 4 * tonumber(ARGV[at + 5])
  local failures_at = items_at + tonumber(ARGV[items_at]) + 1
  local tail = failures_at + tonumber(ARGV[failures_at]) + 1
  return children_at, items_at, failures_at, tail, tail + 6
end
local seeded
local finals, acks, taken, parents_set = {}, {}, {}, {}
local new_seen, admitted, parents_args, unlink = {}, {}, {}, {}
local items, failures, files_args, meta_args = {}, {}, {}, {}
local speculation, cookies
local settled = {done = 0, failed = 0}
local fetch, hosts = {}, {}
local stale = 0
local records = {}
-- The leases of the completions' requests, read at once (kept up to date
-- below: a final or an unstarted settle ends its lease).
local lease_of = {}
do
  local ids, at = {}, 3
  for c = 1, tonumber(ARGV[2]) do
    if ARGV[at] ~= '' then ids[#ids + 1] = ARGV[at] end
    at = select(5, layout(at))
  end
  if #ids > 0 then
    local tokens = hmget(k('lease'), ids)
    for j, id in ipairs(ids) do
      if tokens[j] then lease_of[id] = tokens[j] end
    end
  end
end
local at = 3
for c = 1, tonumber(ARGV[2]) do
  local id, token, settle = ARGV[at], ARGV[at + 1], ARGV[at + 2]
  local nchildren = tonumber(ARGV[at + 5])
  local children_at, items_at, failures_at, tail, next_at = layout(at)
  local rec = {ok = 1, ids = {}}
  -- A final settle ends the lease: its answer is kept long enough for a
  -- resubmission after a reconnect. (A wait keeps the lease, and running it
  -- again changes nothing.)
  if id ~= '' and settle ~= 'wait' then rec.token = token end
  local run = true
  -- The lease is checked first: a completion that holds it was not stored
  -- before. One that does not was stored already (resubmitted after a lost
  -- connection: the same answer), or its lease was lost.
  if id ~= '' and lease_of[id] ~= token then
    run = false
    rec.token = nil
    local done = settle ~= 'wait' and (acks[token] or redis.call('GET', k('ack:' .. token)))
    if done then
      rec.done = done
    else
      stale = stale + 1
      rec.ok, rec.done = 0, ''
    end
  end
  if run then
    local count = 0
    if nchildren > 0 then
      local keys = {}
      for i = 0, nchildren - 1 do
        local key = ARGV[children_at + 4 * i]
        if key ~= '' then keys[#keys + 1] = key end
      end
      local seen = #keys > 0 and members(keys) or {}
      local ki = 0
      for i = 0, nchildren - 1 do
        local base = children_at + 4 * i
        local key = ARGV[base]
        local fresh = true
        if key ~= '' then
          ki = ki + 1
          fresh = seen[ki] == 0 and not taken[key]
          if fresh then
            taken[key] = true
            new_seen[#new_seen + 1] = key
          end
        end
        -- The run's own entries are never dropped, but seeded once only.
        if ARGV[base + 1] == '1' then
          if seeded == nil then seeded = redis.call('HGET', meta, 'seeded') == '1' end
          fresh = not (settle == 'seed' and seeded)
        end
        if fresh then
          count = count + 1
          admitted[#admitted + 1] = {base, id}
          rec.ids[#rec.ids + 1] = #admitted
        else
          rec.ids[#rec.ids + 1] = 0
        end
      end
    end
    if count > 0 and id ~= '' and not parents_set[id] then
      -- The children's previous_request(): this request, kept while it has children.
      local own_body = redis.call('HGET', k('req'), id)
      if own_body then
        parents_args[#parents_args + 1] = id
        parents_args[#parents_args + 1] = own_body
        parents_set[id] = true
      end
    end
    if settle == 'done' or settle == 'failed' then
      settled[settle] = settled[settle] + 1
      if id ~= '' then
        finals[#finals + 1] = id
        lease_of[id] = nil
      end
      -- The fetch time of the attempt that settled the request, added up per
      -- host (count, sum, max in ms) for the dashboard's slowest hosts.
      if ARGV[tail + 5] ~= '' then
        local host, ms = ARGV[tail + 4], tonumber(ARGV[tail + 5])
        local f = fetch[host]
        if not f then
          f = {0, 0, -1}
          fetch[host] = f
          hosts[#hosts + 1] = host
        end
        f[1], f[2] = f[1] + 1, f[2] + ms
        if ms > f[3] then f[3] = ms end
      end
    elseif settle == 'wait' then
      -- The process keeps the retry in its frontier: the lease stays its own.
      redis.call('HSET', k('attempts'), id, ARGV[at + 3])
      redis.call('HSET', k('nb'), id, ARGV[at + 4])
    elseif settle == 'unstarted' then
      lease_of[id] = nil
      redis.call('ZREM', k('leased'), id)
      redis.call('HDEL', k('lease'), id)
      redis.call('HSET', k('attempts'), id, ARGV[at + 3])
      redis.call('HDEL', k('nb'), id)
      redis.call('ZADD', k('pending'), redis.call('HGET', k('prio'), id) or 0, id)
    end
    for i = 1, tonumber(ARGV[items_at]) do items[#items + 1] = ARGV[items_at + i] end
    for i = 1, tonumber(ARGV[failures_at]) do failures[#failures + 1] = ARGV[failures_at + i] end
    if ARGV[tail] ~= '' then
      files_args[#files_args + 1] = ARGV[tail]
      files_args[#files_args + 1] = ARGV[tail + 1]
    end
    if ARGV[tail + 2] ~= '' then speculation = ARGV[tail + 2] end
    if ARGV[tail + 3] ~= '' then cookies = ARGV[tail + 3] end
    if settle == 'seed' then
      redis.call('HSET', meta, 'seeded', '1')
      redis.call('DEL', k('seeding'))
      seeded = true
    end
    if rec.token then acks[token] = rec end
  end
  records[#records + 1] = rec
  at = next_at
end
-- The new requests: ids in the order they were admitted.
if #admitted > 0 then
  local first = redis.call('INCRBY', k('next_id'), #admitted) - #admitted
  local req, prio, pending, parent = {}, {}, {}, {}
  for i, a in ipairs(admitted) do
    local cid = string.format('%016x', first + i)
    local p = ARGV[a[1] + 2]
    a[3] = cid
    req[#req + 1] = cid
    req[#req + 1] = ARGV[a[1] + 3]
    prio[#prio + 1] = cid
    prio[#prio + 1] = p
    pending[#pending + 1] = p
    pending[#pending + 1] = cid
    if a[2] ~= '' then
      parent[#parent + 1] = cid
      parent[#parent + 1] = a[2]
    end
  end
  many('HSET', k('req'), req)
  many('HSET', k('prio'), prio)
  many('ZADD', k('pending'), pending)
  if #parent > 0 then many('HSET', k('parent'), parent) end
end
if #new_seen > 0 then many('SADD', k('seen'), new_seen) end
if #parents_args > 0 then many('HSET', k('parents'), parents_args) end
if #finals > 0 then
  many('ZREM', k('leased'), finals)
  many('HDEL', k('lease'), finals)
  many('HDEL', k('req'), finals)
  many('HDEL', k('prio'), finals)
  many('HDEL', k('attempts'), finals)
  many('HDEL', k('nb'), finals)
end
-- A finished request that is nobody's parent needs no link up any more.
if #finals > 0 then
  local bodies = hmget(k('parents'), finals)
  for j, id in ipairs(finals) do
    if not bodies[j] and not parents_set[id] then unlink[#unlink + 1] = id end
  end
end
if #unlink > 0 then many('HDEL', k('parent'), unlink) end
if #items > 0 then many('RPUSH', k('items'), items) end
if #failures > 0 then many('RPUSH', k('failures'), failures) end
if #files_args > 0 then many('HSET', k('files'), files_args) end
if speculation then
  meta_args[#meta_args + 1] = 'speculation'
  meta_args[#meta_args + 1] = speculation
end
if cookies then
  meta_args[#meta_args + 1] = 'cookies'
  meta_args[#meta_args + 1] = cookies
end
if #meta_args > 0 then redis.call('HSET', meta, unpack(meta_args)) end
if settled.done > 0 then redis.call('HINCRBY', meta, 'done', settled.done) end
if settled.failed > 0 then redis.call('HINCRBY', meta, 'failed', settled.failed) end
if stale > 0 then redis.call('HINCRBY', meta, 'stale_commits', stale) end
-- Settled requests per 10 s (field: Redis's clock in ms / 10,000), for the
-- dashboard's throughput; a week of crawling is some 60,000 small fields.
if settled.done + settled.failed > 0 then
  redis.call('HINCRBY', k('settled_10s'), math.floor(now_ms() / 10000), settled.done + settled.failed)
end
for _, host in ipairs(hosts) do
  local f = fetch[host]
  redis.call('HINCRBY', k('fetch_count'), host, f[1])
  redis.call('HINCRBY', k('fetch_sum'), host, f[2])
  if f[3] > tonumber(redis.call('HGET', k('fetch_max'), host) or -1) then
    redis.call('HSET', k('fetch_max'), host, f[3])
  end
end
local out = {}
for _, rec in ipairs(records) do
  if type(rec.done) == 'table' then
    rec.done = rec.done.done  -- the same completion, earlier in this call
  elseif not rec.done then
    local ids = {}
    for i, a in ipairs(rec.ids) do ids[i] = a == 0 and '0' or admitted[a][3] end
    rec.done = table.concat(ids, ',')
    if rec.token then redis.call('SET', k('ack:' .. rec.token), rec.done, 'PX', 300000) end
  end
  out[#out + 1] = rec.ok
  out[#out + 1] = rec.done
end
return out
)lua";

constexpr const char* kRefill = R"lua(
local now = now_ms()
sweep(now)
local popped = redis.call('ZPOPMIN', k('pending'), ARGV[2])
local n = #popped / 2
local out = {0, n}
local chain_of = {}
if n > 0 then
  -- One call per hash for all the requests taken; their tokens are n
  -- consecutive values of the counter.
  local ids = {}
  for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
  local parents = hmget(k('parent'), ids)
  local bodies = hmget(k('req'), ids)
  local attempts = hmget(k('attempts'), ids)
  local nbs = hmget(k('nb'), ids)
  local first = redis.call('INCRBY', k('tokens'), n) - n
  local leases, deadlines = {}, {}
  local deadline = now + tonumber(ARGV[3])
  for i, id in ipairs(ids) do
    local token = tostring(first + i)
    local parent = parents[i] or ''
    chain_of[#chain_of + 1] = parent
    leases[#leases + 1] = id
    leases[#leases + 1] = token
    deadlines[#deadlines + 1] = deadline
    deadlines[#deadlines + 1] = id
    out[#out + 1] = id
    out[#out + 1] = token
    out[#out + 1] = bodies[i] or ''
    out[#out + 1] = attempts[i] or '0'
    out[#out + 1] = nbs[i] or ''
    out[#out + 1] = parent
  end
  many('HSET', k('lease'), leases)
  many('ZADD', k('leased'), deadlines)
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
