// The parts of Request that live out of line, shared by the SDK's sources.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape {

// Rarely used fields: one allocation, only for requests that use any of them.
struct Request::Extras {
  NameValueList params;
  RequestBody body;
  std::optional<Json> json;
  NameValueList headers;
  NameValueList cookies;
  std::optional<double> timeout;
  std::optional<std::string> proxy;  // "" : direct
  std::string explicit_key;
  std::optional<std::string> expected_type;
  std::optional<SpeculationId> speculation_id;
};

// Headers and cookies inherited by every descendant (docs/design.md §7), and
// the cookie jar's name (§21).
struct Request::Permanent {
  NameValueList headers;
  NameValueList cookies;
  std::optional<std::string> cookie_jar;  // unset: the parent's, else the default ""
};

namespace detail {
// Resolution rewrites fields a scraper cannot set directly.
struct RequestAccess {
  // `url` is the output of URL normalisation/resolution.
  static void set_normalised_url(Request& r, std::string url) {
    r.url_ = std::move(url);
    r.url_normalised_ = true;
  }
  static bool url_normalised(const Request& r) { return r.url_normalised_; }
  static void set_parent(Request& r, std::shared_ptr<const Request> parent) {
    r.parent_ = std::move(parent);
  }
  static void set_current_location(Request& r, std::shared_ptr<const std::string> location) {
    r.current_location_ = std::move(location);
  }
  static const std::shared_ptr<const std::string>& shared_location(const Request& r) {
    return r.current_location_;
  }
  static const std::shared_ptr<const Request::Permanent>& permanent(const Request& r) {
    return r.permanent_;
  }
  static void set_permanent(Request& r, std::shared_ptr<const Request::Permanent> p) {
    r.permanent_ = std::move(p);
  }
  // The driver counts every send of a request (what Request::attempts() reports).
  static void count_attempt(Request& r) {
    if (r.attempts_ < 255) ++r.attempts_;
  }
  static const std::string* explicit_key(const Request& r) {
    return r.extras_ ? &r.extras_->explicit_key : nullptr;
  }
  // Marks `r` a probe of speculative template state `id` (the tracker's job).
  static void set_speculative(Request& r, SpeculationId id) { r.set_speculative(std::move(id)); }
};
}  // namespace detail

// Sets `name` to `value` in place, or appends it.
void upsert(NameValueList& list, std::string name, std::string value, bool case_insensitive);
// `base` with every entry of `top` set over it (top wins per name).
NameValueList overlay(const NameValueList& base, const NameValueList& top, bool case_insensitive);

}  // namespace uvscrape
