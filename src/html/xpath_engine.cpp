// Thread-local XPath machinery: one context and a cache of compiled
// expressions per thread. Evaluation writes into compiled expressions, so they
// are never shared between threads.
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "html/document.hpp"

namespace uvscrape::html_detail {
namespace {

void silent_generic_error(void*, const char*, ...) {}
void silent_structured_error(void*, xmlErrorPtr) {}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Enough for every selector a scraper uses; a runaway set of generated
// expressions is dropped wholesale instead of growing without bound.
constexpr size_t kMaxCachedExpressions = 4096;

class XPathEngine {
 public:
  XPathEngine() : context_(xmlXPathNewContext(nullptr)) {
    if (context_ != nullptr) context_->error = silent_structured_error;
  }
  ~XPathEngine() {
    clear();
    xmlXPathFreeContext(context_);
  }
  XPathEngine(const XPathEngine&) = delete;
  XPathEngine& operator=(const XPathEngine&) = delete;

  // nullptr for an invalid expression (remembered too, so it is not recompiled).
  xmlXPathCompExprPtr compiled(std::string_view expr) {
    if (auto it = cache_.find(expr); it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCachedExpressions) clear();
    std::string key(expr);
    xmlXPathCompExprPtr comp = nullptr;
    // An embedded NUL would silently truncate the expression: treat it as invalid.
    if (context_ != nullptr && key.find('\0') == std::string::npos) {
      context_->doc = nullptr;
      context_->node = nullptr;
      comp = xmlXPathCtxtCompile(context_, reinterpret_cast<const xmlChar*>(key.c_str()));
    }
    cache_.emplace(std::move(key), comp);
    return comp;
  }

  XPathResult evaluate(std::string_view expr, xmlNodePtr node) {
    xmlXPathCompExprPtr comp = compiled(expr);
    if (comp == nullptr || node == nullptr) return XPathResult(nullptr);
    context_->doc = node->doc;
    context_->node = node;
    XPathResult result(xmlXPathCompiledEval(comp, context_));
    context_->doc = nullptr;
    context_->node = nullptr;
    return result;
  }

 private:
  void clear() {
    for (auto& [expr, comp] : cache_) xmlXPathFreeCompExpr(comp);
    cache_.clear();
  }

  xmlXPathContextPtr context_;
  std::unordered_map<std::string, xmlXPathCompExprPtr, StringHash, std::equal_to<>> cache_;
};

XPathEngine& engine() {
  thread_local XPathEngine instance;
  return instance;
}

}  // namespace

void ensure_quiet_libxml() {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  thread_local bool quiet = [] {
    xmlSetGenericErrorFunc(nullptr, silent_generic_error);
    xmlSetStructuredErrorFunc(nullptr, silent_structured_error);
    return true;
  }();
  (void)quiet;
}

XPathResult evaluate_xpath(std::string_view expr, xmlNodePtr context) {
  ensure_quiet_libxml();
  return engine().evaluate(expr, context);
}

bool is_valid_xpath(std::string_view expr) {
  ensure_quiet_libxml();
  return engine().compiled(expr) != nullptr;
}

}  // namespace uvscrape::html_detail
