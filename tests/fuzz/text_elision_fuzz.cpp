// Fuzz target: Page::parse, which hands long text runs past libxml2's
// tokenizer (html/text_elision.hpp) and reuses its parser context per thread,
// against a plain libxml2 parse of the same page with a fresh context.
//
// Input: one option byte (bit 0: keep this page alive while the next input is
// parsed, so that Page::parse must leave the context its documents share),
// the rest = the page's bytes.
//
// Properties: a page Page::parse accepts has the tree of the plain parse, node
// for node; where TextElision cuts a page and puts every run back, the tree is
// the plain parse's too.
#include <libxml/HTMLparser.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/utf8.hpp"
#include "fuzz_input.hpp"
#include "html/document.hpp"
#include "html/text_elision.hpp"
#include "tests/html/tree_dump.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/page.hpp"

namespace {

constexpr const char* kTarget = "text_elision";
constexpr const char* kUrl = "http://fuzz.example/page.html";

// The tree libxml2 builds from `html` with a context of its own.
std::string plain_tree(std::string_view html) {
  xmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), kUrl, "UTF-8",
                                 uvscrape::html_detail::kHtmlParseOptions);
  std::string tree = uvscrape::html_detail::tree_of(doc);
  xmlFreeDoc(doc);
  return tree;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace html = uvscrape::html_detail;
  static std::shared_ptr<const uvscrape::Page> kept;  // the page left alive by the last input
  uvscrape::fuzz::FuzzInput input(data, size);
  const bool keep = (input.byte() & 1) != 0;
  const std::string page_bytes = uvscrape::to_valid_utf8(std::string(input.rest()));

  std::optional<uvscrape::Page> page;
  try {
    page = uvscrape::Page::parse(page_bytes, kUrl);  // also switches libxml2's output off
  } catch (const uvscrape::ScraperAssumptionException&) {
  }
  const std::string plain = plain_tree(page_bytes);
  if (page) {
    uvscrape::fuzz::check(html::tree_of(html::Document::of(*page).doc) == plain, kTarget,
                          "Page::parse builds the plain parse's tree");
  }

  html::TextElision elision;
  if (elision.cut(page_bytes)) {
    const std::string_view shortened = elision.shortened();
    xmlDocPtr doc = htmlReadMemory(shortened.data(), static_cast<int>(shortened.size()), kUrl,
                                   "UTF-8", html::kHtmlParseOptions);
    if (elision.restore(doc)) {
      uvscrape::fuzz::check(html::tree_of(doc) == plain, kTarget,
                            "runs put back give the plain parse's tree");
    }
    xmlFreeDoc(doc);
  }

  kept = keep && page ? std::make_shared<const uvscrape::Page>(std::move(*page)) : nullptr;
  return 0;
}
