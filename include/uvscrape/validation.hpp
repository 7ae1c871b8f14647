// Deferred validation (contract §7): a step yields raw fields now, the driver
// validates them later, so one bad field does not lose the whole page.
//
//   co_yield deferred<CaseData>({{"docket", docket}, {"date_filed", filed}}, response.url);
//
// The driver calls confirm(): success goes to on_data, a DataFormatAssumptionException
// (listing every field error) to on_invalid_data with this wrapper.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/model.hpp"

namespace uvscrape {

// The type-erased view the driver works with.
class DeferredItem {
 public:
  virtual ~DeferredItem() = default;
  virtual std::string model_name() const = 0;
  virtual const std::string& request_url() const noexcept = 0;
  // A copy of the raw fields: mutating it does not affect the item.
  virtual Json raw_data() const = 0;
  // The validated model as JSON; throws DataFormatAssumptionException.
  virtual Json confirm_json() const = 0;
};

template <Model T>
class DeferredValidation final : public DeferredItem {
 public:
  explicit DeferredValidation(Json raw, std::string request_url = {})
      : raw_(std::move(raw)), request_url_(std::move(request_url)) {}

  // The validated model, or DataFormatAssumptionException listing every error.
  // May be called any number of times.
  T confirm() const { return validate<T>(raw_, request_url_); }

  std::string model_name() const override { return std::string(uvscrape::model_name<T>()); }
  const std::string& request_url() const noexcept override { return request_url_; }
  Json raw_data() const override { return raw_; }
  Json confirm_json() const override { return Json(confirm()); }

 private:
  Json raw_;
  std::string request_url_;
};

// `deferred<CaseData>(raw, response.url)`.
template <Model T>
DeferredValidation<T> deferred(Json raw, std::string request_url = {}) {
  return DeferredValidation<T>(std::move(raw), std::move(request_url));
}

}  // namespace uvscrape
