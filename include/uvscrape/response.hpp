// What a step receives (docs/design.md §12).
//
// `url` is the final URL after redirects; the fetched Request and the redirect
// chain stay available. `page()` and `json()` parse the body on first use and
// cache the result on the Response.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/cookie_jar.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/page.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape {

namespace detail {
struct ResponseAccess;  // src/scraper/response_internals.hpp
}
namespace html_detail {
struct SelectorTally;  // src/html/selector_tally.hpp
}

class Response {
 public:
  Response() = default;
  Response(int status_code, Headers headers, std::string content, std::string url,
           std::shared_ptr<const Request> request);
  Response(const Response&) = default;
  Response(Response&&) noexcept = default;
  Response& operator=(const Response&) = default;
  Response& operator=(Response&&) noexcept = default;
  virtual ~Response();

  int status_code = 0;
  Headers headers;
  std::string content;                      // the body bytes (Content-Encoding already removed)
  std::string url;                          // the final URL, after redirects
  std::vector<std::string> redirect_chain;  // URLs fetched before `url`, in order
  std::shared_ptr<const Request> request;   // the request that was fetched

  // The body as UTF-8 text, decoded on first use by the one charset rule: a
  // byte order mark, else the Content-Type charset, else a <meta> charset in
  // the first 1024 bytes, else UTF-8 (only the WHATWG Encoding Standard's
  // labels count; others are ignored). Bytes that do not decode become U+FFFD.
  // It is `content` itself (no copy) when the body is valid UTF-8 already.
  const std::string& text() const;

  // text() parsed as HTML (once). Throws ScraperAssumptionException naming the
  // URL when it cannot be parsed (see Page::parse).
  const Page& page() const;
  // text() parsed as JSON (once). Throws ScraperAssumptionException
  // ("Failed to parse JSON: ...") naming the URL.
  const Json& json() const;

  // The fetched request's accumulated data ({} when none).
  const Json& accumulated_data() const noexcept;

  // The cookies the request's jar held for `url` once this response's own
  // Set-Cookie headers were stored, in Cookie-header order (docs/design.md
  // §21). A snapshot: reading it never touches the jar. Empty when cookies are off.
  const std::vector<Cookie>& cookies() const noexcept;

  // The stored file of an archive request; nullopt for ordinary responses.
  virtual std::optional<std::string_view> local_filepath() const { return std::nullopt; }

 private:
  friend struct detail::ResponseAccess;
  // `url` in a shared string, so that every request yielded from this response
  // shares one copy as its current location.
  const std::shared_ptr<const std::string>& shared_url() const;

  mutable bool text_decoded_ = false;
  mutable std::shared_ptr<const std::string> text_;  // null: text() is `content`
  mutable std::shared_ptr<const Page> page_;
  mutable std::shared_ptr<const Json> json_;
  mutable std::shared_ptr<const std::string> shared_url_;
  std::shared_ptr<const std::vector<Cookie>> cookies_;  // shared by copies
  // The selectors the step evaluated on this response (set by the step's run).
  mutable std::shared_ptr<const html_detail::SelectorTally> selectors_;
};

// The response to an archive request: the body has been stored by the driver.
class ArchiveResponse : public Response {
 public:
  ArchiveResponse() = default;
  ArchiveResponse(Response response, std::string file_path)
      : Response(std::move(response)), file_path(std::move(file_path)) {}

  std::string file_path;  // where the file was stored (or what on_archive returned)

  std::optional<std::string_view> local_filepath() const override { return file_path; }
};

}  // namespace uvscrape
