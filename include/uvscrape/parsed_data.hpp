// Data a step yields: ParsedData<T>, and the type-erased
// DataItem the driver receives (a plain JSON item or a deferred validation).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/validation.hpp"

namespace uvscrape {

// An immutable wrapper around one data item; unwrap() returns the held object.
template <class T>
class ParsedData {
 public:
  explicit ParsedData(T value) : value_(std::move(value)) {}
  const T& unwrap() const noexcept { return value_; }

 private:
  T value_;
};

// An integrity hint ("expect between min and max items of these types");
// drivers ignore it.
struct EstimateData {
  std::vector<std::string> expected_types;
  long min_count = 0;
  std::optional<long> max_count;
};

// One data item as the driver sees it.
class DataItem {
 public:
  explicit DataItem(Json value) : value_(std::move(value)) {}
  explicit DataItem(std::shared_ptr<const DeferredItem> deferred)
      : deferred_(std::move(deferred)) {}

  // A typed model (converted with to_json), a DeferredValidation, or JSON.
  template <class T>
  static DataItem from(T value) {
    if constexpr (std::is_base_of_v<DeferredItem, T>)
      return DataItem(std::shared_ptr<const DeferredItem>(std::make_shared<T>(std::move(value))));
    else
      return DataItem(Json(std::move(value)));
  }

  bool is_deferred() const noexcept { return deferred_ != nullptr; }
  // The plain item (null when deferred).
  const Json& value() const noexcept { return value_; }
  // Moves the plain item out (the driver hands it on without a copy).
  Json take_value() && noexcept { return std::move(value_); }
  // The deferred validation (null when plain).
  const std::shared_ptr<const DeferredItem>& deferred() const noexcept { return deferred_; }
  // What on_data receives: the plain item, or the validated model as JSON
  // (throws DataFormatAssumptionException).
  Json confirm() const { return deferred_ ? deferred_->confirm_json() : value_; }

 private:
  Json value_;
  std::shared_ptr<const DeferredItem> deferred_;
};

}  // namespace uvscrape
