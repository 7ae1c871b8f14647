// Long runs of plain text cut out of a page before libxml2 tokenizes it, and
// put back into the tree it built.
//
// libxml2 2.9's HTML parser spends about 75 instructions on every character
// of text (a function call per character, line and column counting, a copy
// into a 1,000-byte buffer); on a typical page that is most of the parse.
// A run of text is opaque to the tokenizer as long as it holds none of the
// characters that can change its state, so the parser is given a short
// placeholder instead (U+FDD0, the run's number, U+FDD1: noncharacters, never
// blank, never markup) and the run goes back into the node that received the
// placeholder. The tree, every string and every XPath result are those of the
// full parse: a placeholder that did not land whole in a text, comment or
// processing-instruction node (inside a quoted attribute value, say) fails
// restore(), and the caller parses the page in full instead.
//
// What changes: the line numbers libxml2 records on the nodes after a
// multi-line run (nothing in uvscrape reads them).
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace uvscrape::html_detail {

class TextElision {
 public:
  // Shorter runs cost more to put back than the tokenizer spends on them.
  static constexpr size_t kMinRun = 64;

  // Cuts the runs of `html` (valid UTF-8, alive until restore() returns).
  // False when there is nothing worth cutting: parse `html` itself.
  bool cut(std::string_view html);

  // The page to hand to libxml2 after a successful cut().
  std::string_view shortened() const noexcept { return shortened_; }

  // Puts every run back into `doc`, parsed from shortened(). False when a
  // placeholder is missing, torn or repeated: `doc` is then not the page's tree.
  bool restore(xmlDocPtr doc);

 private:
  bool restore_node(xmlNodePtr node);

  // Kept between pages (one TextElision per parser), so a page costs no
  // allocation here once they have grown.
  std::string shortened_;
  std::vector<std::string_view> runs_;
  std::vector<bool> restored_;  // per run, during restore()
  std::string scratch_;         // a node's new content, during restore()
};

}  // namespace uvscrape::html_detail
