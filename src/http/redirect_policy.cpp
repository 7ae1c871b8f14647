#include "http/redirect_policy.hpp"

#include "uvscrape/errors.hpp"

namespace uvscrape::http {

namespace {
std::string visit_key(std::string_view method, const Url& url) {
  std::string key(method);
  key += ' ';
  key += url.str_without_fragment();
  return key;
}
}  // namespace

bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

RedirectRewrite rewrite_for_redirect(int status, std::string_view method) {
  if (status == 303 && method != "HEAD") return {"GET", false};
  if ((status == 301 || status == 302) && method == "POST") return {"GET", false};
  return {std::string(method), true};
}

void RedirectTracker::start(std::string_view method) {
  visited_.clear();
  chain_.clear();
  hops_ = 0;
  first_method_.assign(method);
}

Url RedirectTracker::follow(const Url& current, std::string_view location,
                            std::string_view next_method) {
  if (hops_ == 0 && visited_.empty()) visited_.insert(visit_key(first_method_, current));
  const std::string from = current.str_without_fragment();
  Url next = [&] {
    try {
      return current.resolve(location);
    } catch (const UrlError& e) {
      throw RedirectRefusedError(
          from, "unusable Location '" + std::string(location) + "': " + e.reason());
    }
  }();
  if (current.is_https() && !next.is_https() && !allow_downgrade_) {
    throw RedirectRefusedError(from, "https to http downgrade to " + next.str());
  }
  if (!visited_.insert(visit_key(next_method, next)).second) {
    throw TooManyRedirectsError(from, "redirect loop back to " + next.str_without_fragment());
  }
  if (++hops_ > max_redirects_) {
    throw TooManyRedirectsError(from, "more than " + std::to_string(max_redirects_) + " redirects");
  }
  chain_.push_back(from);
  return next;
}

}  // namespace uvscrape::http
