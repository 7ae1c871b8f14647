// Fuzz target: the robots.txt parser and matcher (src/robots/).
//
// Input: the first line is the crawler's user agent, the second a URL path and
// query to ask about, the rest a robots.txt body.
//
// Properties, beyond "no crash, no sanitizer report" (the parser never throws):
//   * /robots.txt is always allowed, whatever the file says;
//   * the path's percent-encoding does not change the answer: asking with
//     normalise_path(path) gives the same answer, and normalisation is idempotent;
//   * RobotsRules::allowed(agent, path) and for_agent(agent).allowed(path) agree;
//   * a Crawl-delay is a finite number >= 0;
//   * disallow_all() refuses the path unless it is /robots.txt; allow_all() allows it;
//   * the same body parsed twice gives the same answers (no hidden state).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "robots/robots_rules.hpp"

namespace {

void require(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "robots_parse_fuzz: property failed: %s\n", property);
  std::abort();
}

bool is_robots_txt(const std::string& normalised) {
  return normalised == "/robots.txt" || normalised.rfind("/robots.txt?", 0) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using uvscrape::robots::RobotsRules;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t first = input.find('\n');
  const std::string_view agent = input.substr(0, first);
  std::string_view rest =
      first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
  const size_t second = rest.find('\n');
  const std::string_view path = rest.substr(0, second);
  const std::string_view body =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

  const RobotsRules rules = RobotsRules::parse(body);
  const auto mine = rules.for_agent(agent);
  const bool allowed = mine.allowed(path);
  require(allowed == rules.allowed(agent, path), "allowed() and for_agent().allowed() agree");

  const std::string normalised = uvscrape::robots::normalise_path(path);
  require(uvscrape::robots::normalise_path(normalised) == normalised,
          "normalise_path is idempotent");
  require(mine.allowed(normalised) == allowed, "the normalised path gets the same answer");
  require(mine.allowed("/robots.txt"), "/robots.txt is always allowed");

  if (const auto delay = mine.crawl_delay())
    require(std::isfinite(*delay) && *delay >= 0, "a Crawl-delay is finite and >= 0");

  const std::string asked =
      normalised.empty() || normalised.front() != '/' ? "/" + normalised : normalised;
  require(RobotsRules::disallow_all().allowed(agent, path) == is_robots_txt(asked),
          "disallow_all refuses all but /robots.txt");
  require(RobotsRules::allow_all().allowed(agent, path), "allow_all allows everything");

  const RobotsRules again = RobotsRules::parse(body);
  require(again.allowed(agent, path) == allowed && again.group_count() == rules.group_count() &&
              again.sitemaps() == rules.sitemaps(),
          "parsing is deterministic");
  return 0;
}
