// HTML forms: the fields a browser would submit by default, and submission URLs.
#include <libxml/tree.h>

#include <algorithm>

#include "html/document.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; });
  return text;
}

// An option's label as its value: whitespace stripped and collapsed (HTML spec).
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out += c;
    }
  }
  return out;
}

std::string option_value(const Element& option) {
  if (auto value = option.attr("value")) return *value;
  return collapse_whitespace(option.text());
}

void add_select(const Element& select, const std::string& name, Form& form) {
  const bool multiple = select.attr("multiple").has_value();
  const std::vector<Element> options = select.xpath(".//option");
  std::vector<const Element*> selected;
  for (const Element& option : options) {
    if (option.attr("selected")) selected.push_back(&option);
  }
  if (multiple) {
    for (const Element* option : selected) form.fields.emplace_back(name, option_value(*option));
  } else if (!selected.empty()) {
    form.fields.emplace_back(name, option_value(*selected.back()));  // the last one wins
  } else if (!options.empty()) {
    form.fields.emplace_back(name, option_value(options.front()));
  }
}

void add_input(const Element& input, const std::string& name, Form& form) {
  const std::string type = lower(input.attr("type").value_or("text"));
  if (type == "submit" || type == "button" || type == "image" || type == "reset" ||
      type == "file") {
    return;  // only sent when they are the submitter, or not as a plain field
  }
  if (type == "checkbox" || type == "radio") {
    if (input.attr("checked")) form.fields.emplace_back(name, input.attr("value").value_or("on"));
    return;
  }
  form.fields.emplace_back(name, input.attr("value").value_or(""));
}

}  // namespace

Form& Form::set(std::string_view name, std::string value) {
  auto it = std::find_if(fields.begin(), fields.end(),
                         [&](const auto& field) { return field.first == name; });
  if (it == fields.end()) {
    fields.emplace_back(std::string(name), std::move(value));
    return *this;
  }
  it->second = std::move(value);
  const auto first = it - fields.begin();
  fields.erase(std::remove_if(fields.begin() + first + 1, fields.end(),
                              [&](const auto& field) { return field.first == name; }),
               fields.end());
  return *this;
}

std::optional<std::string> Form::get(std::string_view name) const {
  for (const auto& [field, value] : fields) {
    if (field == name) return value;
  }
  return std::nullopt;
}

std::string Form::get_url() const {
  const size_t cut = action.find_first_of("?#");
  return std::string(action.substr(0, cut)) + "?" + encode_form(fields);
}

std::string Form::encoded_fields() const {
  return encode_form(fields);
}

Form Element::as_form() const {
  if (tag() != "form") {
    throw ScraperAssumptionException("Element is not a form", url(), ErrorContext{{"tag", tag()}});
  }
  Form form;
  form.method = lower(attr("method").value_or("get")) == "post" ? "POST" : "GET";
  form.action = resolve_url(url(), attr("action").value_or(""));
  for (const Element& control : xpath(".//input | .//select | .//textarea")) {
    if (control.attr("disabled")) continue;
    const std::string name = control.attr("name").value_or("");
    if (name.empty()) continue;
    const std::string tag = control.tag();
    if (tag == "input") {
      add_input(control, name, form);
    } else if (tag == "select") {
      add_select(control, name, form);
    } else {
      form.fields.emplace_back(name, control.text());
    }
  }
  return form;
}

Form Element::form(std::string_view css_selector, std::string_view description) const {
  return checked_css(css_selector, description, 1, 1).front().as_form();
}

}  // namespace uvscrape
