// Request storage: inline common fields, a copy-on-write extras block, shared
// permanent headers/cookies, interned continuation names.
#include "uvscrape/request.hpp"

#include <mutex>
#include <unordered_set>

#include "scraper/request_internals.hpp"

namespace uvscrape {
namespace {

const NameValueList kNoPairs;
const RequestBody kNoBody;
const std::optional<Json> kNoJson;
const std::optional<std::string> kNoString;
const std::optional<SpeculationId> kNoSpeculation;
const std::string kEmpty;
const Json kEmptyObject = Json::object();

// Step names are few and live for the whole program: keep one copy of each.
const std::string* intern(std::string name) {
  if (name.empty()) return nullptr;
  static std::mutex mutex;
  static std::unordered_set<std::string>* names = new std::unordered_set<std::string>();
  std::lock_guard<std::mutex> lock(mutex);
  return &*names->insert(std::move(name)).first;
}

}  // namespace

void upsert(NameValueList& list, std::string name, std::string value, bool case_insensitive) {
  for (auto& [n, v] : list) {
    if (case_insensitive ? iequals(n, name) : n == name) {
      v = std::move(value);
      return;
    }
  }
  list.emplace_back(std::move(name), std::move(value));
}

NameValueList overlay(const NameValueList& base, const NameValueList& top, bool case_insensitive) {
  NameValueList out = base;
  for (const auto& [n, v] : top) upsert(out, n, v, case_insensitive);
  return out;
}

Request::Request(HttpMethod method, std::string url) : url_(std::move(url)), method_(method) {}

Request::Extras& Request::mutable_extras() {
  if (!extras_)
    extras_ = std::make_shared<Extras>();
  else if (extras_.use_count() > 1)
    extras_ = std::make_shared<Extras>(*extras_);
  return *extras_;
}

Request::Permanent& Request::mutable_permanent() {
  auto fresh =
      permanent_ ? std::make_shared<Permanent>(*permanent_) : std::make_shared<Permanent>();
  Permanent& ref = *fresh;
  permanent_ = std::move(fresh);
  return ref;
}

// --- setters ----------------------------------------------------------------------------

void Request::set_to(std::string step) {
  continuation_ = intern(std::move(step));
}
void Request::set_accumulated_data(Json data) {
  // Json is a value type: this is a deep copy of whatever the caller passed.
  accumulated_data_ = std::move(data);
}
void Request::set_priority(int value) {
  priority_ = value;
  has_priority_ = true;
}
void Request::set_params(NameValueList pairs) {
  mutable_extras().params = std::move(pairs);
}
void Request::set_param(std::string name, std::string value) {
  mutable_extras().params.emplace_back(std::move(name), std::move(value));
}
void Request::set_form(NameValueList pairs) {
  mutable_extras().body = std::move(pairs);
}
void Request::set_body(std::string bytes) {
  mutable_extras().body = std::move(bytes);
}
void Request::set_json(Json value) {
  mutable_extras().json = std::move(value);
}
void Request::set_header(std::string name, std::string value) {
  upsert(mutable_extras().headers, std::move(name), std::move(value), true);
}
void Request::set_headers(NameValueList pairs) {
  mutable_extras().headers = std::move(pairs);
}
void Request::set_cookie(std::string name, std::string value) {
  upsert(mutable_extras().cookies, std::move(name), std::move(value), false);
}
void Request::set_cookies(NameValueList pairs) {
  mutable_extras().cookies = std::move(pairs);
}
void Request::set_proxy(std::string url) {
  mutable_extras().proxy = std::move(url);
}

void Request::set_no_proxy() {
  mutable_extras().proxy = std::string();
}

const std::optional<std::string>& Request::proxy() const noexcept {
  static const std::optional<std::string> none;
  return extras_ ? extras_->proxy : none;
}

void Request::set_timeout(double seconds) {
  mutable_extras().timeout = seconds;
}
void Request::set_dedup_key(std::string key) {
  mutable_extras().explicit_key = std::move(key);
  dedup_mode_ = DedupMode::explicit_key;
}
void Request::set_dedup_key(SkipDeduplication) {
  if (extras_ && !extras_->explicit_key.empty()) mutable_extras().explicit_key.clear();
  dedup_mode_ = DedupMode::skip;
}
void Request::set_archive(std::string expected_type) {
  archive_ = true;
  if (!expected_type.empty()) mutable_extras().expected_type = std::move(expected_type);
}
void Request::set_expected_type(std::string type) {
  mutable_extras().expected_type = std::move(type);
}
void Request::set_permanent_header(std::string name, std::string value) {
  upsert(mutable_permanent().headers, std::move(name), std::move(value), true);
}
void Request::set_permanent_cookie(std::string name, std::string value) {
  upsert(mutable_permanent().cookies, std::move(name), std::move(value), false);
}
void Request::set_cookie_jar(std::string name) {
  mutable_permanent().cookie_jar = std::move(name);
}
void Request::set_current_location(std::string url) {
  current_location_ = url.empty() ? nullptr : std::make_shared<const std::string>(std::move(url));
}
void Request::set_speculative(SpeculationId id) {
  speculative_ = true;
  mutable_extras().speculation_id = std::move(id);
}

// --- getters ----------------------------------------------------------------------------

const NameValueList& Request::params() const noexcept {
  return extras_ ? extras_->params : kNoPairs;
}
const RequestBody& Request::body() const noexcept {
  return extras_ ? extras_->body : kNoBody;
}
const std::optional<Json>& Request::json() const noexcept {
  return extras_ ? extras_->json : kNoJson;
}
const NameValueList& Request::headers() const noexcept {
  return extras_ ? extras_->headers : kNoPairs;
}
const NameValueList& Request::cookies() const noexcept {
  return extras_ ? extras_->cookies : kNoPairs;
}
const NameValueList& Request::permanent_headers() const noexcept {
  return permanent_ ? permanent_->headers : kNoPairs;
}
const NameValueList& Request::permanent_cookies() const noexcept {
  return permanent_ ? permanent_->cookies : kNoPairs;
}
const std::string& Request::cookie_jar() const noexcept {
  static const std::string kDefaultJar;
  return permanent_ && permanent_->cookie_jar ? *permanent_->cookie_jar : kDefaultJar;
}
NameValueList Request::effective_headers() const {
  return overlay(permanent_headers(), headers(), true);
}
NameValueList Request::effective_cookies() const {
  return overlay(permanent_cookies(), cookies(), false);
}
std::optional<double> Request::timeout() const noexcept {
  return extras_ ? extras_->timeout : std::nullopt;
}
const std::string& Request::to() const noexcept {
  return continuation_ ? *continuation_ : kEmpty;
}
const std::string& Request::current_location() const noexcept {
  return current_location_ ? *current_location_ : kEmpty;
}
const Json& Request::accumulated_data() const noexcept {
  return accumulated_data_.is_null() ? kEmptyObject : accumulated_data_;
}
int Request::priority() const noexcept {
  if (has_priority_) return priority_;
  return archive_ ? default_archive_priority : default_priority;
}
std::optional<int> Request::explicit_priority() const noexcept {
  return has_priority_ ? std::optional<int>(priority_) : std::nullopt;
}
const std::optional<std::string>& Request::expected_type() const noexcept {
  return extras_ ? extras_->expected_type : kNoString;
}
const std::optional<SpeculationId>& Request::speculation_id() const noexcept {
  return extras_ ? extras_->speculation_id : kNoSpeculation;
}
std::optional<std::string> Request::json_text() const {
  if (!extras_ || !extras_->json) return std::nullopt;
  return extras_->json->dump();
}

}  // namespace uvscrape
