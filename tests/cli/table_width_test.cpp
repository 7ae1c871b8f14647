// The CLI's tables count terminal columns, not bytes or code points: a CJK
// field takes two columns a character, a combining mark none, and the
// columns after it stay aligned; a cut field ends in "…" within its width.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "cli/cli_support.hpp"
#include "cli/display_width.hpp"

namespace uvscrape::cli {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(DisplayWidth, CountsColumns) {
  EXPECT_EQ(display_width("court"), 5u);
  EXPECT_EQ(display_width("最高裁判所"), 10u);     // CJK ideographs: two each
  EXPECT_EQ(display_width("ｂｕｇ"), 6u);           // fullwidth Latin
  EXPECT_EQ(display_width("한국"), 4u);             // Hangul syllables
  EXPECT_EQ(display_width("e\u0301te\u0301"), 3u);  // combining acute: none
  EXPECT_EQ(display_width("Stingwell…"), 10u);      // the ellipsis is narrow
  EXPECT_EQ(display_width("\xff" "ab"), 3u);        // a malformed byte: one
}

TEST(DisplayWidth, FitPadsAndCutsByColumns) {
  EXPECT_EQ(fit_to_width("裁判", 6), "裁判  ");
  EXPECT_EQ(fit_to_width("最高裁判所", 6), "最高 …");  // 裁 would straddle the edge
  EXPECT_EQ(display_width(fit_to_width("最高裁判所", 6)), 6u);
  EXPECT_EQ(fit_to_width("最高裁判所", 7), "最高裁…");
  EXPECT_EQ(fit_to_width("abcdef", 4), "abc…");
}

TEST(Table, ColumnsStayAlignedAfterACjkField) {
  ::unsetenv("COLUMNS");
  std::ostringstream out;
  print_records(out, Format::table, {"name", "court", "n"},
                {Json{{"name", "Vespa"}, {"court", "最高裁判所"}, {"n", 1}},
                 Json{{"name", "Mantis"}, {"court", "bug court"}, {"n", 22}}});
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u);
  // "n" starts at the same column on every line.
  const std::size_t at = display_width(lines[0].substr(0, lines[0].find(" n") + 1));
  EXPECT_EQ(display_width(lines[1].substr(0, lines[1].rfind(' ') + 1)), at) << out.str();
  EXPECT_EQ(display_width(lines[2].substr(0, lines[2].rfind(' ') + 1)), at) << out.str();
  EXPECT_EQ(lines[1], "Vespa   最高裁判所  1");
}

TEST(Table, FitsColumnsWithWideCharacters) {
  ::setenv("COLUMNS", "20", 1);
  std::ostringstream out;
  print_records(out, Format::table, {"id", "court"},
                {Json{{"id", 1}, {"court", "最高裁判所最高裁判所最高裁判所"}}});
  ::unsetenv("COLUMNS");
  for (const auto& l : lines_of(out.str())) EXPECT_LE(display_width(l), 20u) << l;
  EXPECT_NE(out.str().find("…"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace uvscrape::cli
