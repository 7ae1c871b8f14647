#include "server_connection.hpp"

#include <exception>

#include "tls/tls_server_session.hpp"

namespace uvscrape::testing {
namespace {

ServerConnection* self_of(void* data) {
  return static_cast<ServerConnection*>(data);
}

}  // namespace

ServerConnection::ServerConnection(ConnectionHost* host, uint64_t id) : host_(host), id_(id) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &ServerConnection::on_message_begin;
  settings_.on_url = &ServerConnection::on_url;
  settings_.on_header_field = &ServerConnection::on_header_field;
  settings_.on_header_value = &ServerConnection::on_header_value;
  settings_.on_body = &ServerConnection::on_body;
  settings_.on_message_complete = &ServerConnection::on_message_complete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

ServerConnection::~ServerConnection() = default;

ServerConnection* ServerConnection::accept(uv_stream_t* listener, ConnectionHost* host,
                                           uint64_t id) {
  auto* c = new ServerConnection(host, id);
  uv_tcp_init(listener->loop, &c->tcp_);
  uv_timer_init(listener->loop, &c->timer_);
  c->tcp_.data = c;
  c->timer_.data = c;
  c->open_handles_ = 2;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp_)) != 0) {
    c->host_ = nullptr;
    c->close_now();
    return nullptr;
  }
  uv_tcp_nodelay(&c->tcp_, 1);
  if (auto config = host->tls_config())
    c->tls_ = std::make_unique<TlsServerSession>(std::move(config));
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), &ServerConnection::on_alloc,
                &ServerConnection::on_read);
  return c;
}

void ServerConnection::abort(std::function<void()> on_closed) {
  host_ = nullptr;
  on_closed_ = std::move(on_closed);
  if (state_ == State::closing) return;  // on_closed_ still runs from the close callback
  close_now();
}

// ---- reading and parsing ----------------------------------------------------

void ServerConnection::on_alloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* c = self_of(handle->data);
  *buf = uv_buf_init(c->read_buffer_.data(), static_cast<unsigned>(c->read_buffer_.size()));
}

void ServerConnection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = self_of(stream->data);
  if (nread == 0 || c->state_ == State::closing) return;
  if (nread == UV_EOF) return c->on_peer_eof();
  if (nread < 0) return c->close_now();
  if (c->state_ == State::lingering) return;  // draining after our FIN
  if (c->tls_) return c->on_ciphertext(buf->base, static_cast<size_t>(nread));
  c->parse(buf->base, static_cast<size_t>(nread));
}

void ServerConnection::parse(const char* data, size_t size) {
  if (parse_failed_) return;
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, size);
  if (rc != HPE_OK) {
    parse_failed_ = true;
    Pending bad;
    bad.parse_error = true;
    bad.keep_alive = false;
    pending_.push_back(std::move(bad));
  }
  if (state_ == State::idle) start_next_response();
}

void ServerConnection::on_peer_eof() {
  peer_eof_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  // Answer what was already asked (a client may half-close after sending),
  // then close; a silent or lingering connection closes now.
  if (state_ == State::hanging || state_ == State::lingering ||
      (state_ == State::idle && pending_.empty())) {
    close_now();
  }
}

int ServerConnection::on_message_begin(llhttp_t* parser) {
  auto* c = self_of(parser->data);
  c->building_ = ServerRequest{};
  c->header_value_last_ = false;
  return 0;
}

int ServerConnection::on_url(llhttp_t* parser, const char* at, size_t length) {
  self_of(parser->data)->building_.target.append(at, length);
  return 0;
}

int ServerConnection::on_header_field(llhttp_t* parser, const char* at, size_t length) {
  auto* c = self_of(parser->data);
  if (c->header_value_last_ || c->building_.headers.empty()) c->building_.headers.emplace_back();
  c->header_value_last_ = false;
  c->building_.headers.back().first.append(at, length);
  return 0;
}

int ServerConnection::on_header_value(llhttp_t* parser, const char* at, size_t length) {
  auto* c = self_of(parser->data);
  c->header_value_last_ = true;
  c->building_.headers.back().second.append(at, length);
  return 0;
}

int ServerConnection::on_body(llhttp_t* parser, const char* at, size_t length) {
  self_of(parser->data)->building_.body.append(at, length);
  return 0;
}

int ServerConnection::on_message_complete(llhttp_t* parser) {
  auto* c = self_of(parser->data);
  ServerRequest& r = c->building_;
  r.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(parser)));
  r.http_minor = parser->http_minor;
  const size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  r.query = q == std::string::npos ? std::string() : r.target.substr(q + 1);
  r.connection_id = c->id_;
  r.tls = c->tls_ != nullptr;
  r.index_on_connection = ++c->requests_parsed_;
  if (c->host_) c->host_->record(r);
  Pending p;
  p.keep_alive = llhttp_should_keep_alive(parser) != 0;
  p.request = std::move(r);
  c->pending_.push_back(std::move(p));
  return 0;
}

// ---- responding -------------------------------------------------------------

void ServerConnection::start_next_response() {
  if (state_ != State::idle) return;
  if (pending_.empty()) {
    if (peer_eof_) return close_now();
    return arm_idle_timer();
  }
  uv_timer_stop(&timer_);
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  ++responses_started_;

  ServerResponse response;
  if (p.parse_error) {
    response = ServerResponse::text("bad request\n", 400);
  } else if (host_) {
    try {
      response = host_->handle(p.request);
    } catch (const std::exception& e) {
      response = ServerResponse::text(std::string("route handler threw: ") + e.what() + "\n", 500);
    } catch (...) {
      response = ServerResponse::text("route handler threw\n", 500);
    }
  } else {
    response = ServerResponse::with_status(503);
  }
  const size_t cap = host_ ? host_->max_requests_per_connection() : 0;
  const bool last = !p.keep_alive || (cap > 0 && responses_started_ >= cap);
  try {
    plan_.emplace(build_response_plan(std::move(response), p.request, last));
  } catch (const std::exception& e) {
    plan_.emplace(build_response_plan(ServerResponse::text(e.what(), 500), p.request, true));
  }
  if (plan_->finish != ResponsePlan::Finish::keep_alive) pending_.clear();
  state_ = State::responding;
  segment_ = 0;
  segment_waited_ = false;
  served_counted_ = false;
  run_plan();
}

// Like nginx's keepalive_timeout: a connection idle after a response gets a
// FIN (before its first request the client is still connecting, not idle).
void ServerConnection::arm_idle_timer() {
  const uint64_t ms = host_ ? host_->idle_timeout_ms() : 0;
  if (ms > 0) wait(ms, [](ServerConnection* c) { c->close_gracefully(); });
}

void ServerConnection::run_plan() {
  ResponsePlan& plan = *plan_;
  if (segment_ < plan.segments.size()) {
    const ResponsePlan::Segment& seg = plan.segments[segment_];
    if (seg.delay_before.count() > 0 && !segment_waited_) {
      segment_waited_ = true;
      return wait(static_cast<uint64_t>(seg.delay_before.count()),
                  [](ServerConnection* c) { c->run_plan(); });
    }
    segment_waited_ = false;
    if (seg.bufs.empty()) {
      ++segment_;
      return run_plan();
    }
    if (plan.drip_interval.count() > 0) {
      drip_bytes_.clear();
      for (const auto& b : seg.bufs) drip_bytes_.append(b.base, b.len);
      drip_at_ = 0;
      return drip_next();
    }
    if (segment_ + 1 == plan.segments.size()) count_served();  // before the client can see it
    return write_bufs(seg.bufs.data(), seg.bufs.size(), [](ServerConnection* c) {
      ++c->segment_;
      c->run_plan();
    });
  }
  if (plan.endless) {
    const auto write_piece = [](ServerConnection* c) {
      uv_buf_t b = uv_buf_init(c->plan_->endless_piece.data(),
                               static_cast<unsigned>(c->plan_->endless_piece.size()));
      c->write_bufs(&b, 1, [](ServerConnection* c2) { c2->run_plan(); });
    };
    if (plan.endless_delay.count() > 0) {
      return wait(static_cast<uint64_t>(plan.endless_delay.count()), write_piece);
    }
    return write_piece(this);
  }
  finish_plan();
}

void ServerConnection::drip_next() {
  if (drip_at_ == drip_bytes_.size()) {
    ++segment_;
    return run_plan();
  }
  if (drip_at_ + 1 == drip_bytes_.size() && segment_ + 1 == plan_->segments.size()) count_served();
  uv_buf_t b = uv_buf_init(drip_bytes_.data() + drip_at_, 1);
  write_bufs(&b, 1, [](ServerConnection* c) {
    ++c->drip_at_;
    if (c->drip_at_ == c->drip_bytes_.size()) return c->drip_next();
    c->wait(static_cast<uint64_t>(c->plan_->drip_interval.count()),
            [](ServerConnection* c2) { c2->drip_next(); });
  });
}

void ServerConnection::write_bufs(const uv_buf_t* bufs, size_t count,
                                  void (*then)(ServerConnection*)) {
  after_write_ = then;
  if (tls_) return tls_write(bufs, count);
  write_req_.data = this;
  const int rc = uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), bufs,
                          static_cast<unsigned>(count), &ServerConnection::on_write);
  if (rc != 0) close_now();
}

void ServerConnection::on_write(uv_write_t* req, int status) {
  auto* c = self_of(req->data);
  if (c->state_ == State::closing) return;
  if (status != 0) return c->close_now();  // the client went away (endless body ends here)
  c->after_write_(c);
}

void ServerConnection::wait(uint64_t ms, void (*then)(ServerConnection*)) {
  after_timer_ = then;
  uv_timer_start(&timer_, &ServerConnection::on_timer, ms, 0);
}

void ServerConnection::on_timer(uv_timer_t* timer) {
  auto* c = self_of(timer->data);
  if (c->state_ == State::closing) return;
  c->after_timer_(c);
}

void ServerConnection::finish_plan() {
  const ResponsePlan::Finish finish = plan_->finish;
  count_served();
  switch (finish) {
    case ResponsePlan::Finish::keep_alive:
      plan_.reset();
      state_ = State::idle;
      return start_next_response();
    case ResponsePlan::Finish::close: return close_gracefully();
    case ResponsePlan::Finish::reset: return close_with_reset();
    case ResponsePlan::Finish::hang:
      state_ = State::hanging;
      if (peer_eof_) close_now();
      return;
  }
}

// Counted when the last byte is handed to the socket, so a client that has
// read the whole response always finds it counted.
void ServerConnection::count_served() {
  if (served_counted_ || !plan_->complete || plan_->endless) return;
  served_counted_ = true;
  if (host_) host_->response_completed();
}

// ---- closing ----------------------------------------------------------------

// FIN first, then keep reading until the client closes (or the linger time
// passes): closing with unread request bytes would make the kernel send RST and
// could destroy the response before the client reads it.
void ServerConnection::close_gracefully() {
  state_ = State::lingering;
  if (peer_eof_) return close_now();
  if (tls_ && (!plan_ || plan_->close_notify)) {
    tls_->close_notify();
    send_ciphertext(false);
    if (state_ == State::closing) return;
  }
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_),
                  &ServerConnection::on_shutdown) != 0) {
    close_now();
  }
}

void ServerConnection::on_shutdown(uv_shutdown_t* req, int status) {
  auto* c = self_of(req->data);
  if (c->state_ == State::closing) return;
  if (status != 0) return c->close_now();
  c->wait(c->host_ ? c->host_->linger_ms() : 0, [](ServerConnection* c2) { c2->close_now(); });
}

void ServerConnection::close_with_reset() {
  state_ = State::closing;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &ServerConnection::on_handle_closed);
  if (uv_tcp_close_reset(&tcp_, &ServerConnection::on_handle_closed) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ServerConnection::on_handle_closed);
  }
}

void ServerConnection::close_now() {
  if (state_ == State::closing) return;
  state_ = State::closing;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &ServerConnection::on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ServerConnection::on_handle_closed);
}

void ServerConnection::on_handle_closed(uv_handle_t* handle) {
  auto* c = self_of(handle->data);
  if (--c->open_handles_ > 0) return;
  if (c->host_) c->host_->connection_closed(c);
  if (c->on_closed_) c->on_closed_();
  delete c;
}

}  // namespace uvscrape::testing
