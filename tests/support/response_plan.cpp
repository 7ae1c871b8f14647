#include "response_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "content_encoder.hpp"

namespace uvscrape::testing {
namespace {

constexpr size_t kDelayedPieceDefault = 1024;
constexpr size_t kEndlessPieceDefault = 16 * 1024;
constexpr size_t kPaddingLineMax = 4000;

uv_buf_t buf_of(std::string_view bytes) {
  return uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
}

std::string hex_size(size_t n) {
  char line[32];
  std::snprintf(line, sizeof line, "%zx\r\n", n);
  return line;
}

bool status_has_no_body(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

class PlanWriter {
 public:
  explicit PlanWriter(ResponsePlan& plan) : plan_(plan) {}

  std::string_view keep(std::string bytes) {
    plan_.storage.push_back(std::move(bytes));
    return plan_.storage.back();
  }
  void start_segment(std::chrono::milliseconds delay) { plan_.segments.push_back({delay, {}}); }
  void add(std::string_view bytes) {
    if (bytes.empty()) return;
    if (plan_.segments.empty()) start_segment(std::chrono::milliseconds{0});
    plan_.segments.back().bufs.push_back(buf_of(bytes));
  }
  void add_owned(std::string bytes) { add(keep(std::move(bytes))); }

 private:
  ResponsePlan& plan_;
};

std::string build_head(const ServerResponse& r, const ServerRequest& req, size_t body_size,
                       bool closing, bool omit_length) {
  std::string head;
  if (r.invalid_status_line) {
    head = "HTTP/1.1 OOPS not-a-status\r\n";
  } else {
    const std::string reason = r.reason.empty() ? std::string(reason_phrase(r.status)) : r.reason;
    head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason + "\r\n";
  }
  for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";

  const auto has = [&](std::string_view name) { return find_header(r.headers, name).has_value(); };
  if (r.encoding != ContentEncoding::identity && !has("Content-Encoding")) {
    head += "Content-Encoding: " + std::string(content_encoding_token(r.encoding)) + "\r\n";
  }
  if (r.chunked) {
    if (!has("Transfer-Encoding")) head += "Transfer-Encoding: chunked\r\n";
  } else if (!omit_length && !status_has_no_body(r.status) && !has("Content-Length")) {
    head += "Content-Length: " + std::to_string(body_size) + "\r\n";
  }
  if (closing) {
    if (!has("Connection")) head += "Connection: close\r\n";
  } else if (req.http_minor == 0 && !has("Connection")) {
    head += "Connection: keep-alive\r\n";
  }
  for (size_t left = r.oversized_headers, i = 0; left > 0; ++i) {
    const std::string name = "X-Padding-" + std::to_string(i) + ": ";
    const size_t n = std::min(left, kPaddingLineMax);
    head += name + std::string(n, 'p') + "\r\n";
    left -= std::min(left, n + name.size() + 2);
  }
  head += "\r\n";
  return head;
}

}  // namespace

std::string ResponsePlan::flatten() const {
  std::string out;
  for (const auto& seg : segments) {
    for (const auto& b : seg.bufs) out.append(b.base, b.len);
  }
  return out;
}

ResponsePlan build_response_plan(ServerResponse r, const ServerRequest& req,
                                 bool last_on_connection) {
  ResponsePlan plan;
  PlanWriter out(plan);
  const bool cut = r.disconnect != Disconnect::none;
  plan.close_notify = !r.skip_close_notify;
  const auto cut_finish =
      r.disconnect_with_reset ? ResponsePlan::Finish::reset : ResponsePlan::Finish::close;

  if (r.never_respond) {
    plan.finish = ResponsePlan::Finish::hang;
    plan.complete = false;
    return plan;
  }
  plan.drip_interval = r.drip_interval;
  out.start_segment(r.delay_before_headers);

  if (r.raw) {
    out.add_owned(std::move(*r.raw));
    plan.finish = (r.close_connection || last_on_connection) ? ResponsePlan::Finish::close
                                                             : ResponsePlan::Finish::keep_alive;
    return plan;
  }
  if (r.disconnect == Disconnect::before_response) {
    plan.finish = cut_finish;
    plan.complete = false;
    return plan;
  }

  // The body as sent: encoded into storage, or the caller's shared string as is.
  std::string_view body;
  if (r.encoding != ContentEncoding::identity) {
    body = out.keep(encode_body(r.body_bytes(), r.encoding));
  } else if (r.shared_body) {
    plan.body_owner = r.shared_body;
    body = *plan.body_owner;
  } else {
    body = out.keep(std::move(r.body));
  }
  const bool endless = r.endless_body && req.method != "HEAD" && !status_has_no_body(r.status);
  const bool close_delimited = !r.chunked && (r.close_delimited || endless);
  const bool closing = last_on_connection || r.close_connection || close_delimited;
  const bool send_body = req.method != "HEAD" && !status_has_no_body(r.status);

  for (const int status : r.informational) {
    out.add_owned("HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) +
                  "\r\n\r\n");
  }
  if (r.endless_early_hints.count() > 0) {
    plan.endless = true;
    plan.endless_delay = r.endless_early_hints;
    plan.endless_piece = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    plan.complete = false;
    return plan;
  }
  const std::string_view head = out.keep(build_head(r, req, body.size(), closing, close_delimited));
  if (r.disconnect == Disconnect::mid_headers) {
    out.add(head.substr(0, head.size() / 2));
    plan.finish = cut_finish;
    plan.complete = false;
    return plan;
  }
  out.add(head);
  plan.finish = closing ? ResponsePlan::Finish::close : ResponsePlan::Finish::keep_alive;

  if (endless) {
    plan.endless = true;
    plan.endless_delay = r.delay_between_chunks;
    const std::string piece(r.chunk_size ? r.chunk_size : kEndlessPieceDefault, 'e');
    plan.endless_piece = r.chunked ? hex_size(piece.size()) + piece + "\r\n" : piece;
    plan.complete = false;
    return plan;
  }
  if (!send_body) return plan;

  size_t limit = body.size();
  if (r.disconnect == Disconnect::mid_body) {
    limit = r.disconnect_after_body_bytes == SIZE_MAX
                ? body.size() / 2
                : std::min(r.disconnect_after_body_bytes, body.size());
    plan.finish = cut_finish;
    plan.complete = false;
  }
  const bool delayed = r.delay_between_chunks.count() > 0;
  size_t piece = r.chunk_size ? r.chunk_size : (delayed ? kDelayedPieceDefault : body.size());
  piece = std::max<size_t>(piece, 1);

  bool first_piece = true;
  for (size_t at = 0; at < body.size(); at += piece) {
    const std::string_view data = body.substr(at, piece);
    if (!first_piece && delayed) out.start_segment(r.delay_between_chunks);
    if (r.chunked) {
      out.add_owned(first_piece && r.bad_chunk_size ? std::string("zz\r\n")
                                                    : hex_size(data.size()));
    }
    if (at + data.size() >= limit && cut) {
      out.add(data.substr(0, limit - at));
      return plan;
    }
    out.add(data);
    if (r.chunked) out.add("\r\n");
    first_piece = false;
  }
  if (cut) return plan;  // cut at exactly the end of the body: the terminator is never sent
  if (r.chunked) {
    if (delayed && !first_piece) out.start_segment(r.delay_between_chunks);
    out.add(first_piece && r.bad_chunk_size ? "zz\r\n\r\n" : "0\r\n\r\n");
  }
  return plan;
}

}  // namespace uvscrape::testing
