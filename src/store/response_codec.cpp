// See response_codec.hpp.
#include "store/response_codec.hpp"

#include <zdict.h>
#include <zstd.h>

#include <memory>
#include <stdexcept>

namespace uvscrape::store::codec {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

void check(std::size_t rc, const char* what) {
  if (ZSTD_isError(rc)) throw std::runtime_error(std::string(what) + ": " + ZSTD_getErrorName(rc));
}

}  // namespace

std::string compress(std::string_view body, const Dictionary& dictionary) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) throw std::runtime_error("zstd: out of memory");
  std::string out(ZSTD_compressBound(body.size()), '\0');
  const std::size_t n =
      dictionary.empty()
          ? ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), body.data(), body.size(), kLevel)
          : ZSTD_compress_usingDict(cctx.get(), out.data(), out.size(), body.data(), body.size(),
                                    dictionary.bytes.data(), dictionary.bytes.size(), kLevel);
  check(n, "zstd compression");
  out.resize(n);
  return out;
}

std::string decompress(std::string_view frame, const Dictionary& dictionary) {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) throw std::runtime_error("zstd: out of memory");
  if (!dictionary.empty())
    check(ZSTD_DCtx_loadDictionary(dctx.get(), dictionary.bytes.data(), dictionary.bytes.size()),
          "zstd dictionary");
  // compress() always records the content size in the frame.
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    throw std::runtime_error("not a stored zstd frame");
  std::string out(static_cast<std::size_t>(size), '\0');
  const std::size_t n =
      ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), frame.data(), frame.size());
  check(n, "zstd decompression");
  if (n != out.size()) throw std::runtime_error("zstd decompression: short frame");
  return out;
}

Dictionary train(const std::vector<std::string>& samples) {
  std::string joined;
  std::vector<std::size_t> sizes;
  sizes.reserve(samples.size());
  for (const std::string& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  Dictionary dictionary;
  dictionary.bytes.resize(kMaxDictionarySize);
  const std::size_t n =
      ZDICT_trainFromBuffer(dictionary.bytes.data(), dictionary.bytes.size(), joined.data(),
                            sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return {};
  dictionary.bytes.resize(n);
  dictionary.id = ZDICT_getDictID(dictionary.bytes.data(), dictionary.bytes.size());
  if (dictionary.id == 0) return {};
  return dictionary;
}

std::uint32_t dictionary_id(std::string_view bytes) {
  return ZDICT_getDictID(bytes.data(), bytes.size());
}

}  // namespace uvscrape::store::codec
