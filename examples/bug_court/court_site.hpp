// The Bug Civil Court web site as a pure function: a request line in, a status
// and a body out. The HTTP server around it only moves bytes; tests can call
// it directly.
#pragma once

#include <string>
#include <string_view>

namespace bug_court {

struct SitePage {
  int status = 200;
  std::string content_type;  // e.g. "text/html; charset=utf-8"
  std::string body;
};

// `target` is the request target: a path with an optional query string.
// GET and HEAD are served (HEAD gets the GET body; the server drops it);
// anything else is 405.
SitePage render_site(std::string_view method, std::string_view target);

}  // namespace bug_court
