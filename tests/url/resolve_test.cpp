// The reference-resolution examples of RFC 3986 §5.4 as a browser resolves
// them (the WHATWG URL Standard agrees with the RFC on all but "g:h", which
// is not http(s), and "http:g"), and the resolution examples of the product.
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

// RFC 3986 §5.4.1 ("g:h" is below: not an http(s) URL). "//g" gives
// "http://g/": an http URL's path is never empty.
const std::vector<Case> kNormalExamples = {
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

// RFC 3986 §5.4.2. "http:g" on an http page is relative, as the RFC's
// non-strict parsers (and browsers) read it.
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
    {"http:g", "http://a/b/c/g"},
};

TEST(ReferenceResolution, NormalExamples) {
  for (const auto& c : kNormalExamples) {
    EXPECT_EQ(resolve_url(kBase, c.reference), c.expected) << "reference: " << c.reference;
  }
}

TEST(ReferenceResolution, AbnormalExamples) {
  for (const auto& c : kAbnormalExamples) {
    EXPECT_EQ(resolve_url(kBase, c.reference), c.expected) << "reference: " << c.reference;
  }
}

TEST(ReferenceResolution, UrlResolveMatchesResolveUrlForHttpResults) {
  const Url base = Url::parse(kBase);
  for (const auto& c : kNormalExamples) {
    const std::string expected = c.expected;
    if (expected.rfind("http://", 0) != 0) continue;
    EXPECT_EQ(base.resolve(c.reference).str(), expected) << "reference: " << c.reference;
  }
}

TEST(ProductResolution, PinnedExamples) {
  EXPECT_EQ(resolve_url("http://h/cases", "/cases/BCC-2024-001"), "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_url("http://h/cases/", "BCC-2024-001"), "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_url("http://h/cases/", "http://other/cases"), "http://other/cases");
  EXPECT_EQ(resolve_url("https://x/y?z", "http://other/cases"), "http://other/cases");
  EXPECT_EQ(resolve_url("http://h/", "/cases/a b"), "http://h/cases/a%20b");
}

TEST(ProductResolution, SchemeRelativeKeepsBaseScheme) {
  EXPECT_EQ(resolve_url("https://a/b", "//c/d"), "https://c/d");
  EXPECT_EQ(resolve_url("https://a/b", "//c:443/d"), "https://c/d");
  EXPECT_EQ(resolve_url("http://a/b", "//c:443/d"), "http://c:443/d");
}

TEST(ProductResolution, BaseWithPortAndQuery) {
  EXPECT_EQ(resolve_url("http://127.0.0.1:8080/cases?page=2", "?page=3"),
            "http://127.0.0.1:8080/cases?page=3");
  EXPECT_EQ(resolve_url("http://127.0.0.1:8080/cases/2024/1", "../2025/3"),
            "http://127.0.0.1:8080/cases/2025/3");
}

TEST(ProductResolution, HrefWhitespaceIsIgnored) {
  EXPECT_EQ(resolve_url("http://h/a/", "  \n\t/cases/1\n  "), "http://h/cases/1");
  EXPECT_EQ(resolve_url("http://h/a/", "/cases/\n2024/1"), "http://h/cases/2024/1");
}

TEST(ProductResolution, ColonInFirstRelativeSegmentIsAPath) {
  EXPECT_EQ(resolve_url("http://h/a/", "12:30"), "http://h/a/12:30");
}

// Not a page a crawler can fetch: a failure when the link is resolved.
TEST(ProductResolution, NonHttpReferencesFail) {
  for (const char* href : {"g:h", "mailto:Someone@Example.com", "javascript:void(0)", "ftp://h/x",
                           "data:text/plain,x", "file:///etc/passwd"}) {
    try {
      (void)resolve_url(kBase, href);
      ADD_FAILURE() << href;
    } catch (const UrlError& e) {
      EXPECT_EQ(e.url(), href);
      EXPECT_NE(e.reason().find("unsupported scheme"), std::string::npos) << e.what();
      EXPECT_NE(e.reason().find(kBase), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace uvscrape
