// DriverOptions::cookies_file: every cookie jar of a Driver in one JSON file
// (docs/sessions-cookies-proxies.md, "Cookies"):
//
//   {"format": "uvscrape-cookie-jars", "version": 1,
//    "jars": {"": <CookieJar::to_json()>, "alice": <CookieJar::to_json()>}}
#pragma once

#include <uv.h>

#include <exception>
#include <functional>
#include <map>
#include <string>

#include "uvscrape/cookie_jar.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::driver {

using CookieJars = std::map<std::string, CookieJar, std::less<>>;

// Reads `path` into `jars` (a missing file leaves them as they are). Blocks on
// the disk: the Driver calls it from its constructor, never on the loop.
// Throws ScraperConfigError naming the file when it cannot be read or parsed.
void load_cookies_file(const std::string& path, CookieJars& jars);

// Adds the jars of a cookie_jars_document() to `jars` (a cookie already
// there with the same name, domain and path is replaced). Throws
// ScraperConfigError starting with `where` when it is not one.
void load_cookie_jars(const Json& document, CookieJars& jars, const std::string& where);

Json cookie_jars_document(const CookieJars& jars);

// Writes `document` to `path` on the thread pool (a temporary file renamed over
// it, so a crash leaves the old file or the new one). `done` runs on the loop
// thread with nullptr or a ScraperConfigError naming the file.
void write_cookies_file(uv_loop_t* loop, std::string path, const Json& document,
                        std::function<void(std::exception_ptr)> done);

}  // namespace uvscrape::driver
