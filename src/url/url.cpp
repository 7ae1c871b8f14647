// Url: serialisation and the request-line pieces; parsing is url/parser.cpp.
#include "uvscrape/url.hpp"

#include "url/parser.hpp"
#include "url/percent_encode.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape {

Url Url::parse(std::string_view text) {
  return url_detail::UrlParser::parse(text, nullptr);
}

Url Url::parse(std::string_view reference, const Url& base) {
  return url_detail::UrlParser::parse(reference, &base);
}

std::string_view Url::username() const noexcept {
  return std::string_view(userinfo_).substr(0, userinfo_.find(':'));
}

std::string_view Url::password() const noexcept {
  const size_t colon = userinfo_.find(':');
  return colon == std::string::npos ? std::string_view()
                                    : std::string_view(userinfo_).substr(colon + 1);
}

// The URL serialiser: scheme "://" [userinfo "@"] host [":" port] path
// ["?" query] ["#" fragment].
void Url::serialise() {
  text_.clear();
  text_.reserve(scheme_.size() + userinfo_.size() + host_.size() + path_.size() + query_.size() +
                fragment_.size() + 16);
  text_ += scheme_;
  text_ += "://";
  if (!userinfo_.empty()) {
    text_ += userinfo_;
    text_ += '@';
  }
  if (ipv6_) {
    text_ += '[';
    text_ += host_;
    text_ += ']';
  } else {
    text_ += host_;
  }
  if (port_ != default_port()) {
    text_ += ':';
    text_ += std::to_string(port_);
  }
  text_ += path_;
  if (has_query_) {
    text_ += '?';
    text_ += query_;
  }
  if (has_fragment_) {
    text_ += '#';
    text_ += fragment_;
  }
}

std::string Url::str_without_fragment() const {
  if (!has_fragment_) return text_;
  return text_.substr(0, text_.size() - fragment_.size() - 1);
}

std::string Url::request_target() const {
  std::string target = path_.empty() ? std::string("/") : path_;
  if (has_query_) {
    target += '?';
    target += query_;
  }
  return target;
}

std::string Url::host_header() const {
  std::string out = ipv6_ ? "[" + host_ + "]" : host_;
  if (port_ != default_port()) {
    out += ':';
    out += std::to_string(port_);
  }
  return out;
}

std::string Url::origin() const {
  std::string out = scheme_ + "://";
  out += ipv6_ ? "[" + host_ + "]" : host_;
  out += ':';
  out += std::to_string(port_);
  return out;
}

std::string normalise_url(std::string_view url) {
  return Url::parse(url).str();
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  if (base.empty()) return Url::parse(reference).str();
  const Url page = [&] {
    try {
      return Url::parse(base);
    } catch (const UrlError& e) {
      throw UrlError(std::string(reference), "cannot resolve against the base \"" +
                                                 std::string(base) + "\": " + e.reason());
    }
  }();
  return Url::parse(reference, page).str();
}

std::string encode_form(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    url_detail::append_form_encoded(out, name);
    out += '=';
    url_detail::append_form_encoded(out, value);
  }
  return out;
}

std::string with_query(std::string_view url,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return std::string(url);
  const size_t hash = url.find('#');
  const std::string_view before = url.substr(0, hash);
  const std::string_view fragment = hash == std::string_view::npos ? "" : url.substr(hash);
  std::string out(before);
  const size_t question = before.find('?');
  if (question == std::string_view::npos) {
    out += '?';
  } else if (question + 1 < before.size() && before.back() != '&') {
    out += '&';
  }
  out += encode_form(params);
  out += fragment;
  return out;
}

}  // namespace uvscrape
