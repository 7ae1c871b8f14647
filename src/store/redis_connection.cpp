// See redis_connection.hpp. hiredis calls back on the loop thread (from the
// adapter's uv_poll_t); no exception leaves a callback.
#include "store/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <string_view>

#include "store/redis_uv_adapter.hpp"

namespace uvscrape::store {
namespace {

RedisConnection* owner_of(const redisAsyncContext* context) {
  return static_cast<RedisConnection*>(context->data);
}

}  // namespace

RedisReply RedisReply::from(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING: out.type = Type::string; break;
    case REDIS_REPLY_STATUS: out.type = Type::status; break;
    case REDIS_REPLY_ERROR: out.type = Type::error; break;
    case REDIS_REPLY_INTEGER: out.type = Type::integer; break;
    case REDIS_REPLY_ARRAY: out.type = Type::array; break;
    default: out.type = Type::nil; break;
  }
  if (reply.str) out.text.assign(reply.str, reply.len);
  out.integer = reply.integer;
  for (std::size_t i = 0; i < reply.elements; ++i) out.elements.push_back(from(*reply.element[i]));
  return out;
}

RedisConnection::RedisConnection(uv_loop_t* loop, RedisAddress address,
                                 std::function<void(std::string)> on_failed)
    : loop_(loop), address_(std::move(address)), on_failed_(std::move(on_failed)) {}

RedisConnection::~RedisConnection() {
  // close() has run (and its handles are closed) unless the loop is being
  // torn down: then nothing may call back into this object any more.
  if (context_) context_->data = nullptr;
}

void RedisConnection::start() {
  retry_timer_ = new uv_timer_t;
  uv_timer_init(loop_, retry_timer_);
  retry_timer_->data = this;
  connect();
}

void RedisConnection::connect() {
  // A numeric address (redis_url.cpp checks it): hiredis does not block on
  // a DNS lookup, and its connect is non-blocking.
  redisAsyncContext* context = redisAsyncConnect(address_.host.c_str(), address_.port);
  if (context == nullptr || context->err) {
    const std::string error = context ? context->errstr : "out of memory";
    if (context) redisAsyncFree(context);
    on_connected(REDIS_ERR, error);
    return;
  }
  context->data = this;
  context_ = context;
  if (!attach_redis_to_loop(context, loop_)) {
    redisAsyncFree(context);
    context_ = nullptr;
    return fail("cannot watch the connection's socket on the loop");
  }
  redisAsyncSetConnectCallback(context, [](const redisAsyncContext* c, int status) {
    if (RedisConnection* self = owner_of(c)) self->on_connected(status, c->errstr);
  });
  redisAsyncSetDisconnectCallback(context, [](const redisAsyncContext* c, int status) {
    if (RedisConnection* self = owner_of(c)) self->on_disconnected(status);
  });
  uv_timer_start(
      retry_timer_,
      [](uv_timer_t* t) { static_cast<RedisConnection*>(t->data)->connect_timed_out(); },
      static_cast<uint64_t>(std::chrono::milliseconds(kConnectTimeout).count()), 0);
  // The handshake, then every unanswered command, pipelined in order.
  auto handshake_reply = [](redisAsyncContext* c, void* r, void*) {
    RedisConnection* self = owner_of(c);
    if (!self || !r) return;
    auto* reply = static_cast<redisReply*>(r);
    --self->handshake_;
    if (self->loading(*reply)) return;
    if (reply->type == REDIS_REPLY_ERROR)
      self->fail(std::string("rejected the connection: ") + std::string(reply->str, reply->len));
  };
  handshake_ = 0;
  if (!address_.password.empty()) {
    const char* argv[] = {"AUTH", address_.password.c_str()};
    const size_t lens[] = {4, address_.password.size()};
    redisAsyncCommandArgv(context, handshake_reply, nullptr, 2, argv, lens);
    ++handshake_;
  }
  const std::string db = std::to_string(address_.db);
  const char* argv[] = {"SELECT", db.c_str()};
  const size_t lens[] = {6, db.size()};
  redisAsyncCommandArgv(context, handshake_reply, nullptr, 2, argv, lens);
  ++handshake_;
  for (const std::string& script : scripts_) {
    const char* load[] = {"SCRIPT", "LOAD", script.c_str()};
    const size_t load_lens[] = {6, 4, script.size()};
    redisAsyncCommandArgv(context, handshake_reply, nullptr, 3, load, load_lens);
    ++handshake_;
  }
  on_wire_ = 0;
  for (const Command& command : unanswered_) {
    send_on_wire(command);
    ++on_wire_;
  }
  if (closing_) redisAsyncDisconnect(context);  // once those are answered
}

void RedisConnection::send_on_wire(const Command& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : command.args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAsyncCommandArgv(
      context_,
      [](redisAsyncContext* c, void* r, void*) {
        RedisConnection* self = owner_of(c);
        // No reply: the connection went; the command is sent again.
        if (self && r) self->on_reply(static_cast<redisReply*>(r));
      },
      nullptr, static_cast<int>(argv.size()), argv.data(), lens.data());
}

void RedisConnection::send(std::vector<std::string> args, Callback done) {
  if (failed_) return;
  unanswered_.push_back(Command{std::move(args), std::move(done)});
  if (context_) {
    send_on_wire(unanswered_.back());
    ++on_wire_;
  }
}

// A restarted Redis answers LOADING until it has read its data back: not an
// answer. Nor is NOSCRIPT (the scripts were flushed since this connection
// loaded them). The connection is dropped and everything sent again after a
// backoff, on a new connection that loads the scripts first.
bool RedisConnection::loading(const redisReply& reply) {
  if (reloading_) return true;  // the rest of this connection's replies
  if (reply.type != REDIS_REPLY_ERROR) return false;
  const std::string_view text(reply.str, reply.len);
  if (text.rfind("LOADING", 0) != 0 && text.rfind("NOSCRIPT", 0) != 0) return false;
  reloading_ = true;
  if (context_) redisAsyncDisconnect(context_);  // after the replies due; -> on_disconnected
  return true;
}

void RedisConnection::on_reply(redisReply* reply) {
  if (loading(*reply)) return;
  if (unanswered_.empty() || on_wire_ == 0) return;
  Command command = std::move(unanswered_.front());
  unanswered_.pop_front();
  --on_wire_;
  if (failed_) return;
  try {
    command.done(RedisReply::from(*reply));
  } catch (...) {
    // The store's callbacks do not throw; nothing may cross into hiredis.
  }
}

void RedisConnection::on_connected(int status, const std::string& error) {
  if (retry_timer_) uv_timer_stop(retry_timer_);
  if (status == REDIS_OK) {
    connected_ = true;
    ever_connected_ = true;
    lost_at_ = {};
    backoff_ = std::chrono::milliseconds(100);
    return;
  }
  context_ = nullptr;  // hiredis frees a context whose connect failed
  if (!ever_connected_) return closing_ ? finish_close() : fail("cannot connect: " + error);
  if (closing_ && unanswered_.empty()) return finish_close();
  schedule_reconnect();  // closing too: what is unanswered is sent once Redis is back
}

void RedisConnection::connect_timed_out() {
  if (connected_ || !context_) return;
  redisAsyncContext* context = context_;
  context->data = nullptr;  // none of its callbacks reaches this object any more
  redisAsyncFree(context);
  on_connected(REDIS_ERR, "timed out after " + std::to_string(kConnectTimeout.count()) +
                              " s (nothing answers at " + address_.host + ":" +
                              std::to_string(address_.port) + ")");
}

void RedisConnection::on_disconnected(int status) {
  context_ = nullptr;
  reloading_ = false;
  connected_ = false;
  on_wire_ = 0;
  if (failed_ || (closing_ && unanswered_.empty())) return finish_close();
  static_cast<void>(status);  // a clean disconnect too: only close() ends the connection
  lost_at_ = std::chrono::steady_clock::now();
  schedule_reconnect();
}

void RedisConnection::schedule_reconnect() {
  if (failed_) return;
  if (lost_at_ == std::chrono::steady_clock::time_point{})
    lost_at_ = std::chrono::steady_clock::now();
  if (std::chrono::steady_clock::now() - lost_at_ > kMaxOutage)
    return fail("the connection was lost and not regained within 60 s");
  uv_timer_start(
      retry_timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<RedisConnection*>(t->data);
        ++self->reconnects_;
        self->connect();
      },
      static_cast<uint64_t>(backoff_.count()), 0);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(2000));
}

void RedisConnection::fail(const std::string& reason) {
  if (failed_) return;
  failed_ = true;
  unanswered_.clear();
  on_wire_ = 0;
  if (on_failed_) on_failed_(reason);
  if (closing_ && !context_) finish_close();  // given up while waiting to close
}

void RedisConnection::close(std::function<void()> done) {
  closing_ = true;
  on_closed_ = std::move(done);
  if (context_) return redisAsyncDisconnect(context_);  // after the replies still due
  // Between connections: with nothing unanswered there is nothing to wait
  // for; otherwise the reconnect already scheduled sends it (and disconnects
  // once it is answered), within the same outage bound as during the run.
  if (unanswered_.empty()) {  // (a failed connection has dropped all of it)
    if (retry_timer_) uv_timer_stop(retry_timer_);
    finish_close();
  }
}

void RedisConnection::finish_close() {
  if (!closing_ || !on_closed_ || finishing_) return;
  finishing_ = true;  // once: a failure while closing may lead here twice
  if (!retry_timer_) {
    auto done = std::move(on_closed_);
    on_closed_ = nullptr;
    return done();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(retry_timer_), [](uv_handle_t* h) {
    auto* self = static_cast<RedisConnection*>(h->data);
    delete reinterpret_cast<uv_timer_t*>(h);
    self->retry_timer_ = nullptr;
    auto done = std::move(self->on_closed_);
    self->on_closed_ = nullptr;
    if (done) done();
  });
}

}  // namespace uvscrape::store
