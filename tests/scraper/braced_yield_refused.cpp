// Must NOT compile with g++ 12: a braced list inside co_yield. g++ rejects it
// itself ("array used as initializer"); the test pins that it stays a compile
// error and never becomes code that runs.
#include <string>

#include "uvscrape/step.hpp"

uvscrape::Step braced(std::string docket) {
  co_yield uvscrape::Json{{"docket", docket}, {"n", 3}};
}
