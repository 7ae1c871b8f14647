#include "http/content_decoder.hpp"

#include <brotli/decode.h>
#include <zlib.h>

#include <algorithm>

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/headers.hpp"

namespace uvscrape::http {

namespace {

constexpr size_t kOutChunk = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Counts what a stage produced; throws once it passes the decoded-size limit, checked
// after every output block so a bomb never gets more than one block past it.
class OutputGuard {
 public:
  OutputGuard(const std::string& url, size_t limit) : url_(url), limit_(limit) {}
  void produced(size_t n) {
    total_ += n;
    if (total_ > limit_) {
      throw LimitExceededError(url_, "decoded body exceeds " + std::to_string(limit_) +
                                         " bytes (decompression bomb guard)");
    }
  }

 private:
  std::string url_;
  size_t limit_;
  size_t total_ = 0;
};

// gzip (RFC 1952, members concatenated) or deflate: zlib-wrapped (RFC 1950) as the
// standard says, or raw (RFC 1951) as some servers send it; told apart by the header.
class ZlibStage final : public DecodingStage {
 public:
  enum class Kind { gzip, deflate };
  ZlibStage(Kind kind, std::string url, size_t limit)
      : kind_(kind), url_(std::move(url)), guard_(url_, limit) {}
  ~ZlibStage() override {
    if (initialised_) inflateEnd(&z_);
  }

  void decode(std::string_view in, std::string& out) override {
    // An empty piece is no body yet: it must not make finish() see a truncated one.
    if (in.empty()) return;
    if (!initialised_) {
      if (kind_ == Kind::deflate) {
        // Need two bytes to recognise a zlib header.
        pending_.append(in);
        if (pending_.size() < 2) return;
        const auto b0 = static_cast<unsigned char>(pending_[0]);
        const auto b1 = static_cast<unsigned char>(pending_[1]);
        const bool zlib_header = (b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0;
        init(zlib_header ? 15 : -15);
        std::string buffered = std::move(pending_);
        run(buffered, out);
        return;
      }
      init(15 + 16);
    }
    run(in, out);
  }

  void finish() override {
    // No body at all (HEAD, 204, 304, Content-Length: 0) is not a truncated one.
    if (!initialised_ && pending_.empty()) return;
    if (!ended_) throw ProtocolError(url_, "truncated compressed body");
  }

 private:
  void init(int window_bits) {
    z_ = z_stream{};
    if (inflateInit2(&z_, window_bits) != Z_OK) throw ProtocolError(url_, "zlib init failed");
    initialised_ = true;
  }

  void run(std::string_view in, std::string& out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (z_.avail_in > 0) {
      if (ended_) {
        // Another gzip member follows; deflate allows nothing after the end.
        if (kind_ != Kind::gzip) return;
        inflateReset(&z_);
        ended_ = false;
      }
      do {
        const size_t old = out.size();
        out.resize(old + kOutChunk);
        z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
        z_.avail_out = kOutChunk;
        const int rc = inflate(&z_, Z_NO_FLUSH);
        out.resize(old + (kOutChunk - z_.avail_out));
        guard_.produced(out.size() - old);
        if (rc == Z_STREAM_END) {
          ended_ = true;
          break;
        }
        if (rc == Z_BUF_ERROR) break;  // needs more input
        if (rc != Z_OK) {
          throw ProtocolError(url_,
                              std::string("corrupt ") + (kind_ == Kind::gzip ? "gzip" : "deflate") +
                                  " body: " + (z_.msg != nullptr ? z_.msg : "inflate failed"));
        }
      } while (z_.avail_out == 0 || z_.avail_in > 0);
    }
  }

  Kind kind_;
  std::string url_;
  OutputGuard guard_;
  z_stream z_{};
  bool initialised_ = false;
  bool ended_ = false;
  std::string pending_;
};

class BrotliStage final : public DecodingStage {
 public:
  BrotliStage(std::string url, size_t limit)
      : url_(std::move(url)),
        guard_(url_, limit),
        state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {
    if (state_ == nullptr) throw ProtocolError(url_, "brotli init failed");
  }
  ~BrotliStage() override { BrotliDecoderDestroyInstance(state_); }

  void decode(std::string_view in, std::string& out) override {
    auto next_in = reinterpret_cast<const uint8_t*>(in.data());
    size_t avail_in = in.size();
    seen_input_ = seen_input_ || !in.empty();
    for (;;) {
      const size_t old = out.size();
      out.resize(old + kOutChunk);
      auto next_out = reinterpret_cast<uint8_t*>(out.data() + old);
      size_t avail_out = kOutChunk;
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in,
                                                                   &avail_out, &next_out, nullptr);
      out.resize(old + (kOutChunk - avail_out));
      guard_.produced(out.size() - old);
      if (rc == BROTLI_DECODER_RESULT_ERROR) {
        throw ProtocolError(url_, std::string("corrupt br body: ") +
                                      BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)));
      }
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) continue;
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) ended_ = true;
      return;  // success (trailing bytes ignored) or needs more input
    }
  }

  void finish() override {
    if (!ended_ && seen_input_) throw ProtocolError(url_, "truncated br body");
  }

 private:
  std::string url_;
  OutputGuard guard_;
  BrotliDecoderState* state_;
  bool ended_ = false;
  bool seen_input_ = false;
};

}  // namespace

ContentDecoder::ContentDecoder(std::string_view content_encoding, std::string url,
                               size_t max_decoded_bytes)
    : url_(std::move(url)), max_decoded_bytes_(max_decoded_bytes) {
  std::vector<std::string_view> codings;
  while (!content_encoding.empty()) {
    const size_t comma = content_encoding.find(',');
    codings.push_back(trim(content_encoding.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    content_encoding.remove_prefix(comma + 1);
  }
  // Applied in listed order by the server, so undone from the last.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    const std::string_view coding = *it;
    if (coding.empty() || iequals(coding, "identity")) continue;
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      stages_.push_back(
          std::make_unique<ZlibStage>(ZlibStage::Kind::gzip, url_, max_decoded_bytes_));
    } else if (iequals(coding, "deflate")) {
      stages_.push_back(
          std::make_unique<ZlibStage>(ZlibStage::Kind::deflate, url_, max_decoded_bytes_));
    } else if (iequals(coding, "br")) {
      stages_.push_back(std::make_unique<BrotliStage>(url_, max_decoded_bytes_));
    }
    // Anything else ("utf-8", "none", ...) is a server mislabelling its body, as
    // browsers treat it: the bytes pass through unchanged.
  }
  if (stages_.size() > 1) scratch_.resize(stages_.size() - 1);
}

ContentDecoder::~ContentDecoder() = default;

void ContentDecoder::check_limit(size_t added) {
  decoded_bytes_ += added;
  if (decoded_bytes_ > max_decoded_bytes_) {
    throw LimitExceededError(url_, "decoded body exceeds " + std::to_string(max_decoded_bytes_) +
                                       " bytes (decompression bomb guard)");
  }
}

void ContentDecoder::decode(std::string_view in, std::string& out) {
  if (stages_.empty()) {
    check_limit(in.size());
    out.append(in);
    return;
  }
  // Each stage guards its own output, so the last one guards the decoded total.
  std::string_view input = in;
  const size_t before = out.size();
  for (size_t i = 0; i < stages_.size(); ++i) {
    const bool last = i + 1 == stages_.size();
    std::string& target = last ? out : scratch_[i];
    stages_[i]->decode(input, target);
    input = target;
  }
  decoded_bytes_ += out.size() - before;
  for (auto& s : scratch_) s.clear();
}

void ContentDecoder::finish() {
  for (auto& stage : stages_) stage->finish();
}

}  // namespace uvscrape::http
