// HTTP header list: order and repeats kept, names compared case-insensitively.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uvscrape {

class Headers {
 public:
  void add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // First value for `name` (case-insensitive), if any.
  std::optional<std::string_view> get(std::string_view name) const;
  // Every value for `name`, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace uvscrape
