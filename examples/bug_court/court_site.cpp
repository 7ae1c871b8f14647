#include "court_site.hpp"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "court_data.hpp"
#include "court_media.hpp"

namespace bug_court {

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json";

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

constexpr const char* kStyle = R"css(
body { font-family: Georgia, serif; max-width: 960px; margin: 2em auto; padding: 0 1em;
       color: #2b2b2b; background: #fbfaf3; }
h1 { color: #5a3e1b; border-bottom: 2px solid #5a3e1b; padding-bottom: .3em; }
nav { background: #5a3e1b; padding: .8em 1.2em; margin-bottom: 1.5em; border-radius: 4px; }
nav a { color: #fff; text-decoration: none; margin-right: 1.5em; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .5em .8em; text-align: left; }
th { background: #efe8d8; }
.case-details dl { display: grid; grid-template-columns: 200px 1fr; gap: .3em 1em; }
.case-details dt { font-weight: bold; }
.case-details dd { margin: 0; }
.documents a { display: inline-block; margin-right: 1.5em; padding: .4em .8em;
               background: #5a3e1b; color: #fff; border-radius: 3px; text-decoration: none; }
.justice-card { border: 1px solid #ccc; border-radius: 6px; padding: 1em; margin: 1em 0;
                display: flex; gap: 1.5em; }
.justice-card img { width: 96px; height: 96px; border-radius: 50%; }
.species { color: #777; font-style: italic; }
footer { margin-top: 3em; border-top: 1px solid #ccc; padding-top: 1em; color: #999;
         font-size: .85em; text-align: center; }
)css";

SitePage html_page(const std::string& title, const std::string& body, int status = 200) {
  std::string html;
  html.reserve(body.size() + 2048);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>";
  html += escape_html(title);
  html += " — Bug Civil Court</title>\n  <style>";
  html += kStyle;
  html +=
      "</style>\n</head>\n<body>\n  <nav>\n"
      "    <a href=\"/\">Home</a>\n"
      "    <a href=\"/cases\">Cases</a>\n"
      "    <a href=\"/cases/search\">Search</a>\n"
      "    <a href=\"/opinions\">Opinions</a>\n"
      "    <a href=\"/oral-arguments\">Oral Arguments</a>\n"
      "    <a href=\"/justices\">Justices</a>\n"
      "  </nav>\n";
  html += body;
  html +=
      "\n  <footer>Bug Civil Court &mdash; a uvscrape demo site. All proceedings are "
      "fictional; no insects were harmed.</footer>\n</body>\n</html>\n";
  return {status, kHtml, std::move(html)};
}

SitePage json_page(const nlohmann::ordered_json& value, int status = 200) {
  return {status, kJson, value.dump()};
}

SitePage not_found(const std::string& detail) {
  return json_page({{"detail", detail}}, 404);
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return false;
  auto month = parse_int(text.substr(5, 2));
  auto day = parse_int(text.substr(8, 2));
  return month && day && *month >= 1 && *month <= 12 && *day >= 1 && *day <= 31;
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// Percent-decoding; in a query (form encoding) '+' also means a space.
std::string url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = url_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true);
    params.emplace(std::move(name), std::move(value));  // first occurrence wins
  }
  return params;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return parts;
}

// --- pages ---------------------------------------------------------------------------------

SitePage home_page() {
  return html_page("Home", R"(<h1>Bug Civil Court</h1>
<p><em>"Six legs, one law."</em></p>
<p>Welcome to the Bug Civil Court, where the disputes of the hedgerow, the pond and the
compost heap are heard in full. Browse the docket, read the opinions, listen to the
oral arguments and meet the bench.</p>
<h2>Quick Links</h2>
<ul>
  <li><a href="/cases">Browse all cases</a> (2024 &ndash; 2026)</li>
  <li><a href="/cases/search">Search cases by date filed</a></li>
  <li><a href="/opinions">Read published opinions</a></li>
  <li><a href="/oral-arguments">Listen to oral arguments</a></li>
  <li><a href="/justices">Meet the justices</a></li>
  <li><a href="/api/justices">Justice bios (JSON API)</a></li>
</ul>)");
}

std::string case_row(const DemoCase& item) {
  std::string docket = item.docket();
  return "<tr class=\"case-row\" data-docket=\"" + docket +
         "\">\n"
         "  <td class=\"docket\"><a class=\"case-link\" href=\"" +
         item.detail_path() + "\">" + docket +
         "</a></td>\n"
         "  <td class=\"case-name\">" +
         escape_html(item.case_name) +
         "</td>\n"
         "  <td class=\"date-filed\">" +
         item.date_filed +
         "</td>\n"
         "  <td class=\"case-type\">" +
         escape_html(item.case_type) +
         "</td>\n"
         "  <td class=\"status\">" +
         escape_html(item.status) +
         "</td>\n"
         "</tr>\n";
}

std::string cases_table(const std::vector<const DemoCase*>& rows) {
  std::string html =
      "<table id=\"cases-table\">\n  <thead>\n    <tr><th>Docket</th><th>Case "
      "Name</th><th>Date Filed</th><th>Type</th><th>Status</th></tr>\n  "
      "</thead>\n  <tbody>\n";
  for (const DemoCase* item : rows) html += case_row(*item);
  html += "  </tbody>\n</table>";
  return html;
}

std::vector<const DemoCase*> select_cases(bool (*keep)(const DemoCase&, const void*),
                                          const void* arg) {
  std::vector<const DemoCase*> out;
  for (const auto& item : cases())
    if (keep(item, arg)) out.push_back(&item);
  return out;
}

SitePage cases_page() {
  auto rows = select_cases([](const DemoCase&, const void*) { return true; }, nullptr);
  return html_page("Cases", "<h1>Case Search Results</h1>\n<p>Showing all " +
                                std::to_string(rows.size()) +
                                " cases filed in Bug Civil Court.</p>\n" + cases_table(rows));
}

std::string search_form(const std::string& from_date, const std::string& to_date) {
  return "<form id=\"date-search\" method=\"GET\" action=\"/cases/search\">\n"
         "  <label for=\"from_date\">From:</label>\n"
         "  <input type=\"date\" id=\"from_date\" name=\"from_date\" value=\"" +
         escape_html(from_date) +
         "\">\n"
         "  <label for=\"to_date\">To:</label>\n"
         "  <input type=\"date\" id=\"to_date\" name=\"to_date\" value=\"" +
         escape_html(to_date) +
         "\">\n"
         "  <button type=\"submit\">Search</button>\n"
         "</form>";
}

SitePage search_page(const std::map<std::string, std::string>& query) {
  auto get = [&](const char* name) {
    auto it = query.find(name);
    return it == query.end() ? std::string{} : it->second;
  };
  std::string from_date = get("from_date");
  std::string to_date = get("to_date");
  std::string form = search_form(from_date, to_date);
  if (from_date.empty() && to_date.empty())
    return html_page("Search Cases", "<h1>Search Cases by Date Filed</h1>\n" + form +
                                         "\n<p>Enter a date range and click Search.</p>");
  if ((!from_date.empty() && !is_iso_date(from_date)) ||
      (!to_date.empty() && !is_iso_date(to_date)))
    return json_page({{"detail", "dates must be YYYY-MM-DD"}}, 400);

  // ISO dates compare correctly as strings; an empty bound is open.
  struct Range {
    std::string from, to;
  } range{from_date, to_date};
  auto rows = select_cases(
      [](const DemoCase& item, const void* arg) {
        const auto& r = *static_cast<const Range*>(arg);
        return (r.from.empty() || r.from <= item.date_filed) &&
               (r.to.empty() || item.date_filed <= r.to);
      },
      &range);
  std::string found = "<p>Found " + std::to_string(rows.size()) +
                      (rows.size() == 1 ? " case.</p>\n" : " cases.</p>\n");
  return html_page("Search Results", "<h1>Search Cases by Date Filed</h1>\n" + form + "\n" + found +
                                         cases_table(rows));
}

SitePage cases_of_year_page(int year) {
  auto rows =
      select_cases([](const DemoCase& item,
                      const void* arg) { return item.year == *static_cast<const int*>(arg); },
                   &year);
  if (rows.empty()) return not_found("No cases found for year " + std::to_string(year));
  return html_page("Cases — " + std::to_string(year),
                   "<h1>Cases Filed in " + std::to_string(year) + "</h1>\n<p>Showing " +
                       std::to_string(rows.size()) + " cases.</p>\n" + cases_table(rows));
}

SitePage case_detail_page(int year, int number) {
  const DemoCase* item = find_case(year, number);
  if (item == nullptr) {
    // A soft 404: the reference site answers 200 for unknown case numbers.
    char docket[32];
    std::snprintf(docket, sizeof docket, "BCC-%d-%03d", year, number);
    return html_page(
        "Case Not Found",
        std::string("<h1>Case Not Found</h1>\n<p>No case found for docket ") + docket + ".</p>");
  }
  std::string docket = item->docket();
  auto field = [](const char* label, const char* id, const std::string& value) {
    return std::string("    <dt>") + label + "</dt>\n    <dd id=\"" + id + "\">" +
           escape_html(value) + "</dd>\n";
  };
  std::string body = "<h1>Bug Civil Court</h1>\n<h2>" + escape_html(item->case_name) +
                     "</h2>\n<div class=\"case-details\">\n  <dl>\n";
  body += field("Docket Number", "docket", docket);
  body += field("Plaintiff", "plaintiff", item->plaintiff);
  body += field("Defendant", "defendant", item->defendant);
  body += field("Date Filed", "date-filed", item->date_filed);
  body += field("Case Type", "case-type", item->case_type);
  body += field("Status", "status", item->status);
  body += field("Presiding Judge", "judge", item->judge);
  body += field("Case Summary", "summary", item->summary);
  body += "  </dl>\n</div>\n<div class=\"documents\">\n  <h3>Documents</h3>\n";
  if (item->has_opinion)
    body += "  <a class=\"opinion-link\" href=\"/opinions/" + docket + "\">Read Opinion</a>\n";
  if (item->has_oral_argument)
    body += "  <a class=\"audio-link\" href=\"/oral-arguments/" + docket +
            "\">Listen to Oral Argument</a>\n";
  if (!item->has_opinion && !item->has_oral_argument) body += "  <p>No documents on file.</p>\n";
  body += "</div>";
  return html_page(item->case_name, body);
}

SitePage opinions_page() {
  std::string rows;
  int count = 0;
  for (const auto& item : cases()) {
    if (!item.has_opinion) continue;
    ++count;
    rows += "<tr class=\"opinion-row\"><td><a href=\"/opinions/" + item.docket() + "\">" +
            item.docket() + "</a></td><td>" + escape_html(item.case_name) + "</td><td>" +
            escape_html(item.status) + "</td><td>" + escape_html(item.judge) + "</td></tr>\n";
  }
  return html_page("Opinions", "<h1>Published Opinions</h1>\n<p>" + std::to_string(count) +
                                   " opinions on file.</p>\n<table id=\"opinions-table\">\n  "
                                   "<thead>\n    <tr><th>Docket</th><th>Case</th><th>Status</"
                                   "th><th>Author</th></tr>\n  </thead>\n  <tbody>\n" +
                                   rows + "  </tbody>\n</table>");
}

SitePage opinion_detail_page(const std::string& docket) {
  const DemoCase* item = find_case_by_docket(docket);
  if (item == nullptr || !item->has_opinion) return not_found("Opinion not found");
  std::string image = item->opinion_image_url();
  return html_page("Opinion — " + docket,
                   "<h1>Opinion — " + escape_html(item->case_name) +
                       "</h1>\n<div class=\"opinion-details\">\n  <dl>\n"
                       "    <dt>Docket</dt>\n    <dd id=\"docket\">" +
                       docket +
                       "</dd>\n"
                       "    <dt>Case</dt>\n    <dd id=\"case-name\">" +
                       escape_html(item->case_name) +
                       "</dd>\n"
                       "    <dt>Author</dt>\n    <dd id=\"judge\">" +
                       escape_html(item->judge) +
                       "</dd>\n"
                       "  </dl>\n</div>\n<div class=\"documents\">\n  <h3>Opinion Document</h3>\n"
                       "  <a class=\"opinion-image-link\" href=\"" +
                       image +
                       "\">Download Illustration</a>\n"
                       "  <p><img src=\"" +
                       image + "\" alt=\"Opinion illustration\"></p>\n</div>");
}

SitePage oral_arguments_page() {
  std::string rows;
  int count = 0;
  for (const auto& item : cases()) {
    if (!item.has_oral_argument) continue;
    ++count;
    rows += "<tr class=\"oral-arg-row\"><td><a href=\"/oral-arguments/" + item.docket() + "\">" +
            item.docket() + "</a></td><td>" + escape_html(item.case_name) + "</td><td>" +
            item.date_filed + "</td></tr>\n";
  }
  return html_page("Oral Arguments",
                   "<h1>Oral Arguments</h1>\n<p>" + std::to_string(count) +
                       " recordings on file.</p>\n<table id=\"oral-arguments-table\">\n  "
                       "<thead>\n    <tr><th>Docket</th><th>Case</th><th>Date</th></tr>\n  "
                       "</thead>\n  <tbody>\n" +
                       rows + "  </tbody>\n</table>");
}

SitePage oral_argument_detail_page(const std::string& docket) {
  const DemoCase* item = find_case_by_docket(docket);
  if (item == nullptr || !item->has_oral_argument) return not_found("Oral argument not found");
  std::string audio = item->oral_argument_audio_url();
  return html_page("Oral Argument — " + docket,
                   "<h1>Oral Argument — " + escape_html(item->case_name) +
                       "</h1>\n<div class=\"oral-arg-details\">\n  <dl>\n"
                       "    <dt>Docket</dt>\n    <dd id=\"docket\">" +
                       docket +
                       "</dd>\n"
                       "    <dt>Case</dt>\n    <dd id=\"case-name\">" +
                       escape_html(item->case_name) +
                       "</dd>\n"
                       "    <dt>Date</dt>\n    <dd id=\"date-filed\">" +
                       item->date_filed +
                       "</dd>\n"
                       "  </dl>\n</div>\n<div class=\"documents\">\n  <h3>Audio Recording</h3>\n"
                       "  <a class=\"audio-download-link\" href=\"" +
                       audio +
                       "\">Download Audio (WAV)</a>\n"
                       "  <p><audio controls src=\"" +
                       audio + "\"></audio></p>\n</div>");
}

SitePage justices_page() {
  std::string cards;
  for (const auto& j : justices()) {
    cards += "<div class=\"justice-card\" data-slug=\"" + j.slug + "\">\n  <img src=\"" +
             j.image_url() + "\" alt=\"Portrait of " + escape_html(j.name) +
             "\">\n  <div class=\"justice-info\">\n    <h3>" + escape_html(j.name) +
             "</h3>\n    <p class=\"species\">" + escape_html(j.insect_species) +
             "</p>\n    <p><strong>" + escape_html(j.title) + "</strong> &mdash; Appointed " +
             j.appointed_date + "</p>\n    <p>" + escape_html(j.bio) +
             "</p>\n    <p><em>Notable opinion:</em> " + escape_html(j.notable_opinion) +
             "</p>\n  </div>\n</div>\n";
  }
  return html_page("Justices", "<h1>Justices of the Bug Civil Court</h1>\n" + cards);
}

nlohmann::ordered_json justice_json(const Justice& j) {
  return {{"name", j.name},
          {"slug", j.slug},
          {"insect_species", j.insect_species},
          {"title", j.title},
          {"appointed_date", j.appointed_date},
          {"bio", j.bio},
          {"image_url", j.image_url()},
          {"notable_opinion", j.notable_opinion}};
}

SitePage api_justices() {
  auto list = nlohmann::ordered_json::array();
  for (const auto& j : justices()) list.push_back(justice_json(j));
  return json_page(list);
}

// "/media/<kind>/<name>.<ext>" -> the generated file, or 404.
SitePage media_file(std::string_view kind, std::string_view file) {
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos) return not_found("Not Found");
  std::string stem(file.substr(0, dot));
  std::string_view ext = file.substr(dot + 1);
  if (kind == "opinions" && ext == "png") {
    const DemoCase* item = find_case_by_docket(stem);
    if (item != nullptr && item->has_opinion) return {200, "image/png", generate_png(stem)};
  } else if (kind == "oral-arguments" && ext == "wav") {
    const DemoCase* item = find_case_by_docket(stem);
    if (item != nullptr && item->has_oral_argument) return {200, "audio/wav", generate_wav(stem)};
  } else if (kind == "justices" && ext == "png") {
    if (find_justice(stem) != nullptr) return {200, "image/png", generate_png(stem)};
  }
  return not_found("Not Found");
}

SitePage route(std::string_view path, const std::map<std::string, std::string>& query) {
  auto parts = split_path(path);
  const std::size_t n = parts.size();
  if (n == 0) return home_page();
  const std::string_view top = parts[0];
  if (top == "cases") {
    if (n == 1) return cases_page();
    if (n == 2 && parts[1] == "search") return search_page(query);
    auto year = parse_int(parts[1]);
    if (!year) return not_found("Not Found");
    if (n == 2) return cases_of_year_page(*year);
    auto number = parse_int(parts[2]);
    if (n == 3 && number) return case_detail_page(*year, *number);
    return not_found("Not Found");
  }
  if (top == "opinions") {
    if (n == 1) return opinions_page();
    if (n == 2) return opinion_detail_page(std::string(parts[1]));
  }
  if (top == "oral-arguments") {
    if (n == 1) return oral_arguments_page();
    if (n == 2) return oral_argument_detail_page(std::string(parts[1]));
  }
  if (top == "justices" && n == 1) return justices_page();
  if (top == "api" && n >= 2 && parts[1] == "justices") {
    if (n == 2) return api_justices();
    if (n == 3) {
      const Justice* j = find_justice(std::string(parts[2]));
      return j ? json_page(justice_json(*j)) : not_found("Justice not found");
    }
  }
  if (top == "media" && n == 3) return media_file(parts[1], parts[2]);
  return not_found("Not Found");
}

}  // namespace

SitePage render_site(std::string_view method, std::string_view target) {
  if (method != "GET" && method != "HEAD")
    return json_page({{"detail", "Method Not Allowed"}}, 405);
  auto question = target.find('?');
  std::string path = url_decode(target.substr(0, question), false);
  std::map<std::string, std::string> query;
  if (question != std::string_view::npos) query = parse_query(target.substr(question + 1));
  return route(path, query);
}

}  // namespace bug_court
