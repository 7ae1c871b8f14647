#include "court_media.hpp"

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace bug_court {

namespace {

std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 16777619u;
  }
  return h;
}

void put_be32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_le16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void put_png_chunk(std::string& out, const char* type, const std::string& data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string typed = std::string(type, 4) + data;
  out += typed;
  auto crc =
      crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()));
  put_be32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::string generate_png(std::string_view key) {
  constexpr std::uint32_t kSide = 24;
  const std::uint32_t seed = fnv1a(key);
  const unsigned char base[3] = {static_cast<unsigned char>(seed),
                                 static_cast<unsigned char>(seed >> 8),
                                 static_cast<unsigned char>(seed >> 16)};
  // A diagonal two-tone pattern: each image differs from every other one.
  std::string raw;
  for (std::uint32_t y = 0; y < kSide; ++y) {
    raw.push_back('\0');  // filter type: none
    for (std::uint32_t x = 0; x < kSide; ++x) {
      bool stripe = ((x + y + (seed >> 24)) / 4) % 2 == 0;
      for (unsigned char channel : base)
        raw.push_back(static_cast<char>(stripe ? channel : 255 - channel));
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<Bytef> packed(packed_size);
  if (compress2(packed.data(), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw std::runtime_error("generate_png: zlib compression failed");

  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_be32(header, kSide);
  put_be32(header, kSide);
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  put_png_chunk(png, "IHDR", header);
  put_png_chunk(png, "IDAT",
                std::string(reinterpret_cast<const char*>(packed.data()), packed_size));
  put_png_chunk(png, "IEND", "");
  return png;
}

std::string generate_wav(std::string_view key) {
  constexpr std::uint32_t kRate = 8000;
  constexpr std::uint32_t kSamples = kRate / 2;
  const std::uint32_t seed = fnv1a(key);
  const std::uint32_t period = 8 + seed % 24;  // samples per cycle: a 250-1000 Hz chirp

  std::string wav = "RIFF";
  put_le32(wav, 36 + kSamples);
  wav += "WAVEfmt ";
  put_le32(wav, 16);     // fmt chunk size
  put_le16(wav, 1);      // PCM
  put_le16(wav, 1);      // mono
  put_le32(wav, kRate);  // sample rate
  put_le32(wav, kRate);  // byte rate
  put_le16(wav, 1);      // block align
  put_le16(wav, 8);      // bits per sample
  wav += "data";
  put_le32(wav, kSamples);
  for (std::uint32_t i = 0; i < kSamples; ++i) {
    // Triangle wave, fading out, centred on 128 (8-bit PCM is unsigned).
    std::uint32_t phase = i % period;
    int tri = static_cast<int>(phase < period / 2 ? phase : period - phase);
    int amplitude = static_cast<int>(100 * (kSamples - i) / kSamples);
    int sample = 128 + (tri * 2 * amplitude) / static_cast<int>(period) - amplitude / 2;
    wav.push_back(static_cast<char>(static_cast<unsigned char>(sample)));
  }
  return wav;
}

}  // namespace bug_court
