#include "site_handler.hpp"

#include "court_site.hpp"

namespace bug_court {

using uvscrape::testing::ContentEncoding;
using uvscrape::testing::ServerRequest;
using uvscrape::testing::ServerResponse;

namespace {

bool accepts_gzip(const ServerRequest& request) {
  auto accept = request.header("Accept-Encoding");
  return accept && accept->find("gzip") != std::string::npos;
}

}  // namespace

void serve_site(const ServerRequest& request, ServerResponse& response) {
  SitePage page = render_site(request.method, request.target);
  response.status = page.status;
  response.header("Content-Type", page.content_type);
  if (request.method == "HEAD") {
    response.header("Content-Length", std::to_string(page.body.size()));
    return;
  }
  bool textual =
      page.content_type.rfind("text/", 0) == 0 || page.content_type == "application/json";
  if (textual && accepts_gzip(request)) response.encoding = ContentEncoding::gzip;
  response.body = std::move(page.body);
}

void install_site(uvscrape::testing::TestServer& server) {
  server.route("*", "/*", serve_site);
}

}  // namespace bug_court
