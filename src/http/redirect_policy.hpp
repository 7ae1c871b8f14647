// Redirect rules: which statuses redirect, how the method and body change, and
// the per-request bookkeeping (hop limit, loops, https->http downgrade).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "uvscrape/url.hpp"

namespace uvscrape::http {

bool is_redirect_status(int status);

struct RedirectRewrite {
  std::string method;
  bool keep_body = true;
};
// 303 -> GET without body (HEAD stays HEAD); 301/302 turn POST into GET without
// body, as browsers do; 307/308 keep method and body.
RedirectRewrite rewrite_for_redirect(int status, std::string_view method);

// Follows one request's redirects and remembers where it has been.
class RedirectTracker {
 public:
  RedirectTracker(int max_redirects, bool allow_https_downgrade)
      : max_redirects_(max_redirects), allow_downgrade_(allow_https_downgrade) {}

  // Records the method of the first hop; the loop set is only built once a
  // redirect happens (most requests never redirect). `follow` must then be
  // called first with the URL the request started at.
  void start(std::string_view method);
  // The target of a redirect from `current` to its `location`, to be fetched
  // with `next_method`. Throws TooManyRedirectsError
  // (hop limit, or "redirect loop"), RedirectRefusedError (https->http without
  // permission, a Location that is not an http(s) URL).
  Url follow(const Url& current, std::string_view location, std::string_view next_method);

  // Every URL fetched before the current one, in order.
  const std::vector<std::string>& chain() const { return chain_; }
  int hops() const { return hops_; }

 private:
  int max_redirects_;
  bool allow_downgrade_;
  int hops_ = 0;
  std::vector<std::string> chain_;
  std::unordered_set<std::string> visited_;  // "METHOD url"
  std::string first_method_;
};

}  // namespace uvscrape::http
