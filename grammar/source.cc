// grammar/source.cc: line tables and offset -> line/column mapping.
#include "grammar/source.h"

#include <algorithm>

namespace edict {

uint32_t count_code_points(std::string_view bytes) {
  uint32_t n = 0;
  for (unsigned char c : bytes) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

Utf8Char decode_utf8(std::string_view t, size_t i) {
  const auto c = static_cast<unsigned char>(t[i]);
  if (c < 0x80) return {c, 1, true};
  uint32_t len = 0, cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; min = 0x10000; }
  else return {};
  if (i + len > t.size()) return {};
  for (uint32_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(t[i + k]);
    if ((cc & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len, true};
}

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::line_col(uint32_t offset) const {
  offset = std::min(offset, size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<uint32_t>(it - line_starts_.begin());
  const uint32_t start = line_starts_[line - 1];
  // Column = 1 + code points that start before `offset`. When offset points into
  // the middle of a sequence, that sequence's lead byte was counted: take it back.
  uint32_t col = 1 + count_code_points(std::string_view(text_).substr(start, offset - start));
  // (A continuation byte with no lead byte before it on the line is its own column.)
  if (col > 1 && offset < size() && (static_cast<unsigned char>(text_[offset]) & 0xC0) == 0x80) --col;
  return {line, col};
}

std::string_view SourceFile::line(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  const uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

FileId SourceMap::add(std::string name, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(name), std::move(text)));
  return static_cast<FileId>(files_.size() - 1);
}

}  // namespace edict
