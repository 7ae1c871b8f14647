// Writes stored responses (DriverOptions::store_responses) into a run store
// file: the body compressed with zstd, per step with a dictionary trained on
// that step's first bodies (see kTrainSamples). Runs on the SQLite store's
// writer thread, inside its transaction: a response commits with its
// request's completion. Compression and training block that thread for a
// while (a few ms per MiB); the loop never waits for them.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "store/response_codec.hpp"
#include "store/run_store.hpp"

namespace uvscrape::store {

class ResponseWriter {
 public:
  // When to train a step's dictionary. zstd wants many samples (a dictionary
  // learns what bodies share, which one body cannot show) and about 10-100x
  // the dictionary's size in sample bytes. 64 bodies is where a trained
  // dictionary reliably pays on small HTML pages; 1 MiB of samples bounds the
  // memory held per step when the pages are big (16 samples at least, fewer
  // are not a training set). Each sample is a body's first kSampleBytes:
  // a site's shared boilerplate is at the start and end of its pages, and a
  // huge body must not fill the sample budget alone.
  static constexpr std::size_t kTrainSamples = 64;
  static constexpr std::size_t kTrainBytes = 1024 * 1024;
  static constexpr std::size_t kTrainMinSamples = 16;
  static constexpr std::size_t kSampleBytes = 64 * 1024;

  // Loads the dictionaries `db` holds already (a resumed run goes on with
  // them). Throws StoreError naming `path`.
  ResponseWriter(sqlite3* db, const std::string& path);
  ~ResponseWriter();
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;

  // Inside the store's transaction. Throws StoreError.
  void write(RequestId request, const ResponseRecord& response);

 private:
  struct Step {
    codec::Dictionary dictionary;  // empty until trained
    bool done_training = false;    // trained, or training failed: no more samples
    std::vector<std::string> samples;
    std::size_t sample_bytes = 0;
  };
  void sample(Step& step, const std::string& name, const std::string& body);
  sqlite3_stmt* prepare(const char* sql);
  void run(sqlite3_stmt* stmt);

  sqlite3* db_;
  const std::string path_;
  sqlite3_stmt* insert_response_ = nullptr;
  sqlite3_stmt* insert_dictionary_ = nullptr;
  std::map<std::string, Step, std::less<>> steps_;
};

// Headers as stored: a JSON array of [name, value] pairs, in order.
std::string headers_json(const Headers& headers);
Headers headers_from_json(const std::string& text);

}  // namespace uvscrape::store
