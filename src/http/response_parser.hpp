// Incremental HTTP/1.1 response parsing on llhttp: bytes in, events out, no I/O.
// One parser lives with one connection and is reset for every exchange.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "uvscrape/headers.hpp"

namespace uvscrape::http {

struct ParserLimits {
  // The response head, every interim (1xx) response before it included.
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 256ull * 1024 * 1024;
};

// Relaxations for legacy servers, each off by default. Each maps to one of
// llhttp's lenient flags, and an error that one of them would have avoided
// names it: "... (set DriverOptions::lenient_<name> to accept this)".
struct ParserLeniency {
  // Transfer-Encoding that breaks the rules: `chunked` applied more than once
  // ("chunked" in two headers, or "chunked, chunked"), which we refuse
  // ourselves (RFC 9112 §6.1: a sender must not), and what llhttp refuses.
  bool transfer_encoding = false;
  // Both Transfer-Encoding and Content-Length (the chunked framing is used).
  bool chunked_length = false;
  // Header values with control characters, and LF-only line endings (llhttp
  // 8.1 has no separate flag for those: lenient headers accept both).
  bool headers = false;
  // Ignore `Connection: close` / HTTP/1.0 when deciding whether bytes that
  // follow are a protocol error (llhttp_set_lenient_keep_alive).
  bool keep_alive = false;
};

// Interim responses (100 Continue, 103 Early Hints) allowed before the final
// one: a server sends one or two; an endless stream of them is an attack.
inline constexpr int kMaxInterimResponses = 16;

// Receives the final (non-1xx) response. A listener may throw; the exception
// is carried out of llhttp's C callbacks and rethrown by feed()/finish().
// Completion is not an event: feed()/finish() return, then complete() says so,
// so the owner never tears the parser down from inside llhttp.
class ResponseListener {
 public:
  virtual ~ResponseListener() = default;
  // `headers` may be moved from.
  virtual void on_response_head(int status, Headers& headers) = 0;
  virtual void on_response_body(std::string_view bytes) = 0;
};

class ResponseParser {
 public:
  ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Prepares for the response to one request. `url` names errors; `head_request`
  // means the response has no body whatever its headers say.
  void reset(ResponseListener* listener, std::string_view url, bool head_request,
             ParserLimits limits, ParserLeniency lenient = {});

  // Parses bytes. Throws ProtocolError (malformed), LimitExceededError (head
  // or body too big, more than kMaxInterimResponses 1xx responses), or what
  // the listener threw. Bytes after the complete response are not parsed; they
  // make the connection unfit for reuse.
  void feed(std::string_view bytes);
  // The peer closed the connection: completes a close-delimited body, or throws
  // ConnectionError when the response was cut short.
  void finish();

  bool received_any() const { return received_any_; }
  bool complete() const { return complete_; }
  // After completion: both sides allow reuse and no stray bytes followed.
  bool reusable() const { return complete_ && keep_alive_ && !trailing_bytes_; }
  size_t body_bytes() const { return body_bytes_; }
  // From on_response_head on: the body length its Content-Length announces (as
  // llhttp read it; within max_body_bytes), 0 without one or without a body.
  size_t announced_body_bytes() const { return announced_body_bytes_; }

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_status(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);
  static ResponseParser& self(llhttp_t* p) { return *static_cast<ResponseParser*>(p->data); }

  int fail(std::exception_ptr error);
  int count_header_bytes(size_t len);
  static std::string accept_hint(std::string_view option);
  [[noreturn]] void throw_parse_error(llhttp_errno_t err);

  llhttp_t parser_{};
  llhttp_settings_t settings_{};
  ResponseListener* listener_ = nullptr;
  std::string url_;
  ParserLimits limits_;
  ParserLeniency lenient_;
  bool head_request_ = false;

  Headers headers_;
  std::string field_, value_;
  size_t header_bytes_ = 0;
  size_t body_bytes_ = 0;
  size_t announced_body_bytes_ = 0;
  bool informational_ = false;  // the message being parsed is a 1xx
  int interim_responses_ = 0;
  bool received_any_ = false;
  bool complete_ = false;
  bool keep_alive_ = false;
  bool trailing_bytes_ = false;
  std::exception_ptr error_;
};

}  // namespace uvscrape::http
