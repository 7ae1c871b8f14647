// The Bug Civil Court site as a route handler of the project's HTTP server
// core (uvscrape::testing::TestServer): used by bug_court_server and by the
// demo tests, so both serve exactly the same bytes.
#pragma once

#include "test_server.hpp"

namespace bug_court {

// Answers any request from render_site(); HEAD gets the GET length without a
// body; text and JSON are gzip-compressed when the client accepts it.
void serve_site(const uvscrape::testing::ServerRequest& request,
                uvscrape::testing::ServerResponse& response);

// Routes every path of `server` to serve_site.
void install_site(uvscrape::testing::TestServer& server);

}  // namespace bug_court
