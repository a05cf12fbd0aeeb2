// support/xml_escape.h: text for XML and HTML attributes and content (JUnit
// reports of `edict test` and `edict lint`, `edict matrix --format html`).
#pragma once

#include <string>
#include <string_view>

namespace edict {

// Escapes the five markup characters. XML 1.0 forbids most control characters
// even escaped, so those become '?' (newline and tab stay).
inline std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace edict
