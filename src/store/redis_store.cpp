// See redis_store.hpp. Loop thread only; every reply arrives through
// RedisConnection's callbacks, which never let an exception out.
#include "store/redis_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "scraper/request_internals.hpp"
#include "store/ancestor_cache.hpp"
#include "store/redis_scripts.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/request_json.hpp"

namespace uvscrape::store {
namespace {

std::string hex_id(RequestId id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, static_cast<std::uint64_t>(id));
  return buf;
}

RequestId parse_id(const std::string& hex) {
  return static_cast<RequestId>(std::stoull(hex, nullptr, 16));
}

std::int64_t epoch_ms(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A fingerprint as a 16-byte binary set member (big-endian high, then low).
std::string fingerprint_bytes(const KeyHash& key) {
  std::string out(16, '\0');
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(key.high >> (56 - 8 * i));
    out[static_cast<std::size_t>(8 + i)] = static_cast<char>(key.low >> (56 - 8 * i));
  }
  return out;
}

const char* settle_name(Settle s) {
  switch (s) {
    case Settle::seed: return "seed";
    case Settle::done: return "done";
    case Settle::failed: return "failed";
    case Settle::wait: return "wait";
    case Settle::unstarted: return "unstarted";
  }
  return "done";
}

std::string make_owner() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

std::string reason_of(const RedisReply& reply) {
  if (reply.text.rfind("OOM", 0) == 0)
    return "Redis is out of memory (maxmemory reached; the crawl stops): " + reply.text;
  return "Redis replied: " + reply.text;
}

// The ancestors a refill's reply lists (id -> its parent's id, its JSON),
// built into previous_request() chains; siblings share their ancestors, and
// chains built by earlier refills come from the cache (the script stopped
// walking up at the parents the cache named).
struct Ancestors {
  AncestorCache& cache;
  std::unordered_map<std::string, std::pair<std::string, std::string>> stored;

  // The request `id` with its chain; null for "" or one not listed (the
  // chain ends there).
  std::shared_ptr<const Request> request(const std::string& id) {
    std::vector<std::pair<std::string, Request>> chain;  // id, its parent, ... not built yet
    std::shared_ptr<const Request> top;
    for (std::string at = id; !at.empty();) {
      if (auto built = cache.find(at)) {
        top = std::move(built);
        break;
      }
      const auto s = stored.find(at);
      if (s == stored.end() || s->second.second.empty()) break;
      chain.emplace_back(at, request_from_json(Json::parse(s->second.second)));
      at = s->second.first;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      detail::RequestAccess::set_parent(it->second, std::move(top));
      top = std::make_shared<const Request>(std::move(it->second));
      cache.add(it->first, top);
    }
    return top;
  }
};

}  // namespace

RedisStore::RedisStore(uv_loop_t* loop, RedisAddress address, std::size_t window)
    : loop_(loop),
      address_(std::move(address)),
      window_(window > 0            ? window
              : address_.window > 0 ? address_.window
                                    : kWindow),
      owner_(make_owner()) {}

RedisStore::~RedisStore() = default;

std::vector<std::string> RedisStore::eval(const std::string& script) const {
  // By its SHA-1: the connection loads every script first (a restarted Redis
  // too, on the new connection), so the text is not sent, nor hashed by
  // Redis, with each call.
  return {"EVALSHA", redis_scripts::sha1_of(script), "0", address_.prefix};
}

void RedisStore::fail(const std::string& reason) {
  if (closing_ && !failed_ && !close_error_) {
    // What close() sent (the last completions, the release of the leases)
    // is lost with the connection; the leased requests go back to pending
    // when their leases expire, and nothing stored is undone.
    close_error_ = std::make_exception_ptr(
        StoreError(address_.url,
                   reason + "; the run's last completions and its lease release were not stored"));
  }
  if (failed_ || closing_) return;
  failed_ = true;
  listener_->store_failed(std::make_exception_ptr(StoreError(address_.url, reason)));
}

void RedisStore::open(const RunIdentity& identity, Listener& listener) {
  listener_ = &listener;
  connection_ = std::make_unique<RedisConnection>(loop_, address_,
                                                  [this](std::string reason) { fail(reason); });
  connection_->load_scripts(redis_scripts::all());
  connection_->start();
  auto args = eval(redis_scripts::open());
  args.push_back(identity.scraper);
  args.push_back(identity.seed_params.dump());
  args.push_back(owner_);
  args.push_back(std::to_string(address_.lease.count()));
  args.push_back(identity.force ? "1" : "0");
  args.push_back(identity.adding_seeds ? "1" : "0");
  connection_->send(std::move(args), [this](RedisReply reply) { on_opened(reply); });
}

void RedisStore::on_opened(const RedisReply& reply) {
  if (reply.is_error()) return fail(reason_of(reply));
  if (reply.elements.empty()) return fail("unexpected reply to open");
  const std::string& state = reply.elements[0].text;
  if (state == "mismatch") return fail(reply.elements.at(1).text);
  Opened opened;
  try {
    if (state == "join" || state == "finished") {
      opened.resumed = true;
      opened.finished = state == "finished";
      opened.previous_status = reply.elements.at(1).text;
      opened.items = static_cast<std::uint64_t>(reply.elements.at(2).integer);
      opened.failures = static_cast<std::uint64_t>(reply.elements.at(3).integer);
    }
    if (state == "join") {
      opened.more_pending = true;  // whatever is pending comes by refill()
      if (!reply.elements.at(4).text.empty())
        opened.speculation = Json::parse(reply.elements[4].text);
      if (!reply.elements.at(5).text.empty()) opened.cookies = Json::parse(reply.elements[5].text);
      for (std::size_t i = 6; i + 1 < reply.elements.size(); i += 2) {
        const Json file = Json::parse(reply.elements[i + 1].text);
        opened.files.push_back(ArchivedFile{reply.elements[i].text, file.at("url"), file.at("size"),
                                            file.at("sha256")});
      }
    }
  } catch (const std::exception& e) {
    return fail(std::string("unreadable run metadata: ") + e.what());
  }
  opened_ = true;
  start_timer(renew_timer_, address_.lease / 3,
              [](uv_timer_t* t) { static_cast<RedisStore*>(t->data)->renew(); });
  listener_->store_opened(std::move(opened));
}

void RedisStore::start_timer(uv_timer_t*& timer, std::chrono::milliseconds every,
                             void (*cb)(uv_timer_t*)) {
  if (!timer) {
    timer = new uv_timer_t;
    uv_timer_init(loop_, timer);
    timer->data = this;
  }
  const auto ms = static_cast<std::uint64_t>(every.count());
  uv_timer_start(timer, cb, ms, ms);
}

// Attempts are recorded with the request's completion; a process killed
// while fetching loses the count of that one send (the request is fetched
// again by another process after its lease expires).
void RedisStore::started(RequestId, int) {}

void RedisStore::commit(Completion completion) {
  if (failed_ || closing_) return;
  completion.response.reset();  // stored responses are not kept in Redis
  queued_.push_back(std::move(completion));
  // One script call at a time: the completions arriving meanwhile go in the
  // next one together (fewer calls for Redis and for this process).
  if (!commit_on_wire_) send_commits();
}

void RedisStore::append_commit_args(std::vector<std::string>& args, const Completion& completion) {
  const bool has_request = completion.request != 0;
  std::string token;
  if (has_request) {
    if (auto it = leases_.find(completion.request); it != leases_.end()) token = it->second;
  }
  args.push_back(has_request ? hex_id(completion.request) : "");
  args.push_back(token.empty() ? "-" : token);  // "-": no lease held, so it is rejected
  args.push_back(settle_name(completion.settle));
  args.push_back(std::to_string(completion.attempts));
  args.push_back(std::to_string(epoch_ms(completion.not_before)));
  args.push_back(std::to_string(completion.children.size()));
  for (const Child& child : completion.children) {
    args.push_back(child.key ? fingerprint_bytes(*child.key) : "");
    args.push_back(child.record_only ? "1" : "0");
    args.push_back(std::to_string(child.request.priority()));
    Json body = child.request;
    args.push_back(body.dump());
  }
  args.push_back(std::to_string(completion.items.size()));
  for (const Item& item : completion.items) {
    // {"request", "model", "valid", "value"}, written out directly: the same
    // text as a Json object's dump(), without copying the value into one.
    std::string stored = "{\"request\":";
    stored += std::to_string(completion.request);
    stored += ",\"model\":";
    stored += Json(item.model).dump();
    stored += item.valid ? ",\"valid\":true,\"value\":" : ",\"valid\":false,\"value\":";
    stored += item.value.dump();
    stored += '}';
    args.push_back(std::move(stored));
  }
  args.push_back(std::to_string(completion.failures.size()));
  for (const Failure& f : completion.failures) {
    Json stored = {{"request", completion.request},
                   {"url", f.url},
                   {"step", f.step},
                   {"page_url", f.page_url},
                   {"kind", to_string(f.kind)},
                   {"message", f.message},
                   {"attempts", f.attempts},
                   {"time", epoch_ms(f.time)}};
    args.push_back(stored.dump());
  }
  if (completion.file) {
    args.push_back(completion.file->path);
    Json file = {{"url", completion.file->url},
                 {"size", completion.file->size},
                 {"sha256", completion.file->sha256},
                 {"request", completion.request}};
    args.push_back(file.dump());
  } else {
    args.push_back("");
    args.push_back("");
  }
  args.push_back(completion.speculation ? completion.speculation->dump() : "");
  args.push_back(completion.cookies ? completion.cookies->dump() : "");
  args.push_back(completion.fetch ? completion.fetch->host : "");
  args.push_back(completion.fetch ? std::to_string(completion.fetch->took.count()) : "");
}

void RedisStore::send_commits() {
  if (queued_.empty()) return;
  std::vector<Completion> batch;
  const std::size_t n = std::min(queued_.size(), kCommitBatch);
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queued_.front()));
    queued_.pop_front();
  }
  auto args = eval(redis_scripts::commit());
  args.push_back(std::to_string(batch.size()));
  for (const Completion& c : batch) append_commit_args(args, c);
  commit_on_wire_ = true;
  connection_->send(std::move(args), [this, batch = std::move(batch)](RedisReply reply) mutable {
    commit_on_wire_ = false;
    if (failed_) return;
    if (reply.is_error() || reply.elements.size() != 2 * batch.size()) return fail(reason_of(reply));
    // The next call goes out before these are handed on.
    if (!closing_) send_commits();
    for (std::size_t b = 0; b < batch.size(); ++b) {
      Completion& c = batch[b];
      if (c.settle != Settle::wait && c.request != 0) leases_.erase(c.request);
      if (reply.elements[2 * b].integer == 0) {
        ++stale_commits_;  // another process holds this request now: it stores it
        c.children.clear();
        c.items.clear();
        c.failures.clear();
        c.file.reset();
      } else {
        const std::string& ids = reply.elements[2 * b + 1].text;
        std::size_t at = 0;
        for (Child& child : c.children) {
          const std::size_t comma = std::min(ids.find(',', at), ids.size());
          child.id = parse_id(ids.substr(at, comma - at));
          at = comma + 1;
        }
      }
      listener_->store_committed(std::move(c));
      if (failed_) return;
    }
    // A parked refill may find these commits' children now.
    if (refill_wanted_ && !refill_on_wire_ && !closing_) send_refill();
  });
}

void RedisStore::refill(std::size_t max, std::vector<RequestId>) {
  // The ids the driver holds are leased to it, not pending: nothing to exclude.
  if (failed_ || closing_) return;
  refill_wanted_ = true;
  refill_max_ = std::max<std::size_t>(max, 1);
  if (!refill_on_wire_) send_refill();
}

void RedisStore::send_refill() {
  if (poll_timer_) uv_timer_stop(poll_timer_);
  refill_on_wire_ = true;
  auto args = eval(redis_scripts::refill());
  args.push_back(std::to_string(refill_max_));
  args.push_back(std::to_string(address_.lease.count()));
  // Ancestors the script need not list: their chains are kept here.
  for (const std::string& id : ancestors_.recent_parents()) args.push_back(id);
  connection_->send(std::move(args), [this](RedisReply reply) { on_refilled(reply); });
}

void RedisStore::on_refilled(const RedisReply& reply) {
  refill_on_wire_ = false;
  if (failed_ || closing_) return;
  if (reply.is_error() || reply.elements.empty()) return fail(reason_of(reply));
  const auto& el = reply.elements;
  const bool more = el[0].integer != 0;
  std::vector<PendingRequest> pending;
  try {
    const auto n = static_cast<std::size_t>(el.at(1).integer);
    const std::size_t ancestors_at = 2 + 6 * n;
    if (el.size() < ancestors_at) throw std::runtime_error("short reply");
    Ancestors ancestors{ancestors_, {}};
    for (std::size_t i = ancestors_at; i + 2 < el.size(); i += 3)
      ancestors.stored.emplace(el[i].text, std::make_pair(el[i + 1].text, el[i + 2].text));
    for (std::size_t i = 2; i < ancestors_at; i += 6) {
      const RequestId id = parse_id(el[i].text);
      leases_[id] = el[i + 1].text;
      PendingRequest p{id, request_from_json(Json::parse(el[i + 2].text)), std::nullopt};
      for (long long a = std::stoll(el[i + 3].text); a > 0; --a)
        detail::RequestAccess::count_attempt(p.request);
      if (const std::string& nb = el[i + 4].text; !nb.empty())
        p.not_before = WallClock::time_point(std::chrono::milliseconds(std::stoll(nb)));
      detail::RequestAccess::set_parent(p.request, ancestors.request(el[i + 5].text));
      ancestors_.note_parent(el[i + 5].text);
      pending.push_back(std::move(p));
    }
    ancestors_.trim();
  } catch (const std::exception& e) {
    return fail(std::string("unreadable stored request: ") + e.what());
  }
  if (pending.empty() && more) {
    // Others (or this process's own fetches) may still yield work: ask again.
    return start_timer(poll_timer_, kPoll, [](uv_timer_t* t) {
      auto* self = static_cast<RedisStore*>(t->data);
      uv_timer_stop(t);
      if (self->refill_wanted_ && !self->refill_on_wire_) self->send_refill();
    });
  }
  refill_wanted_ = false;
  listener_->store_refilled(std::move(pending), more);
}

void RedisStore::acquire_rate_token(const std::string& host, double rate, double burst,
                                    RateTokenDone done) {
  if (failed_ || closing_ || !connection_) return;
  auto args = eval(redis_scripts::rate_token());
  args.push_back(host);
  args.push_back(std::to_string(rate));
  args.push_back(std::to_string(burst));
  connection_->send(std::move(args), [this, done = std::move(done)](RedisReply reply) {
    if (failed_ || closing_) return;
    if (reply.is_error() || reply.type != RedisReply::Type::integer) return fail(reason_of(reply));
    done(std::chrono::milliseconds(reply.integer));
  });
}

void RedisStore::renew() {
  if (failed_ || closing_ || renew_on_wire_) return;  // one at a time (Redis may be down)
  auto args = eval(redis_scripts::renew());
  args.push_back(std::to_string(address_.lease.count()));
  for (const auto& [id, token] : leases_) {
    args.push_back(hex_id(id));
    args.push_back(token);
  }
  renew_on_wire_ = true;
  connection_->send(std::move(args), [this](RedisReply reply) {
    renew_on_wire_ = false;
    if (failed_) return;
    if (reply.is_error()) return fail(reason_of(reply));
    for (const RedisReply& id : reply.elements) {
      // Lost (this process was too slow): its commit will be rejected.
      if (leases_.erase(parse_id(id.text)) > 0) ++lost_leases_;
    }
  });
}

void RedisStore::close(const std::string& status) {
  closing_ = true;
  auto finish = [this] { close_timers_then([this] { listener_->store_closed(); }); };
  if (!connection_) return listener_->store_closed();
  if (!failed_ && opened_) {
    // Completions still queued go first (in as many calls as it takes).
    while (!queued_.empty()) send_commits();
    // This process's leases go back to pending: another process, or the next
    // run, fetches them.
    auto args = eval(redis_scripts::release());
    args.push_back(status);
    for (const auto& [id, token] : leases_) {
      args.push_back(hex_id(id));
      args.push_back(token);
    }
    leases_.clear();
    connection_->send(std::move(args), [](RedisReply) {});
  }
  connection_->close(finish);
}

void RedisStore::close_timers_then(std::function<void()> done) {
  auto remaining = std::make_shared<int>(0);
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (uv_timer_t** timer : {&renew_timer_, &poll_timer_}) {
    if (!*timer) continue;
    ++*remaining;
    struct Closing {
      std::shared_ptr<int> remaining;
      std::shared_ptr<std::function<void()>> done;
    };
    (*timer)->data = new Closing{remaining, shared_done};
    uv_close(reinterpret_cast<uv_handle_t*>(*timer), [](uv_handle_t* h) {
      auto* closing = static_cast<Closing*>(h->data);
      delete reinterpret_cast<uv_timer_t*>(h);
      if (--*closing->remaining == 0) (*closing->done)();
      delete closing;
    });
    *timer = nullptr;
  }
  if (*remaining == 0) (*shared_done)();
}

}  // namespace uvscrape::store
