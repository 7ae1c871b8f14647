// Members of HttpResponse (src/http/client.hpp).
#include "http/charset.hpp"
#include "http/client.hpp"

namespace uvscrape::http {

std::string HttpResponse::text() const {
  return decode_text(body, headers.get("Content-Type").value_or(std::string_view()));
}

}  // namespace uvscrape::http
