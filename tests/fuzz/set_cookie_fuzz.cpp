// Fuzz target: Set-Cookie headers as servers send them, into the cookie jar.
//
// Input: the first line = the URL the response came from (when it is not an
// http(s) URL, "http://www.example.org/app/page" is used); every further line =
// one Set-Cookie header value.
//
// Properties: storing never throws; every stored cookie is one the URL's host
// may set (host-only for that host, or a domain the host is inside), has a path
// starting with '/', and fits the size limit; the Cookie header for the URL is
// made of stored cookies only, longer paths first; the jar's JSON reads back
// into a jar with the same JSON and the same Cookie header.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "http/cookie_jar.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/url.hpp"

namespace {
constexpr const char* kTarget = "set_cookie";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using uvscrape::fuzz::check;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t first_line = input.find('\n');
  std::optional<uvscrape::Url> url;
  try {
    url = uvscrape::Url::parse(input.substr(0, first_line));
  } catch (const uvscrape::UrlError&) {
    url = uvscrape::Url::parse("http://www.example.org/app/page");
  }
  input = first_line == std::string_view::npos ? "" : input.substr(first_line + 1);

  const auto fixed_now = uvscrape::Cookie::Clock::time_point(std::chrono::seconds(1'700'000'000));
  uvscrape::CookieJar jar(8, 32);
  jar.set_clock([fixed_now] { return fixed_now; });
  while (!input.empty()) {
    const size_t end = input.find('\n');
    jar.store(*url, input.substr(0, end));
    input = end == std::string_view::npos ? "" : input.substr(end + 1);
  }
  check(jar.size() <= 32, kTarget, "the jar keeps its total limit");

  const bool ip = uvscrape::http::is_ip_host(*url);
  for (const uvscrape::Cookie& c : jar.all()) {
    check(c.host_only ? c.domain == url->host()
                      : uvscrape::http::domain_match(url->host(), c.domain, ip),
          kTarget, "a stored cookie belongs to the host that set it");
    check(!c.host_only || !ip || c.domain == url->host(), kTarget, "an IP host is host-only");
    check(!c.path.empty() && c.path.front() == '/', kTarget, "a path starts with '/'");
    check(c.name.size() + c.value.size() <= uvscrape::CookieJar::max_cookie_bytes, kTarget,
          "a cookie fits the size limit");
    check(!c.host_only || c.domain == url->host(), kTarget, "host-only is the host");
  }
  const auto sent = jar.peek(*url);
  for (size_t i = 1; i < sent.size(); ++i) {
    check(sent[i - 1].path.size() >= sent[i].path.size(), kTarget, "longer paths go first");
  }
  check(sent.size() <= jar.size(), kTarget, "only stored cookies are sent");

  const uvscrape::Json saved = jar.to_json();
  uvscrape::CookieJar again;
  again.set_clock([fixed_now] { return fixed_now; });
  again.from_json(uvscrape::Json::parse(saved.dump()));
  check(again.to_json() == saved, kTarget, "to_json -> from_json -> to_json is stable");
  check(again.cookie_header(*url) == jar.cookie_header(*url), kTarget,
        "an imported jar sends the same Cookie header");
  return 0;
}
