// Element: checked XPath/CSS queries and node accessors.
#include <libxml/tree.h>

#include <functional>
#include <unordered_map>

#include "common/utf8.hpp"
#include "html/css_to_xpath.hpp"
#include "html/document.hpp"
#include "html/selector_tally.hpp"

namespace uvscrape {
namespace {

using html_detail::Document;
using html_detail::XPathResult;

xmlNodePtr as_node(void* node) noexcept {
  return static_cast<xmlNodePtr>(node);
}

// Every string a step extracts is valid UTF-8: the parser's input is, and this
// keeps it so whatever libxml2 does with character references.
std::string take_xml_string(xmlChar* text) {
  if (text == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(text));
  xmlFree(text);
  return to_valid_utf8(std::move(out));
}

bool count_fits(long count, long min_count, std::optional<long> max_count) noexcept {
  return count >= min_count && (!max_count || count <= *max_count);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Selectors repeat on every page of a crawl: translate each once per thread.
const html_detail::CssTranslation& translated_css(std::string_view selector) {
  thread_local std::unordered_map<std::string, html_detail::CssTranslation, StringHash,
                                  std::equal_to<>>
      cache;
  if (auto it = cache.find(selector); it != cache.end()) return it->second;
  if (cache.size() >= 4096) cache.clear();
  return cache.emplace(std::string(selector), html_detail::css_to_xpath(selector)).first->second;
}

[[noreturn]] void throw_invalid(std::string_view selector, const char* selector_type,
                                std::string_view description, const std::string& why,
                                long min_count, std::optional<long> max_count,
                                const std::string& url, bool is_element_query) {
  throw HTMLStructuralAssumptionException(std::string(selector), selector_type,
                                          std::string(description) + " (" + why + ")", min_count,
                                          max_count, 0, url, is_element_query);
}

}  // namespace

std::vector<Element> Element::checked_nodes(const std::string& xpath, std::string_view selector,
                                            const char* selector_type, std::string_view description,
                                            long min_count, std::optional<long> max_count) const {
  const XPathResult result = html_detail::evaluate_xpath(xpath, as_node(node_));
  if (!result.valid()) {
    html_detail::record_selector(selector_type, selector, false);
    throw_invalid(selector, selector_type, description, "invalid XPath expression", min_count,
                  max_count, doc_->url, true);
  }
  std::vector<Element> found;
  const xmlXPathObject* object = result.get();
  if (object->type == XPATH_NODESET && object->nodesetval != nullptr) {
    const xmlNodeSet* set = object->nodesetval;
    found.reserve(static_cast<size_t>(set->nodeNr));
    for (int i = 0; i < set->nodeNr; ++i) {
      xmlNodePtr node = set->nodeTab[i];
      // Namespace nodes are copies owned by the result; they cannot outlive it.
      if (node == nullptr || node->type == XML_NAMESPACE_DECL) continue;
      found.push_back(Document::element(doc_, node));
    }
  }
  const auto count = static_cast<long>(found.size());
  html_detail::record_selector(selector_type, selector, count > 0);
  if (!count_fits(count, min_count, max_count)) {
    throw HTMLStructuralAssumptionException(std::string(selector), selector_type,
                                            std::string(description), min_count, max_count, count,
                                            doc_->url, true);
  }
  return found;
}

std::vector<Element> Element::checked_xpath(std::string_view expr, std::string_view description,
                                            long min_count, std::optional<long> max_count) const {
  return checked_nodes(std::string(expr), expr, "xpath", description, min_count, max_count);
}

std::vector<std::string> Element::checked_xpath_strings(std::string_view expr,
                                                        std::string_view description,
                                                        long min_count,
                                                        std::optional<long> max_count) const {
  const XPathResult result = html_detail::evaluate_xpath(expr, as_node(node_));
  if (!result.valid()) {
    html_detail::record_selector("xpath", expr, false);
    throw_invalid(expr, "xpath", description, "invalid XPath expression", min_count, max_count,
                  doc_->url, false);
  }
  std::vector<std::string> strings;
  const xmlXPathObject* object = result.get();
  if (object->type == XPATH_STRING && object->stringval != nullptr) {
    strings.push_back(to_valid_utf8(reinterpret_cast<const char*>(object->stringval)));
  } else if (object->type == XPATH_NODESET && object->nodesetval != nullptr) {
    const xmlNodeSet* set = object->nodesetval;
    strings.reserve(static_cast<size_t>(set->nodeNr));
    for (int i = 0; i < set->nodeNr; ++i) {
      xmlNodePtr node = set->nodeTab[i];
      if (node == nullptr) continue;
      switch (node->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
        case XML_ATTRIBUTE_NODE:
        case XML_COMMENT_NODE: strings.push_back(take_xml_string(xmlNodeGetContent(node))); break;
        default: break;  // elements are not strings
      }
    }
  }
  const auto count = static_cast<long>(strings.size());
  html_detail::record_selector("xpath", expr, count > 0);
  if (!count_fits(count, min_count, max_count)) {
    throw HTMLStructuralAssumptionException(std::string(expr), "xpath", std::string(description),
                                            min_count, max_count, count, doc_->url, false);
  }
  return strings;
}

std::vector<Element> Element::checked_css(std::string_view selector, std::string_view description,
                                          long min_count, std::optional<long> max_count) const {
  const html_detail::CssTranslation& translation = translated_css(selector);
  if (!translation.ok) {
    html_detail::record_selector("css", selector, false);
    throw_invalid(selector, "css", description, "invalid CSS selector: " + translation.error,
                  min_count, max_count, doc_->url, true);
  }
  return checked_nodes(translation.xpath, selector, "css", description, min_count, max_count);
}

std::vector<Element> Element::xpath(std::string_view expr) const {
  return checked_xpath(expr, expr, 0);
}

std::vector<Element> Element::css(std::string_view selector) const {
  return checked_css(selector, selector, 0);
}

std::string Element::text() const {
  return take_xml_string(xmlNodeGetContent(as_node(node_)));
}

std::string Element::trimmed_text() const {
  const std::string all = text();
  constexpr const char* kSpace = " \t\n\r\f\v";
  const size_t begin = all.find_first_not_of(kSpace);
  if (begin == std::string::npos) return {};
  return all.substr(begin, all.find_last_not_of(kSpace) - begin + 1);
}

std::optional<std::string> Element::attr(std::string_view name) const {
  xmlNodePtr node = as_node(node_);
  if (node->type != XML_ELEMENT_NODE) return std::nullopt;
  const std::string key(name);
  xmlAttrPtr attribute = xmlHasProp(node, reinterpret_cast<const xmlChar*>(key.c_str()));
  if (attribute == nullptr || attribute->type != XML_ATTRIBUTE_NODE) return std::nullopt;
  return take_xml_string(xmlNodeGetContent(reinterpret_cast<xmlNodePtr>(attribute)));
}

std::string Element::tag() const {
  xmlNodePtr node = as_node(node_);
  if ((node->type == XML_ELEMENT_NODE || node->type == XML_ATTRIBUTE_NODE) && node->name) {
    return reinterpret_cast<const char*>(node->name);
  }
  return {};
}

bool Element::is_element() const noexcept {
  return as_node(node_)->type == XML_ELEMENT_NODE;
}

const std::string& Element::url() const noexcept {
  return doc_->url;
}

}  // namespace uvscrape
