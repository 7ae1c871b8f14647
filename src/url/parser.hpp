// The WHATWG basic URL parser, for http and https: text (and a base) in, a
// Url out, or UrlError naming the input and the base.
#pragma once

#include <string>
#include <string_view>

#include "uvscrape/url.hpp"

namespace uvscrape::url_detail {

class UrlParser {
 public:
  // `base` is null for an absolute URL. Throws UrlError.
  static Url parse(std::string_view input, const Url* base);

 private:
  UrlParser(std::string_view original, const Url* base) : original_(original), base_(base) {}

  // One method per group of states of the standard, called in order; each
  // ends by calling the next or finish().
  void strip();
  void read_scheme();
  void read_relative(size_t p);
  void read_authority(size_t p);
  void read_userinfo(std::string_view userinfo);
  void read_port(std::string_view digits);
  void read_path(size_t p);
  void read_query(size_t p);
  void read_fragment(size_t p);
  void finish();

  void copy_base_authority();
  void shorten_path();
  [[noreturn]] void fail(const std::string& reason) const;

  char at(size_t i) const noexcept { return i < input_.size() ? input_[i] : '\0'; }
  bool at_end(size_t i) const noexcept { return i >= input_.size(); }

  std::string_view original_;  // as given, for errors
  const Url* base_;
  std::string_view input_;  // stripped
  std::string stripped_;    // owns input_ when tabs or newlines had to go
  Url url_;
};

}  // namespace uvscrape::url_detail
