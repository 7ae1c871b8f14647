// Fuzz target: the Content-Encoding decoders (gzip, deflate as zlib or raw,
// br, and chains of them) with the decompression-bomb limit.
//
// Input: byte 0 = which Content-Encoding value (kEncodings), byte 1 = which
// decoded-size limit (kLimits), bytes 2-5 = the split plan (see split()), the
// rest = the encoded body.
//
// Properties: only uvscrape's typed errors are thrown; a body that decodes is
// never larger than the limit, and a bomb stops within one output block (64 KiB)
// past it; whether the body decodes, and to what, is the same whether it
// arrives in one piece or in the planned pieces.
#include <cstdint>
#include <string>
#include <typeinfo>

#include "fuzz_input.hpp"
#include "http/content_decoder.hpp"
#include "uvscrape/errors.hpp"

namespace {

constexpr const char* kTarget = "content_decoder";

constexpr std::string_view kEncodings[] = {
    "gzip",          "deflate",           "br",       "x-gzip", "gzip, br", "br, gzip",
    "deflate, gzip", "gzip, gzip",        "identity", "GZIP",   " br ",     "br, br",
    "utf-8",         "gzip, deflate, br", ""};
constexpr size_t kLimits[] = {0, 100, 64 * 1024, 1024 * 1024};
// The decoder checks the limit after each output block of this size.
constexpr size_t kBlock = 64 * 1024;

struct Outcome {
  std::string decoded;
  std::string error;  // exception type; empty when the body decoded
  size_t reported = 0;
};

Outcome decode(std::string_view encoding, size_t limit,
               const std::vector<std::string_view>& pieces) {
  Outcome out;
  try {
    uvscrape::http::ContentDecoder decoder(encoding, "http://fuzz.example/", limit);
    try {
      for (std::string_view piece : pieces) decoder.decode(piece, out.decoded);
      decoder.finish();
      out.reported = decoder.decoded_bytes();
    } catch (const uvscrape::Error& e) {
      out.error = typeid(e).name();
    }
  } catch (const uvscrape::Error& e) {
    out.error = std::string("construction: ") + typeid(e).name();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uvscrape::fuzz::FuzzInput input(data, size);
  const std::string_view encoding = kEncodings[input.byte() % std::size(kEncodings)];
  const size_t limit = kLimits[input.byte() % std::size(kLimits)];
  const std::string_view plan = input.bytes(4);
  const std::string_view body = input.rest();

  const Outcome whole = decode(encoding, limit, {body});
  const Outcome pieces = decode(encoding, limit, uvscrape::fuzz::split(body, plan));
  for (const Outcome* o : {&whole, &pieces}) {
    if (o->error.empty()) {
      uvscrape::fuzz::check(o->decoded.size() <= limit, kTarget, "decoded body within the limit");
      uvscrape::fuzz::check(o->reported == o->decoded.size(), kTarget,
                            "decoded_bytes() is the size of the decoded body");
    } else {
      uvscrape::fuzz::check(o->decoded.size() <= limit + kBlock, kTarget,
                            "a bomb stops within one block past the limit");
    }
  }
  // Which error a corrupt and oversized body reports first depends on where the
  // pieces end, but whether it decodes does not.
  uvscrape::fuzz::check(whole.error.empty() == pieces.error.empty(), kTarget,
                        "same verdict in one piece and in pieces");
  if (whole.error.empty()) {
    uvscrape::fuzz::check(whole.decoded == pieces.decoded, kTarget,
                          "same bytes in one piece and in pieces");
  }
  return 0;
}
