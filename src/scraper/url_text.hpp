// URL text read for dedup keys (docs/design.md §2 and §23): what makes two
// URLs one page, apart from what is sent.
#pragma once

#include <string>
#include <string_view>

#include "uvscrape/request.hpp"

namespace uvscrape {

// "a=1&b=x%20y+z" -> {{"a","1"},{"b","x y z"}}: form-urlencoded semantics,
// percent escapes decoded and '+' read as a space, as servers read it.
NameValueList split_query(std::string_view query);

// Escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) decoded, the hex of
// the others upper-cased: "/%7euser/%2f" -> "/~user/%2F". Nothing else moves.
std::string canonical_escapes(std::string_view text);

}  // namespace uvscrape
