// Scrapers: named steps and entry points, and the scraper's own classification
// of HTTP statuses. The driver runs a step through one seam (a Response in, the
// list of yields out: docs/design.md §16).
//
//   class CourtScraper : public uvscrape::Scraper<CaseData> {
//    public:
//     CourtScraper() {
//       entry("get_cases", &CourtScraper::get_cases);
//       entry("fetch_case", &CourtScraper::fetch_case, {"case_id"});
//       step("parse_list", &CourtScraper::parse_list);
//       step("parse_case", &CourtScraper::parse_case);
//     }
//     std::vector<Request> get_cases() { return {Request::get(base + "/cases").to("parse_list")}; }
//     Request fetch_case(SpeculativeRange case_id) { ... }
//     Step parse_list(const Response& response) { ... co_yield ...; }
//     Step parse_case(const Response& response) { ... }
//   };
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uvscrape/entry.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/status.hpp"
#include "uvscrape/step.hpp"

namespace uvscrape {

// A ceiling a scraper declares for the sites it crawls: at most `requests` per
// `per` to any one host (the reference's `rate_limits`). The driver enforces it
// as a token bucket of rate requests/per and burst 1, together with its own
// per-host options; the stricter wins (docs/design.md §19).
struct RateLimit {
  double requests = 1;
  std::chrono::duration<double> per{1.0};
};

struct StepOptions {
  // Given to yielded requests for this step that set no priority of their own.
  std::optional<int> priority;
};

// A step as the scraper stores it: every yield, in order.
using StepFunction = std::function<std::vector<Yield>(const Response&)>;

class ScraperBase {
 public:
  virtual ~ScraperBase();
  ScraperBase(const ScraperBase&) = delete;
  ScraperBase& operator=(const ScraperBase&) = delete;

  // The name reported to on_run_start/on_run_complete: the one given to the
  // constructor, else the class name without namespaces.
  std::string name() const;

  // --- steps ------------------------------------------------------------------------
  bool has_step(std::string_view name) const;
  // Alphabetical.
  std::vector<std::string> list_steps() const;
  const StepOptions& step_options(std::string_view name) const;
  // Runs the step to its end and returns its yields, in order (the driver then
  // gives yielded requests without a priority their step's StepOptions::priority).
  // ScraperConfigError naming the step if there is none.
  std::vector<Yield> call_step(std::string_view name, const Response& response);

  // --- entries ------------------------------------------------------------------------
  // Alphabetical.
  std::vector<std::string> list_entries() const;
  const EntryInfo& entry_info(std::string_view name) const;
  // [{"name", "params": [{"name", "type", "kind"}], "speculative_param"}], alphabetical.
  Json entries_schema() const;
  // Checks and coerces one entry's raw parameters (ScraperConfigError listing
  // every problem: unexpected, missing, badly typed).
  Json validate_params(std::string_view entry, const Json& raw) const;
  // `invocations` = [{entry: {param: value}}, ...]. Non-speculative entries are
  // called and their requests returned in order; speculative ones store a
  // template (see speculative_templates()) and return nothing.
  std::vector<Request> initial_seed(const Json& invocations);
  // What a run starts with: initial_seed(seed_params) when given; else every
  // parameterless non-speculative entry (alphabetical); else get_entry().
  std::vector<Request> entry_requests(const std::optional<Json>& seed_params = std::nullopt);
  // The start of a scraper without registered entries. Default: ScraperConfigError.
  virtual std::vector<Request> get_entry();
  // Speculative templates stored by initial_seed, by entry name (alphabetical),
  // in the order they were given. Never cleared.
  const std::map<std::string, std::vector<SpeculativeTemplate>, std::less<>>&
  speculative_templates() const noexcept {
    return templates_;
  }

  // --- HTTP outcome -------------------------------------------------------------------
  // Default: the status classifier's verdict (headers and body are for overrides).
  virtual StatusClass classify_status(int status_code, const Headers& headers,
                                      std::string_view body) const;
  const StatusClassifier& status_classifier() const noexcept { return statuses_; }
  // False for a "soft 404": a 2xx page that says the thing does not exist.
  // Only speculation uses it. Default: true.
  virtual bool fails_successfully(const Response& response) const;
  // Whether the driver follows redirects for this scraper (default false: a 3xx
  // reaches classification, where it is persistent unless marked successful).
  bool follow_redirects() const noexcept { return follow_redirects_; }
  // The scraper's declared ceilings (none by default).
  const std::vector<RateLimit>& rate_limits() const noexcept { return rate_limits_; }

 protected:
  explicit ScraperBase(std::string name = {});

  // Registers a step: a member coroutine `Step f(const Response&)`, a member
  // `std::vector<Yield> f(const Response&)`, or any callable returning either.
  template <class S, class R>
  void step(std::string name, R (S::*fn)(const Response&), StepOptions options = {}) {
    S* self = static_cast<S*>(this);
    add_step(
        std::move(name), [self, fn](const Response& r) { return collect((self->*fn)(r)); },
        options);
  }
  template <class S, class R>
  void step(std::string name, R (S::*fn)(const Response&) const, StepOptions options = {}) {
    const S* self = static_cast<const S*>(this);
    add_step(
        std::move(name), [self, fn](const Response& r) { return collect((self->*fn)(r)); },
        options);
  }
  template <class F>
  requires std::invocable<F&, const Response&>
  void step(std::string name, F fn, StepOptions options = {}) {
    add_step(
        std::move(name), [fn = std::move(fn)](const Response& r) mutable { return collect(fn(r)); },
        options);
  }

  // Registers an entry point; `param_names` names every parameter, in order.
  template <class S, class R, class... Args>
  void entry(std::string name, R (S::*fn)(Args...), std::vector<std::string> param_names = {}) {
    S* self = static_cast<S*>(this);
    add_entry(entry_detail::make_entry_point<R, std::remove_cvref_t<Args>...>(
        std::move(name), std::move(param_names),
        [self, fn](std::remove_cvref_t<Args>... args) { return (self->*fn)(std::move(args)...); }));
  }
  template <class S, class R, class... Args>
  void entry(std::string name, R (S::*fn)(Args...) const,
             std::vector<std::string> param_names = {}) {
    const S* self = static_cast<const S*>(this);
    add_entry(entry_detail::make_entry_point<R, std::remove_cvref_t<Args>...>(
        std::move(name), std::move(param_names),
        [self, fn](std::remove_cvref_t<Args>... args) { return (self->*fn)(std::move(args)...); }));
  }

  // Status overrides, e.g. `statuses().set({500}, StatusClass::transient)`.
  StatusClassifier& statuses() noexcept { return statuses_; }
  void set_follow_redirects(bool on) noexcept { follow_redirects_ = on; }
  // Declares the scraper's rate ceilings, e.g. `set_rate_limits({{1, 1s}})`.
  void set_rate_limits(std::vector<RateLimit> limits) { rate_limits_ = std::move(limits); }

 private:
  struct StepEntry {
    StepFunction fn;
    StepOptions options;
  };
  static std::vector<Yield> collect(Step step) { return step.collect(); }
  static std::vector<Yield> collect(std::vector<Yield> yields) { return yields; }
  void add_step(std::string name, StepFunction fn, StepOptions options);
  void add_entry(EntryPoint entry);
  const EntryPoint& find_entry(std::string_view name) const;

  std::string name_;
  std::map<std::string, StepEntry, std::less<>> steps_;
  std::map<std::string, EntryPoint, std::less<>> entries_;
  std::map<std::string, std::vector<SpeculativeTemplate>, std::less<>> templates_;
  StatusClassifier statuses_;
  bool follow_redirects_ = false;
  std::vector<RateLimit> rate_limits_;
};

// A scraper whose data items are of type T (a model, or Json).
template <class T = Json>
class Scraper : public ScraperBase {
  static_assert(Model<T> || std::same_as<T, Json>, "a scraper's data type is a model or Json");

 protected:
  explicit Scraper(std::string name = {}) : ScraperBase(std::move(name)) {}
};

}  // namespace uvscrape
