#include "uvscrape/response.hpp"

namespace uvscrape {

Response::Response(int status_code, Headers headers, std::string content, std::string url,
                   std::shared_ptr<const Request> request)
    : status_code(status_code),
      headers(std::move(headers)),
      content(std::move(content)),
      url(std::move(url)),
      request(std::move(request)) {}

Response::~Response() = default;

const Json& Response::json() const {
  if (!json_) {
    try {
      json_ = std::make_shared<const Json>(Json::parse(text()));
    } catch (const Json::parse_error& e) {
      throw ScraperAssumptionException(std::string("Failed to parse JSON: ") + e.what(), url,
                                       ErrorContext{{"error", e.what()}});
    }
  }
  return *json_;
}

const std::shared_ptr<const std::string>& Response::shared_url() const {
  if (!shared_url_ || *shared_url_ != url) shared_url_ = std::make_shared<const std::string>(url);
  return shared_url_;
}

}  // namespace uvscrape
