// The Bug Civil Court demo scraper: the worked example of the uvscrape SDK.
// It works against any site with the reference demo's markup (see README.md).
//
// Entries (names and parameters as in the reference, so seed files carry over):
//   fetch_case(case_id: {year, min, soft_max, gap})   speculative: probes
//                                                      /cases/<year>/<n>
//   get_justices()                                     /api/justices (JSON)
//   get_oral_arguments()                               /oral-arguments
//   cases_by_date_filed(date_range: {start, end})      the date-search form
//
// Items: CaseData, JusticeData, OpinionData, OralArgumentData
// (bug_court_models.hpp); opinion images and oral-argument audio are archived.
#pragma once

#include <string>
#include <uvscrape/uvscrape.hpp>
#include <vector>

#include "bug_court_models.hpp"

namespace bug_court {

// The parameter of cases_by_date_filed: an inclusive range of filing dates.
struct DateRange {
  uvscrape::Date start;
  uvscrape::Date end;
};
UVSCRAPE_MODEL(DateRange, start, end)

class BugCourtScraper : public uvscrape::Scraper<uvscrape::Json> {
 public:
  // `base_url`: the site's root, e.g. "http://127.0.0.1:8080" (no trailing '/').
  explicit BugCourtScraper(std::string base_url);

  const std::string& base_url() const noexcept { return base_url_; }

  // --- entries ---------------------------------------------------------------------------
  uvscrape::Request fetch_case(uvscrape::YearlySpeculativeRange case_id);
  std::vector<uvscrape::Request> get_justices();
  std::vector<uvscrape::Request> get_oral_arguments();
  std::vector<uvscrape::Request> cases_by_date_filed(DateRange date_range);

  // Unknown case numbers get a 200 page saying "Case Not Found" (a soft 404).
  bool fails_successfully(const uvscrape::Response& response) const override;

  // --- steps -------------------------------------------------------------------------------
  uvscrape::Step parse_case_detail(const uvscrape::Response& response);
  uvscrape::Step submit_date_search(const uvscrape::Response& response);
  uvscrape::Step parse_case_search_results(const uvscrape::Response& response);
  uvscrape::Step parse_opinion_detail(const uvscrape::Response& response);
  uvscrape::Step archive_image(const uvscrape::Response& response);
  uvscrape::Step parse_oral_arguments_list(const uvscrape::Response& response);
  uvscrape::Step parse_oral_argument_detail(const uvscrape::Response& response);
  uvscrape::Step archive_audio(const uvscrape::Response& response);
  uvscrape::Step parse_justices_json(const uvscrape::Response& response);

 private:
  std::string base_url_;
};

// The model an emitted item belongs to ("CaseData", "JusticeData", "OpinionData",
// "OralArgumentData"), from its fields; "unknown" otherwise.
std::string item_type(const uvscrape::Json& item);

}  // namespace bug_court
