// How many terminal columns UTF-8 text takes: East Asian wide and fullwidth
// characters two, combining marks and zero-width characters none, the rest
// one -- so a table with a CJK field stays aligned. A small table of ranges
// (Unicode 15's wide blocks) rather than wcwidth(), which needs a UTF-8
// locale set for the whole process.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace uvscrape::cli {

// Columns one code point takes (0, 1 or 2).
int code_point_width(char32_t c) noexcept;
// Columns `text` takes; a malformed byte counts as one.
std::size_t display_width(std::string_view text) noexcept;
// `text` padded with spaces to `width` columns, or cut to `width - 1`
// columns and "…" (a wide character that would straddle the edge is left
// out and its column padded).
std::string fit_to_width(std::string_view text, std::size_t width);

}  // namespace uvscrape::cli
