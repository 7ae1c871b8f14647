// What the test server hands a route handler (ServerRequest) and what the
// handler fills in (ServerResponse): an exact script of the bytes to send,
// including the faults to inject. See test_server.hpp for the server itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uvscrape::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive ASCII comparison for header names.
bool header_name_equals(std::string_view a, std::string_view b);
// First value of `name` in `headers`, if present.
std::optional<std::string> find_header(const HeaderList& headers, std::string_view name);

// One request exactly as the server received it.
struct ServerRequest {
  std::string method;                // "GET", "POST", ...
  std::string target;                // request-target as sent: "/path?query"
  std::string path;                  // target up to '?'
  std::string query;                 // after '?', without it ("" when absent)
  int http_minor = 1;                // HTTP/1.<minor>
  HeaderList headers;                // in order, repeats kept, names as sent
  std::string body;                  // de-chunked request body
  uint64_t connection_id = 0;        // 1-based, in accept order
  uint64_t index_on_connection = 0;  // 1-based position on its connection
  bool tls = false;                  // arrived over the TLS listener

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

enum class ContentEncoding {
  identity,
  gzip,
  deflate,      // zlib-wrapped (RFC 9110 "deflate")
  deflate_raw,  // raw DEFLATE, as some broken servers send
  br,
};

// Where (and how) the server drops the connection instead of finishing.
enum class Disconnect {
  none,
  before_response,  // after reading the request, send nothing and drop
  mid_headers,      // send the first half of the header block, then drop
  mid_body,         // send headers and `disconnect_after_body_bytes` of body, then drop
};

// The response script. Defaults give a well-formed keep-alive response with a
// Content-Length. Fault fields combine where it makes sense (e.g. delays with
// a mid-body disconnect).
struct ServerResponse {
  int status = 200;
  std::string reason;  // empty: the standard reason phrase
  HeaderList headers;  // sent in order; framing headers are added after them
                       // unless already present (set Content-Length to lie)

  // Body: `body`, or `shared_body` when set (zero-copy for big bodies that many
  // responses share).
  std::string body;
  std::shared_ptr<const std::string> shared_body;

  // ---- framing -----------------------------------------------------------
  bool chunked = false;          // Transfer-Encoding: chunked
  size_t chunk_size = 0;         // body piece size when chunked or delayed; 0: one piece
  bool close_delimited = false;  // no Content-Length: the body ends when the server closes
  ContentEncoding encoding = ContentEncoding::identity;  // applied by the server
  bool close_connection = false;   // send Connection: close and close after this response
  std::vector<int> informational;  // 1xx responses sent first (e.g. {100, 103})

  // ---- faults ------------------------------------------------------------
  std::chrono::milliseconds delay_before_headers{0};
  std::chrono::milliseconds delay_between_chunks{0};  // between body pieces
  std::chrono::milliseconds drip_interval{0};  // slow drip: whole response 1 byte per interval
  Disconnect disconnect = Disconnect::none;
  // RST (uv_tcp_close_reset) instead of FIN. The kernel drops what is still in
  // its send buffer on RST, so the client may see fewer bytes than were sent.
  bool disconnect_with_reset = false;
  // TLS mode: a closing connection ends with a bare FIN, no close_notify alert
  // first (what a truncation attack, or a sloppy server, looks like).
  bool skip_close_notify = false;
  size_t disconnect_after_body_bytes = SIZE_MAX;  // mid_body: SIZE_MAX means half the body
  bool invalid_status_line = false;  // "HTTP/1.1 OOPS not-a-status" instead of the status line
  bool bad_chunk_size = false;       // chunked framing with a non-hex chunk-size line
  size_t oversized_headers = 0;      // add X-Padding header lines totalling about N bytes
  bool endless_body = false;         // body never ends (chunked if `chunked`, else close-delimited)
  bool never_respond = false;        // read the request, then send nothing, ever
  // > 0: after `informational`, a "103 Early Hints" this often, forever; the
  // final response never comes.
  std::chrono::milliseconds endless_early_hints{0};
  std::optional<std::string> raw;  // send exactly these bytes instead of a response, then
                                   // keep alive (or close when close_connection)

  // ---- helpers -----------------------------------------------------------
  const std::string& body_bytes() const { return shared_body ? *shared_body : body; }
  ServerResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static ServerResponse html(std::string body, int status = 200);
  static ServerResponse text(std::string body, int status = 200);
  static ServerResponse redirect(std::string location, int status = 302);
  static ServerResponse with_status(int status);
};

// Standard reason phrase ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace uvscrape::testing
