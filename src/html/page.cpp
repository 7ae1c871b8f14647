// Page::parse (libxml2's HTML parser) and parse_json.
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>

#include <climits>

#include "html/document.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape {
namespace {

// Forgiving like a browser; never fetches DTDs or entities; reports nothing.
constexpr int kParseOptions = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                              HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT;

std::string last_libxml_error(const char* fallback) {
  const xmlError* error = xmlGetLastError();
  if (error == nullptr || error->message == nullptr) return fallback;
  std::string message = error->message;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message.empty() ? std::string(fallback) : message;
}

[[noreturn]] void fail_html(const std::string& error, std::string url, std::string_view encoding) {
  throw ScraperAssumptionException(
      "Failed to parse HTML: " + error, std::move(url),
      ErrorContext{{"encoding", encoding.empty() ? std::string("auto") : std::string(encoding)},
                   {"error", error}});
}

}  // namespace

Page Page::parse(std::string_view html, std::string url, std::string_view encoding) {
  html_detail::ensure_quiet_libxml();
  if (html.size() > static_cast<size_t>(INT_MAX)) {
    fail_html("Document is too large", std::move(url), encoding);
  }
  const std::string encoding_name(encoding);
  xmlResetLastError();
  htmlDocPtr doc =
      html.empty()
          ? nullptr
          : htmlReadMemory(html.data(), static_cast<int>(html.size()),
                           url.empty() ? nullptr : url.c_str(),
                           encoding_name.empty() ? nullptr : encoding_name.c_str(), kParseOptions);
  if (doc == nullptr) {
    fail_html(html.empty() ? "Document is empty" : last_libxml_error("Document is empty"),
              std::move(url), encoding);
  }
  auto document = std::make_shared<const html_detail::Document>(doc, std::move(url));
  xmlNodePtr root = xmlDocGetRootElement(doc);
  if (root == nullptr) fail_html("Document is empty", document->url, encoding);
  return Page(std::move(document), root);
}

Json parse_json(std::string_view text, std::string url) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    const std::string error = e.what();
    throw ScraperAssumptionException("Failed to parse JSON: " + error, std::move(url),
                                     ErrorContext{{"error", error}});
  }
}

}  // namespace uvscrape
