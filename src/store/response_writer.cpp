// See response_writer.hpp.
#include "store/response_writer.hpp"

#include <stdexcept>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::store {

std::string headers_json(const Headers& headers) {
  Json out = Json::array();
  for (const auto& [name, value] : headers.items()) out.push_back(Json::array({name, value}));
  // Header bytes need not be UTF-8: such bytes become U+FFFD rather than
  // failing the store.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Headers headers_from_json(const std::string& text) {
  Headers headers;
  for (const Json& pair : Json::parse(text))
    headers.add(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  return headers;
}

ResponseWriter::ResponseWriter(sqlite3* db, const std::string& path) : db_(db), path_(path) {
  try {
    insert_response_ = prepare(
        "INSERT OR REPLACE INTO responses (request, step, status, url, headers, dictionary, size, "
        "body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert_dictionary_ = prepare("INSERT INTO dictionaries (id, step, body) VALUES (?1, ?2, ?3)");
    sqlite3_stmt* q = prepare("SELECT step, body FROM dictionaries");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const auto* step = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      Step& s = steps_[step ? step : ""];
      s.dictionary.bytes.assign(static_cast<const char*>(sqlite3_column_blob(q, 1)),
                                static_cast<std::size_t>(sqlite3_column_bytes(q, 1)));
      s.dictionary.id = codec::dictionary_id(s.dictionary.bytes);
      s.done_training = true;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) throw StoreError(path_, sqlite3_errmsg(db_));
  } catch (...) {
    sqlite3_finalize(insert_response_);
    sqlite3_finalize(insert_dictionary_);
    throw;
  }
}

ResponseWriter::~ResponseWriter() {
  sqlite3_finalize(insert_response_);
  sqlite3_finalize(insert_dictionary_);
}

sqlite3_stmt* ResponseWriter::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    throw StoreError(path_, sqlite3_errmsg(db_));
  return stmt;
}

void ResponseWriter::run(sqlite3_stmt* stmt) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (rc != SQLITE_DONE) throw StoreError(path_, sqlite3_errmsg(db_));
}

void ResponseWriter::write(RequestId request, const ResponseRecord& response) {
  Step& step = steps_[response.step];
  std::string frame;
  try {
    frame = codec::compress(response.body, step.dictionary);
  } catch (const std::exception& e) {
    throw StoreError(path_, std::string(e.what()) + " (response of " + response.url + ")");
  }
  sqlite3_stmt* s = insert_response_;
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(request));
  sqlite3_bind_text(s, 2, response.step.data(), static_cast<int>(response.step.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 3, response.status);
  sqlite3_bind_text(s, 4, response.url.data(), static_cast<int>(response.url.size()),
                    SQLITE_TRANSIENT);
  const std::string headers = headers_json(response.headers);
  sqlite3_bind_text(s, 5, headers.data(), static_cast<int>(headers.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 6, step.dictionary.id);
  sqlite3_bind_int64(s, 7, static_cast<sqlite3_int64>(response.body.size()));
  sqlite3_bind_blob(s, 8, frame.data(), static_cast<int>(frame.size()), SQLITE_TRANSIENT);
  run(s);
  if (!step.done_training) sample(step, response.step, response.body);
}

// Collects a sample; trains and stores the step's dictionary once there are
// enough. Bodies stored before stay dictionary-less (responses.dictionary 0).
void ResponseWriter::sample(Step& step, const std::string& name, const std::string& body) {
  if (body.empty()) return;
  std::string sample = body.substr(0, kSampleBytes);
  step.sample_bytes += sample.size();
  step.samples.push_back(std::move(sample));
  const bool enough = step.samples.size() >= kTrainSamples ||
                      (step.sample_bytes >= kTrainBytes && step.samples.size() >= kTrainMinSamples);
  if (!enough) return;
  codec::Dictionary dictionary = codec::train(step.samples);
  step.samples = {};
  step.sample_bytes = 0;
  step.done_training = true;  // a failed training is not retried: the step goes on without
  if (dictionary.empty()) return;
  // Two steps whose dictionaries share an id (a 32-bit hash of the content)
  // would be ambiguous: the second goes without one.
  sqlite3_stmt* exists = prepare("SELECT 1 FROM dictionaries WHERE id = ?1");
  sqlite3_bind_int64(exists, 1, dictionary.id);
  const bool taken = sqlite3_step(exists) == SQLITE_ROW;
  sqlite3_finalize(exists);
  if (taken) return;
  sqlite3_stmt* s = insert_dictionary_;
  sqlite3_bind_int64(s, 1, dictionary.id);
  sqlite3_bind_text(s, 2, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(s, 3, dictionary.bytes.data(), static_cast<int>(dictionary.bytes.size()),
                    SQLITE_TRANSIENT);
  run(s);
  step.dictionary = std::move(dictionary);
}

}  // namespace uvscrape::store
