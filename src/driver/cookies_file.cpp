// The cookie jars' file; see cookies_file.hpp.
#include "driver/cookies_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "uvscrape/errors.hpp"

namespace uvscrape::driver {
namespace {

constexpr std::string_view kFormat = "uvscrape-cookie-jars";

[[noreturn]] void bad_file(const std::string& path, const std::string& what) {
  throw ScraperConfigError("cookies_file " + path + ": " + what);
}

struct WriteJob {
  uv_work_t work{};
  std::string path;
  std::string text;
  std::string error;  // empty: written
  std::function<void(std::exception_ptr)> done;
};

void write_on_pool(uv_work_t* work) {
  auto* job = static_cast<WriteJob*>(work->data);
  const std::string temporary = job->path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << job->text;
    out.flush();
    if (!out) {
      job->error = std::string("cannot write ") + temporary + ": " + std::strerror(errno);
      return;
    }
  }
  if (std::rename(temporary.c_str(), job->path.c_str()) != 0) {
    job->error = std::string("cannot rename ") + temporary + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
  }
}

void after_write(uv_work_t* work, int status) {
  std::unique_ptr<WriteJob> job(static_cast<WriteJob*>(work->data));
  if (status == UV_ECANCELED && job->error.empty()) job->error = "write cancelled";
  std::exception_ptr error;
  if (!job->error.empty()) {
    error = std::make_exception_ptr(
        ScraperConfigError("cookies_file " + job->path + ": " + job->error));
  }
  job->done(error);
}

}  // namespace

void load_cookies_file(const std::string& path, CookieJars& jars) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return;  // the first run: nothing saved yet
    bad_file(path, std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  const Json document = Json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) bad_file(path, "not JSON");
  load_cookie_jars(document, jars, "cookies_file " + path);
}

void load_cookie_jars(const Json& document, CookieJars& jars, const std::string& where) {
  const auto bad = [&](const std::string& what) { throw ScraperConfigError(where + ": " + what); };
  if (!document.is_object() || document.value("format", std::string()) != kFormat) {
    bad("\"format\" is not \"uvscrape-cookie-jars\"");
  }
  if (!document.contains("version") || document["version"] != 1) {
    bad("\"version\" is not 1");
  }
  if (!document.contains("jars") || !document["jars"].is_object()) {
    bad("\"jars\" is not an object");
  }
  CookieJars read;
  for (const auto& [name, jar_document] : document["jars"].items()) {
    try {
      read[name].from_json(jar_document);
    } catch (const ScraperConfigError& e) {
      bad("jar \"" + name + "\": " + e.what());
    }
  }
  for (auto& [name, jar] : read) jars[name].from_json(jar.to_json());
}

Json cookie_jars_document(const CookieJars& jars) {
  Json all = Json::object();
  for (const auto& [name, jar] : jars) all[name] = jar.to_json();
  Json document = Json::object();
  document["format"] = kFormat;
  document["version"] = 1;
  document["jars"] = std::move(all);
  return document;
}

void write_cookies_file(uv_loop_t* loop, std::string path, const Json& document,
                        std::function<void(std::exception_ptr)> done) {
  auto job = std::make_unique<WriteJob>();
  job->path = std::move(path);
  job->text = document.dump(2) + "\n";
  job->done = std::move(done);
  job->work.data = job.get();
  const int rc = uv_queue_work(loop, &job->work, &write_on_pool, &after_write);
  if (rc == 0) {
    job.release();  // freed in after_write
    return;
  }
  job->done(std::make_exception_ptr(ScraperConfigError(
      "cookies_file " + job->path + ": cannot queue the write: " + uv_strerror(rc))));
}

}  // namespace uvscrape::driver
