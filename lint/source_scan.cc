// lint/source_scan.cc: comments, strings and identifiers of policy text.
#include "lint/source_scan.h"

#include "grammar/source.h"

namespace edict::lint {
namespace {

bool ascii_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ascii_ident_char(char c) { return ascii_ident_start(c) || (c >= '0' && c <= '9'); }

// Non-ASCII code points the grammar takes as letters: everything but spaces,
// general punctuation (dashes, quotes, bidirectional controls) and the BOM.
bool unicode_letter(uint32_t cp) {
  return cp >= 0x80 && cp != 0xA0 && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0xFEFF && cp != 0x3000;
}

}  // namespace

std::vector<Token> scan_tokens(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = text.size();
  auto u32 = [](size_t x) { return static_cast<uint32_t>(x); };
  while (i < n) {
    const char c = text[i];
    if (c == '#' || (c == '/' && i + 1 < n && text[i + 1] == '/')) {
      const size_t start = i;
      while (i < n && text[i] != '\n' && text[i] != '\r') ++i;
      out.push_back({Token::Kind::kComment, u32(start), u32(i)});
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const size_t start = i;
      const size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? n : close + 2;
      out.push_back({Token::Kind::kComment, u32(start), u32(i)});
      continue;
    }
    if (c == '"') {
      const size_t start = i++;
      while (i < n && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' && i + 1 < n ? 2 : 1;
      if (i < n && text[i] == '"') ++i;
      out.push_back({Token::Kind::kString, u32(start), u32(i)});
      continue;
    }
    const bool start_ascii = ascii_ident_start(c);
    Utf8Char ch;
    if (!start_ascii && static_cast<unsigned char>(c) >= 0x80) ch = decode_utf8(text, i);
    if (start_ascii || (ch.valid && unicode_letter(ch.code_point))) {
      const size_t start = i;
      while (i < n) {
        if (ascii_ident_char(text[i])) { ++i; continue; }
        if (static_cast<unsigned char>(text[i]) < 0x80) break;
        const Utf8Char d = decode_utf8(text, i);
        if (!d.valid || !unicode_letter(d.code_point)) break;
        i += d.length;
      }
      out.push_back({Token::Kind::kIdentifier, u32(start), u32(i)});
      continue;
    }
    i += ch.valid ? ch.length : 1;
  }
  return out;
}

}  // namespace edict::lint
