// Parsed HTML pages with checked selectors (docs/design.md, "Checked selectors"),
// HTML forms, and JSON bodies. Pure: no network, no I/O.
//
//   Page page = Page::parse(body, url);
//   for (const Element& row : page.checked_css("tr.case-row", "case rows", 0)) {
//     auto href = row.checked_xpath_strings(".//a[@class='case-link']/@href", "case link", 1, 1);
//     ...
//   }
//
// Every check that fails throws HTMLStructuralAssumptionException naming the
// page URL; elements found inside other elements keep that URL.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape {

namespace html_detail {
struct Document;  // the libxml2 document, shared by every Element of a page
}
class Response;

// A submittable HTML form: what a browser would send with the default values.
struct Form {
  std::string method;  // "GET" or "POST"
  std::string action;  // absolute, resolved against the page URL
  // Successful controls in document order: inputs (checked checkboxes and
  // radios only; no buttons or files), selects (selected options, else the
  // first), textareas.
  std::vector<std::pair<std::string, std::string>> fields;

  // Gives the field `name` this value (the first one; further fields of that
  // name are removed), or appends it.
  Form& set(std::string_view name, std::string value);
  // The first value of `name`, if the form has such a field.
  std::optional<std::string> get(std::string_view name) const;
  // A GET submission: `action` with its query replaced by the encoded fields.
  std::string get_url() const;
  // A POST submission body (application/x-www-form-urlencoded).
  std::string encoded_fields() const;
};

// A node of a parsed page (usually an element) plus the page URL. Cheap to copy:
// copies share the document.
class Element {
 public:
  // Matching nodes of an XPath expression evaluated from this node. Throws
  // HTMLStructuralAssumptionException (selector_type "xpath") when fewer than
  // `min_count` or more than `max_count` match, or when the expression is not
  // valid XPath (actual_count 0, description says so). An expression that does
  // not select nodes (e.g. "count(...)") matches nothing here; use
  // checked_xpath_strings for string results.
  std::vector<Element> checked_xpath(std::string_view expr, std::string_view description,
                                     long min_count = 1,
                                     std::optional<long> max_count = std::nullopt) const;
  // String results: text and attribute nodes (e.g. "//a/@href", ".//td/text()")
  // and string-valued expressions (e.g. "string(h2)"). Element nodes are left
  // out. The exception carries is_element_query = false.
  std::vector<std::string> checked_xpath_strings(
      std::string_view expr, std::string_view description, long min_count = 1,
      std::optional<long> max_count = std::nullopt) const;
  // Like checked_xpath for a CSS selector (selector_type "css"). Supported:
  // tag, *, .class, #id, [attr], [attr=value] / [attr="value"], descendant
  // (space) and child (>) combinators, comma lists. Matches this node too, as
  // lxml's cssselect does. Anything else is an invalid selector: the exception
  // with actual_count 0.
  std::vector<Element> checked_css(std::string_view selector, std::string_view description,
                                   long min_count = 1,
                                   std::optional<long> max_count = std::nullopt) const;

  // Unchecked queries: invalid expressions still throw as above.
  std::vector<Element> xpath(std::string_view expr) const;
  std::vector<Element> css(std::string_view selector) const;

  // All descendant text, concatenated as in the document.
  std::string text() const;
  // text() without leading and trailing whitespace.
  std::string trimmed_text() const;
  // The attribute's value ("" for a bare boolean attribute), if present.
  std::optional<std::string> attr(std::string_view name) const;
  // Lower-case element name ("a", "td"); attribute name for an attribute node;
  // empty for text.
  std::string tag() const;
  bool is_element() const noexcept;
  const std::string& url() const noexcept;

  // The form this element is (it must be a <form>, else ScraperAssumptionException).
  Form as_form() const;
  // Exactly one form matching a CSS selector under this node, as a Form.
  Form form(std::string_view css_selector, std::string_view description = "form") const;

 protected:
  Element(std::shared_ptr<const html_detail::Document> doc, void* node) noexcept
      : doc_(std::move(doc)), node_(node) {}

 private:
  friend struct html_detail::Document;
  std::vector<Element> checked_nodes(const std::string& xpath, std::string_view selector,
                                     const char* selector_type, std::string_view description,
                                     long min_count, std::optional<long> max_count) const;

  std::shared_ptr<const html_detail::Document> doc_;
  void* node_;  // an xmlNode of doc_
};

// A parsed HTML page; as an Element it is the root <html> element.
class Page : public Element {
 public:
  // Elements may nest this deep (html and body count); deeper is an error
  // rather than a page parsed in part.
  static constexpr std::size_t kMaxNestingDepth = 10000;

  // Parses UTF-8 text with libxml2's forgiving HTML parser (no network,
  // nothing printed). Byte sequences that are not UTF-8 become U+FFFD; a
  // <meta charset> in the text is ignored, since the text is already decoded.
  // For a body in another charset use Response::page(), which decodes it by
  // the one charset rule first. libxml2's error output is switched off on
  // threads that use this. Throws ScraperAssumptionException("Failed to parse
  // HTML: ...", url, {error}) for an empty document, and for one nested deeper
  // than kMaxNestingDepth ({limit, error}).
  static Page parse(std::string_view html, std::string url);

 private:
  // Response::page() parses its text(), which its decoding has just checked
  // or made valid UTF-8: parse() without checking it again.
  friend class Response;
  static Page parse_valid_utf8(std::string_view html, std::string url);

  using Element::Element;
};

// Parses a JSON body. Throws ScraperAssumptionException("Failed to parse JSON:
// ...", url, {error}).
Json parse_json(std::string_view text, std::string url);

}  // namespace uvscrape
