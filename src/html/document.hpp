// The libxml2 side of Page/Element: the shared document and the XPath engine.
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "uvscrape/page.hpp"

namespace uvscrape::html_detail {

// Forgiving like a browser; never fetches DTDs or entities; reports nothing.
// XML_PARSE_HUGE (the HTML parser honours it; libxml2 2.9 has no HTML_ name for
// it) lifts libxml2's nesting limit of 256, past which it silently drops the
// rest of the page; Page::kMaxNestingDepth is the bound instead. The input is
// always UTF-8, so a <meta charset> inside it must not switch the decoder.
inline constexpr int kHtmlParseOptions =
    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
    HTML_PARSE_COMPACT | XML_PARSE_HUGE | HTML_PARSE_IGNORE_ENC;

// One parsed page. Elements hold it through shared_ptr, so nodes stay valid as
// long as any Element of the page exists.
struct Document {
  // `parser_documents` counts the live documents of the parser context that
  // built `d` (see page.cpp): they share its dictionary.
  Document(xmlDocPtr d, std::string u,
           std::shared_ptr<std::atomic<long>> parser_documents = nullptr) noexcept
      : doc(d), url(std::move(u)), parser_documents_(std::move(parser_documents)) {
    if (parser_documents_) parser_documents_->fetch_add(1, std::memory_order_relaxed);
  }
  ~Document() {
    xmlFreeDoc(doc);  // reads the shared dictionary: before the count drops
    if (parser_documents_) parser_documents_->fetch_sub(1, std::memory_order_release);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  static Element element(std::shared_ptr<const Document> document, xmlNodePtr node) {
    return Element(std::move(document), node);
  }
  // The document an element belongs to.
  static const Document& of(const Element& element) noexcept { return *element.doc_; }

  xmlDocPtr doc;
  std::string url;

 private:
  std::shared_ptr<std::atomic<long>> parser_documents_;
};

// Initialises libxml2 once and silences its global error output on the
// calling thread (its error handlers are per thread).
void ensure_quiet_libxml();

// Owns one XPath result object.
class XPathResult {
 public:
  explicit XPathResult(xmlXPathObjectPtr object) noexcept : object_(object) {}
  ~XPathResult() { xmlXPathFreeObject(object_); }
  XPathResult(const XPathResult&) = delete;
  XPathResult& operator=(const XPathResult&) = delete;
  XPathResult(XPathResult&& other) noexcept : object_(other.object_) { other.object_ = nullptr; }
  XPathResult& operator=(XPathResult&&) = delete;

  bool valid() const noexcept { return object_ != nullptr; }
  const xmlXPathObject* get() const noexcept { return object_; }

 private:
  xmlXPathObjectPtr object_;
};

// Evaluates `expr` with `context` as the context node. The compiled form is
// cached per thread, keyed by the expression text. Invalid XPath: !valid().
XPathResult evaluate_xpath(std::string_view expr, xmlNodePtr context);

// Whether `expr` compiles (uses the same cache).
bool is_valid_xpath(std::string_view expr);

}  // namespace uvscrape::html_detail
