#include "uvscrape/status.hpp"

namespace uvscrape {

const char* to_string(StatusClass cls) noexcept {
  switch (cls) {
    case StatusClass::successful: return "successful";
    case StatusClass::transient: return "transient";
    case StatusClass::persistent: return "persistent";
  }
  return "persistent";
}

StatusClassifier::StatusClassifier() {
  table_.fill(StatusClass::persistent);
  for (int c = 200; c <= 208; ++c) table_[c] = StatusClass::successful;
  table_[226] = StatusClass::successful;
  table_[304] = StatusClass::successful;
  for (int c : {408, 425, 429, 502, 503, 504}) table_[c] = StatusClass::transient;
}

StatusClass StatusClassifier::classify(int code) const noexcept {
  if (code < 0 || code >= static_cast<int>(table_.size())) return StatusClass::persistent;
  return table_[static_cast<std::size_t>(code)];
}

StatusClassifier& StatusClassifier::set(int code, StatusClass cls) {
  if (code >= 0 && code < static_cast<int>(table_.size()))
    table_[static_cast<std::size_t>(code)] = cls;
  return *this;
}

StatusClassifier& StatusClassifier::set(std::initializer_list<int> codes, StatusClass cls) {
  for (int c : codes) set(c, cls);
  return *this;
}

std::vector<int> StatusClassifier::codes(StatusClass cls) const {
  std::vector<int> out;
  for (int c = 100; c < static_cast<int>(table_.size()); ++c)
    if (table_[static_cast<std::size_t>(c)] == cls) out.push_back(c);
  return out;
}

}  // namespace uvscrape
