// Fuzz target: requests read back from JSON (a logged, stored or replayed queue).
//
// Input: JSON text (anything that does not parse as JSON is skipped).
//
// Properties: a malformed request throws ScraperConfigError (uvscrape's typed
// error), nothing else; a request that reads writes back to JSON that reads
// again to the same JSON (to_json -> request_from_json -> to_json is stable).
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/request_json.hpp"

namespace {
constexpr const char* kTarget = "request_json";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uvscrape::Json j = uvscrape::Json::parse(data, data + size, nullptr,
                                                 /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  std::optional<uvscrape::Request> request;
  try {
    request = uvscrape::request_from_json(j);
  } catch (const uvscrape::Error&) {
    return 0;
  }
  const uvscrape::Json written = *request;
  std::optional<uvscrape::Request> again;
  try {
    again = uvscrape::request_from_json(written);
  } catch (const uvscrape::Error&) {
    uvscrape::fuzz::check(false, kTarget, "a written request reads back");
  }
  const uvscrape::Json rewritten = *again;
  uvscrape::fuzz::check(rewritten == written, kTarget, "to_json/request_from_json round trip");
  (void)written.dump(-1, ' ', false, uvscrape::Json::error_handler_t::replace);
  return 0;
}
