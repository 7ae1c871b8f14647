// Resolution with its pieces given separately (resolve_yielded takes them from
// the Response). Internal: the driver and the SDK's tests use it.
#pragma once

#include <memory>
#include <string>

#include "uvscrape/request.hpp"

namespace uvscrape {

// Resolves `child` against `base` (shared as the child's current location) with
// `parent` as its parent. Throws UrlError if the URL cannot be resolved.
Request resolve_against(Request child, std::shared_ptr<const Request> parent,
                        std::shared_ptr<const std::string> base);

}  // namespace uvscrape
