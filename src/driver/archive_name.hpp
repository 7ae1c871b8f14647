// Where an archived download is stored (docs/design.md §14): a file name derived
// from the URL, sanitised so that nothing a server or a scraper supplies can leave
// storage_dir.
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::driver {

// The last non-empty path segment of `url` (query and fragment ignored), with
// every byte outside [A-Za-z0-9._-] replaced by '_', a leading '.' replaced, and
// the length capped. Without a usable segment: "download_<hash of url>" plus
// ".pdf" for expected type "pdf", ".mp3" for "audio".
std::string archive_file_name(std::string_view url, std::string_view expected_type);

// `path` with "-<16 hex digits of hash(url)>" before its extension: a name for a
// second URL whose file name sanitised to the same `path`.
std::string archive_path_variant(std::string_view path, std::string_view url);

// A single safe path component made from `text` (an explicit dedup key, say):
// same alphabet as above, never "", "." or "..".
std::string safe_path_component(std::string_view text);

}  // namespace uvscrape::driver
