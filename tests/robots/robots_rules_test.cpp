// The robots.txt parser and matcher (src/robots): RFC 9309's examples (§5.1,
// §5.2, the §2.2.2 percent-encoding table), Google's documented matching
// examples, and the file's syntax: groups, agents, garbage lines, line ends,
// the BOM and the 500 KiB limit.
#include "robots/robots_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace uvscrape::robots {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool matches;
};

// One pattern as a Disallow rule: does it match the path?
bool disallows(std::string_view pattern, std::string_view path) {
  const auto rules = RobotsRules::parse("User-agent: *\nDisallow: " + std::string(pattern) + "\n");
  return !rules.allowed("uvscrape", path);
}

// Google's examples of path matching (the robots.txt specification page).
TEST(RobotsMatching, GooglesPathExamples) {
  const Case cases[] = {
      {"/", "/", true},
      {"/", "/any/thing?x", true},
      {"/*", "/", true},
      {"/*", "/fish", true},
      {"/$", "/", true},
      {"/$", "/index.html", false},
      {"/fish", "/fish", true},
      {"/fish", "/fish.html", true},
      {"/fish", "/fish/salmon.html", true},
      {"/fish", "/fishheads", true},
      {"/fish", "/fishheads/yummy.html", true},
      {"/fish", "/fish.php?id=anything", true},
      {"/fish", "/Fish.asp", false},
      {"/fish", "/catfish", false},
      {"/fish", "/?id=fish", false},
      {"/fish", "/desert/fish", false},
      {"/fish*", "/fish", true},
      {"/fish*", "/fishheads/yummy.html", true},
      {"/fish*", "/catfish", false},
      {"/fish/", "/fish/", true},
      {"/fish/", "/fish/?id=anything", true},
      {"/fish/", "/fish/salmon.htm", true},
      {"/fish/", "/fish", false},
      {"/fish/", "/fish.html", false},
      {"/fish/", "/animals/fish/", false},
      {"/fish/", "/Fish/Salmon.asp", false},
      {"/*.php", "/index.php", true},
      {"/*.php", "/filename.php", true},
      {"/*.php", "/folder/filename.php", true},
      {"/*.php", "/folder/filename.php?parameters", true},
      {"/*.php", "/folder/any.php.file.html", true},
      {"/*.php", "/filename.php/", true},
      {"/*.php", "/", false},
      {"/*.php", "/windows.PHP", false},
      {"/*.php$", "/filename.php", true},
      {"/*.php$", "/folder/filename.php", true},
      {"/*.php$", "/filename.php?parameters", false},
      {"/*.php$", "/filename.php/", false},
      {"/*.php$", "/filename.php5", false},
      {"/*.php$", "/windows.PHP", false},
      {"/fish*.php", "/fish.php", true},
      {"/fish*.php", "/fishheads/catfish.php?parameters", true},
      {"/fish*.php", "/Fish.PHP", false},
      // More wildcards than the examples use, and a '$' that is not last.
      {"/a*b*c", "/a-x-b-y-c-z", true},
      {"/a*b*c$", "/a-x-b-y-c-z", false},
      {"/a*b*c$", "/abcbc", true},
      {"/**", "/anything", true},
      {"/a$b", "/a$b", true},
      {"/a$b", "/a", false},
      {"*.gif$", "/x/y.gif", true},     // no leading '/': the pattern starts with '*'
      {"private", "/private/x", true},  // neither '/' nor '*' first: taken as "/private"
  };
  for (const Case& c : cases)
    EXPECT_EQ(disallows(c.pattern, c.path), c.matches) << c.pattern << " vs " << c.path;
}

// Google's examples of precedence: the longest match wins, allow wins a tie.
TEST(RobotsMatching, LongestMatchWinsAndAllowWinsATie) {
  struct Order {
    const char* rules;
    const char* path;
    bool allowed;
  };
  const Order cases[] = {
      {"Allow: /p\nDisallow: /\n", "/page", true},
      {"Allow: /folder\nDisallow: /folder\n", "/folder/page", true},  // a tie
      {"Disallow: /folder\nAllow: /folder\n", "/folder/page", true},  // in either order
      {"Allow: /page\nDisallow: /*.htm\n", "/page.htm", false},
      {"Allow: /page\nDisallow: /*.ph\n", "/page.php", true},  // 5 octets each: a tie
      {"Allow: /$\nDisallow: /\n", "/", true},
      {"Allow: /$\nDisallow: /\n", "/page.htm", false},
      {"Disallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n", "/a/b/c/d", false},
      {"Disallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n", "/a/b/x", true},
      {"Disallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n", "/a/x", false},
  };
  for (const Order& c : cases) {
    const auto rules = RobotsRules::parse(std::string("User-agent: *\n") + c.rules);
    EXPECT_EQ(rules.allowed("uvscrape", c.path), c.allowed) << c.rules << "-> " << c.path;
  }
}

// RFC 9309 §5.1.
TEST(RobotsRfcExamples, SimpleExample) {
  const auto rules = RobotsRules::parse(
      "User-Agent: *\n"
      "Disallow: *.gif$\n"
      "Disallow: /example/\n"
      "Allow: /publications/\n"
      "\n"
      "User-Agent: foobot\n"
      "Disallow:/\n"
      "Allow:/example/page.html\n"
      "Allow:/example/allowed.gif\n"
      "\n"
      "User-Agent: barbot\n"
      "User-Agent: bazbot\n"
      "Disallow: /example/page.html\n"
      "\n"
      "User-Agent: quxbot\n"
      "\n"
      "EOF\n");
  EXPECT_EQ(rules.group_count(), 4u);
  // foobot: its own group only.
  EXPECT_TRUE(rules.allowed("foobot", "/example/page.html"));
  EXPECT_TRUE(rules.allowed("foobot", "/example/allowed.gif"));
  EXPECT_FALSE(rules.allowed("foobot", "/example/other.html"));
  EXPECT_FALSE(rules.allowed("foobot", "/publications/"));
  // barbot and bazbot share a group, and the * group does not apply to them.
  for (const char* agent : {"barbot", "bazbot"}) {
    EXPECT_FALSE(rules.allowed(agent, "/example/page.html")) << agent;
    EXPECT_TRUE(rules.allowed(agent, "/example/other.html")) << agent;
    EXPECT_TRUE(rules.allowed(agent, "/image.gif")) << agent;
  }
  // quxbot: an empty group, everything allowed.
  EXPECT_TRUE(rules.allowed("quxbot", "/example/page.html"));
  EXPECT_TRUE(rules.allowed("quxbot", "/image.gif"));
  // Anyone else: the * group.
  EXPECT_FALSE(rules.allowed("uvscrape", "/image.gif"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/image.gif?v=2"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/example/"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/example/page.html"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/publications/"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/other"));
}

// RFC 9309 §5.2.
TEST(RobotsRfcExamples, LongestMatch) {
  const auto rules = RobotsRules::parse(
      "User-Agent: foobot\n"
      "Allow: /example/page/\n"
      "Disallow: /example/page/disallowed.gif\n");
  EXPECT_FALSE(rules.allowed("foobot", "/example/page/disallowed.gif"));
  EXPECT_TRUE(rules.allowed("foobot", "/example/page/"));
  EXPECT_TRUE(rules.allowed("foobot", "/example/page/allowed.gif"));
  EXPECT_TRUE(rules.allowed("otherbot", "/example/page/disallowed.gif"));  // no group, no *
}

// RFC 9309 §2.2.2: octets compared after percent-encoding is normalised.
TEST(RobotsPercentEncoding, TheRfcTable) {
  // path in robots.txt, path of the URL, match?
  const Case cases[] = {
      {"/foo/bar?baz=quz", "/foo/bar?baz=quz", true},
      {"/foo/bar/\xE3\x83\x84", "/foo/bar/%E3%83%84", true},  // raw UTF-8 in the file
      {"/foo/bar/%E3%83%84", "/foo/bar/\xE3\x83\x84", true},
      {"/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84", true},
      {"/foo/bar/%e3%83%84", "/foo/bar/%E3%83%84", true},  // hex digits without case
      {"/foo/bar/%62%61%7A", "/foo/bar/baz", true},        // unreserved: decoded
      {"/foo/bar/baz", "/foo/bar/%62%61%7A", true},
      {"/foo/bar/%62%61%7A", "/foo/bar/bar", false},
      // A reserved character encoded is a different octet from the character.
      {"/a%2Fb", "/a/b", false},
      {"/a/b", "/a%2Fb", false},
      {"/a%2Fb", "/a%2fb", true},
      {"/a%3Fb", "/a?b", false},
      {"/100%", "/100%25", true},  // a stray '%' is the octet '%'
      {"/a b", "/a%20b", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(disallows(c.pattern, c.path), c.matches) << c.pattern << " vs " << c.path;
  EXPECT_EQ(normalise_path("/%7e%41%2f%zz\x7F"), "/~A%2F%25zz%7F");
}

TEST(RobotsAgents, MatchingIsCaseInsensitiveOnTheProductToken) {
  const auto rules = RobotsRules::parse(
      "User-agent: FooBot/1.2 (+http://foo.example)\n"
      "Disallow: /foo\n"
      "User-agent: *\n"
      "Disallow: /star\n");
  EXPECT_FALSE(rules.allowed("foobot", "/foo"));
  EXPECT_FALSE(rules.allowed("FOOBOT", "/foo"));
  EXPECT_FALSE(rules.allowed("FooBot/9.0 (compatible)", "/foo"));  // a whole UA string
  EXPECT_TRUE(rules.allowed("foobot", "/star"));                   // the * group is not merged in
  // Not a prefix match: "foo" and "foobot-news" are other crawlers.
  EXPECT_FALSE(rules.allowed("foo", "/star"));
  EXPECT_TRUE(rules.allowed("foo", "/foo"));
  EXPECT_FALSE(rules.allowed("foobot-news", "/star"));
  EXPECT_EQ(product_token("My_Bot-x2/1.0"), "my_bot-x");  // a digit ends the token
  EXPECT_EQ(product_token("  uvscrape/0.1.0"), "uvscrape");
  EXPECT_EQ(product_token("/1.0"), "");
}

TEST(RobotsAgents, GroupsNamingTheSameAgentAreMerged) {
  const auto rules = RobotsRules::parse(
      "user-agent: a\n"
      "disallow: /one\n"
      "crawl-delay: 2\n"
      "\n"
      "user-agent: b\n"
      "disallow: /two\n"
      "\n"
      "USER-AGENT: A\n"
      "disallow: /three\n"
      "allow: /one/open\n"
      "crawl-delay: 5\n");
  const AgentRules a = rules.for_agent("a");
  EXPECT_EQ(a.rule_count(), 3u);
  EXPECT_FALSE(a.allowed("/one"));
  EXPECT_TRUE(a.allowed("/one/open"));  // a rule of the second group overrides the first's
  EXPECT_TRUE(a.allowed("/two"));
  EXPECT_FALSE(a.allowed("/three"));
  EXPECT_EQ(a.crawl_delay(), 5.0);  // the stricter of the two
  EXPECT_FALSE(rules.allowed("b", "/two"));
  EXPECT_TRUE(rules.allowed("b", "/one"));
  EXPECT_FALSE(rules.crawl_delay("b").has_value());
}

TEST(RobotsAgents, StarGroupIsTheFallbackAndNoGroupMeansNoRules) {
  const auto with_star = RobotsRules::parse(
      "User-agent: *\nDisallow: /s\n\nUser-agent: other\nDisallow: /\n\nUser-agent: *\n"
      "Disallow: /t\n");
  EXPECT_FALSE(with_star.allowed("uvscrape", "/s"));
  EXPECT_FALSE(with_star.allowed("uvscrape", "/t"));  // two * groups merged
  EXPECT_TRUE(with_star.allowed("uvscrape", "/u"));
  const auto without_star = RobotsRules::parse("User-agent: other\nDisallow: /\n");
  EXPECT_TRUE(without_star.allowed("uvscrape", "/anything"));
  EXPECT_FALSE(without_star.allowed("other", "/anything"));
  EXPECT_TRUE(RobotsRules::parse("").allowed("uvscrape", "/x"));
  EXPECT_EQ(RobotsRules::parse("").group_count(), 0u);
}

TEST(RobotsSyntax, RulesBeforeAnyUserAgentAreIgnored) {
  const auto rules = RobotsRules::parse(
      "Disallow: /early\n"
      "Crawl-delay: 9\n"
      "User-agent: *\n"
      "Disallow: /late\n");
  EXPECT_TRUE(rules.allowed("uvscrape", "/early"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/late"));
  EXPECT_FALSE(rules.crawl_delay("uvscrape").has_value());
}

TEST(RobotsSyntax, UserAgentAfterRulesStartsANewGroup) {
  const auto rules = RobotsRules::parse(
      "User-agent: a\n"
      "Disallow: /a\n"
      "User-agent: b\n"  // no blank line: still a new group
      "Disallow: /b\n");
  EXPECT_EQ(rules.group_count(), 2u);
  EXPECT_TRUE(rules.allowed("a", "/b"));
  EXPECT_FALSE(rules.allowed("a", "/a"));
  EXPECT_TRUE(rules.allowed("b", "/a"));
  // Blank lines, comments and unknown keys between user-agent lines do not split them.
  const auto shared = RobotsRules::parse(
      "User-agent: a\n\n# comment\nUnknown-key: x\nSitemap: https://x.example/s.xml\n"
      "User-agent: b\nDisallow: /both\n");
  EXPECT_EQ(shared.group_count(), 1u);
  EXPECT_FALSE(shared.allowed("a", "/both"));
  EXPECT_FALSE(shared.allowed("b", "/both"));
}

TEST(RobotsSyntax, EmptyDisallowAllowsAndRobotsTxtIsAlwaysAllowed) {
  const auto empty = RobotsRules::parse("User-agent: *\nDisallow:\n");
  EXPECT_TRUE(empty.allowed("uvscrape", "/"));
  EXPECT_TRUE(empty.allowed("uvscrape", "/anything"));
  EXPECT_EQ(empty.for_agent("uvscrape").rule_count(), 0u);

  const auto everything = RobotsRules::parse("User-agent: *\nDisallow: /\n");
  EXPECT_FALSE(everything.allowed("uvscrape", "/"));
  EXPECT_FALSE(everything.allowed("uvscrape", ""));  // "" is "/"
  // A path without its leading '/' is asked about as if it had one (found by
  // the fuzzer: "\0/x" escaped a Disallow: /).
  EXPECT_FALSE(everything.allowed("uvscrape", std::string_view("\0/x", 3)));
  EXPECT_FALSE(everything.allowed("uvscrape", "page"));
  EXPECT_TRUE(everything.allowed("uvscrape", "robots.txt"));
  EXPECT_TRUE(everything.allowed("uvscrape", "/robots.txt"));
  EXPECT_TRUE(everything.allowed("uvscrape", "/robots.txt?x=1"));
  EXPECT_FALSE(everything.allowed("uvscrape", "/robots.txt.bak"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("anybot", "/x"));
  EXPECT_TRUE(RobotsRules::disallow_all().allowed("anybot", "/robots.txt"));
  EXPECT_TRUE(RobotsRules::allow_all().allowed("anybot", "/x"));
}

TEST(RobotsSyntax, GarbageLinesAreIgnored) {
  const auto rules = RobotsRules::parse(
      "<html><body>Not a robots.txt</body></html>\n"
      "User-agent: *\n"
      "this line has no colon\n"
      "Disallow /nocolon\n"
      ": no key\n"
      "Disallow: /kept # a comment after the rule\n"
      "\x01\x02\xFF\xFE binary: junk\n"
      "Noindex: /ignored\n"
      "   DISALLOW   :   /spaced   \n"
      "Dissallow: /typo\n");
  EXPECT_TRUE(rules.allowed("uvscrape", "/nocolon"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/kept"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/ignored"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/spaced"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/typo"));
  EXPECT_EQ(rules.for_agent("uvscrape").rule_count(), 3u);
  // Not even an html page breaks it: everything allowed.
  EXPECT_TRUE(RobotsRules::parse("<!doctype html><p>404</p>").allowed("uvscrape", "/x"));
}

TEST(RobotsSyntax, LineEndsAndTheBom) {
  const auto crlf = RobotsRules::parse("User-agent: *\r\nDisallow: /a\r\nDisallow: /b\r\n");
  const auto cr = RobotsRules::parse("User-agent: *\rDisallow: /a\rDisallow: /b");
  const auto mixed =
      RobotsRules::parse("\xEF\xBB\xBFUser-agent: *\nDisallow: /a\r\n\r\rDisallow: /b");
  for (const RobotsRules* rules : {&crlf, &cr, &mixed}) {
    EXPECT_FALSE(rules->allowed("uvscrape", "/a"));
    EXPECT_FALSE(rules->allowed("uvscrape", "/b"));
    EXPECT_TRUE(rules->allowed("uvscrape", "/c"));
    EXPECT_EQ(rules->for_agent("uvscrape").rule_count(), 2u);  // no '\r' left in a pattern
  }
  // Without the BOM stripped, the first key would be "\xEF\xBB\xBFUser-agent".
  EXPECT_EQ(mixed.group_count(), 1u);
}

TEST(RobotsSyntax, CrawlDelayPerGroupAndSitemaps) {
  const auto rules = RobotsRules::parse(
      "Sitemap: https://example.org/sitemap.xml\n"
      "User-agent: slowbot\n"
      "Crawl-delay: 0.5\n"
      "User-agent: *\n"
      "Crawl-delay: ten\n"  // not a number: ignored
      "Crawl-delay: -1\n"   // negative: ignored
      "Disallow: /x\n"
      "sitemap: https://example.org/other.xml\n");
  EXPECT_EQ(rules.crawl_delay("slowbot"), 0.5);
  EXPECT_FALSE(rules.crawl_delay("uvscrape").has_value());
  EXPECT_FALSE(rules.allowed("uvscrape", "/x"));
  ASSERT_EQ(rules.sitemaps().size(), 2u);
  EXPECT_EQ(rules.sitemaps()[0], "https://example.org/sitemap.xml");
  EXPECT_EQ(rules.sitemaps()[1], "https://example.org/other.xml");
}

// RFC 9309 §2.5: at least 500 KiB parsed; the rest ignored.
TEST(RobotsLimit, OnlyTheFirst500KiBAreParsed) {
  std::string body = "User-agent: *\nDisallow: /early\n";
  const std::string filler = "# " + std::string(96, 'x') + "\n";
  while (body.size() + filler.size() < kMaxRobotsBytes - 100) body += filler;
  body += "Disallow: /before-limit\n";
  // A line the limit cuts right after "Disallow: /s": taken as it stands it would
  // disallow /s and everything below it.
  while (body.size() < kMaxRobotsBytes - 13) body += "#";
  body += "\nDisallow: /straddling\n";
  ASSERT_EQ(body.find("Disallow: /straddling") + std::string_view("Disallow: /s").size(),
            kMaxRobotsBytes);
  body += "Disallow: /late\n";
  while (body.size() < 1024 * 1024) body += filler;
  body += "Disallow: /very-late\n";

  const auto rules = RobotsRules::parse(body);
  EXPECT_TRUE(rules.truncated());
  EXPECT_FALSE(rules.allowed("uvscrape", "/early"));
  EXPECT_FALSE(rules.allowed("uvscrape", "/before-limit"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/straddling"));  // cut by the limit: dropped
  EXPECT_TRUE(rules.allowed("uvscrape", "/s"));           // not as a cut-down "/s" either
  EXPECT_TRUE(rules.allowed("uvscrape", "/late"));
  EXPECT_TRUE(rules.allowed("uvscrape", "/very-late"));
  EXPECT_FALSE(RobotsRules::parse("User-agent: *\nDisallow: /x\n").truncated());
}

}  // namespace
}  // namespace uvscrape::robots
