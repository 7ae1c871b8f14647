// Resolution of yielded requests (docs/design.md §7, §11, §23): a link that is
// not an http(s) URL fails here, when it is yielded, not when it is sent.
#include "uvscrape/resolution.hpp"

#include "scraper/request_internals.hpp"
#include "scraper/resolution_internals.hpp"
#include "scraper/response_internals.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

// docs/design.md §7: the child's permanent entries overlay the parent's, per name.
std::shared_ptr<const Request::Permanent> merge_permanent(
    const std::shared_ptr<const Request::Permanent>& parent,
    const std::shared_ptr<const Request::Permanent>& child) {
  if (!child) return parent;
  if (!parent) return child;
  auto merged = std::make_shared<Request::Permanent>();
  merged->headers = overlay(parent->headers, child->headers, true);
  merged->cookies = overlay(parent->cookies, child->cookies, false);
  merged->cookie_jar = child->cookie_jar ? child->cookie_jar : parent->cookie_jar;
  return merged;
}

}  // namespace

const std::string& resolution_base(const Response& response) {
  const auto& q = response.request;
  if (q && !q->is_navigating()) return q->current_location();
  return response.url;
}

Request resolve_against(Request child, std::shared_ptr<const Request> parent,
                        std::shared_ptr<const std::string> base) {
  const std::string& base_text = base ? *base : std::string();
  detail::RequestAccess::set_normalised_url(child, resolve_url(base_text, child.url()));
  detail::RequestAccess::set_current_location(child,
                                              base && !base->empty() ? std::move(base) : nullptr);
  if (parent) {
    detail::RequestAccess::set_permanent(child,
                                         merge_permanent(detail::RequestAccess::permanent(*parent),
                                                         detail::RequestAccess::permanent(child)));
  }
  detail::RequestAccess::set_parent(child, std::move(parent));
  return child;
}

Request resolve_yielded(Request child, const Response& response) {
  const auto& q = response.request;
  std::shared_ptr<const std::string> base;
  if (q && !q->is_navigating())
    base = detail::RequestAccess::shared_location(*q);
  else
    base = detail::ResponseAccess::shared_url(response);
  return resolve_against(std::move(child), q, std::move(base));
}

}  // namespace uvscrape
