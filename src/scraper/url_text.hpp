// Query-string reading for dedup keys.
#pragma once

#include <string_view>

#include "uvscrape/request.hpp"

namespace uvscrape {

// "a=1&b=x%20y+z" -> {{"a","1"},{"b","x y z"}}: form-urlencoded semantics,
// percent escapes decoded and '+' read as a space, as servers read it.
NameValueList split_query(std::string_view query);

}  // namespace uvscrape
