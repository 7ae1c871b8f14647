// Scraper registration, entry seeding and the step seam.
#include "uvscrape/scraper.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>

#include "html/selector_tally.hpp"
#include "scraper/response_internals.hpp"
#include "scraper/run_step.hpp"

namespace uvscrape {
namespace {

std::string demangled_class_name(const std::type_info& type) {
  int status = 0;
  char* raw = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && raw ? raw : type.name();
  std::free(raw);
  // Drop namespaces (but not those inside template arguments).
  const auto bracket = name.find('<');
  const auto colons = name.rfind("::", bracket);
  if (colons != std::string::npos) name = name.substr(colons + 2);
  return name;
}

template <class Map>
std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> out;
  for (const auto& [key, value] : map)
    if (key.empty() || key[0] != '_') out.push_back(key);
  return out;
}

// Set while a step runs on this thread: a step that registers steps or entries
// would change the scraper under steps running on other threads (§24).
thread_local bool step_running = false;

void refuse_inside_step(const char* what, const std::string& name) {
  if (step_running)
    throw ScraperConfigError(std::string("a step may not register ") + what + " ('" + name +
                             "'): steps run on several threads and must not modify the scraper");
}

}  // namespace

namespace entry_detail {
std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}
}  // namespace entry_detail

const char* to_string(EntryParamKind kind) noexcept {
  switch (kind) {
    case EntryParamKind::string: return "string";
    case EntryParamKind::integer: return "integer";
    case EntryParamKind::date: return "date";
    case EntryParamKind::model: return "model";
    case EntryParamKind::speculative: return "speculative";
  }
  return "model";
}

ScraperBase::ScraperBase(std::string name) : name_(std::move(name)) {}
ScraperBase::~ScraperBase() = default;

std::string ScraperBase::name() const {
  return name_.empty() ? demangled_class_name(typeid(*this)) : name_;
}

// --- steps -----------------------------------------------------------------------------

void ScraperBase::add_step(std::string name, StepFunction fn, StepOptions options) {
  refuse_inside_step("a step", name);
  if (name.empty()) throw ScraperConfigError("a step needs a name");
  if (!fn) throw ScraperConfigError("step '" + name + "' has no function");
  steps_[std::move(name)] = StepEntry{std::move(fn), options};
}

bool ScraperBase::has_step(std::string_view name) const {
  return steps_.find(name) != steps_.end();
}

std::vector<std::string> ScraperBase::list_steps() const {
  return keys_of(steps_);
}

const StepOptions& ScraperBase::step_options(std::string_view name) const {
  static const StepOptions none;
  auto it = steps_.find(name);
  return it == steps_.end() ? none : it->second.options;
}

std::vector<Yield> ScraperBase::call_step(std::string_view name, const Response& response) {
  auto it = steps_.find(name);
  if (it == steps_.end())
    throw ScraperConfigError("Nonexistent continuation referenced: step '" + std::string(name) +
                             "' is not a step of " + this->name() +
                             " (steps: " + entry_detail::join(list_steps(), ", ") +
                             "; URL: " + response.url + ")");
  return it->second.fn(response);
}

std::vector<Yield> run_step(ScraperBase& scraper, std::string_view step, const Response& response) {
  struct Running {
    bool outer = step_running;
    Running() { step_running = true; }
    ~Running() { step_running = outer; }
  } running;
  // The selectors the step evaluates, kept with the response (also when it
  // throws) for the driver to commit with the request.
  struct Tallied {
    const Response& response;
    html_detail::SelectorTally tally;
    html_detail::SelectorTallyScope scope{tally};
    explicit Tallied(const Response& r) : response(r) {}
    Tallied(const Tallied&) = delete;
    Tallied& operator=(const Tallied&) = delete;
    ~Tallied() {
      if (tally.entries.empty()) return;
      try {
        detail::ResponseAccess::set_selector_tally(
            response, std::make_shared<const html_detail::SelectorTally>(std::move(tally)));
      } catch (...) {
        // Out of memory: the counts of this response are lost, the step's result is not.
      }
    }
  } tallied(response);
  std::vector<Yield> yields = scraper.call_step(step, response);
  for (Yield& y : yields) {
    if (!y.is_request()) continue;
    Request& r = y.request();
    if (r.explicit_priority()) continue;
    if (auto p = scraper.step_options(r.to()).priority) r.priority(*p);
  }
  return yields;
}

// --- entries ---------------------------------------------------------------------------

void ScraperBase::add_entry(EntryPoint entry) {
  const std::string name = entry.info.name;
  refuse_inside_step("an entry", name);
  if (name.empty()) throw ScraperConfigError("an entry needs a name");
  entries_[name] = std::move(entry);
}

const EntryPoint& ScraperBase::find_entry(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end())
    throw ScraperConfigError("unknown entry '" + std::string(name) + "' of " + this->name() +
                             " (entries: " + entry_detail::join(list_entries(), ", ") + ")");
  return it->second;
}

std::vector<std::string> ScraperBase::list_entries() const {
  return keys_of(entries_);
}

const EntryInfo& ScraperBase::entry_info(std::string_view name) const {
  return find_entry(name).info;
}

Json ScraperBase::entries_schema() const {
  Json out = Json::array();
  for (const auto& [name, ep] : entries_) {
    Json params = Json::array();
    for (const auto& p : ep.info.params)
      params.push_back({{"name", p.name}, {"type", p.type_name}, {"kind", to_string(p.kind)}});
    out.push_back({{"name", name},
                   {"params", std::move(params)},
                   {"speculative_param",
                    ep.info.speculative_param ? Json(*ep.info.speculative_param) : Json(nullptr)}});
  }
  return out;
}

Json ScraperBase::validate_params(std::string_view entry, const Json& raw) const {
  return find_entry(entry).validate(raw);
}

std::vector<Request> ScraperBase::initial_seed(const Json& invocations) {
  if (!invocations.is_array() || invocations.empty())
    throw ScraperConfigError(
        "initial_seed needs a non-empty list of invocations [{\"entry\": {params}}], got " +
        invocations.dump());
  std::vector<Request> out;
  for (const Json& invocation : invocations) {
    if (!invocation.is_object())
      throw ScraperConfigError("an invocation is an object {\"entry\": {params}}, got " +
                               invocation.dump());
    for (const auto& [name, raw] : invocation.items()) {
      const EntryPoint& ep = find_entry(name);
      const Json params = ep.validate(raw);
      if (ep.info.is_speculative()) {
        auto& list = templates_[name];
        SpeculativeTemplate tpl = ep.make_template(params);
        tpl.param_index = static_cast<int>(list.size());
        list.push_back(std::move(tpl));
      } else {
        for (Request& r : ep.invoke(params)) out.push_back(std::move(r));
      }
    }
  }
  return out;
}

std::vector<Request> ScraperBase::entry_requests(const std::optional<Json>& seed_params) {
  if (seed_params && !seed_params->is_null()) return initial_seed(*seed_params);
  Json defaults = Json::array();
  for (const auto& [name, ep] : entries_)
    if (!ep.info.is_speculative() && ep.info.params.empty() && name[0] != '_')
      defaults.push_back(Json{{name, Json::object()}});
  if (!defaults.empty()) return initial_seed(defaults);
  return get_entry();
}

std::vector<Request> ScraperBase::get_entry() {
  throw ScraperConfigError(name() +
                           " must implement get_entry() or register parameterless entries");
}

// --- HTTP outcome ------------------------------------------------------------------------

StatusClass ScraperBase::classify_status(int status_code, const Headers&, std::string_view) const {
  return statuses_.classify(status_code);
}

bool ScraperBase::fails_successfully(const Response&) const {
  return true;
}

}  // namespace uvscrape
