// Must NOT compile with g++ before 14: an aggregate that owns memory, built
// inside co_yield, which g++ would destroy twice. The test expects the
// static_assert of uvscrape/generator.hpp, not a crash at run time.
#include <string>

#include "uvscrape/step.hpp"

struct Filing {
  std::string docket;
};
UVSCRAPE_MODEL(Filing, docket)

uvscrape::Step in_place(std::string docket) {
  co_yield Filing{std::move(docket)};
}
