// Fuzz target: the HTTP/1.1 response parser (status line, headers, chunked
// bodies with extensions and trailers, Content-Length, close-delimited bodies,
// 1xx interim responses, bytes after the response).
//
// Input: byte 0 = options (bit 0: HEAD request, bit 1: small limits, bit 2: the
// peer closes after the last byte), bytes 1-4 = the split plan (piece sizes,
// see split()), the rest = the bytes the server sent.
//
// Properties: the parser only ever throws uvscrape's typed errors, and the
// outcome -- status, headers, body, completion, reusability, or the error --
// is the same whether the bytes arrive in one piece or in the planned pieces
// (after an error, up to which error and how much body; see same_as).
#include <cstdint>
#include <string>
#include <typeinfo>

#include "fuzz_input.hpp"
#include "http/response_parser.hpp"
#include "uvscrape/errors.hpp"

namespace {

using uvscrape::http::ParserLimits;
using uvscrape::http::ResponseParser;

constexpr const char* kTarget = "response_parser";

struct Outcome : uvscrape::http::ResponseListener {
  int heads = 0;
  int status = 0;
  std::string headers;  // "name: value\n" in order
  std::string body;
  bool complete = false, reusable = false;
  std::string error;  // exception type and message

  void on_response_head(int code, uvscrape::Headers& h) override {
    ++heads;
    status = code;
    for (const auto& [name, value] : h.items()) headers += name + ": " + value + "\n";
  }
  void on_response_body(std::string_view bytes) override { body.append(bytes); }

  // After an error, how much of the body was delivered depends on where the
  // pieces ended (one body is then a prefix of the other), and so may which
  // error came first: llhttp reports a header's bytes, which count against the
  // header limit, when its span ends -- at a malformed byte or a piece's end.
  bool same_as(const Outcome& o) const {
    const bool same_body = error.empty() ? body == o.body
                                         : body.compare(0, o.body.size(), o.body) == 0 ||
                                               o.body.compare(0, body.size(), body) == 0;
    return heads == o.heads && status == o.status && headers == o.headers && same_body &&
           complete == o.complete && reusable == o.reusable && error.empty() == o.error.empty();
  }
};

Outcome parse(const std::vector<std::string_view>& pieces, bool head, bool small, bool close) {
  ParserLimits limits;
  if (small) limits = ParserLimits{.max_header_bytes = 200, .max_body_bytes = 300};
  Outcome out;
  ResponseParser parser;
  parser.reset(&out, "http://fuzz.example/", head, limits);
  try {
    for (std::string_view piece : pieces) parser.feed(piece);
    if (close) parser.finish();
  } catch (const uvscrape::Error& e) {
    out.error = std::string(typeid(e).name()) + ": " + e.what();
  }
  out.complete = parser.complete();
  out.reusable = parser.reusable();
  uvscrape::fuzz::check(out.heads <= 1, kTarget, "one final response head at most");
  uvscrape::fuzz::check(!small || out.body.size() <= limits.max_body_bytes, kTarget,
                        "body within max_body_bytes");
  uvscrape::fuzz::check(parser.body_bytes() >= out.body.size(), kTarget,
                        "body_bytes() counts every body byte delivered");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uvscrape::fuzz::FuzzInput input(data, size);
  const uint8_t options = input.byte();
  const std::string_view plan = input.bytes(4);
  const std::string_view wire = input.rest();
  const bool head = options & 1, small = options & 2, close = options & 4;

  const Outcome whole = parse({wire}, head, small, close);
  const Outcome pieces = parse(uvscrape::fuzz::split(wire, plan), head, small, close);
  uvscrape::fuzz::check(whole.same_as(pieces), kTarget, "same outcome in one piece and in pieces");
  return 0;
}
