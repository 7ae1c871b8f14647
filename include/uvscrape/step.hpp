// Steps: C++20 coroutines that yield what a scraper found on a page.
//
//   Step parse_list(const Response& response) {
//     for (auto& href : response.page().checked_xpath_strings("//a[@class='case']/@href",
//                                                             "case links"))
//       co_yield Request::get(href).to("parse_case");   // resolved by the driver
//     CaseSummary summary{...};
//     co_yield ParsedData(std::move(summary));   // a model: see below for g++
//   }
//
// A step may yield ParsedData<T> (T a model or JSON), a plain Json item, a model,
// a DeferredValidation<T>, a Request, or EstimateData (ignored by drivers).
// A step may also be a plain function returning std::vector<Yield>.
//
// Models are aggregates, which g++ before 14 miscompiles when they are built
// inside co_yield; uvscrape/generator.hpp refuses that at compile time and
// says what to write instead. g++ 12 also rejects a braced list inside
// co_yield ("array used as initializer"): build such a value in a local first.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "uvscrape/errors.hpp"
#include "uvscrape/generator.hpp"
#include "uvscrape/model.hpp"
#include "uvscrape/parsed_data.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/validation.hpp"

namespace uvscrape {

// One thing a step yielded.
class Yield {
 public:
  Yield(Request request) : value_(std::move(request)) {}
  Yield(EstimateData estimate) : value_(std::move(estimate)) {}
  Yield(DataItem item) : value_(std::move(item)) {}
  template <class J>
  requires std::same_as<std::remove_cvref_t<J>, Json> Yield(J&& item)
      : value_(DataItem(std::forward<J>(item))) {}
  template <class T>
  Yield(ParsedData<T> data) : value_(DataItem::from(data.unwrap())) {}
  template <Model T>
  Yield(DeferredValidation<T> item) : value_(DataItem::from(std::move(item))) {}
  template <Model T>
  Yield(T model) : value_(DataItem::from(std::move(model))) {}

  bool is_request() const noexcept { return std::holds_alternative<Request>(value_); }
  bool is_data() const noexcept { return std::holds_alternative<DataItem>(value_); }
  bool is_estimate() const noexcept { return std::holds_alternative<EstimateData>(value_); }

  Request& request() { return std::get<Request>(value_); }
  const Request& request() const { return std::get<Request>(value_); }
  const DataItem& data() const { return std::get<DataItem>(value_); }
  const EstimateData& estimate() const { return std::get<EstimateData>(value_); }

  std::variant<DataItem, Request, EstimateData>& value() noexcept { return value_; }
  const std::variant<DataItem, Request, EstimateData>& value() const noexcept { return value_; }

 private:
  std::variant<DataItem, Request, EstimateData> value_;
};

using Step = Generator<Yield>;

}  // namespace uvscrape
