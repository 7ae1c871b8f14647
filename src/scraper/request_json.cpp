// Request <-> JSON: every field a JSON value, the receiving step by name.
#include "uvscrape/request_json.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/hex.hpp"
#include "scraper/request_internals.hpp"

namespace uvscrape {
namespace {

Json pairs_to_json(const NameValueList& list) {
  Json out = Json::array();
  for (const auto& [n, v] : list) out.push_back(Json::array({n, v}));
  return out;
}

[[noreturn]] void malformed(const char* field, const Json& value) {
  throw ScraperConfigError(std::string("request JSON: malformed '") + field +
                           "': " + value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

NameValueList pairs_from_json(const Json& j, const char* field) {
  NameValueList out;
  if (!j.is_array()) malformed(field, j);
  for (const auto& p : j) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_string())
      malformed(field, j);
    out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
  }
  return out;
}

std::string from_hex(const Json& j) {
  if (!j.is_string() || j.get_ref<const std::string&>().size() % 2) malformed("body_hex", j);
  const std::string& s = j.get_ref<const std::string&>();
  auto nibble = [&](char c) -> int {
    const int value = hex_digit_value(c);
    if (value < 0) malformed("body_hex", j);
    return value;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2)
    out.push_back(static_cast<char>(nibble(s[i]) * 16 + nibble(s[i + 1])));
  return out;
}

const char* mode_name(DedupMode mode) {
  switch (mode) {
    case DedupMode::automatic: return "automatic";
    case DedupMode::explicit_key: return "explicit";
    case DedupMode::skip: return "skip";
  }
  return "automatic";
}

// Whether `value` is a number that `T` holds as it is: no wrap-around, and no
// float-to-integer conversion out of range (undefined behaviour).
template <class T>
bool fits_integer(const Json& value) {
  using limits = std::numeric_limits<T>;
  if (value.is_number_unsigned())
    return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::max());
  if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    return v >= static_cast<std::int64_t>(limits::min()) &&
           v <= static_cast<std::int64_t>(limits::max());
  }
  if (value.is_number_float()) {
    // In doubles, min and max + 1 (== -min) are exact for int and long.
    const double v = value.get<double>();
    return v >= static_cast<double>(limits::min()) && v < -static_cast<double>(limits::min());
  }
  return false;
}

template <class T>
T field_or(const Json& j, const char* name, T fallback) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return fallback;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!fits_integer<T>(*it)) malformed(name, *it);
  }
  try {
    return it->get<T>();
  } catch (const Json::exception&) {
    malformed(name, *it);
  }
}

}  // namespace

void to_json(Json& j, const Request& r) {
  j = Json::object();
  j["method"] = std::string(to_string(r.method()));
  j["url"] = r.url();
  j["continuation"] = r.to();
  j["current_location"] = r.current_location();
  j["params"] = pairs_to_json(r.params());
  if (const auto* form = std::get_if<NameValueList>(&r.body())) j["form"] = pairs_to_json(*form);
  if (const auto* bytes = std::get_if<std::string>(&r.body())) j["body_hex"] = hex_encode(*bytes);
  j["json"] = r.json() ? *r.json() : Json(nullptr);
  j["headers"] = pairs_to_json(r.headers());
  j["cookies"] = pairs_to_json(r.cookies());
  j["permanent"] = {{"headers", pairs_to_json(r.permanent_headers())},
                    {"cookies", pairs_to_json(r.permanent_cookies())}};
  if (!r.cookie_jar().empty()) j["permanent"]["cookie_jar"] = r.cookie_jar();
  j["timeout"] = r.timeout() ? Json(*r.timeout()) : Json(nullptr);
  j["verify"] = r.verify();
  j["accumulated_data"] = r.accumulated_data();
  j["priority"] = r.explicit_priority() ? Json(*r.explicit_priority()) : Json(nullptr);
  j["dedup_mode"] = mode_name(r.dedup_mode());
  if (r.dedup_mode() == DedupMode::explicit_key) j["dedup_key"] = *r.dedup_key();
  j["nonnavigating"] = r.is_nonnavigating();
  j["archive"] = r.is_archive();
  j["expected_type"] = r.expected_type() ? Json(*r.expected_type()) : Json(nullptr);
  if (const auto& id = r.speculation_id())
    j["speculation_id"] = {
        {"state_key", id->state_key}, {"param_index", id->param_index}, {"id", id->id}};
  else
    j["speculation_id"] = nullptr;
}

Request request_from_json(const Json& j) {
  if (!j.is_object()) malformed("request", j);
  const auto method = parse_http_method(field_or<std::string>(j, "method", "GET"));
  if (!method) malformed("method", j["method"]);
  Request r(*method, field_or<std::string>(j, "url", ""));
  if (auto c = field_or<std::string>(j, "continuation", ""); !c.empty()) r.to(std::move(c));
  if (auto l = field_or<std::string>(j, "current_location", ""); !l.empty())
    r.current_location(std::move(l));
  if (j.contains("params")) r.params(pairs_from_json(j["params"], "params"));
  if (j.contains("form") && !j["form"].is_null()) r.form(pairs_from_json(j["form"], "form"));
  if (j.contains("body_hex") && !j["body_hex"].is_null()) r.body(from_hex(j["body_hex"]));
  if (j.contains("json") && !j["json"].is_null()) r.json(j["json"]);
  if (j.contains("headers")) r.headers(pairs_from_json(j["headers"], "headers"));
  if (j.contains("cookies")) r.cookies(pairs_from_json(j["cookies"], "cookies"));
  if (j.contains("permanent") && j["permanent"].is_object()) {
    const Json& p = j["permanent"];
    if (p.contains("headers"))
      for (auto& [n, v] : pairs_from_json(p["headers"], "permanent.headers"))
        r.permanent_header(n, v);
    if (p.contains("cookies"))
      for (auto& [n, v] : pairs_from_json(p["cookies"], "permanent.cookies"))
        r.permanent_cookie(n, v);
    if (p.contains("cookie_jar")) {
      if (!p["cookie_jar"].is_string()) malformed("permanent.cookie_jar", p["cookie_jar"]);
      r.cookie_jar(p["cookie_jar"].get<std::string>());
    }
  }
  if (j.contains("timeout") && !j["timeout"].is_null())
    r.timeout(field_or<double>(j, "timeout", 0));
  r.verify(field_or<bool>(j, "verify", true));
  if (j.contains("accumulated_data") && !j["accumulated_data"].is_null())
    r.accumulated_data(j["accumulated_data"]);
  if (j.contains("priority") && !j["priority"].is_null())
    r.priority(field_or<int>(j, "priority", 9));
  const std::string mode = field_or<std::string>(j, "dedup_mode", "automatic");
  if (mode == "explicit")
    r.dedup_key(field_or<std::string>(j, "dedup_key", ""));
  else if (mode == "skip")
    r.dedup_key(skip_deduplication);
  else if (mode != "automatic")
    malformed("dedup_mode", j["dedup_mode"]);
  r.nonnavigating(field_or<bool>(j, "nonnavigating", false));
  if (field_or<bool>(j, "archive", false)) r.archive();
  if (auto t = field_or<std::string>(j, "expected_type", ""); !t.empty()) r.expected_type(t);
  if (j.contains("speculation_id") && j["speculation_id"].is_object()) {
    const Json& s = j["speculation_id"];
    detail::RequestAccess::set_speculative(
        r, {field_or<std::string>(s, "state_key", ""), field_or<int>(s, "param_index", 0),
            field_or<long>(s, "id", 0)});
  }
  return r;
}

}  // namespace uvscrape
