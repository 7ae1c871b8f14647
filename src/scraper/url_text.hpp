// Small query-string helpers for dedup keys and url_with_params().
#pragma once

#include <string>
#include <string_view>

#include "uvscrape/request.hpp"

namespace uvscrape {

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}} (percent escapes decoded, "+" kept).
NameValueList split_query(std::string_view query);
// {{"b","x y"}} -> "b=x%20y": everything but unreserved characters escaped.
std::string encode_query(const NameValueList& pairs);

}  // namespace uvscrape
