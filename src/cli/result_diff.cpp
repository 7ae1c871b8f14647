// See result_diff.hpp.
#include "cli/result_diff.hpp"

#include <map>
#include <tuple>
#include <unordered_map>

#include "driver/replay_source.hpp"
#include "uvscrape/request_json.hpp"

namespace uvscrape::cli {

std::vector<StoredItem> stored_items(StoreDb& db) {
  struct Origin {
    std::string step, request, identity;
  };
  std::unordered_map<std::int64_t, Origin> origins;
  for (const auto& r :
       db.query("SELECT id, body FROM requests WHERE id IN (SELECT DISTINCT request FROM items)")) {
    const Request request = request_from_json(Json::parse(r[1].get<std::string>()));
    Origin o;
    o.step = std::string(request.to());
    o.identity = driver::replay_identity(request);
    o.request = o.identity.substr(0, o.identity.find('\n'));
    origins.emplace(r[0].get<std::int64_t>(), std::move(o));
  }
  std::vector<StoredItem> items;
  std::unordered_map<std::int64_t, std::size_t> next_index;
  for (const auto& r : db.query("SELECT request, model, body FROM items ORDER BY id")) {
    const std::int64_t id = r[0].get<std::int64_t>();
    StoredItem item;
    if (auto o = origins.find(id); o != origins.end()) {
      item.step = o->second.step;
      item.request = o->second.identity;  // the full identity until diffed
    }
    item.model = r[1].is_string() ? r[1].get<std::string>() : "";
    item.index = next_index[id]++;
    item.value = Json::parse(r[2].get<std::string>());
    items.push_back(std::move(item));
  }
  return items;
}

namespace {

using Key = std::tuple<std::string, std::string, std::string, std::size_t>;  // step, model, id, #

Key key_of(const StoredItem& item) {
  return {item.step, item.model, item.request, item.index};
}

std::string first_line(const std::string& identity) {
  return identity.substr(0, identity.find('\n'));
}

// The fields that differ, in the old item's order, then those only the new one has.
Json changed_fields(const Json& before, const Json& after) {
  Json fields = Json::array();
  if (!before.is_object() || !after.is_object()) {
    fields.push_back({{"field", ""}, {"old", before}, {"new", after}});
    return fields;
  }
  for (const auto& [name, value] : before.items()) {
    if (!after.contains(name))
      fields.push_back({{"field", name}, {"old", value}, {"new", nullptr}});
    else if (after[name] != value)
      fields.push_back({{"field", name}, {"old", value}, {"new", after[name]}});
  }
  for (const auto& [name, value] : after.items())
    if (!before.contains(name))
      fields.push_back({{"field", name}, {"old", nullptr}, {"new", value}});
  return fields;
}

}  // namespace

ResultDiff diff_results(const std::vector<StoredItem>& before,
                        const std::vector<StoredItem>& after) {
  std::map<Key, const StoredItem*> old_items, new_items;
  for (const auto& item : before) old_items.emplace(key_of(item), &item);
  for (const auto& item : after) new_items.emplace(key_of(item), &item);
  std::map<std::pair<std::string, std::string>, ResultDiff::Group> groups;
  ResultDiff diff;
  auto group = [&groups](const StoredItem& item) -> ResultDiff::Group& {
    auto& g = groups[{item.step, item.model}];
    g.step = item.step;
    g.model = item.model;
    return g;
  };
  auto record = [](const char* change, const StoredItem& item) {
    return Json{{"change", change},
                {"step", item.step},
                {"model", item.model},
                {"request", first_line(item.request)},
                {"index", item.index}};
  };
  for (const auto& [key, item] : old_items) {
    auto found = new_items.find(key);
    if (found == new_items.end()) {
      ++group(*item).removed;
      Json r = record("removed", *item);
      r["item"] = item->value;
      diff.differences.push_back(std::move(r));
    } else if (found->second->value != item->value) {
      ++group(*item).changed;
      Json r = record("changed", *item);
      r["fields"] = changed_fields(item->value, found->second->value);
      diff.differences.push_back(std::move(r));
    } else {
      ++group(*item).unchanged;
    }
  }
  for (const auto& [key, item] : new_items) {
    if (old_items.count(key)) continue;
    ++group(*item).added;
    Json r = record("added", *item);
    r["item"] = item->value;
    diff.differences.push_back(std::move(r));
  }
  for (auto& [key, g] : groups) diff.groups.push_back(g);
  return diff;
}

}  // namespace uvscrape::cli
