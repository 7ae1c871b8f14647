// See http_server.hpp.
#include "dashboard/http_server.hpp"

#include <llhttp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <utility>

#include "uvscrape/dashboard_error.hpp"

namespace uvscrape::dashboard {
namespace {

const char* reason_of(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 421: return "Misdirected Request";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Status";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool is_loopback(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) return a->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::vector<std::string> hosts_naming(const sockaddr* local) {
  char name[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  std::string address;
  if (local->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(local);
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
    address = name;
  } else if (local->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(local);
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
    address = "[" + std::string(name) + "]";
  } else {
    return {};
  }
  std::vector<std::string> names = {lower(address)};
  if (is_loopback(local)) names.push_back("localhost");
  std::vector<std::string> hosts;
  for (const auto& n : names) {
    hosts.push_back(n + ":" + std::to_string(port));
    if (port == 80) hosts.push_back(n);  // a browser leaves the default port out
  }
  return hosts;
}

HttpReply HttpReply::text(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpReply HttpReply::json(std::string body) {
  HttpReply r;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

// The server's state, shared with the replies still to come (a reply after
// close() finds the connection gone and is dropped).
struct HttpServer::Core {
  uv_loop_t* loop;
  Handler handler;
  HttpLimits limits;
  uv_tcp_t* listener = nullptr;
  std::map<std::uint64_t, Connection*> connections;
  std::uint64_t next_id = 1;
  std::size_t open_handles = 0;  // the listener's and every connection's two
  bool closing = false;
  std::function<void()> on_closed;

  void handle_closed() {
    if (--open_handles == 0 && closing && on_closed) {
      auto done = std::move(on_closed);
      on_closed = nullptr;
      done();
    }
  }
};

// One accepted connection: a TCP handle and its timer, read until one
// request is complete, then answered and closed. The timer bounds the time
// the request may take to arrive (a client that trickles a request in,
// slowloris, gets a 408) and then the time the reply may take to be written
// (a client that does not read is dropped); not the handler's work.
//
// The close lingers: once the reply is written, the write side is shut down
// (FIN) and whatever the client still sends is read and dropped until it
// closes too, for at most kLingerMs. Closing a socket with unread bytes in it
// makes the kernel send a reset, which can destroy the reply before the
// client has read it (a client still trickling a request when its 408 goes
// out would see "connection reset" instead of the 408).
struct HttpServer::Connection {
  static constexpr std::uint64_t kLingerMs = 2000;
  std::weak_ptr<Core> core;
  HttpLimits limits;
  std::uint64_t id = 0;
  uv_tcp_t tcp{};
  uv_timer_t timer{};
  uv_write_t write{};
  uv_shutdown_t shutdown{};
  llhttp_t parser{};
  llhttp_settings_t settings{};
  HttpRequest request;
  std::vector<std::string> hosts;  // the Host values that name this server
  std::string header_field, header_value;
  bool in_value = false;
  int host_headers = 0;
  std::size_t received = 0;
  const char* chunk = nullptr;   // what llhttp_execute parses now
  std::size_t before_chunk = 0;  // the bytes received before it
  bool head_done = false;
  int refusal = 0;         // a limit a parser callback hit: 431 or 413
  bool answered = false;   // a reply is being written or the request is in the handler
  bool peer_done = false;  // the client has sent its end (EOF)
  bool lingering = false;  // the reply is written: reading and dropping until EOF
  bool closing = false;
  int open = 2;
  std::string out;
  std::array<char, 8192> buffer{};

  static Connection* of(llhttp_t* p) { return static_cast<Connection*>(p->data); }

  // The head's bytes so far, up to the end of the token at `at` (so every
  // separator and line end counts); non-zero (an llhttp error) past the limit.
  int count_head(const char* at, std::size_t n) {
    const std::size_t through = before_chunk + static_cast<std::size_t>(at - chunk) + n;
    if (head_done || through <= limits.max_head_bytes) return 0;  // trailers: the body's cap
    refusal = 431;
    return -1;
  }

  void flush_header() {
    if (!header_field.empty()) {
      std::string name = lower(header_field);
      if (name == "host") ++host_headers;
      request.headers[std::move(name)] = header_value;
    }
    header_field.clear();
    header_value.clear();
    in_value = false;
  }

  void start(uv_loop_t* loop) {
    llhttp_settings_init(&settings);
    settings.on_url = [](llhttp_t* p, const char* at, size_t n) {
      of(p)->request.target.append(at, n);
      return of(p)->count_head(at, n);
    };
    settings.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
      auto* c = of(p);
      if (c->in_value) c->flush_header();
      c->header_field.append(at, n);
      return c->count_head(at, n);
    };
    settings.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
      auto* c = of(p);
      c->in_value = true;
      c->header_value.append(at, n);
      return c->count_head(at, n);
    };
    settings.on_headers_complete = [](llhttp_t* p) {
      auto* c = of(p);
      c->flush_header();
      c->head_done = true;
      if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->limits.max_body_bytes) {
        c->refusal = 413;
        return -1;
      }
      return 0;
    };
    settings.on_body = [](llhttp_t* p, const char* at, size_t n) {
      auto* c = of(p);
      c->request.body.append(at, n);
      if (c->request.body.size() <= c->limits.max_body_bytes) return 0;
      c->refusal = 413;
      return -1;
    };
    settings.on_message_complete = [](llhttp_t* p) {
      auto* c = of(p);
      c->request.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
      // Stop the parser: one request per connection; what follows is ignored.
      return static_cast<int>(HPE_PAUSED);
    };
    llhttp_init(&parser, HTTP_REQUEST, &settings);
    parser.data = this;
    tcp.data = this;
    timer.data = this;
    uv_timer_init(loop, &timer);
    uv_timer_start(&timer, on_timeout, limits.timeout_ms, 0);
  }

  static void on_timeout(uv_timer_t* t) {
    auto* c = static_cast<Connection*>(t->data);
    if (c->answered) return c->close();  // the reply was not taken in time
    c->reply(HttpReply::text(408, "the request took too long to arrive\n"));
  }

  void on_data(const char* data, std::size_t size) {
    if (answered) return;
    chunk = data;
    before_chunk = received;
    // What the callbacks do not see (chunk sizes and extensions) is bounded too.
    received += size;
    if (received > limits.max_head_bytes + limits.max_body_bytes + buffer.size())
      return reply(HttpReply::text(413, "request too large\n"));
    const llhttp_errno_t rc = llhttp_execute(&parser, data, size);
    if (refusal == 431) return reply(HttpReply::text(431, "request header block too large\n"));
    if (refusal == 413) return reply(HttpReply::text(413, "request body too large\n"));
    if (rc == HPE_PAUSED) return dispatch();
    if (rc != HPE_OK)
      return reply(
          HttpReply::text(400, std::string("bad request: ") + llhttp_errno_name(rc) + "\n"));
  }

  void on_eof() {
    peer_done = true;
    if (lingering) return close();
    if (answered) return;  // the reply is on its way: a client may half-close after its request
    // A request cut short: answer what llhttp makes of the end, else close.
    if (llhttp_finish(&parser) == HPE_PAUSED) return dispatch();
    close();
  }

  void dispatch() {
    answered = true;
    uv_timer_stop(&timer);
    // A page of another site that had its name resolve to this address sends
    // its own name: refused, so it never reads an answer.
    if (host_headers != 1) return send(HttpReply::text(400, "one Host header, please\n"));
    if (std::find(hosts.begin(), hosts.end(), lower(request.headers["host"])) == hosts.end())
      return send(HttpReply::text(421, "misdirected request: the Host header must be " +
                                           (hosts.empty() ? std::string("this server") : hosts[0]) +
                                           "\n"));
    const auto q = request.target.find('?');
    request.path = request.target.substr(0, q);
    auto self = core.lock();
    if (!self) return close();
    std::weak_ptr<Core> weak = core;
    const std::uint64_t my_id = id;
    Respond respond = [weak, my_id](HttpReply r) {
      auto c = weak.lock();
      if (!c) return;
      auto it = c->connections.find(my_id);
      if (it != c->connections.end()) it->second->send(std::move(r));
    };
    try {
      self->handler(request, std::move(respond));
    } catch (const std::exception& e) {
      send(HttpReply::text(500, std::string("internal error: ") + e.what() + "\n"));
    }
  }

  void reply(HttpReply r) {
    answered = true;
    send(std::move(r));
  }

  void send(HttpReply r) {
    if (closing || !out.empty()) return;
    out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_of(r.status) +
          "\r\nContent-Type: " + r.content_type +
          "\r\nContent-Length: " + std::to_string(r.body.size()) +
          "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
          "Connection: close\r\n\r\n";
    if (request.method != "HEAD") out += r.body;
    uv_buf_t buf = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
    write.data = this;
    // The same timer, restarted: the reply must be taken within the timeout.
    uv_timer_start(&timer, on_timeout, limits.timeout_ms, 0);
    if (uv_write(&write, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
                 [](uv_write_t* w, int status) {
                   auto* c = static_cast<Connection*>(w->data);
                   if (status < 0) return c->close();
                   c->linger();
                 }) != 0)
      close();
  }

  // See the comment on the struct: FIN, then drain until the client's EOF.
  // Only from a write that completed: a closed connection's write is cancelled.
  void linger() {
    if (peer_done) return close();
    lingering = true;
    uv_timer_start(&timer, on_timeout, kLingerMs, 0);  // answered: on_timeout closes
    shutdown.data = this;
    if (uv_shutdown(&shutdown, reinterpret_cast<uv_stream_t*>(&tcp),
                    [](uv_shutdown_t* s, int status) {
                      // An error, or UV_ECANCELED when the connection closes first.
                      if (status < 0) static_cast<Connection*>(s->data)->close();
                    }) != 0)
      close();
  }

  void close() {
    if (closing) return;
    closing = true;
    if (auto c = core.lock()) c->connections.erase(id);
    auto closed = [](uv_handle_t* h) {
      auto* c = static_cast<Connection*>(h->data);
      auto core = c->core.lock();
      if (--c->open == 0) delete c;
      if (core) core->handle_closed();
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), closed);
  }
};

HttpServer::HttpServer(uv_loop_t* loop, Handler handler, HttpLimits limits)
    : core_(std::make_shared<Core>()) {
  core_->loop = loop;
  core_->handler = std::move(handler);
  core_->limits = limits;
}

HttpServer::~HttpServer() = default;

namespace {

// The listener's data: a share of the server's state, so that its close
// callback (which may run after a failed listen() threw and the server died)
// never reads freed memory.
template <class Core>
void close_listener(uv_tcp_t* tcp) {
  uv_close(reinterpret_cast<uv_handle_t*>(tcp), [](uv_handle_t* h) {
    auto* core = static_cast<std::shared_ptr<Core>*>(h->data);
    (*core)->handle_closed();
    delete core;
    delete reinterpret_cast<uv_tcp_t*>(h);
  });
}

}  // namespace

void HttpServer::accept(uv_stream_t* listener, int status) {
  auto core = *static_cast<std::shared_ptr<Core>*>(listener->data);
  if (status < 0 || core->closing) return;
  auto* c = new Connection;
  c->core = core;
  c->limits = core->limits;
  c->id = core->next_id++;
  uv_tcp_init(core->loop, &c->tcp);
  c->start(core->loop);
  core->open_handles += 2;
  core->connections[c->id] = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0 ||
      core->connections.size() > core->limits.max_connections)
    return c->close();  // over the cap: closed unanswered, the server stays up
  sockaddr_storage peer{}, local{};
  int len = sizeof peer;
  if (uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&peer), &len) == 0)
    c->request.from_loopback = is_loopback(reinterpret_cast<const sockaddr*>(&peer));
  len = sizeof local;
  if (uv_tcp_getsockname(&c->tcp, reinterpret_cast<sockaddr*>(&local), &len) == 0)
    c->hosts = hosts_naming(reinterpret_cast<const sockaddr*>(&local));
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(h->data);
        *buf = uv_buf_init(c->buffer.data(), static_cast<unsigned>(c->buffer.size()));
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(s->data);
        if (n == UV_EOF) return c->on_eof();
        if (n < 0) return c->close();
        if (n > 0) c->on_data(buf->base, static_cast<std::size_t>(n));
      });
}

void HttpServer::listen(const std::string& address, std::uint16_t port) {
  sockaddr_storage addr{};
  if (uv_ip4_addr(address.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(address.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0)
    throw DashboardError(address, port, "not an IP address");
  if (core_->listener || core_->closing) throw DashboardError(address, port, "already listening");
  auto* tcp = new uv_tcp_t{};
  uv_tcp_init(core_->loop, tcp);
  tcp->data = new std::shared_ptr<Core>(core_);
  ++core_->open_handles;
  int rc = uv_tcp_bind(tcp, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 64, &HttpServer::accept);
  if (rc != 0) {
    close_listener<Core>(tcp);
    throw DashboardError(address, port,
                         std::string(uv_strerror(rc)) + " (" + uv_err_name(rc) + ")");
  }
  core_->listener = tcp;
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void HttpServer::close(std::function<void()> on_closed) {
  auto core = core_;
  core->closing = true;
  core->on_closed = std::move(on_closed);
  if (core->listener) {
    close_listener<Core>(core->listener);
    core->listener = nullptr;
  }
  auto open = core->connections;  // close() erases from the map
  for (auto& [id, c] : open) c->close();
  if (core->open_handles == 0 && core->on_closed) {
    auto done = std::move(core->on_closed);
    core->on_closed = nullptr;
    done();
  }
}

}  // namespace uvscrape::dashboard
