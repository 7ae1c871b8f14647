// http::Client: what happens to the bytes of a response — parsing, decoding,
// streaming to a sink with backpressure, redirects, completion, and the retry of
// a dead pooled connection. The lifecycle half is in client.cpp.
#include "http/client_impl.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {

namespace {

// Thrown from the parser's listener once its transfer is gone, to stop llhttp
// parsing bytes nobody wants. Never leaves on_data.
struct ParseAborted {};

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// Errors from a kept-alive connection name the URL of the request it carries now.
std::exception_ptr for_url(std::exception_ptr error, const std::string& url) {
  try {
    std::rethrow_exception(error);
  } catch (const ConnectionError& e) {
    if (e.url() != url) return std::make_exception_ptr(ConnectionError(url, e.reason()));
  } catch (...) {
  }
  return error;
}

bool is_connection_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ConnectionError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

void Connection::on_response_head(int status, Headers& headers) {
  if (transfer == nullptr) throw ParseAborted{};
  client.on_head(*this, *transfer, status, headers);
}

void Connection::on_response_body(std::string_view bytes) {
  if (transfer == nullptr) throw ParseAborted{};
  client.on_body(*transfer, bytes);
}

void Client::Impl::on_data(Connection& c, std::string_view bytes) {
  Transfer* t = c.transfer;
  if (t == nullptr) {
    retire(c);  // bytes nobody asked for: the connection cannot be trusted
    return;
  }
  if (!t->received_byte) {
    t->received_byte = true;
    set_state(*t, TransferState::receiving);
  }
  if (t->state == TransferState::receiving) arm_read_timer(c, *t, false);
  try {
    c.parser.feed(bytes);
  } catch (const ParseAborted&) {
    return;
  } catch (...) {
    if (t->state != TransferState::finished) fail(*t, std::current_exception());
    return;
  }
  if (t->state == TransferState::finished || c.transfer != t) return;
  if (c.parser.complete() && t->state == TransferState::receiving) complete_response(c, *t);
}

void Client::Impl::on_end(Connection& c, std::exception_ptr error) {
  Transfer* t = c.transfer;
  if (t == nullptr) {
    retire(c);  // an idle connection the server closed
    return;
  }
  if (!error) {
    try {
      c.parser.finish();
    } catch (const ParseAborted&) {
      return;
    } catch (...) {
      error = std::current_exception();
    }
    if (t->state == TransferState::finished || c.transfer != t) return;
  }
  if (!error) {
    c.peer_closed = true;
    if (t->state == TransferState::paused) return;  // completes when the sink resumes
    return complete_response(c, *t);
  }
  retry_or_fail(c, *t, for_url(std::move(error), t->url_text));
}

// A kept-alive connection can die between two requests (the server's idle
// timeout, keepalive_requests): if nothing of the response arrived, an
// idempotent request is sent once more, on a fresh connection opened on the
// dead one's slot. Not the next kept-alive connection (it may be as dead), and
// not a place in the queue (at the origin's cap the slot would go to a waiter).
void Client::Impl::retry_or_fail(Connection& c, Transfer& t, std::exception_ptr error) {
  const bool was_reused = c.requests_started > 1;
  if (was_reused && !c.parser.received_any() && !t.retried && is_idempotent(t.method) &&
      is_connection_error(error) && !closing) {
    t.retried = true;
    ++stats.retries;
    c.transfer = nullptr;
    t.connection = nullptr;
    ConnectionPool::Origin& origin = pool.origin(c.origin_key);
    retire(c, SlotUse::keep);
    return open_connection(t, origin);
  }
  fail(t, std::move(error));
}

void Client::Impl::on_head(Connection& c, Transfer& t, int status, Headers& headers) {
  if (status == 407 && t.proxy && t.proxy->is_http() && !t.url->is_https()) {
    // The proxy's answer, not the site's (https gets it at CONNECT, in net).
    throw ProxyError(t.url_text, t.proxy->display,
                     std::string(t.proxy->has_credentials() ? "rejected the credentials"
                                                            : "requires authentication") +
                         " (407 Proxy Authentication Required)",
                     407);
  }
  t.response.status = status;
  t.response.headers = std::move(headers);
  // Every hop's cookies, a redirect's too, before the next hop asks for them.
  if (t.request.cookie_jar != nullptr) t.request.cookie_jar->store(*t.url, t.response.headers);
  const auto location = t.response.headers.get("Location");
  if (t.request.options.follow_redirects && is_redirect_status(status) && location &&
      !location->empty()) {
    t.redirect_hop = true;  // its body is read and dropped
    return;
  }
  const auto encoding = t.response.headers.get("Content-Encoding");
  t.decoder.emplace(encoding.value_or(std::string_view()), t.url_text, options.max_decoded_bytes);
  if (t.request.sink != nullptr) {
    if (!t.request.sink->on_headers(status, t.response.headers)) {
      throw CancelledError(t.url_text, "the body sink refused the response");
    }
    return;
  }
  // One allocation for the whole body when its size is announced (the parser
  // has checked it against max_body_bytes).
  if (t.decoder->is_identity()) t.response.body.reserve(c.parser.announced_body_bytes());
}

void Client::Impl::on_body(Transfer& t, std::string_view bytes) {
  if (t.redirect_hop) return;
  if (t.request.sink == nullptr) {
    t.decoder->decode(bytes, t.response.body);
    return;
  }
  t.sink_scratch.clear();
  t.decoder->decode(bytes, t.sink_scratch);
  if (!t.sink_scratch.empty()) deliver_to_sink(t, t.sink_scratch);
}

void Client::Impl::deliver_to_sink(Transfer& t, std::string_view chunk) {
  if (t.state == TransferState::paused) {
    t.sink_pending.append(chunk);  // at most what one read already brought in
    return;
  }
  const RequestId id = t.id;
  t.in_sink = true;
  t.resume_requested = false;
  const bool keep_going = t.request.sink->on_chunk(chunk, [this, id] { resume_sink(id); });
  t.in_sink = false;
  if (t.state == TransferState::finished) return;  // cancelled from inside the sink
  if (!keep_going && !t.resume_requested) {
    set_state(t, TransferState::paused);
    if (Connection* c = t.connection) {
      c->read_timer.stop();  // a paused reader is not the server's fault
      if (!c->peer_closed) c->stream->stop_reading();
    }
  }
}

void Client::Impl::resume_sink(RequestId id) {
  auto it = transfers.find(id);
  if (it == transfers.end()) return;
  Transfer& t = *it->second;
  if (t.in_sink) {
    t.resume_requested = true;  // resumed before on_chunk even returned
    return;
  }
  if (t.state != TransferState::paused) return;
  set_state(t, TransferState::receiving);
  if (!t.sink_pending.empty()) {
    std::string held = std::move(t.sink_pending);
    t.sink_pending.clear();
    deliver_to_sink(t, held);
    if (t.state != TransferState::receiving) return;
  }
  Connection* c = t.connection;
  if (c == nullptr) return;
  if (c->parser.complete()) return complete_response(*c, t);
  if (c->peer_closed) return;  // unreachable: an incomplete body at EOF already failed
  arm_read_timer(*c, t, false);
  start_reading(*c);
}

void Client::Impl::complete_response(Connection& c, Transfer& t) {
  c.read_timer.stop();
  const bool reusable = c.parser.reusable() && !c.peer_closed && !t.asks_close && !closing;
  const auto hand_back = [&] {
    if (reusable) {
      release(c);
    } else {
      c.transfer = nullptr;
      t.connection = nullptr;
      retire(c);
    }
  };

  if (t.redirect_hop) {
    const int status = t.response.status;
    const std::string location(t.response.headers.get("Location").value_or(std::string_view()));
    const RedirectRewrite rewrite = rewrite_for_redirect(status, t.method);
    std::optional<Url> next;
    try {
      next = t.redirects->follow(*t.url, location, rewrite.method);
    } catch (...) {
      hand_back();
      return fail(t, std::current_exception());
    }
    hand_back();
    t.method = rewrite.method;
    if (!rewrite.keep_body) t.send_body = false;
    t.url = std::move(next);
    t.url_text = t.url->str_without_fragment();
    if (t.url->origin() != t.first_origin) t.cross_origin = true;
    t.retried = false;
    if (closing) return;
    if (t.request.redirect_check) return vet_redirect(t);
    return acquire_connection(t);
  }

  try {
    t.decoder->finish();
  } catch (...) {
    return fail(t, std::current_exception());
  }
  hand_back();
  HttpResponse response = std::move(t.response);
  response.url = t.url_text;
  response.redirect_chain = t.redirects->chain();
  if (t.request.cookie_jar != nullptr) response.cookies = t.request.cookie_jar->peek(*t.url);
  finish(t, Result{std::move(response), nullptr});
}

void Client::Impl::vet_redirect(Transfer& t) {
  set_state(t, TransferState::vetting);
  const std::weak_ptr<char> client_alive = alive;
  const RequestId id = t.id;
  HttpRequest::RedirectAnswer answer = [this, client_alive, id](std::exception_ptr refusal) {
    if (client_alive.expired()) return;
    const auto it = transfers.find(id);
    // Cancelled, timed out or closed meanwhile: it has finished already.
    if (it == transfers.end() || it->second->state != TransferState::vetting) return;
    Transfer& vetted = *it->second;
    if (refusal) return fail(vetted, std::move(refusal), true);  // never inside the check's caller
    acquire_connection(vetted);
  };
  try {
    t.request.redirect_check(*t.url, std::move(answer));
  } catch (...) {
    fail(t, std::current_exception());
  }
}

}  // namespace uvscrape::http
