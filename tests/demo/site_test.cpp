// The demo site's pages as pure functions: the markup contract the demo
// scraper (and any scraper written for the reference site) relies on.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "court_data.hpp"
#include "court_media.hpp"
#include "court_site.hpp"

namespace {

using bug_court::render_site;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

int count_of(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

TEST(DemoSite, DataSetHasThirtyCasesOverThreeYearsAndSevenJustices) {
  EXPECT_EQ(bug_court::cases().size(), 30u);
  EXPECT_EQ(bug_court::justices().size(), 7u);
  EXPECT_EQ(bug_court::case_years(), (std::vector<int>{2024, 2025, 2026}));
  for (const auto& item : bug_court::cases()) {
    EXPECT_EQ(item.date_filed.substr(0, 4), std::to_string(item.year)) << item.docket();
    bool judge_known = false;
    for (const auto& j : bug_court::justices()) judge_known |= j.name == item.judge;
    EXPECT_TRUE(judge_known) << item.docket() << " " << item.judge;
  }
}

TEST(DemoSite, CaseListHasOneRowPerCaseWithUnpaddedDetailLinks) {
  auto page = render_site("GET", "/cases");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(contains(page.body, "<table id=\"cases-table\">"));
  EXPECT_EQ(count_of(page.body, "<tr class=\"case-row\" data-docket=\"BCC-"), 30);
  EXPECT_TRUE(contains(page.body,
                       "<td class=\"docket\"><a class=\"case-link\" href=\"/cases/2025/10\">"
                       "BCC-2025-010</a></td>"));
  for (const char* cls : {"case-name", "date-filed", "case-type", "status"})
    EXPECT_EQ(count_of(page.body, std::string("<td class=\"") + cls + "\">"), 30) << cls;
}

TEST(DemoSite, CaseDetailCarriesEveryFieldAndDocumentLinks) {
  auto page = render_site("GET", "/cases/2024/1");
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<h2>Woodlouse v. Centipede</h2>"));
  EXPECT_TRUE(contains(page.body, "<div class=\"case-details\">"));
  for (const char* id : {"docket", "plaintiff", "defendant", "date-filed", "case-type", "status",
                         "judge", "summary"})
    EXPECT_EQ(count_of(page.body, std::string("<dd id=\"") + id + "\">"), 1) << id;
  EXPECT_TRUE(contains(page.body, "<dd id=\"date-filed\">2024-01-08</dd>"));
  EXPECT_TRUE(contains(page.body, "<a class=\"opinion-link\" href=\"/opinions/BCC-2024-001\">"));
  EXPECT_TRUE(
      contains(page.body, "<a class=\"audio-link\" href=\"/oral-arguments/BCC-2024-001\">"));

  auto bare = render_site("GET", "/cases/2024/4");  // no documents
  EXPECT_FALSE(contains(bare.body, "opinion-link"));
  EXPECT_FALSE(contains(bare.body, "audio-link"));
  EXPECT_TRUE(contains(bare.body, "No documents on file."));
}

TEST(DemoSite, TextIsHtmlEscaped) {
  auto page = render_site("GET", "/cases/2025/6");
  EXPECT_TRUE(contains(page.body, "<h2>Weevil &amp; Sons v. Granary Board</h2>"));
  auto quoted = render_site("GET", "/cases/2024/3");
  EXPECT_TRUE(contains(quoted.body, "&quot;a slur older than the orchard&quot;"));
}

TEST(DemoSite, UnknownCaseIsASoft404With200) {
  for (const char* target : {"/cases/2024/11", "/cases/2024/0", "/cases/2031/1"}) {
    auto page = render_site("GET", target);
    EXPECT_EQ(page.status, 200) << target;
    EXPECT_TRUE(contains(page.body, "Case Not Found")) << target;
    EXPECT_FALSE(contains(page.body, "class=\"case-details\"")) << target;
  }
  EXPECT_TRUE(contains(render_site("GET", "/cases/2024/11").body, "BCC-2024-011"));
}

TEST(DemoSite, HardNotFoundsWhereTheReferenceHasThem) {
  EXPECT_EQ(render_site("GET", "/cases/2023").status, 404);
  EXPECT_EQ(render_site("GET", "/cases/2024").status, 200);
  EXPECT_EQ(render_site("GET", "/opinions/BCC-2024-003").status, 404);  // case without opinion
  EXPECT_EQ(render_site("GET", "/opinions/BCC-2099-001").status, 404);
  EXPECT_EQ(render_site("GET", "/oral-arguments/BCC-2024-002").status, 404);
  EXPECT_EQ(render_site("GET", "/api/justices/nobody").status, 404);
  EXPECT_EQ(render_site("GET", "/nowhere").status, 404);
  EXPECT_EQ(render_site("GET", "/media/opinions/BCC-2024-003.png").status, 404);
  EXPECT_EQ(render_site("POST", "/cases").status, 405);
}

TEST(DemoSite, DateSearchFormAndInclusiveFilter) {
  auto empty = render_site("GET", "/cases/search");
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(
      contains(empty.body, "<form id=\"date-search\" method=\"GET\" action=\"/cases/search\">"));
  EXPECT_TRUE(contains(empty.body, "name=\"from_date\""));
  EXPECT_TRUE(contains(empty.body, "name=\"to_date\""));
  EXPECT_EQ(count_of(empty.body, "case-row"), 0);

  // Inclusive on both ends: 2024-01-08 and 2024-02-05 are filing dates.
  auto hits = render_site("GET", "/cases/search?from_date=2024-01-08&to_date=2024-02-05");
  EXPECT_EQ(hits.status, 200);
  EXPECT_EQ(count_of(hits.body, "<tr class=\"case-row\""), 3);
  EXPECT_TRUE(contains(hits.body, "value=\"2024-01-08\""));
  EXPECT_EQ(count_of(render_site("GET", "/cases/search?from_date=2026-01-01").body,
                     "<tr class=\"case-row\""),
            10);
  EXPECT_EQ(count_of(render_site("GET", "/cases/search?to_date=2024-12-31").body,
                     "<tr class=\"case-row\""),
            10);
  EXPECT_EQ(render_site("GET", "/cases/search?from_date=yesterday").status, 400);
}

TEST(DemoSite, ListsOfOpinionsAndOralArguments) {
  int opinions = 0, orals = 0;
  for (const auto& item : bug_court::cases()) {
    opinions += item.has_opinion;
    orals += item.has_oral_argument;
  }
  auto op = render_site("GET", "/opinions");
  EXPECT_EQ(count_of(op.body, "<tr class=\"opinion-row\">"), opinions);
  auto oa = render_site("GET", "/oral-arguments");
  EXPECT_TRUE(contains(oa.body, "<table id=\"oral-arguments-table\">"));
  EXPECT_EQ(count_of(oa.body, "<tr class=\"oral-arg-row\">"), orals);
  EXPECT_TRUE(contains(oa.body,
                       "<tr class=\"oral-arg-row\"><td><a href=\"/oral-arguments/"
                       "BCC-2024-001\">BCC-2024-001</a></td><td>Woodlouse v. "
                       "Centipede</td><td>2024-01-08</td></tr>"));

  auto detail = render_site("GET", "/opinions/BCC-2024-001");
  EXPECT_TRUE(contains(detail.body,
                       "<a class=\"opinion-image-link\" "
                       "href=\"/media/opinions/BCC-2024-001.png\">"));
  auto audio = render_site("GET", "/oral-arguments/BCC-2024-001");
  EXPECT_TRUE(contains(audio.body,
                       "<a class=\"audio-download-link\" "
                       "href=\"/media/oral-arguments/BCC-2024-001.wav\">"));
}

TEST(DemoSite, JusticesJsonApi) {
  auto page = render_site("GET", "/api/justices");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "application/json");
  auto list = nlohmann::json::parse(page.body);
  ASSERT_EQ(list.size(), 7u);
  for (const auto& j : list)
    for (const char* key : {"name", "slug", "insect_species", "title", "appointed_date", "bio",
                            "image_url", "notable_opinion"})
      EXPECT_TRUE(j.contains(key)) << key;
  auto one = nlohmann::json::parse(render_site("GET", "/api/justices/lumen-firefly").body);
  EXPECT_EQ(one["name"], "Hon. Lumen Firefly");
  EXPECT_EQ(render_site("GET", one["image_url"].get<std::string>()).content_type, "image/png");
  EXPECT_EQ(count_of(render_site("GET", "/justices").body, "<div class=\"justice-card\""), 7);
}

TEST(DemoSite, MediaIsValidAndDeterministic) {
  auto png = render_site("GET", "/media/opinions/BCC-2024-001.png");
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.body, bug_court::generate_png("BCC-2024-001"));
  EXPECT_NE(png.body, bug_court::generate_png("BCC-2024-002"));

  auto wav = render_site("GET", "/media/oral-arguments/BCC-2024-001.wav");
  EXPECT_EQ(wav.content_type, "audio/wav");
  EXPECT_EQ(wav.body.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.body.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(wav.body.size(), 44u + 4000u);
  EXPECT_EQ(wav.body, bug_court::generate_wav("BCC-2024-001"));
}

}  // namespace
