// Deduplication keys (docs/design.md §2, §23).
//
// The automatic key is the lower-case hex SHA-256 of a canonical, length-
// prefixed encoding of:
//   method | URL without query and fragment, with escapes of unreserved
//   characters decoded and hex upper-cased | query pairs of the URL and of
//   params(), decoded as a server reads them and sorted | body: none, form
//   pairs sorted, or the raw bytes | JSON body with object keys sorted
//   recursively.
// So "/%7Euser" and "/~user" are one page, and the same resource asked for
// with parameters in a different order, or with a different fragment, has the
// same key; method and body distinguish keys, and so does a named cookie jar
// (the same page in another session is another page; the default jar adds
// nothing, so keys without one are unchanged). Headers, cookies and flags are
// not part of it. The URL itself (what is sent) is left as a browser writes
// it. The key is computed from the request as it is when asked: the driver
// asks after resolution, when the URL is absolute and serialised.
#include <algorithm>
#include <cstring>

#include "common/sha256.hpp"
#include "scraper/request_internals.hpp"
#include "scraper/url_text.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

void field(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

void pairs(std::string& out, NameValueList list) {
  std::sort(list.begin(), list.end());
  field(out, std::to_string(list.size()));
  for (const auto& [n, v] : list) {
    field(out, n);
    field(out, v);
  }
}

std::string canonical_form(const Request& r) {
  std::string out = "uvscrape-dedup-v1";
  field(out, to_string(r.method()));

  std::string_view url = r.url();
  std::string normalised;
  if (!detail::RequestAccess::url_normalised(r)) {
    try {
      normalised = normalise_url(r.url());
      url = normalised;
    } catch (const UrlError&) {
      // Keep the URL as given: the fetch will report it, the key still works.
    }
  }
  url = url.substr(0, url.find('#'));
  const auto q = url.find('?');
  field(out, canonical_escapes(url.substr(0, q)));
  NameValueList query =
      q == std::string_view::npos ? NameValueList{} : split_query(url.substr(q + 1));
  for (const auto& p : r.params()) query.push_back(p);
  pairs(out, std::move(query));

  const RequestBody& data = r.body();
  if (const auto* form = std::get_if<NameValueList>(&data)) {
    field(out, "form");
    pairs(out, *form);
  } else if (const auto* bytes = std::get_if<std::string>(&data)) {
    field(out, "bytes");
    field(out, *bytes);
  } else {
    field(out, "none");
  }

  if (const auto& json = r.json()) {
    // nlohmann::json keeps object keys sorted, at every depth.
    const nlohmann::json sorted =
        nlohmann::json::parse(json->dump(-1, ' ', false, Json::error_handler_t::replace));
    field(out, "json");
    field(out, sorted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    field(out, "none");
  }
  if (const std::string& jar = r.cookie_jar(); !jar.empty()) {
    field(out, "jar");
    field(out, jar);
  }
  return out;
}

DedupFingerprint fingerprint(const Sha256Digest& d) {
  DedupFingerprint f;
  std::memcpy(&f.high, d.data(), 8);
  std::memcpy(&f.low, d.data() + 8, 8);
  return f;
}

}  // namespace

std::optional<std::string> Request::dedup_key() const {
  switch (dedup_mode_) {
    case DedupMode::skip: return std::nullopt;
    case DedupMode::explicit_key: return *detail::RequestAccess::explicit_key(*this);
    case DedupMode::automatic: break;
  }
  return sha256_hex(canonical_form(*this));
}

std::optional<DedupFingerprint> Request::dedup_fingerprint() const {
  switch (dedup_mode_) {
    case DedupMode::skip: return std::nullopt;
    case DedupMode::explicit_key:
      // A distinct prefix keeps explicit keys apart from automatic ones.
      return fingerprint(sha256("explicit\n" + *detail::RequestAccess::explicit_key(*this)));
    case DedupMode::automatic: break;
  }
  return fingerprint(sha256(canonical_form(*this)));
}

std::string Request::url_with_params() const {
  return with_query(url_, params());
}

}  // namespace uvscrape
