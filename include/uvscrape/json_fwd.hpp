// The name of uvscrape's JSON type, without its definition: enough to declare
// functions and references. Include "uvscrape/json.hpp" to build or read values.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace uvscrape {

// nlohmann's ordered_json: object keys keep the order they were inserted in.
using Json = nlohmann::ordered_json;

}  // namespace uvscrape
