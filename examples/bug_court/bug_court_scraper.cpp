#include "bug_court_scraper.hpp"

#include <uvscrape/page.hpp>
#include <uvscrape/url.hpp>

namespace bug_court {

using uvscrape::Element;
using uvscrape::EstimateData;
using uvscrape::Json;
using uvscrape::Page;
using uvscrape::Request;
using uvscrape::Response;
using uvscrape::Step;

namespace {

// The text of the one element `xpath` must match on the page.
std::string one_text(const Element& scope, const char* xpath, const char* description) {
  return scope.checked_xpath(xpath, description, 1, 1)[0].trimmed_text();
}

// The absolute URL a link points to, as a browser would follow it.
std::string link_url(const Element& link, const Response& response) {
  return uvscrape::resolve_url(response.url, link.attr("href").value_or(""));
}

}  // namespace

BugCourtScraper::BugCourtScraper(std::string base_url)
    : Scraper("BugCourtScraper"), base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();

  entry("fetch_case", &BugCourtScraper::fetch_case, {"case_id"});
  entry("get_justices", &BugCourtScraper::get_justices);
  entry("get_oral_arguments", &BugCourtScraper::get_oral_arguments);
  entry("cases_by_date_filed", &BugCourtScraper::cases_by_date_filed, {"date_range"});

  step("parse_case_detail", &BugCourtScraper::parse_case_detail);
  step("submit_date_search", &BugCourtScraper::submit_date_search);
  step("parse_case_search_results", &BugCourtScraper::parse_case_search_results);
  step("parse_opinion_detail", &BugCourtScraper::parse_opinion_detail);
  step("archive_image", &BugCourtScraper::archive_image);
  step("parse_oral_arguments_list", &BugCourtScraper::parse_oral_arguments_list);
  step("parse_oral_argument_detail", &BugCourtScraper::parse_oral_argument_detail);
  step("archive_audio", &BugCourtScraper::archive_audio);
  step("parse_justices_json", &BugCourtScraper::parse_justices_json);
}

// --- entries ---------------------------------------------------------------------------------

Request BugCourtScraper::fetch_case(uvscrape::YearlySpeculativeRange case_id) {
  return Request::get(base_url_ + "/cases/" + std::to_string(case_id.year) + "/" +
                      std::to_string(case_id.min))
      .to("parse_case_detail");
}

std::vector<Request> BugCourtScraper::get_justices() {
  // An API call: the "browser" does not navigate to it.
  return {Request::get(base_url_ + "/api/justices").nonnavigating().to("parse_justices_json")};
}

std::vector<Request> BugCourtScraper::get_oral_arguments() {
  return {Request::get(base_url_ + "/oral-arguments").to("parse_oral_arguments_list")};
}

std::vector<Request> BugCourtScraper::cases_by_date_filed(DateRange date_range) {
  return {Request::get(base_url_ + "/cases/search")
              .to("submit_date_search")
              .accumulated_data(
                  {{"from_date", date_range.start.iso()}, {"to_date", date_range.end.iso()}})};
}

bool BugCourtScraper::fails_successfully(const Response& response) const {
  return response.text().find("Case Not Found") == std::string::npos;
}

// --- cases -------------------------------------------------------------------------------------

Step BugCourtScraper::parse_case_detail(const Response& response) {
  const Page& page = response.page();
  // Speculation probes past the last case and gets the soft-404 page: no details, no items.
  if (page.checked_xpath("//div[@class='case-details']", "case details container", 0, 1).empty())
    co_return;

  std::string docket = one_text(page, "//*[@id='docket']", "docket");
  std::string case_name = one_text(page, "//h2", "case name heading");
  // (Values are built outside co_yield expressions: g++ 12 miscompiles
  // initializer lists inside them.)
  Json raw = {{"docket", docket},
              {"case_name", case_name},
              {"plaintiff", one_text(page, "//*[@id='plaintiff']", "plaintiff")},
              {"defendant", one_text(page, "//*[@id='defendant']", "defendant")},
              {"date_filed", one_text(page, "//*[@id='date-filed']", "date filed")},
              {"case_type", one_text(page, "//*[@id='case-type']", "case type")},
              {"status", one_text(page, "//*[@id='status']", "status")},
              {"judge", one_text(page, "//*[@id='judge']", "judge")},
              {"summary", one_text(page, "//*[@id='summary']", "summary")}};
  co_yield uvscrape::deferred<CaseData>(std::move(raw), response.url);

  const Json about_case = {{"docket", docket}, {"case_name", case_name}};
  for (const Element& link : page.checked_xpath("//a[@class='opinion-link']", "opinion link", 0, 1))
    co_yield Request::get(link_url(link, response))
        .to("parse_opinion_detail")
        .accumulated_data(about_case);
  for (const Element& link : page.checked_xpath("//a[@class='audio-link']", "audio link", 0, 1))
    co_yield Request::get(link_url(link, response))
        .to("parse_oral_argument_detail")
        .accumulated_data(about_case);
}

Step BugCourtScraper::submit_date_search(const Response& response) {
  const Json& wanted = response.request->accumulated_data();
  uvscrape::Form form = response.page().form("form#date-search", "date search form");
  form.set("from_date", wanted.value("from_date", ""));
  form.set("to_date", wanted.value("to_date", ""));
  if (form.method == "POST")
    co_yield Request::post(form.action)
        .body(form.encoded_fields())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .to("parse_case_search_results");
  else
    co_yield Request::get(form.get_url()).to("parse_case_search_results");
}

Step BugCourtScraper::parse_case_search_results(const Response& response) {
  for (const Element& row :
       response.page().checked_xpath("//tr[@class='case-row']", "case search result rows", 0)) {
    const Element link = row.checked_xpath(".//a[@class='case-link']", "case detail link", 1, 1)[0];
    co_yield Request::get(link_url(link, response)).to("parse_case_detail");
  }
}

// --- opinions ------------------------------------------------------------------------------------

Step BugCourtScraper::parse_opinion_detail(const Response& response) {
  const Element link = response.page().checked_xpath("//a[@class='opinion-image-link']",
                                                     "opinion image link", 1, 1)[0];
  std::string image_url = link_url(link, response);
  EstimateData estimate{{"OpinionData"}, 1, 1};
  co_yield estimate;

  Json data = response.request->accumulated_data();
  data["image_url"] = image_url;
  co_yield Request::get(image_url)
      .archive("image")
      .to("archive_image")
      .accumulated_data(std::move(data));
}

Step BugCourtScraper::archive_image(const Response& response) {
  const Json& data = response.request->accumulated_data();
  auto path = response.local_filepath();
  Json raw = {{"docket", data.value("docket", Json())},
              {"case_name", data.value("case_name", Json())},
              {"image_url", data.value("image_url", Json())},
              {"local_path", path ? Json(std::string(*path)) : Json()}};
  co_yield uvscrape::deferred<OpinionData>(std::move(raw), response.url);
}

// --- oral arguments ---------------------------------------------------------------------------

Step BugCourtScraper::parse_oral_arguments_list(const Response& response) {
  auto rows = response.page().checked_xpath("//tr[@class='oral-arg-row']", "oral argument rows", 1);
  EstimateData estimate{{"OralArgumentData"}, static_cast<long>(rows.size()), std::nullopt};
  co_yield estimate;
  for (const Element& row : rows) {
    const Element link = row.checked_xpath(".//a", "oral argument detail link", 1, 1)[0];
    auto cells = row.checked_xpath(".//td", "table cells", 2);
    Json about_case = {{"docket", link.trimmed_text()}, {"case_name", cells[1].trimmed_text()}};
    co_yield Request::get(link_url(link, response))
        .to("parse_oral_argument_detail")
        .accumulated_data(std::move(about_case));
  }
}

Step BugCourtScraper::parse_oral_argument_detail(const Response& response) {
  const Element link = response.page().checked_xpath("//a[@class='audio-download-link']",
                                                     "audio download link", 1, 1)[0];
  std::string audio_url = link_url(link, response);
  Json data = response.request->accumulated_data();
  data["audio_url"] = audio_url;
  co_yield Request::get(audio_url)
      .archive("audio")
      .to("archive_audio")
      .accumulated_data(std::move(data));
}

Step BugCourtScraper::archive_audio(const Response& response) {
  const Json& data = response.request->accumulated_data();
  auto path = response.local_filepath();
  Json raw = {{"docket", data.value("docket", Json())},
              {"case_name", data.value("case_name", Json())},
              {"audio_url", data.value("audio_url", Json())},
              {"local_path", path ? Json(std::string(*path)) : Json()}};
  co_yield uvscrape::deferred<OralArgumentData>(std::move(raw), response.url);
}

// --- justices
// --------------------------------------------------------------------------------------

Step BugCourtScraper::parse_justices_json(const Response& response) {
  const Json& list = response.json();
  if (!list.is_array())
    throw uvscrape::ScraperAssumptionException("Expected a JSON list of justices", response.url);
  EstimateData estimate{
      {"JusticeData"}, static_cast<long>(list.size()), static_cast<long>(list.size())};
  co_yield estimate;
  for (const Json& justice : list) {
    // Only the fields present are passed on: a missing one is a validation error.
    Json raw = Json::object();
    for (const char* field :
         {"name", "insect_species", "title", "appointed_date", "bio", "image_url"})
      if (justice.is_object() && justice.contains(field)) raw[field] = justice[field];
    co_yield uvscrape::deferred<JusticeData>(std::move(raw), response.url);
  }
}

// --- items
// -----------------------------------------------------------------------------------------

std::string item_type(const Json& item) {
  if (!item.is_object()) return "unknown";
  if (item.contains("plaintiff")) return "CaseData";
  if (item.contains("insect_species")) return "JusticeData";
  if (item.contains("audio_url")) return "OralArgumentData";
  if (item.contains("image_url") && item.contains("docket")) return "OpinionData";
  return "unknown";
}

}  // namespace bug_court
