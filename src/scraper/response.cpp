#include "uvscrape/response.hpp"

#include "http/charset.hpp"
#include "uvscrape/page.hpp"

namespace uvscrape {

Response::Response(int status_code, Headers headers, std::string content, std::string url,
                   std::shared_ptr<const Request> request)
    : status_code(status_code),
      headers(std::move(headers)),
      content(std::move(content)),
      url(std::move(url)),
      request(std::move(request)) {}

Response::~Response() = default;

const Json& Response::accumulated_data() const noexcept {
  static const Json empty = Json::object();
  return request ? request->accumulated_data() : empty;
}

const Page& Response::page() const {
  // Parsed from the raw bytes: a charset in Content-Type wins (as in text()),
  // otherwise the HTML parser applies <meta charset>.
  if (!page_) {
    const std::string_view charset =
        http::charset_from_content_type(headers.get("content-type").value_or(""));
    page_ = std::make_shared<const Page>(Page::parse(content, url, charset));
  }
  return *page_;
}

const Json& Response::json() const {
  if (!json_) json_ = std::make_shared<const Json>(parse_json(text(), url));
  return *json_;
}

const std::shared_ptr<const std::string>& Response::shared_url() const {
  if (!shared_url_ || *shared_url_ != url) shared_url_ = std::make_shared<const std::string>(url);
  return shared_url_;
}

}  // namespace uvscrape
