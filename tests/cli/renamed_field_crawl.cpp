// The demo scraper with one field renamed (JusticeData's "title" is emitted
// as "rank"), behind the uvscrape command: what `replay` must report as
// exactly the justices' items changed, "title" gone and "rank" new.
#include <string>
#include <uvscrape/cli.hpp>
#include <uvscrape/uvscrape.hpp>

#include "bug_court_scraper.hpp"

namespace {

class RenamedFieldScraper : public bug_court::BugCourtScraper {
 public:
  explicit RenamedFieldScraper(const std::string& base_url)
      : BugCourtScraper(base_url), original_(base_url) {
    step("parse_justices_json", [this](const uvscrape::Response& response) {
      std::vector<uvscrape::Yield> yields = original_.call_step("parse_justices_json", response);
      for (uvscrape::Yield& y : yields) {
        if (!y.is_data()) continue;
        uvscrape::Json item = y.data().is_deferred()
                                  ? y.data().deferred()->confirm_json()
                                  : std::move(std::get<uvscrape::DataItem>(y.value())).take_value();
        if (item.contains("title")) {
          item["rank"] = item["title"];
          item.erase("title");
        }
        y = uvscrape::Yield(uvscrape::DataItem(std::move(item)));
      }
      return yields;
    });
  }

 private:
  bug_court::BugCourtScraper original_;  // whose step this one changes
};

}  // namespace

int main(int argc, char** argv) {
  std::string base_url = "http://127.0.0.1:8080";
  if (argc > 2)
    if (auto origin = uvscrape::cli::stored_origin(argv[2])) base_url = *origin;
  RenamedFieldScraper scraper(base_url);
  return uvscrape::cli::main(argc, argv, {&scraper});
}
