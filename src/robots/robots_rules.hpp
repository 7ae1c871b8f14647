// robots.txt rules (RFC 9309, the Robots Exclusion Protocol): parsed once per
// host, asked for every request to it.
//
// What the parser follows:
//   * groups: one or more consecutive `user-agent` lines, then their rules;
//     rules before the first `user-agent` line belong to no group and are ignored;
//   * a crawler obeys the groups naming its product token (case-insensitive,
//     merged into one when several do), else the `*` group, else nothing
//     (everything allowed);
//   * `allow` / `disallow` patterns with `*` (any run of octets) and a final `$`
//     (end of the URL); the longest matching pattern wins, `allow` wins a tie;
//     an empty `disallow` allows everything;
//   * paths are compared after percent-encoding is normalised (§2.2.2): a %XX of
//     an unreserved character is decoded, octets outside printable ASCII are
//     encoded, so `/%62az` is `/baz`, while `%2F` stays different from `/`;
//   * `/robots.txt` itself is always allowed;
//   * a UTF-8 BOM, CR, LF and CRLF line ends, `#` comments, lines without a
//     colon (ignored), keys without case;
//   * only the first kMaxRobotsBytes (500 KiB) are parsed; a line cut by that
//     limit is dropped, so a cut rule never takes effect half-way;
//   * `crawl-delay: N` (not in RFC 9309; many crawlers honour it) per group;
//     `sitemap:` lines are collected.
//
// A leaf: no I/O, no libuv, nothing of the other layers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uvscrape::robots {

// Bytes of a robots.txt that are parsed; the rest is ignored (RFC 9309 §2.5).
inline constexpr std::size_t kMaxRobotsBytes = 500 * 1024;

// `path` (a robots.txt pattern or a URL's path and query) with percent-encoding
// normalised for comparison (RFC 9309 §2.2.2): %XX of an unreserved character
// (ALPHA DIGIT - . _ ~) decoded, other %xx upper-cased, a '%' without two hex
// digits and every octet outside 0x21-0x7E percent-encoded.
std::string normalise_path(std::string_view path);

// The product token of a user-agent string: its leading letters, '_' and '-',
// lower-cased ("MyBot/1.2 (+http://x)" -> "mybot"); "" when it has none.
std::string product_token(std::string_view user_agent);

// The rules one crawler obeys (its groups merged).
class AgentRules {
 public:
  // Whether `path_and_query` ("/a/b?x=1"; "" is "/") may be fetched.
  bool allowed(std::string_view path_and_query) const;
  // The group's Crawl-delay in seconds (the largest, when merged groups disagree).
  std::optional<double> crawl_delay() const noexcept { return crawl_delay_; }
  std::size_t rule_count() const noexcept { return rules_.size(); }

 private:
  friend class RobotsRules;
  struct Rule {
    std::string pattern;  // normalised; may hold '*' and end in '$'
    bool allow = false;
  };
  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_;
};

class RobotsRules {
 public:
  // Never fails: whatever is not understood is ignored.
  static RobotsRules parse(std::string_view body);
  // No rules (a 4xx robots.txt, RFC 9309 §2.3.1.3).
  static RobotsRules allow_all() { return RobotsRules(); }
  // Everything but /robots.txt disallowed for every agent (an unreachable
  // robots.txt, RFC 9309 §2.3.1.4).
  static RobotsRules disallow_all();

  // The rules for the crawler whose product token (or user-agent string) is
  // `user_agent`: its own groups merged, else the `*` group, else none.
  AgentRules for_agent(std::string_view user_agent) const;
  bool allowed(std::string_view user_agent, std::string_view path_and_query) const {
    return for_agent(user_agent).allowed(path_and_query);
  }
  std::optional<double> crawl_delay(std::string_view user_agent) const {
    return for_agent(user_agent).crawl_delay();
  }

  const std::vector<std::string>& sitemaps() const noexcept { return sitemaps_; }
  std::size_t group_count() const noexcept { return groups_.size(); }
  // True when the body was longer than kMaxRobotsBytes (the rest was ignored).
  bool truncated() const noexcept { return truncated_; }

 private:
  struct Group {
    std::vector<std::string> agents;  // product tokens, lower-case; "*" for the fallback
    AgentRules rules;
  };
  std::vector<Group> groups_;
  std::vector<std::string> sitemaps_;
  bool truncated_ = false;
};

}  // namespace uvscrape::robots
