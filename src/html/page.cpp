// Page::parse (libxml2's HTML parser) and parse_json.
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include <atomic>
#include <climits>
#include <memory>

#include "common/utf8.hpp"
#include "html/document.hpp"
#include "html/text_elision.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape {
namespace {

constexpr int kParseOptions = html_detail::kHtmlParseOptions;

std::string last_libxml_error(const char* fallback) {
  const xmlError* error = xmlGetLastError();
  if (error == nullptr || error->message == nullptr) return fallback;
  std::string message = error->message;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message.empty() ? std::string(fallback) : message;
}

[[noreturn]] void fail_html(const std::string& error, std::string url, ErrorContext extra = {}) {
  ErrorContext context = std::move(extra);
  context.emplace_back("error", error);
  throw ScraperAssumptionException("Failed to parse HTML: " + error, std::move(url),
                                   std::move(context));
}

struct ParserContextDeleter {
  void operator()(htmlParserCtxtPtr ctxt) const noexcept { htmlFreeParserCtxt(ctxt); }
};

// One parser context per thread, kept between pages: its dictionary, buffers
// and stacks are reused instead of being built for every page. Every document
// parsed with it shares its dictionary and reads it when freed, while the next
// parse writes to it; so the context is reused only when no document it built
// is alive any more (the driver frees each page on the thread that parsed it,
// right after its step), and rebuilt after kMaxReuse pages so that the
// dictionary (element, attribute and short text strings) stays small.
struct ParserSlot {
  static constexpr unsigned kMaxReuse = 1000;
  std::unique_ptr<htmlParserCtxt, ParserContextDeleter> ctxt;
  std::shared_ptr<std::atomic<long>> documents;  // alive, built by ctxt
  unsigned uses = 0;
  html_detail::TextElision elision;  // its buffers are reused too
};

void start_element_bounded(void* ctx, const xmlChar* name, const xmlChar** attributes);

ParserSlot& parser_for_this_thread() {
  thread_local ParserSlot slot;
  const bool reusable = slot.ctxt && slot.uses < ParserSlot::kMaxReuse &&
                        slot.documents->load(std::memory_order_acquire) == 0;
  if (!reusable) {
    slot.ctxt.reset();  // live documents keep its dictionary (reference counted)
    slot.ctxt.reset(htmlNewParserCtxt());
    if (!slot.ctxt || slot.ctxt->sax == nullptr) {
      slot.ctxt.reset();
      throw std::bad_alloc();
    }
    slot.ctxt->sax->startElement = start_element_bounded;
    slot.documents = std::make_shared<std::atomic<long>>(0);
    slot.uses = 0;
  }
  ++slot.uses;
  return slot;
}

// Set by start_element_bounded for the parse running on this thread.
thread_local bool parse_too_deep = false;

// Wraps libxml2's tree builder: an element that opens deeper than the bound
// stops the parser (no exception may cross this C callback).
void start_element_bounded(void* ctx, const xmlChar* name, const xmlChar** attributes) {
  auto* ctxt = static_cast<htmlParserCtxtPtr>(ctx);
  if (ctxt->nameNr > static_cast<int>(Page::kMaxNestingDepth)) {
    parse_too_deep = true;
    xmlStopParser(ctxt);
    return;
  }
  xmlSAX2StartElement(ctx, name, attributes);
}

}  // namespace

Page Page::parse(std::string_view html, std::string url) {
  if (html.size() > static_cast<size_t>(INT_MAX))
    fail_html("Document is too large", std::move(url));
  // Bad UTF-8 would pass through libxml2 into every extracted string.
  if (is_valid_utf8(html)) return parse_valid_utf8(html, std::move(url));
  std::string repaired;
  repaired.reserve(html.size() + 16);
  append_repaired_utf8(repaired, html);
  return parse_valid_utf8(repaired, std::move(url));
}

Page Page::parse_valid_utf8(std::string_view html, std::string url) {
  html_detail::ensure_quiet_libxml();
  if (html.size() > static_cast<size_t>(INT_MAX))
    fail_html("Document is too large", std::move(url));
  if (html.empty()) fail_html("Document is empty", std::move(url));
  ParserSlot& parser = parser_for_this_thread();
  htmlParserCtxtPtr ctxt = parser.ctxt.get();
  const auto read = [&](std::string_view input) {
    parse_too_deep = false;
    xmlResetLastError();
    // Resets the context first (htmlCtxtReset), keeping its dictionary.
    return htmlCtxtReadMemory(ctxt, input.data(), static_cast<int>(input.size()),
                              url.empty() ? nullptr : url.c_str(), "UTF-8", kParseOptions);
  };
  // A parser that halted (our bound, or any limit of libxml2's) built only
  // part of the page: say so rather than answer queries from the part.
  const auto halted = [&] { return ctxt->instate == XML_PARSER_EOF || ctxt->disableSAX != 0; };
  // Long text runs skip libxml2's tokenizer (text_elision.hpp); when one
  // cannot be put back, the page is parsed in full.
  htmlDocPtr doc = nullptr;
  if (parser.elision.cut(html)) {
    doc = read(parser.elision.shortened());
    if (doc != nullptr && !halted() && !parser.elision.restore(doc)) {
      xmlFreeDoc(doc);
      doc = read(html);
    }
  } else {
    doc = read(html);
  }
  const bool stopped_early = halted();
  auto document =
      std::make_shared<const html_detail::Document>(doc, std::move(url), parser.documents);
  if (stopped_early || doc == nullptr) parser.uses = ParserSlot::kMaxReuse;  // start afresh
  if (parse_too_deep) {
    fail_html("elements nested deeper than " + std::to_string(kMaxNestingDepth), document->url,
              {{"limit", std::to_string(kMaxNestingDepth)}});
  }
  if (doc == nullptr || stopped_early) {
    fail_html(doc == nullptr ? last_libxml_error("Document is empty")
                             : "the parser stopped early: " + last_libxml_error("unknown error"),
              document->url);
  }
  xmlNodePtr root = xmlDocGetRootElement(doc);
  if (root == nullptr) fail_html("Document is empty", document->url);
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
