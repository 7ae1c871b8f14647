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

const std::vector<Cookie>& Response::cookies() const noexcept {
  static const std::vector<Cookie> none;
  return cookies_ ? *cookies_ : none;
}

const std::string& Response::text() const {
  if (!text_decoded_) {
    const std::string_view content_type = headers.get("content-type").value_or("");
    if (auto decoded =
            http::decode_if_needed(content, http::decide_charset(content, content_type))) {
      text_ = std::make_shared<const std::string>(std::move(*decoded));
    }
    text_decoded_ = true;
  }
  return text_ ? *text_ : content;
}

const Page& Response::page() const {
  if (!page_) {
    // From text(), so that pages and text agree on the charset. Its decoding
    // leaves valid UTF-8 (http/charset.hpp): a text of its own always;
    // `content` itself when checked by this very call, not by an earlier
    // text(), since `content` may have been changed since.
    const bool checked_now = !text_decoded_;
    const std::string& decoded = text();
    page_ = std::make_shared<const Page>(checked_now || text_
                                             ? Page::parse_valid_utf8(decoded, url)
                                             : Page::parse(decoded, url));
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
