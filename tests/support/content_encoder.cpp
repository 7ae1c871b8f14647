#include "content_encoder.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

namespace uvscrape::testing {
namespace {

// window_bits: 15 zlib wrapper, 15+16 gzip wrapper, -15 raw deflate.
std::string zlib_compress(std::string_view body, int window_bits) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("test server: deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(body.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("test server: deflate did not finish");
  out.resize(produced);
  return out;
}

std::string brotli_compress(std::string_view body) {
  size_t size = BrotliEncoderMaxCompressedSize(body.size());
  if (size == 0) size = body.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                             body.size(), reinterpret_cast<const uint8_t*>(body.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    throw std::runtime_error("test server: BrotliEncoderCompress failed");
  }
  out.resize(size);
  return out;
}

}  // namespace

std::string encode_body(std::string_view body, ContentEncoding encoding) {
  switch (encoding) {
    case ContentEncoding::identity: return std::string(body);
    case ContentEncoding::gzip: return zlib_compress(body, 15 + 16);
    case ContentEncoding::deflate: return zlib_compress(body, 15);
    case ContentEncoding::deflate_raw: return zlib_compress(body, -15);
    case ContentEncoding::br: return brotli_compress(body);
  }
  return std::string(body);
}

std::string_view content_encoding_token(ContentEncoding encoding) {
  switch (encoding) {
    case ContentEncoding::identity: return "";
    case ContentEncoding::gzip: return "gzip";
    case ContentEncoding::deflate:
    case ContentEncoding::deflate_raw: return "deflate";
    case ContentEncoding::br: return "br";
  }
  return "";
}

}  // namespace uvscrape::testing
