// File names for archived downloads; see archive_name.hpp.
#include "driver/archive_name.hpp"

#include <algorithm>

#include "common/hex.hpp"
#include "store/seen_set.hpp"

namespace uvscrape::driver {
namespace {

constexpr size_t kMaxNameBytes = 180;  // well under NAME_MAX, room for a suffix

bool safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string sanitise(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxNameBytes));
  for (char c : text) {
    if (out.size() == kMaxNameBytes) break;
    out += safe_char(c) ? c : '_';
  }
  if (!out.empty() && out[0] == '.') out[0] = '_';  // no hidden files, no "." or ".."
  return out;
}

std::string_view url_path(std::string_view url) {
  const size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    const size_t path = url.find('/', scheme + 3);
    return path == std::string_view::npos ? std::string_view{} : url.substr(path);
  }
  return url;
}

}  // namespace

std::string archive_file_name(std::string_view url, std::string_view expected_type) {
  std::string_view path = url_path(url);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  const std::string_view segment = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string name = sanitise(segment);
  if (!name.empty() && name.find_first_not_of('_') != std::string::npos) return name;

  name = "download_" + hex_encode(store::hash_key(url).high);
  if (expected_type == "pdf") name += ".pdf";
  if (expected_type == "audio") name += ".mp3";
  return name;
}

std::string archive_path_variant(std::string_view path, std::string_view url) {
  const size_t slash = path.rfind('/');
  const size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || dot <= name_start) dot = path.size();  // no extension
  std::string out(path.substr(0, dot));
  out += '-';
  out += hex_encode(store::hash_key(url).high);
  out += path.substr(dot);
  return out;
}

std::string safe_path_component(std::string_view text) {
  std::string name = sanitise(text);
  if (name.empty()) name = "_";
  return name;
}

std::string ArchivePaths::claim(std::string path, const std::string& url) {
  auto [it, inserted] = url_of_.try_emplace(path, url);
  if (inserted || it->second == url) return path;
  std::string variant = archive_path_variant(path, url);
  url_of_.try_emplace(variant, url);
  return variant;
}

}  // namespace uvscrape::driver
