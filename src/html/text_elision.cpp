// TextElision: see text_elision.hpp for why and what it guarantees.
#include "html/text_elision.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace uvscrape::html_detail {
namespace {

// The placeholder of run N: kOpen, N in decimal, kClose.
constexpr std::string_view kOpen = "\xEF\xB7\x90";   // U+FDD0
constexpr std::string_view kClose = "\xEF\xB7\x91";  // U+FDD1

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

// Bytes a run may hold: tab, newline, printable ASCII but the three that end
// or start markup, and the bytes of UTF-8 sequences. Excluded besides: NUL, CR
// and the other controls (libxml2 drops or rewrites them).
constexpr std::array<bool, 256> kRunBytes = [] {
  std::array<bool, 256> ok{};
  ok['\t'] = ok['\n'] = true;
  for (int c = 0x20; c < 0x100; ++c) ok[c] = true;
  ok['<'] = ok['>'] = ok['&'] = false;
  return ok;
}();

// Whether [s, e) is one run: only kRunBytes, and no U+FFFE / U+FFFF (which
// libxml2 drops as not XML characters). The input is valid UTF-8, and a
// candidate holds no '<' or '>'. Eight bytes at a time while none of them is
// a control, '&' or 0xEF (the lead byte of both U+FFFE and U+FFFF).
bool is_plain_run(const unsigned char* s, const unsigned char* e) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const unsigned char* p = s;
  while (p < e) {
    if (e - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      // Bytes below 0x20 (a set high bit is never below), '&', 0xEF.
      const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
      if ((below_space | has_zero(w ^ (kOnes * '&')) | has_zero(w ^ (kOnes * 0xEF))) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char* stop = std::min(e, p + 8);
    for (; p < stop; ++p) {
      if (!kRunBytes[*p]) return false;
      if (*p == 0xEF && e - p >= 3 && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) return false;
    }
  }
  return true;
}

}  // namespace

bool TextElision::cut(std::string_view html) {
  shortened_.clear();
  runs_.clear();
  if (html.size() < kMinRun) return false;
  // A page that already holds a placeholder's bytes is parsed as it is.
  if (html.find(kOpen) != std::string_view::npos || html.find(kClose) != std::string_view::npos)
    return false;

  const char* const begin = html.data();
  const char* const end = begin + html.size();
  const char* copied = begin;  // shortened_ holds [begin, copied) so far
  const char* from = begin;
  // Each candidate lies between a '>' and the next '<', with neither inside:
  // the text after a tag, comment or declaration (or, rarely, a stretch of a
  // quoted attribute value, which restore() then refuses).
  while (from < end) {
    const char* lt =
        static_cast<const char*>(std::memchr(from, '<', static_cast<size_t>(end - from)));
    if (lt == nullptr) break;
    const char* gt = static_cast<const char*>(memrchr(from, '>', static_cast<size_t>(lt - from)));
    if (gt != nullptr) {
      const char* s = gt + 1;
      const char* e = lt;
      // Blanks at either end stay in the page: libxml2's whitespace rules
      // look at them.
      while (s < e && is_blank(*s)) ++s;
      while (e > s && is_blank(e[-1])) --e;
      if (static_cast<size_t>(e - s) >= kMinRun &&
          is_plain_run(reinterpret_cast<const unsigned char*>(s),
                       reinterpret_cast<const unsigned char*>(e))) {
        if (shortened_.empty()) shortened_.reserve(html.size() / 2);
        shortened_.append(copied, s);
        shortened_.append(kOpen);
        shortened_.append(std::to_string(runs_.size()));
        shortened_.append(kClose);
        runs_.emplace_back(s, static_cast<size_t>(e - s));
        copied = e;
      }
    }
    from = lt + 1;
  }
  if (runs_.empty()) return false;
  shortened_.append(copied, end);
  return true;
}

bool TextElision::restore_node(xmlNodePtr node) {
  if (node->content == nullptr) return true;
  const std::string_view content(reinterpret_cast<const char*>(node->content));
  size_t open = content.find(kOpen);
  if (open == std::string_view::npos) return true;
  scratch_.clear();
  size_t done = 0;
  while (open != std::string_view::npos) {
    scratch_.append(content.substr(done, open - done));
    size_t at = open + kOpen.size();
    size_t index = 0;
    const size_t digits_from = at;
    while (at < content.size() && content[at] >= '0' && content[at] <= '9' &&
           at - digits_from < 10) {
      index = index * 10 + static_cast<size_t>(content[at] - '0');
      ++at;
    }
    if (at == digits_from || content.substr(at, kClose.size()) != kClose) return false;
    if (index >= runs_.size() || restored_[index]) return false;
    restored_[index] = true;
    scratch_.append(runs_[index]);
    done = at + kClose.size();
    open = content.find(kOpen, done);
  }
  scratch_.append(content.substr(done));
  xmlNodeSetContentLen(node, reinterpret_cast<const xmlChar*>(scratch_.data()),
                       static_cast<int>(scratch_.size()));
  return true;
}

bool TextElision::restore(xmlDocPtr doc) {
  if (doc == nullptr) return false;
  restored_.assign(runs_.size(), false);
  const auto* const top = reinterpret_cast<xmlNodePtr>(doc);
  // Depth first over the document's nodes (never into attributes or the DTD).
  xmlNodePtr node = doc->children;
  while (node != nullptr) {
    switch (node->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
      case XML_COMMENT_NODE:
      case XML_PI_NODE:
        if (!restore_node(node)) return false;
        break;
      default: break;
    }
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      if (node == top) node = nullptr;
    }
    if (node != nullptr) node = node->next;
  }
  for (bool r : restored_)
    if (!r) return false;
  return true;
}

}  // namespace uvscrape::html_detail
