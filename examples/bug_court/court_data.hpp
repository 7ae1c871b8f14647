// The Bug Civil Court data set: the single source of truth for the demo site,
// its media and the expected crawl results.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bug_court {

struct Justice {
  std::string name;
  std::string slug;
  std::string insect_species;
  std::string title;
  std::string appointed_date;  // ISO YYYY-MM-DD
  std::string bio;
  std::string notable_opinion;

  // Site-relative URL of the generated portrait.
  std::string image_url() const { return "/media/justices/" + slug + ".png"; }
};

struct DemoCase {
  int year = 0;
  int number = 0;
  std::string case_name;
  std::string plaintiff;
  std::string defendant;
  std::string date_filed;  // ISO YYYY-MM-DD, always within `year`
  std::string case_type;
  std::string status;
  std::string judge;  // a Justice name
  std::string summary;
  bool has_opinion = false;
  bool has_oral_argument = false;

  // "BCC-2024-001"
  std::string docket() const;
  // "/cases/2024/1" (number unpadded)
  std::string detail_path() const;
  // Site-relative media URLs (meaningful only when the flag is set).
  std::string opinion_image_url() const { return "/media/opinions/" + docket() + ".png"; }
  std::string oral_argument_audio_url() const {
    return "/media/oral-arguments/" + docket() + ".wav";
  }
};

// All cases in docket order (2024-001 ... 2026-010).
const std::vector<DemoCase>& cases();
// The seven justices in seniority order.
const std::vector<Justice>& justices();

const DemoCase* find_case(int year, int number);
const DemoCase* find_case_by_docket(const std::string& docket);
const Justice* find_justice(const std::string& slug);

// Years that have cases, ascending.
std::vector<int> case_years();

}  // namespace bug_court
