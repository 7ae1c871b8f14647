// Entry points: the functions that start a crawl, with typed
// parameters validated from JSON seed parameters.
//
// Parameter types: std::string, integers, Date (ISO "YYYY-MM-DD"), models, and
// at most one speculative template (SpeculativeRange...). An entry returns a
// Request, a std::vector<Request> or a Generator<Request>; a speculative entry
// returns the single Request for one concrete ID.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "uvscrape/date.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/generator.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/model.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/speculative_range.hpp"

namespace uvscrape {

enum class EntryParamKind : std::uint8_t { string, integer, date, model, speculative };
const char* to_string(EntryParamKind kind) noexcept;

struct EntryParam {
  std::string name;
  EntryParamKind kind;
  std::string type_name;  // "str", "int", "date", or the model's name
};

struct EntryInfo {
  std::string name;
  std::vector<EntryParam> params;
  std::optional<std::string> speculative_param;
  bool is_speculative() const noexcept { return speculative_param.has_value(); }
};

template <class P>
concept EntryParameter = std::same_as<P, std::string> ||
                         (std::integral<P> && !std::same_as<P, bool>) ||
                         std::same_as<P, Date> || Model<P>;

// A validated seed of a speculative entry: everything the tracker needs.
struct SpeculativeTemplate {
  std::string entry_name;
  int param_index = 0;  // position within that entry's templates
  Json params;          // the validated parameters
  IdRange seed_range;
  long max_gap = 0;
  bool should_advance = true;
  std::function<Request(long id)> make_probe;  // the entry's Request for one ID
};

// A registered entry, type-erased.
struct EntryPoint {
  EntryInfo info;
  // Checks and coerces raw parameters; returns them normalised (a JSON object).
  // Throws ScraperConfigError listing every problem.
  std::function<Json(const Json& raw)> validate;
  // Non-speculative entries: the requests for validated parameters.
  std::function<std::vector<Request>(const Json& params)> invoke;
  // Speculative entries: the template for validated parameters.
  std::function<SpeculativeTemplate(const Json& params)> make_template;
};

namespace entry_detail {

template <class P>
EntryParamKind kind_of() {
  if constexpr (std::same_as<P, std::string>)
    return EntryParamKind::string;
  else if constexpr (std::same_as<P, Date>)
    return EntryParamKind::date;
  else if constexpr (Speculative<P>)
    return EntryParamKind::speculative;
  else if constexpr (Model<P>)
    return EntryParamKind::model;
  else
    return EntryParamKind::integer;
}

template <class P>
std::string type_name() {
  if constexpr (std::same_as<P, std::string>)
    return "str";
  else if constexpr (std::same_as<P, Date>)
    return "date";
  else if constexpr (Model<P>)
    return std::string(model_name<P>());
  else
    return "int";
}

// Reads one parameter; on failure sets `error` and returns false.
template <class P>
bool read_param(const Json& raw, P& out, std::string& error) {
  if constexpr (std::same_as<P, std::string>) {
    if (raw.is_string())
      out = raw.get<std::string>();
    else if (raw.is_number())
      out = raw.dump();
    else
      return error = "expected a string", false;
    return true;
  } else if constexpr (std::same_as<P, Date>) {
    if (raw.is_string())
      if (auto d = Date::parse_iso(raw.get_ref<const std::string&>())) return out = *d, true;
    return error = "expected an ISO date YYYY-MM-DD, got " + raw.dump(), false;
  } else if constexpr (Model<P>) {
    Json errors = Json::array();
    if (auto value = try_validate<P>(raw, errors)) return out = std::move(*value), true;
    return error = "invalid " + std::string(model_name<P>()) + ": " + errors.dump(), false;
  } else {
    Json errors = Json::array();
    if (model_detail::read_value(raw, out, Json::array(), errors)) return true;
    return error = "expected an integer, got " + raw.dump(), false;
  }
}

template <class R>
std::vector<Request> to_requests(R&& result) {
  using T = std::remove_cvref_t<R>;
  if constexpr (std::same_as<T, Request>) {
    std::vector<Request> out;
    out.push_back(std::forward<R>(result));
    return out;
  } else if constexpr (std::same_as<T, std::vector<Request>>) {
    return std::forward<R>(result);
  } else {
    static_assert(std::same_as<T, Generator<Request>>,
                  "an entry returns Request, std::vector<Request> or Generator<Request>");
    return result.collect();
  }
}

template <class... Args>
constexpr int speculative_count() {
  return (0 + ... + (Speculative<Args> ? 1 : 0));
}
template <class... Args>
constexpr std::size_t speculative_index() {
  std::size_t index = 0, i = 0;
  ((Speculative<Args> ? (index = i, ++i) : ++i), ...);
  return index;
}

std::string join(const std::vector<std::string>& parts, const char* separator);

// Builds the type-erased entry for `call(args...)` with parameter names `names`.
template <class R, class... Args, class Call>
EntryPoint make_entry_point(std::string name, std::vector<std::string> names, Call call) {
  static_assert((EntryParameter<Args> && ...),
                "entry parameters are std::string, integers, Date or models");
  static_assert(speculative_count<Args...>() <= 1,
                "an entry takes at most one speculative parameter");
  using Tuple = std::tuple<Args...>;
  constexpr bool speculative = speculative_count<Args...>() == 1;

  if (names.size() != sizeof...(Args))
    throw ScraperConfigError("entry '" + name + "' has " + std::to_string(sizeof...(Args)) +
                             " parameters but " + std::to_string(names.size()) + " names");
  EntryPoint ep;
  ep.info.name = name;
  {
    std::size_t i = 0;
    ((ep.info.params.push_back({names[i], kind_of<Args>(), type_name<Args>()}), ++i), ...);
  }
  if constexpr (speculative) ep.info.speculative_param = names[speculative_index<Args...>()];

  // Reads every parameter of `raw` into a tuple, collecting problems.
  auto read_all = [name, names](const Json& raw, Tuple& values) {
    std::vector<std::string> problems;
    if (!raw.is_null() && !raw.is_object())
      throw ScraperConfigError("parameters of entry '" + name + "' must be an object, got " +
                               raw.dump());
    std::vector<std::string> unexpected;
    if (raw.is_object())
      for (const auto& [key, value] : raw.items())
        if (std::find(names.begin(), names.end(), key) == names.end()) unexpected.push_back(key);
    if (!unexpected.empty()) problems.push_back("unexpected parameters: " + join(unexpected, ", "));
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      [[maybe_unused]] auto one = [&](const std::string& pname, auto& slot) {
        if (!raw.is_object() || !raw.contains(pname)) {
          problems.push_back("missing parameter '" + pname + "'");
          return;
        }
        std::string error;
        if (!read_param(raw.at(pname), slot, error))
          problems.push_back("parameter '" + pname + "': " + error);
      };
      (one(names[I], std::get<I>(values)), ...);
    }
    (std::index_sequence_for<Args...>{});
    if (!problems.empty())
      throw ScraperConfigError("invalid parameters for entry '" + name +
                               "': " + join(problems, "; "));
  };

  ep.validate = [read_all, names](const Json& raw) {
    Tuple values;
    read_all(raw, values);
    Json out = Json::object();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[names[I]] = Json(std::get<I>(values))), ...);
    }
    (std::index_sequence_for<Args...>{});
    return out;
  };

  if constexpr (!speculative) {
    ep.invoke = [read_all, call](const Json& params) {
      Tuple values;
      read_all(params, values);
      return to_requests(std::apply(call, std::move(values)));
    };
  } else {
    constexpr std::size_t k = speculative_index<Args...>();
    ep.make_template = [read_all, call, name](const Json& params) {
      Tuple values;
      read_all(params, values);
      const auto& tpl = std::get<k>(values);
      SpeculativeTemplate out;
      out.entry_name = name;
      out.params = params;
      out.seed_range = tpl.seed_range();
      out.max_gap = static_cast<long>(tpl.max_gap());
      out.should_advance = static_cast<bool>(tpl.should_advance);
      out.make_probe = [call, values](long id) {
        Tuple args = values;
        std::get<k>(args) = std::get<k>(values).from_int(id);
        static_assert(std::same_as<std::remove_cvref_t<R>, Request>,
                      "a speculative entry returns a single Request");
        return Request(std::apply(call, std::move(args)));
      };
      return out;
    };
  }
  return ep;
}

}  // namespace entry_detail
}  // namespace uvscrape
