// Reading the responses a run stored (DriverOptions::store_responses) back
// from its store file: for inspection and replay, off the loop (every call
// reads the disk and decompresses). The file is opened read-only, so it can
// be read while a crawl writes it (WAL mode: a reader sees the last commit).
//
//   StoredResponses responses("run.db");
//   if (auto r = responses.get(42)) use(r->body);
//   responses.for_each([](const StoredResponse& r) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "store/response_codec.hpp"
#include "store/run_store.hpp"
#include "uvscrape/headers.hpp"

struct sqlite3;

namespace uvscrape::store {

struct StoredResponse {
  RequestId request = 0;  // the request's id in the run (requests.id)
  std::string step;
  int status = 0;
  std::string url;  // the final URL
  Headers headers;
  std::string body;  // decompressed: the bytes the step saw
};

class StoredResponses {
 public:
  // Throws StoreError naming `path` when it cannot be opened or is not a run
  // store of schema version 3 or later.
  explicit StoredResponses(const std::string& path);
  ~StoredResponses();
  StoredResponses(const StoredResponses&) = delete;
  StoredResponses& operator=(const StoredResponses&) = delete;

  // The stored response of `request`, or nullopt. Throws StoreError when
  // the row cannot be read or its body not decompressed.
  std::optional<StoredResponse> get(RequestId request);

  // Each stored response in request-id order, until `visit` returns false.
  void for_each(const std::function<bool(const StoredResponse&)>& visit);

  // How many responses are stored.
  std::uint64_t count();

 private:
  const codec::Dictionary& dictionary(std::uint32_t id);

  const std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::uint32_t, codec::Dictionary> dictionaries_;
};

}  // namespace uvscrape::store
