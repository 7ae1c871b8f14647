// The one seam through which the driver runs a step (docs/design.md §16, §24):
// a Response in, the list of yields out. It runs on a step thread or on the
// loop thread; registering steps or entries while it runs throws.
#pragma once

#include <string_view>
#include <vector>

#include "uvscrape/response.hpp"
#include "uvscrape/scraper.hpp"
#include "uvscrape/step.hpp"

namespace uvscrape {

// Runs step `step` of `scraper` on `response` to its end and returns everything
// it yielded, in order. Yielded requests are not resolved yet (see
// resolve_yielded); those without a priority get their target step's
// StepOptions::priority. Throws what the step throws (nothing is returned then),
// or ScraperConfigError for an unknown step.
std::vector<Yield> run_step(ScraperBase& scraper, std::string_view step, const Response& response);

}  // namespace uvscrape
