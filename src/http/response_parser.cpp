#include "http/response_parser.hpp"

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {

namespace {
// Bytes of framing around a header line (": " and CRLF) counted against the limit.
constexpr size_t kHeaderLineOverhead = 4;

// `chunked` more than once in Transfer-Encoding, over all its headers.
bool chunked_twice(const Headers& headers) {
  int chunked = 0;
  for (const auto& [name, value] : headers.items()) {
    if (!iequals(name, "Transfer-Encoding")) continue;
    size_t at = 0;
    while (at <= value.size()) {
      size_t end = value.find(',', at);
      if (end == std::string::npos) end = value.size();
      std::string_view coding = std::string_view(value).substr(at, end - at);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
        coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
        coding.remove_suffix(1);
      if (iequals(coding, "chunked")) ++chunked;
      at = end + 1;
    }
  }
  return chunked > 1;
}
}  // namespace

ResponseParser::ResponseParser() {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &ResponseParser::on_message_begin;
  settings_.on_status = &ResponseParser::on_status;
  settings_.on_header_field = &ResponseParser::on_header_field;
  settings_.on_header_value = &ResponseParser::on_header_value;
  settings_.on_header_value_complete = &ResponseParser::on_header_value_complete;
  settings_.on_headers_complete = &ResponseParser::on_headers_complete;
  settings_.on_body = &ResponseParser::on_body;
  settings_.on_message_complete = &ResponseParser::on_message_complete;
}

void ResponseParser::reset(ResponseListener* listener, std::string_view url, bool head_request,
                           ParserLimits limits, ParserLeniency lenient) {
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
  lenient_ = lenient;
  llhttp_set_lenient_transfer_encoding(&parser_, lenient.transfer_encoding ? 1 : 0);
  llhttp_set_lenient_chunked_length(&parser_, lenient.chunked_length ? 1 : 0);
  llhttp_set_lenient_headers(&parser_, lenient.headers ? 1 : 0);
  llhttp_set_lenient_keep_alive(&parser_, lenient.keep_alive ? 1 : 0);
  listener_ = listener;
  url_.assign(url);
  limits_ = limits;
  head_request_ = head_request;
  headers_ = Headers();
  field_.clear();
  value_.clear();
  header_bytes_ = 0;
  body_bytes_ = 0;
  announced_body_bytes_ = 0;
  informational_ = false;
  interim_responses_ = 0;
  received_any_ = false;
  complete_ = false;
  keep_alive_ = false;
  trailing_bytes_ = false;
  error_ = nullptr;
}

void ResponseParser::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  if (complete_) {
    trailing_bytes_ = true;
    return;
  }
  received_any_ = true;
  llhttp_errno_t err = llhttp_execute(&parser_, bytes.data(), bytes.size());
  if (err == HPE_OK) return;
  if (err == HPE_PAUSED && complete_) {
    // We pause on completion so bytes of a next message stay unparsed.
    const char* stop = llhttp_get_error_pos(&parser_);
    if (stop != nullptr && stop < bytes.data() + bytes.size()) trailing_bytes_ = true;
    return;
  }
  throw_parse_error(err);
}

void ResponseParser::finish() {
  if (complete_) return;
  if (!received_any_) {
    throw ConnectionError(url_, "connection closed before any response byte");
  }
  llhttp_errno_t err = llhttp_finish(&parser_);
  if (err != HPE_OK && err != HPE_PAUSED) throw_parse_error(err);
  if (error_) std::rethrow_exception(error_);
  if (!complete_) {
    throw ConnectionError(url_, "connection closed before the response was complete");
  }
  keep_alive_ = false;  // the body ended with the connection
}

void ResponseParser::throw_parse_error(llhttp_errno_t err) {
  if (error_) std::rethrow_exception(error_);
  if (err == HPE_INVALID_EOF_STATE) {
    throw ConnectionError(url_, "connection closed before the response was complete");
  }
  const char* reason = llhttp_get_error_reason(&parser_);
  std::string text =
      std::string(llhttp_errno_name(err)) + ": " + (reason != nullptr ? reason : "parse error");
  // The relaxation that would have accepted this, if one would.
  switch (err) {
    case HPE_INVALID_TRANSFER_ENCODING: text += accept_hint("transfer_encoding"); break;
    case HPE_UNEXPECTED_CONTENT_LENGTH: text += accept_hint("chunked_length"); break;
    case HPE_INVALID_HEADER_TOKEN:
      text += " (a control character in a header value, or LF-only line endings)";
      text += accept_hint("headers");
      break;
    case HPE_CLOSED_CONNECTION: text += accept_hint("keep_alive"); break;
    default: break;
  }
  throw ProtocolError(url_, text);
}

std::string ResponseParser::accept_hint(std::string_view option) {
  return " (set DriverOptions::lenient_" + std::string(option) + " to accept this)";
}

int ResponseParser::fail(std::exception_ptr error) {
  error_ = std::move(error);
  return HPE_USER;
}

int ResponseParser::count_header_bytes(size_t len) {
  header_bytes_ += len;
  if (header_bytes_ > limits_.max_header_bytes) {
    return fail(std::make_exception_ptr(LimitExceededError(
        url_, "response headers exceed " + std::to_string(limits_.max_header_bytes) + " bytes")));
  }
  return 0;
}

int ResponseParser::on_message_begin(llhttp_t* p) {
  ResponseParser& s = self(p);
  s.headers_ = Headers();
  s.field_.clear();
  s.value_.clear();
  s.informational_ = false;
  return 0;
}

int ResponseParser::on_status(llhttp_t* p, const char*, size_t len) {
  return self(p).count_header_bytes(len);
}

int ResponseParser::on_header_field(llhttp_t* p, const char* at, size_t len) {
  ResponseParser& s = self(p);
  s.field_.append(at, len);
  return s.count_header_bytes(len);
}

int ResponseParser::on_header_value(llhttp_t* p, const char* at, size_t len) {
  ResponseParser& s = self(p);
  s.value_.append(at, len);
  return s.count_header_bytes(len);
}

int ResponseParser::on_header_value_complete(llhttp_t* p) {
  ResponseParser& s = self(p);
  s.headers_.add(std::move(s.field_), std::move(s.value_));
  s.field_.clear();
  s.value_.clear();
  return s.count_header_bytes(kHeaderLineOverhead);
}

int ResponseParser::on_headers_complete(llhttp_t* p) {
  ResponseParser& s = self(p);
  const int status = llhttp_get_status_code(p);
  if (status == 101) {
    return s.fail(
        std::make_exception_ptr(ProtocolError(s.url_, "unexpected 101 Switching Protocols")));
  }
  if (status >= 100 && status < 200) {
    // 100 Continue, 103 Early Hints: the real response follows. Their bytes
    // stay counted against max_header_bytes, and their number is bounded too.
    s.informational_ = true;
    if (++s.interim_responses_ > kMaxInterimResponses) {
      return s.fail(std::make_exception_ptr(LimitExceededError(
          s.url_,
          "more than " + std::to_string(kMaxInterimResponses) + " interim (1xx) responses")));
    }
    return 1;
  }
  if ((p->flags & F_CHUNKED) && !s.lenient_.transfer_encoding && chunked_twice(s.headers_)) {
    // Applying chunked twice is forbidden (RFC 9112 §6.1); llhttp 8.1 lets a
    // response through, but proxies may read such framing differently.
    return s.fail(std::make_exception_ptr(ProtocolError(
        s.url_,
        "Transfer-Encoding applies chunked more than once" + accept_hint("transfer_encoding"))));
  }
  const bool has_body = !s.head_request_ && status != 204 && status != 304;
  if (has_body && (p->flags & F_CONTENT_LENGTH) && p->content_length > s.limits_.max_body_bytes) {
    return s.fail(std::make_exception_ptr(LimitExceededError(
        s.url_, "Content-Length " + std::to_string(p->content_length) + " exceeds " +
                    std::to_string(s.limits_.max_body_bytes) + " bytes")));
  }
  if (has_body && (p->flags & F_CONTENT_LENGTH))
    s.announced_body_bytes_ = static_cast<size_t>(p->content_length);
  try {
    s.listener_->on_response_head(status, s.headers_);
  } catch (...) {
    return s.fail(std::current_exception());
  }
  // No body for HEAD, 204 and 304 whatever the framing headers say.
  if (!has_body) return 1;
  return 0;
}

int ResponseParser::on_body(llhttp_t* p, const char* at, size_t len) {
  ResponseParser& s = self(p);
  s.body_bytes_ += len;
  if (s.body_bytes_ > s.limits_.max_body_bytes) {
    return s.fail(std::make_exception_ptr(LimitExceededError(
        s.url_, "response body exceeds " + std::to_string(s.limits_.max_body_bytes) + " bytes")));
  }
  try {
    s.listener_->on_response_body(std::string_view(at, len));
  } catch (...) {
    return s.fail(std::current_exception());
  }
  return 0;
}

int ResponseParser::on_message_complete(llhttp_t* p) {
  ResponseParser& s = self(p);
  if (s.informational_) {
    s.informational_ = false;
    return 0;
  }
  s.complete_ = true;
  s.keep_alive_ = llhttp_should_keep_alive(p) != 0;
  return HPE_PAUSED;
}

}  // namespace uvscrape::http
