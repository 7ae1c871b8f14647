// Resolution of a request yielded by a step (docs/design.md §11).
//
// While processing response R of request Q, every request C yielded by the step
// resolves against the page the "browser" is on:
//   * Q navigating                 -> base = R.url (the final URL after redirects)
//   * Q non-navigating or archive  -> base = Q.current_location() (the browser
//     did not move when Q was fetched)
// The base becomes C's current location, Q becomes C's parent, permanent
// headers/cookies merge key by key (the child wins, docs/design.md §7). An
// automatic dedup key is derived from the resolved request whenever it is asked
// for (docs/design.md §2). Entry requests are never resolved.
#pragma once

#include <memory>
#include <string>

#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"

namespace uvscrape {

// The base URL that requests yielded while processing `response` resolve against.
const std::string& resolution_base(const Response& response);

// Resolves `child`, yielded by the step that processed `response`
// (whose `request` is the parent). Throws UrlError if the URL cannot be resolved.
Request resolve_yielded(Request child, const Response& response);

}  // namespace uvscrape
