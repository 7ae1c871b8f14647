// Translation between the scraper's vocabulary (Request, Response) and the HTTP
// client's (HttpRequest, HttpResponse), and from DriverOptions to ClientOptions.
#pragma once

#include <memory>

#include "http/client.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"

namespace uvscrape::driver {

http::ClientOptions client_options(const DriverOptions& options);

// What is sent for `request`: method, URL and params, effective headers and
// cookies, body (form, raw bytes or JSON), TLS and redirect options.
http::HttpRequest to_http_request(const Request& request, const DriverOptions& options,
                                  bool follow_redirects);

// The Response a step sees. The body is moved, not copied; Response::text()
// decides the charset when a step first asks.
Response to_response(http::HttpResponse&& http, std::shared_ptr<const Request> request);

}  // namespace uvscrape::driver
