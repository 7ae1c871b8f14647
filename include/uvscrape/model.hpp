// Data models: plain structs whose fields are validated from JSON.
//
//   struct CaseData {
//     std::string docket;
//     uvscrape::Date date_filed;             // ISO "YYYY-MM-DD"
//     int page_count = 0;                    // ints also accept "12"
//     std::optional<std::string> judge;      // optional: missing or null -> nullopt
//   };
//   UVSCRAPE_MODEL(CaseData, docket, date_filed, page_count, judge)
//   UVSCRAPE_MODEL_DEFAULTS(CaseData, page_count)   // may be omitted: keeps its initialiser
//
// Every non-optional field without a declared default is required. Field types:
// std::string, bool, integers, double, Date, Json (anything), std::optional<X>,
// std::vector<X> and other models (nested; error locations are paths).
// Validation collects every error as {"loc": [...], "msg": ..., "type": ...}.
// A model converts to Json with nlohmann's `Json j = model;`.
#pragma once

#include <charconv>
#include <concepts>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "uvscrape/date.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"

// --- a preprocessor for-each (up to 256 fields) -----------------------------------------
#define UVSCRAPE_PP_PARENS ()
#define UVSCRAPE_PP_EXPAND(...) \
  UVSCRAPE_PP_EXPAND4(UVSCRAPE_PP_EXPAND4(UVSCRAPE_PP_EXPAND4(UVSCRAPE_PP_EXPAND4(__VA_ARGS__))))
#define UVSCRAPE_PP_EXPAND4(...) \
  UVSCRAPE_PP_EXPAND3(UVSCRAPE_PP_EXPAND3(UVSCRAPE_PP_EXPAND3(UVSCRAPE_PP_EXPAND3(__VA_ARGS__))))
#define UVSCRAPE_PP_EXPAND3(...) \
  UVSCRAPE_PP_EXPAND2(UVSCRAPE_PP_EXPAND2(UVSCRAPE_PP_EXPAND2(UVSCRAPE_PP_EXPAND2(__VA_ARGS__))))
#define UVSCRAPE_PP_EXPAND2(...) \
  UVSCRAPE_PP_EXPAND1(UVSCRAPE_PP_EXPAND1(UVSCRAPE_PP_EXPAND1(UVSCRAPE_PP_EXPAND1(__VA_ARGS__))))
#define UVSCRAPE_PP_EXPAND1(...) __VA_ARGS__
#define UVSCRAPE_PP_FOR_EACH(macro, ctx, ...) \
  __VA_OPT__(UVSCRAPE_PP_EXPAND(UVSCRAPE_PP_FOR_EACH_HELPER(macro, ctx, __VA_ARGS__)))
#define UVSCRAPE_PP_FOR_EACH_HELPER(macro, ctx, a1, ...) \
  macro(ctx, a1) __VA_OPT__(UVSCRAPE_PP_FOR_EACH_AGAIN UVSCRAPE_PP_PARENS(macro, ctx, __VA_ARGS__))
#define UVSCRAPE_PP_FOR_EACH_AGAIN() UVSCRAPE_PP_FOR_EACH_HELPER

#define UVSCRAPE_MODEL_VISIT_FIELD(Type, field) visit(#field, &Type::field);
#define UVSCRAPE_MODEL_DEFAULT_NAME(Type, field) \
  if (name == #field) return true;

// Declares `Type` a model with the listed fields (at the namespace of `Type`).
#define UVSCRAPE_MODEL(Type, ...)                                                       \
  [[maybe_unused]] inline constexpr std::string_view uvscrape_model_name(const Type*) { \
    return #Type;                                                                       \
  }                                                                                     \
  template <class Visitor>                                                              \
  void uvscrape_model_fields(const Type*, Visitor&& visit) {                            \
    UVSCRAPE_PP_FOR_EACH(UVSCRAPE_MODEL_VISIT_FIELD, Type, __VA_ARGS__)                 \
  }                                                                                     \
  [[maybe_unused]] inline void to_json(::uvscrape::Json& j, const Type& value) {        \
    ::uvscrape::model_to_json(j, value);                                                \
  }

// Fields of `Type` that may be missing from the input (they keep their initialiser).
#define UVSCRAPE_MODEL_DEFAULTS(Type, ...)                                                      \
  [[maybe_unused]] inline bool uvscrape_model_has_default(const Type*, std::string_view name) { \
    UVSCRAPE_PP_FOR_EACH(UVSCRAPE_MODEL_DEFAULT_NAME, Type, __VA_ARGS__)                        \
    return false;                                                                               \
  }

namespace uvscrape {

template <class T>
concept Model = requires(const T* p) {
  { uvscrape_model_name(p) } -> std::convertible_to<std::string_view>;
};

template <Model T>
std::string_view model_name() {
  return uvscrape_model_name(static_cast<const T*>(nullptr));
}

namespace model_detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
bool has_default(std::string_view name) {
  if constexpr (requires { uvscrape_model_has_default(static_cast<const T*>(nullptr), name); })
    return uvscrape_model_has_default(static_cast<const T*>(nullptr), name);
  else
    return false;
}

inline void add_error(Json& errors, const Json& loc, std::string msg, std::string type) {
  errors.push_back(Json{{"loc", loc}, {"msg", std::move(msg)}, {"type", std::move(type)}});
}

inline Json child_loc(const Json& loc, Json key) {
  Json out = loc;
  out.push_back(std::move(key));
  return out;
}

// Reads one value of type V from `in`; on failure appends to `errors`, returns false.
template <class V>
bool read_value(const Json& in, V& out, const Json& loc, Json& errors);

template <Model T>
bool read_model(const Json& in, T& out, const Json& loc, Json& errors) {
  if (!in.is_object()) {
    add_error(errors, loc,
              "Input should be a valid dictionary or instance of " + std::string(model_name<T>()),
              "model_type");
    return false;
  }
  bool ok = true;
  uvscrape_model_fields(static_cast<const T*>(nullptr), [&](const char* name, auto member) {
    using Field = std::remove_cvref_t<decltype(out.*member)>;
    const Json field_loc = child_loc(loc, name);
    auto it = in.find(name);
    if (it == in.end()) {
      if constexpr (is_optional<Field>::value) {
        if (!has_default<T>(name)) out.*member = std::nullopt;
      } else if (!has_default<T>(name)) {
        add_error(errors, field_loc, "Field required", "missing");
        ok = false;
      }
      return;
    }
    if (!read_value(*it, out.*member, field_loc, errors)) ok = false;
  });
  return ok;
}

template <class V>
bool read_value(const Json& in, V& out, const Json& loc, Json& errors) {
  if constexpr (is_optional<V>::value) {
    if (in.is_null()) {
      out = std::nullopt;
      return true;
    }
    typename V::value_type inner{};
    if (!read_value(in, inner, loc, errors)) return false;
    out = std::move(inner);
    return true;
  } else if constexpr (std::is_same_v<V, Json>) {
    out = in;
    return true;
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (!in.is_string()) {
      add_error(errors, loc, "Input should be a valid string", "string_type");
      return false;
    }
    out = in.get<std::string>();
    return true;
  } else if constexpr (std::is_same_v<V, bool>) {
    if (in.is_boolean()) {
      out = in.get<bool>();
      return true;
    }
    if (in.is_string()) {
      const std::string s = in.get<std::string>();
      if (s == "true" || s == "1" || s == "yes") return (out = true), true;
      if (s == "false" || s == "0" || s == "no") return (out = false), true;
      add_error(errors, loc, "Input should be a valid boolean, unable to interpret input",
                "bool_parsing");
      return false;
    }
    add_error(errors, loc, "Input should be a valid boolean", "bool_type");
    return false;
  } else if constexpr (std::is_integral_v<V>) {
    if (in.is_number_integer()) {
      if (in.is_number_unsigned()) {
        const auto u = in.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<V>::max())) {
          out = static_cast<V>(u);
          return true;
        }
      } else {
        const auto i = in.get<std::int64_t>();
        if (std::in_range<V>(i)) {
          out = static_cast<V>(i);
          return true;
        }
      }
      add_error(errors, loc, "Input should be a valid integer, out of range", "int_parsing");
      return false;
    }
    if (in.is_number_float()) {
      const double d = in.get<double>();
      if (d == static_cast<double>(static_cast<long long>(d)) &&
          std::in_range<V>(static_cast<long long>(d))) {
        out = static_cast<V>(d);
        return true;
      }
      add_error(errors, loc, "Input should be a valid integer, got a number with a fractional part",
                "int_from_float");
      return false;
    }
    if (in.is_string()) {
      std::string_view s = in.get_ref<const std::string&>();
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      V value{};
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (!s.empty() && ec == std::errc{} && end == s.data() + s.size()) {
        out = value;
        return true;
      }
      add_error(errors, loc,
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing");
      return false;
    }
    add_error(errors, loc, "Input should be a valid integer", "int_type");
    return false;
  } else if constexpr (std::is_floating_point_v<V>) {
    if (in.is_number()) {
      out = in.get<V>();
      return true;
    }
    if (in.is_string()) {
      const std::string& s = in.get_ref<const std::string&>();
      V value{};
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (!s.empty() && ec == std::errc{} && end == s.data() + s.size()) {
        out = value;
        return true;
      }
      add_error(errors, loc, "Input should be a valid number, unable to parse string as a number",
                "float_parsing");
      return false;
    }
    add_error(errors, loc, "Input should be a valid number", "float_type");
    return false;
  } else if constexpr (std::is_same_v<V, Date>) {
    if (!in.is_string()) {
      add_error(errors, loc, "Input should be a valid date", "date_type");
      return false;
    }
    if (auto d = Date::parse_iso(in.get_ref<const std::string&>())) {
      out = *d;
      return true;
    }
    add_error(errors, loc, "Input should be a valid date in the format YYYY-MM-DD", "date_parsing");
    return false;
  } else if constexpr (is_vector<V>::value) {
    if (!in.is_array()) {
      add_error(errors, loc, "Input should be a valid list", "list_type");
      return false;
    }
    V items;
    bool ok = true;
    for (std::size_t i = 0; i < in.size(); ++i) {
      typename V::value_type item{};
      if (read_value(in[i], item, child_loc(loc, i), errors))
        items.push_back(std::move(item));
      else
        ok = false;
    }
    if (ok) out = std::move(items);
    return ok;
  } else if constexpr (Model<V>) {
    return read_model(in, out, loc, errors);
  } else {
    static_assert(sizeof(V) == 0, "unsupported model field type");
  }
}

template <class V>
Json write_value(const V& value) {
  if constexpr (is_optional<V>::value) {
    return value ? write_value(*value) : Json(nullptr);
  } else if constexpr (is_vector<V>::value) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(write_value(item));
    return out;
  } else {
    return Json(value);
  }
}

}  // namespace model_detail

// Validates `raw` into a T; every error goes into `errors` (a JSON array).
template <Model T>
std::optional<T> try_validate(const Json& raw, Json& errors) {
  T out{};
  if (!model_detail::read_model(raw, out, Json::array(), errors)) return std::nullopt;
  return out;
}

// Validates `raw` into a T or throws DataFormatAssumptionException listing every error.
template <Model T>
T validate(const Json& raw, const std::string& request_url = {}) {
  Json errors = Json::array();
  if (auto value = try_validate<T>(raw, errors)) return std::move(*value);
  throw DataFormatAssumptionException(std::move(errors), raw, std::string(model_name<T>()),
                                      request_url);
}

template <Model T>
void model_to_json(Json& j, const T& value) {
  j = Json::object();
  uvscrape_model_fields(static_cast<const T*>(nullptr), [&](const char* name, auto member) {
    j[name] = model_detail::write_value(value.*member);
  });
}

}  // namespace uvscrape
