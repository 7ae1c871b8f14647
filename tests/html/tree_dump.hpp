// A libxml2 tree written out node by node (type, name, content, attributes;
// not line numbers), so that two parses of a page can be compared whole.
#pragma once

#include <libxml/tree.h>

#include <string>

namespace uvscrape::html_detail {

// Adjacent text nodes stay apart (XPath's text() tells them apart too).
inline void dump_tree(const xmlNode* node, std::string& out, int depth) {
  for (; node != nullptr; node = node->next) {
    out.append(static_cast<size_t>(depth), ' ');
    out += std::to_string(node->type);
    if (node->name != nullptr)
      out += " <" + std::string(reinterpret_cast<const char*>(node->name)) + ">";
    if (node->type != XML_ELEMENT_NODE && node->type != XML_DTD_NODE && node->content != nullptr)
      out += " [" + std::string(reinterpret_cast<const char*>(node->content)) + "]";
    if (node->type == XML_DTD_NODE) {
      const auto* dtd = reinterpret_cast<const xmlDtd*>(node);
      if (dtd->ExternalID)
        out += " public=" + std::string(reinterpret_cast<const char*>(dtd->ExternalID));
      if (dtd->SystemID)
        out += " system=" + std::string(reinterpret_cast<const char*>(dtd->SystemID));
    }
    if (node->type == XML_ELEMENT_NODE) {
      for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        xmlChar* value = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
        out += " " + std::string(reinterpret_cast<const char*>(a->name)) + "=\"" +
               (value ? reinterpret_cast<const char*>(value) : "") + "\"";
        xmlFree(value);
      }
    }
    out += '\n';
    if (node->type == XML_ELEMENT_NODE) dump_tree(node->children, out, depth + 1);
  }
}

inline std::string tree_of(const xmlDoc* doc) {
  std::string out;
  if (doc != nullptr) dump_tree(doc->children, out, 0);
  return out;
}

}  // namespace uvscrape::html_detail
