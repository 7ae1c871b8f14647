// Removes Content-Encoding (gzip, deflate as zlib or raw, br) incrementally,
// with a guard on the decoded size against decompression bombs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace uvscrape::http {

// One coding step (gzip, deflate or br) of a Content-Encoding chain.
class DecodingStage {
 public:
  virtual ~DecodingStage() = default;
  // Appends the decoded form of `in` to `out`.
  virtual void decode(std::string_view in, std::string& out) = 0;
  // The encoded stream is over: throws ProtocolError if it was truncated.
  virtual void finish() = 0;
};

class ContentDecoder {
 public:
  // `content_encoding` is the header value ("gzip", "br", "gzip, br", ...);
  // codings are undone in reverse order. "identity", empty and unknown tokens
  // (mislabelled bodies such as "utf-8") leave the bytes as they are.
  ContentDecoder(std::string_view content_encoding, std::string url, size_t max_decoded_bytes);
  ~ContentDecoder();
  ContentDecoder(const ContentDecoder&) = delete;
  ContentDecoder& operator=(const ContentDecoder&) = delete;

  bool is_identity() const { return stages_.empty(); }
  // Appends the decoded bytes of `in` to `out`; throws LimitExceededError when the
  // total decoded size passes the limit, ProtocolError on corrupt input.
  void decode(std::string_view in, std::string& out);
  // The body is complete: throws ProtocolError if a compressed stream was cut short.
  void finish();
  size_t decoded_bytes() const { return decoded_bytes_; }

 private:
  void check_limit(size_t added);

  std::string url_;
  size_t max_decoded_bytes_;
  size_t decoded_bytes_ = 0;
  std::vector<std::unique_ptr<DecodingStage>> stages_;  // in decoding order
  std::vector<std::string> scratch_;                    // between stages
};

}  // namespace uvscrape::http
