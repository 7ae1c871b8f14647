// net::connect: resolve -> TCP connect (each address in turn) -> TLS handshake.
//
// One ConnectAttempt per call, a state machine whose transitions all go
// through set_state (asserted): resolving -> connecting [-> tunnelling]
// [-> handshaking] -> done, or done from any phase on failure, timeout or
// cancel. Through a proxy, `resolving` and `connecting` are about the proxy;
// `tunnelling` opens the way to the target (resolving the target here first
// for socks5://). It keeps itself
// alive until it has reported, and reports exactly once: a ready Stream, or a
// typed error. Its one timer bounds first the connect phase (resolution plus
// TCP connect over all addresses, and the proxy tunnel: `connect_timeout`) and then the TLS
// handshake (`tls_timeout`).
#include <cassert>
#include <memory>
#include <string>
#include <utility>

#include "common/seconds.hpp"
#include "net/proxy_tunnel.hpp"
#include "net/resolver.hpp"
#include "net/stream.hpp"
#include "net/tcp_stream.hpp"
#include "net/tls_config.hpp"
#include "net/tls_stream.hpp"
#include "net/uv_util.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net {
namespace {

class ConnectAttempt : public std::enable_shared_from_this<ConnectAttempt> {
 public:
  ConnectAttempt(uv_loop_t* loop, Resolver& resolver, TlsConfigCache& tls,
                 const ConnectTarget& target, ConnectCallback done)
      : loop_(loop),
        resolver_(resolver),
        tls_(tls),
        target_(target),
        done_(std::move(done)),
        timer_(loop) {}

  void start() {
    self_ = shared_from_this();
    timer_.start(static_cast<uint64_t>(target_.connect_timeout.count()), [this] {
      fail(std::make_exception_ptr(RequestTimeoutException(
          target_.url, seconds(target_.connect_timeout), TimeoutPhase::connect)));
    });
    // The resolver never answers inside resolve(), so nothing reports before
    // connect() has returned its cancel function.
    const std::string& first_host = target_.proxy ? target_.proxy->host : target_.host;
    cancel_resolve_ = resolver_.resolve(
        first_host, target_.url,
        [this](std::shared_ptr<const AddressList> addresses, std::exception_ptr error) {
          on_resolved(std::move(addresses), std::move(error));
        });
  }

  void cancel() {
    if (state_ == State::done) return;
    fail(std::make_exception_ptr(CancelledError(target_.url, "connect cancelled")));
  }

 private:
  enum class State { resolving, connecting, tunnelling, handshaking, done };

  static constexpr bool is_allowed(State from, State to) {
    switch (from) {
      case State::resolving: return to == State::connecting || to == State::done;
      case State::connecting:
        return to == State::tunnelling || to == State::handshaking || to == State::done;
      case State::tunnelling: return to == State::handshaking || to == State::done;
      case State::handshaking: return to == State::done;
      case State::done: return false;
    }
    return false;
  }
  void set_state(State to) {
    assert(is_allowed(state_, to) && "illegal connect attempt state transition");
    state_ = to;
  }

  void on_resolved(std::shared_ptr<const AddressList> addresses, std::exception_ptr error) {
    cancel_resolve_ = nullptr;
    if (error) return fail(std::move(error));
    addresses_ = std::move(addresses);
    set_state(State::connecting);
    try_next_address();
  }

  void try_next_address() {
    if (next_ >= addresses_->size()) {
      // A dead proxy is named, so the user does not look for a dead site.
      const std::string reason =
          target_.proxy ? "proxy " + target_.proxy->display + ": " + errors_ : errors_;
      return fail(std::make_exception_ptr(ConnectionError(target_.url, reason)));
    }
    Address address = (*addresses_)[next_++];
    address.set_port(target_.proxy ? target_.proxy->port : target_.port);
    tcp_ = std::make_unique<TcpStream>(loop_, target_.url);
    tcp_->connect(address.get(), [this, address](int status) {
      if (status == 0) return on_tcp_connected();
      if (!errors_.empty()) errors_ += "; ";
      errors_ += address.to_string() + ": " + uv_error_text(status);
      tcp_.reset();
      try_next_address();
    });
  }

  void on_tcp_connected() {
    const bool tunnel = target_.proxy && (target_.tls || !target_.proxy->is_http());
    if (!tunnel) return on_transport_ready();
    set_state(State::tunnelling);
    if (target_.proxy->kind != ProxyEndpoint::Kind::socks5 || parse_numeric_host(target_.host))
      return open_tunnel(target_.host);
    // socks5:// (not socks5h://): the target's name is resolved here.
    cancel_resolve_ = resolver_.resolve(
        target_.host, target_.url,
        [this](std::shared_ptr<const AddressList> addresses, std::exception_ptr error) {
          cancel_resolve_ = nullptr;
          if (error) return fail(std::move(error));
          // IPv4 first: many SOCKS proxies have no IPv6 route.
          const Address* chosen = &(*addresses)[0];
          for (const Address& address : *addresses) {
            if (address.family() == AF_INET) {
              chosen = &address;
              break;
            }
          }
          std::string numeric = chosen->to_string();  // "1.2.3.4:0", "[::1]:0"
          numeric.erase(numeric.rfind(':'));
          if (numeric.starts_with('[')) numeric = numeric.substr(1, numeric.size() - 2);
          open_tunnel(numeric);
        });
  }

  void open_tunnel(const std::string& host) {
    tunnel_ = std::make_unique<ProxyTunnel>(*tcp_, *target_.proxy, host, target_.port, target_.url,
                                            target_.user_agent);
    tunnel_->start([this](std::exception_ptr error) {
      if (error) return fail(std::move(error));
      tunnel_.reset();
      on_transport_ready();
    });
  }

  // TCP to the target, or a tunnel to it, is open.
  void on_transport_ready() {
    if (!target_.tls) return succeed(std::move(tcp_));
    set_state(State::handshaking);
    timer_.stop();
    timer_.start(static_cast<uint64_t>(target_.tls_timeout.count()), [this] {
      fail(std::make_exception_ptr(RequestTimeoutException(
          target_.url, seconds(target_.tls_timeout), TimeoutPhase::tls_handshake)));
    });
    try {
      auto config = tls_.get(target_.verify, target_.ca_file, target_.url);
      tls_stream_ =
          std::make_unique<TlsStream>(loop_, std::move(tcp_), config, target_.host, target_.url);
    } catch (...) {
      return fail(std::current_exception());
    }
    tls_stream_->handshake([this](std::exception_ptr error) {
      if (error) return fail(std::move(error));
      succeed(std::move(tls_stream_));
    });
  }

  void succeed(std::unique_ptr<Stream> stream) {
    auto done = std::move(done_);
    auto keep_alive = release();
    done(std::move(stream), nullptr);
  }

  void fail(std::exception_ptr error) {
    if (state_ == State::done) return;
    auto done = std::move(done_);
    auto keep_alive = release();
    done(nullptr, std::move(error));
  }

  // Drops every resource and returns the last owning reference, so the attempt
  // lives until the caller's callback has returned.
  std::shared_ptr<ConnectAttempt> release() {
    set_state(State::done);
    if (cancel_resolve_) std::exchange(cancel_resolve_, nullptr)();
    timer_.stop();
    tunnel_.reset();
    tls_stream_.reset();
    tcp_.reset();
    return std::move(self_);
  }

  uv_loop_t* loop_;
  Resolver& resolver_;
  TlsConfigCache& tls_;
  ConnectTarget target_;
  ConnectCallback done_;
  Timer timer_;
  State state_ = State::resolving;
  std::function<void()> cancel_resolve_;
  std::shared_ptr<const AddressList> addresses_;
  size_t next_ = 0;
  std::string errors_;  // one "address: reason" per failed address
  std::unique_ptr<TcpStream> tcp_;
  std::unique_ptr<ProxyTunnel> tunnel_;  // uses *tcp_; declared after it, so destroyed first
  std::unique_ptr<TlsStream> tls_stream_;
  std::shared_ptr<ConnectAttempt> self_;  // set while in flight
};

}  // namespace

std::function<void()> connect(uv_loop_t* loop, Resolver& resolver, TlsConfigCache& tls,
                              const ConnectTarget& target, ConnectCallback done) {
  auto attempt = std::make_shared<ConnectAttempt>(loop, resolver, tls, target, std::move(done));
  attempt->start();
  return [weak = std::weak_ptr<ConnectAttempt>(attempt)] {
    if (auto attempt = weak.lock()) attempt->cancel();
  };
}

}  // namespace uvscrape::net
