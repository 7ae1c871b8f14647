// One hiredis asynchronous connection to Redis, driven by the loop
// (store/redis_uv_adapter.hpp): commands go out in order and their replies
// come back in order, on the loop thread; nothing blocks.
//
// A lost connection (Redis restarting, a network cut) is reconnected with
// backoff (100 ms doubling to 2 s), as is one to a Redis still loading its
// data (a LOADING error reply), and every command not yet answered is sent
// again, in its order: a caller sees each command answered exactly
// once, though Redis may have run it twice (the store's scripts make that
// harmless). After kMaxOutage without a connection, or when the first
// connection fails, on_failed reports the reason and nothing more is sent.
//
// Scripts given to load_scripts() are loaded (SCRIPT LOAD) on every
// connection before any command, so EVALSHA finds them on a restarted Redis
// too; a NOSCRIPT reply (someone ran SCRIPT FLUSH) is treated as LOADING is:
// the connection is dropped, and the new one loads them and sends again.
#pragma once

#include <uv.h>

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "store/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace uvscrape::store {

// A reply, copied out of hiredis's (freed when its callback returns).
struct RedisReply {
  enum class Type { string, status, error, integer, nil, array } type = Type::nil;
  std::string text;  // string, status, error
  long long integer = 0;
  std::vector<RedisReply> elements;  // array

  bool is_error() const noexcept { return type == Type::error; }
  static RedisReply from(const redisReply& reply);
};

class RedisConnection {
 public:
  static constexpr std::chrono::seconds kMaxOutage{60};
  // A connect not answered by then (an address that drops the SYNs) fails
  // as a refused one does: at start a clear error, later a reconnect.
  static constexpr std::chrono::seconds kConnectTimeout{5};
  using Callback = std::function<void(RedisReply)>;

  // on_failed(reason): the connection is given up; called once, on the loop.
  RedisConnection(uv_loop_t* loop, RedisAddress address,
                  std::function<void(std::string)> on_failed);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Before start(): the scripts each connection loads after AUTH and SELECT.
  void load_scripts(std::vector<std::string> scripts) { scripts_ = std::move(scripts); }
  // Connects (AUTH and SELECT first); commands sent meanwhile wait for it.
  void start();
  // Queues a command; `done` gets its reply (an error reply too).
  void send(std::vector<std::string> args, Callback done);
  // Waits for the replies still due, disconnects and closes every handle;
  // then `done`. Nothing may be sent afterwards.
  void close(std::function<void()> done);

  std::size_t reconnects() const noexcept { return reconnects_; }

 private:
  struct Command {
    std::vector<std::string> args;
    Callback done;
  };

  void connect();
  void send_on_wire(const Command& command);
  void on_connected(int status, const std::string& error);
  void connect_timed_out();
  void on_disconnected(int status);
  void on_reply(redisReply* reply);
  bool loading(const redisReply& reply);
  void schedule_reconnect();
  void fail(const std::string& reason);
  void finish_close();

  uv_loop_t* loop_;
  const RedisAddress address_;
  std::function<void(std::string)> on_failed_;
  std::vector<std::string> scripts_;
  redisAsyncContext* context_ = nullptr;
  bool connected_ = false;
  bool ever_connected_ = false;
  bool failed_ = false;
  bool closing_ = false;
  bool finishing_ = false;  // finish_close() has begun closing the handles
  bool reloading_ = false;  // Redis answered LOADING: this connection is being dropped
  std::function<void()> on_closed_;
  // Sent (or to send) and not answered, oldest first; the first `on_wire_`
  // of them went on the current connection.
  std::deque<Command> unanswered_;
  std::size_t on_wire_ = 0;
  std::size_t handshake_ = 0;  // AUTH/SELECT replies still due on this connection
  // The backoff before a reconnect, and the connect's timeout; freed by its
  // close callback.
  uv_timer_t* retry_timer_ = nullptr;
  std::chrono::milliseconds backoff_{100};
  std::chrono::steady_clock::time_point lost_at_{};
  std::size_t reconnects_ = 0;
};

}  // namespace uvscrape::store
