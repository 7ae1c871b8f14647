// The data models the Bug Civil Court scraper emits. Field names follow the
// reference demo's models so seed files and downstream consumers written for
// it work unchanged.
#pragma once

#include <optional>
#include <string>
#include <uvscrape/date.hpp>
#include <uvscrape/model.hpp>

namespace bug_court {

struct CaseData {
  std::string docket;
  std::string case_name;
  std::string plaintiff;
  std::string defendant;
  uvscrape::Date date_filed;
  std::string case_type;
  std::string status;
  std::string judge;
  std::string summary;
};
UVSCRAPE_MODEL(CaseData, docket, case_name, plaintiff, defendant, date_filed, case_type, status,
               judge, summary)

struct JusticeData {
  std::string name;
  std::string insect_species;
  std::string title;
  uvscrape::Date appointed_date;
  std::string bio;
  std::string image_url;
};
UVSCRAPE_MODEL(JusticeData, name, insect_species, title, appointed_date, bio, image_url)

struct OpinionData {
  std::string docket;
  std::string case_name;
  std::string image_url;
  std::optional<std::string> local_path;
};
UVSCRAPE_MODEL(OpinionData, docket, case_name, image_url, local_path)

struct OralArgumentData {
  std::string docket;
  std::string case_name;
  std::string audio_url;
  std::optional<std::string> local_path;
};
UVSCRAPE_MODEL(OralArgumentData, docket, case_name, audio_url, local_path)

}  // namespace bug_court
