// RFC 3986 §5.4 reference resolution and the contract §1.5 examples.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

constexpr const char* kBase = "http://a/b/c/d;p?q";

struct Case {
  const char* reference;
  const char* expected;
};

// RFC 3986 §5.4.1. "//g" gives "http://g/": an http URL with an empty path is
// normalised to "/" (RFC 3986 §6.2.3), the only deviation from the RFC's text.
const std::vector<Case> kNormalExamples = {
    {"g:h", "g:h"},
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g/"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
};

// RFC 3986 §5.4.2 (strict parser: "http:g" is "http:g").
const std::vector<Case> kAbnormalExamples = {
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
    {"http:g", "http:g"},
};

TEST(Rfc3986Resolution, NormalExamples) {
  for (const auto& c : kNormalExamples) {
    EXPECT_EQ(resolve_url(kBase, c.reference), c.expected) << "reference: " << c.reference;
  }
}

TEST(Rfc3986Resolution, AbnormalExamples) {
  for (const auto& c : kAbnormalExamples) {
    EXPECT_EQ(resolve_url(kBase, c.reference), c.expected) << "reference: " << c.reference;
  }
}

TEST(Rfc3986Resolution, UrlResolveMatchesResolveUrlForHttpResults) {
  const Url base = Url::parse(kBase);
  for (const auto& c : kNormalExamples) {
    const std::string expected = c.expected;
    if (expected.rfind("http://", 0) != 0) continue;
    EXPECT_EQ(base.resolve(c.reference).str(), expected) << "reference: " << c.reference;
  }
}

TEST(ContractResolution, PinnedExamples) {
  EXPECT_EQ(resolve_url("http://h/cases", "/cases/BCC-2024-001"), "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_url("http://h/cases/", "BCC-2024-001"), "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_url("http://h/cases/", "http://other/cases"), "http://other/cases");
  EXPECT_EQ(resolve_url("https://x/y?z", "http://other/cases"), "http://other/cases");
  EXPECT_EQ(normalise_url("/cases/a b"), "/cases/a%20b");
  EXPECT_EQ(resolve_url("http://h/", "/cases/a b"), "http://h/cases/a%20b");
}

TEST(ContractResolution, EmptyBaseKeepsTheReferenceRelative) {
  EXPECT_EQ(resolve_url("", "/api/x?y=1"), "/api/x?y=1");
  EXPECT_EQ(resolve_url("", "rel/a b"), "rel/a%20b");
  EXPECT_EQ(resolve_url("", "HTTP://H:80/a"), "http://h/a");
}

TEST(ContractResolution, SchemeRelativeKeepsBaseScheme) {
  EXPECT_EQ(resolve_url("https://a/b", "//c/d"), "https://c/d");
  EXPECT_EQ(resolve_url("https://a/b", "//c:443/d"), "https://c/d");
  EXPECT_EQ(resolve_url("http://a/b", "//c:443/d"), "http://c:443/d");
}

TEST(ContractResolution, BaseWithPortAndQuery) {
  EXPECT_EQ(resolve_url("http://127.0.0.1:8080/cases?page=2", "?page=3"),
            "http://127.0.0.1:8080/cases?page=3");
  EXPECT_EQ(resolve_url("http://127.0.0.1:8080/cases/2024/1", "../2025/3"),
            "http://127.0.0.1:8080/cases/2025/3");
}

TEST(ContractResolution, HrefWhitespaceIsIgnored) {
  EXPECT_EQ(resolve_url("http://h/a/", "  \n\t/cases/1\n  "), "http://h/cases/1");
  EXPECT_EQ(resolve_url("http://h/a/", "/cases/\n2024/1"), "http://h/cases/2024/1");
}

TEST(ContractResolution, ColonInFirstRelativeSegment) {
  EXPECT_EQ(resolve_url("http://h/a/", "12:30"), "http://h/a/12%3A30");
}

// Found by the url fuzz target: the resolved text kept a "/." that parsing it
// again removed, so Url::resolve(r).str() did not parse back to itself.
TEST(ContractResolution, ADoubleSlashPathAfterDotSegmentsParsesBack) {
  EXPECT_EQ(resolve_url("http://a/b/c/d;p", "../..///g?y#s"), "http://a///g?y#s");
  const Url resolved = Url::parse("http://a/b/c/d;p").resolve("../..//g");
  EXPECT_EQ(resolved.str(), "http://a//g");
  EXPECT_EQ(Url::parse(resolved.str()), resolved);
  // Without an authority the "/." must stay: "foo://g" would name a host.
  EXPECT_EQ(resolve_url("foo:/a/b", "..//g"), "foo:/.//g");
  // Nor may an absolute reference's dot segments make one (also a fuzz finding).
  EXPECT_EQ(resolve_url("http://h/", "http:/..//g"), "http:/.//g");
  const std::string odd = resolve_url("http://h/", "http:-./..///g?y");
  EXPECT_EQ(odd.rfind("http:/.//", 0), 0u) << odd;
  EXPECT_EQ(normalise_url(odd), odd);
  EXPECT_THROW(Url::parse("http://h/").resolve("http:/..//evil.example/"), UrlError);
}

TEST(ContractResolution, NonHttpReferencesResolveAsText) {
  EXPECT_EQ(resolve_url("http://h/", "mailto:Someone@Example.com"), "mailto:Someone@Example.com");
  EXPECT_EQ(resolve_url("http://h/", "javascript:void(0)"), "javascript:void(0)");
}

}  // namespace
}  // namespace uvscrape
