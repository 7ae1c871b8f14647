// See robots_rules.hpp.
#include "robots/robots_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace uvscrape::robots {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr char kHex[] = "0123456789ABCDEF";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_token_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void append_encoded(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Glob match of a normalised pattern against a normalised path: '*' matches any
// run of octets, a final '$' anchors the end; otherwise the pattern is a prefix.
// Greedy with backtracking to the last '*': O(pattern * path) at worst.
bool matches(std::string_view pattern, std::string_view path) noexcept {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  constexpr size_t kNone = std::string_view::npos;
  size_t p = 0, s = 0, star = kNone, star_s = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_s = s;
    } else if (p == pattern.size() && !anchored) {
      return true;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != kNone) {
      p = star + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// A Crawl-delay value: a non-negative decimal number of seconds.
std::optional<double> parse_delay(std::string_view value) {
  if (value.empty() || value.size() > 32) return std::nullopt;
  const std::string text(value);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

enum class Key { user_agent, allow, disallow, crawl_delay, sitemap, other };

// Keys without case; a few spellings crawlers commonly accept too.
Key key_of(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), lower);
  if (k == "user-agent" || k == "useragent" || k == "user agent") return Key::user_agent;
  if (k == "allow") return Key::allow;
  if (k == "disallow" || k == "dissallow" || k == "disalow") return Key::disallow;
  if (k == "crawl-delay") return Key::crawl_delay;
  if (k == "sitemap" || k == "site-map") return Key::sitemap;
  return Key::other;
}

}  // namespace

std::string normalise_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c == '%') {
      const int hi = i + 2 < path.size() ? hex_value(path[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(path[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        out += "%25";
        continue;
      }
      const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
      if (is_unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_encoded(out, decoded);
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7F) {
      append_encoded(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string product_token(std::string_view user_agent) {
  user_agent = trim(user_agent);
  std::string token;
  for (char c : user_agent) {
    if (!is_token_char(c)) break;
    token += lower(c);
  }
  return token;
}

bool AgentRules::allowed(std::string_view path_and_query) const {
  // A request target starts with '/'; anything else is asked about as if it did.
  std::string path = normalise_path(path_and_query);
  if (path.empty() || path.front() != '/') path.insert(0, 1, '/');
  if (path == "/robots.txt" || path.rfind("/robots.txt?", 0) == 0) return true;
  size_t best = 0;
  bool matched = false;
  bool allow = true;
  for (const Rule& rule : rules_) {
    if (rule.pattern.size() < best || (matched && rule.pattern.size() == best && allow)) continue;
    if (!matches(rule.pattern, path)) continue;
    if (!matched || rule.pattern.size() > best) {
      allow = rule.allow;
    } else {
      allow = allow || rule.allow;  // a tie: allow wins
    }
    best = rule.pattern.size();
    matched = true;
  }
  return allow;
}

RobotsRules RobotsRules::disallow_all() {
  return parse("User-agent: *\nDisallow: /\n");
}

RobotsRules RobotsRules::parse(std::string_view body) {
  RobotsRules out;
  if (body.size() > kMaxRobotsBytes) {
    out.truncated_ = true;
    body = body.substr(0, kMaxRobotsBytes);
    // Drop the line the limit cut (unless the cut fell right after a line end).
    const size_t last_end = body.find_last_of("\r\n");
    body = last_end == std::string_view::npos ? std::string_view() : body.substr(0, last_end + 1);
  }
  if (body.substr(0, kBom.size()) == kBom) body.remove_prefix(kBom.size());

  Group* group = nullptr;
  bool in_agents = false;  // the last group line was a user-agent line
  while (!body.empty()) {
    const size_t end = body.find_first_of("\r\n");
    std::string_view line = body.substr(0, end);
    if (end == std::string_view::npos) {
      body = {};
    } else {
      body.remove_prefix(
          end + (body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n' ? 2 : 1));
    }
    line = line.substr(0, line.find('#'));
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const Key key = key_of(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    switch (key) {
      case Key::user_agent: {
        if (!in_agents) {
          out.groups_.emplace_back();
          group = &out.groups_.back();
          in_agents = true;
        }
        std::string token = !value.empty() && value.front() == '*' ? "*" : product_token(value);
        if (!token.empty()) group->agents.push_back(std::move(token));
        break;
      }
      case Key::allow:
      case Key::disallow: {
        if (!group) break;  // before any user-agent line: belongs to no group
        in_agents = false;
        if (value.empty()) break;  // "Disallow:" allows everything; "Allow:" says nothing
        std::string pattern = value.front() == '/' || value.front() == '*'
                                  ? normalise_path(value)
                                  : "/" + normalise_path(value);
        group->rules.rules_.push_back({std::move(pattern), key == Key::allow});
        break;
      }
      case Key::crawl_delay: {
        if (!group) break;
        in_agents = false;
        if (const auto delay = parse_delay(value))
          group->rules.crawl_delay_ = std::max(*delay, group->rules.crawl_delay_.value_or(0));
        break;
      }
      case Key::sitemap:
        if (!value.empty()) out.sitemaps_.emplace_back(value);
        break;
      case Key::other: break;
    }
  }
  return out;
}

AgentRules RobotsRules::for_agent(std::string_view user_agent) const {
  const std::string token = product_token(user_agent);
  AgentRules own;
  AgentRules star;
  bool named = false;
  bool starred = false;
  auto merge = [](AgentRules& into, const AgentRules& from) {
    into.rules_.insert(into.rules_.end(), from.rules_.begin(), from.rules_.end());
    if (from.crawl_delay_)
      into.crawl_delay_ = std::max(*from.crawl_delay_, into.crawl_delay_.value_or(0));
  };
  for (const Group& g : groups_) {
    const bool mine =
        !token.empty() && std::find(g.agents.begin(), g.agents.end(), token) != g.agents.end();
    if (mine) {
      merge(own, g.rules);
      named = true;
    }
    if (!named && std::find(g.agents.begin(), g.agents.end(), "*") != g.agents.end()) {
      merge(star, g.rules);
      starred = true;
    }
  }
  if (named) return own;
  if (starred) return star;
  return AgentRules();
}

}  // namespace uvscrape::robots
