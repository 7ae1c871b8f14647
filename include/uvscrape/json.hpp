// uvscrape's JSON type, complete (nlohmann/json). Headers that only name Json
// include "uvscrape/json_fwd.hpp" instead, so a file that never touches JSON
// does not compile nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>

#include "uvscrape/json_fwd.hpp"
