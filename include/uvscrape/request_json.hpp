// Requests as plain data: the receiving step by name, every field a
// JSON value, so a queue can be logged, stored and replayed.
//
//   Json saved = request;                      // nlohmann conversion
//   Request again = request_from_json(saved);  // equal fields, no parent link
//
// The parent link is not part of it (it is a pointer into the crawl's history);
// raw body bytes are stored as hex.
#pragma once

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape {

void to_json(Json& j, const Request& request);
// Throws ScraperConfigError naming the field for anything malformed.
Request request_from_json(const Json& j);

}  // namespace uvscrape
