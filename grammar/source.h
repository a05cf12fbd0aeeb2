// grammar/source.h: source text, byte spans and their mapping to lines and columns.
//
// Every AST node and diagnostic refers to source through a Span of byte offsets.
// Lines and columns are computed only when rendering: columns count Unicode code
// points (a tab is one column), so `path:line:col` agrees with editors for UTF-8
// text. A SourceMap owns every file of one compilation; file ids index into it and
// stay valid for its lifetime. Not thread-safe for mutation; const use is.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edict {

using FileId = uint32_t;

// [begin, end) byte offsets into one file. An empty span points between two bytes.
struct Span {
  FileId file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;

  friend bool operator==(const Span&, const Span&) = default;
};

struct LineCol {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in code points
};

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  uint32_t size() const { return static_cast<uint32_t>(text_.size()); }

  // Offsets past the end clamp to the end. Offsets inside a multi-byte sequence
  // count as the code point they belong to.
  LineCol line_col(uint32_t offset) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // The text of a 1-based line, without its line terminator.
  std::string_view line(uint32_t line) const;
  uint32_t line_start(uint32_t line) const { return line_starts_[line - 1]; }

 private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;  // INVARIANT: line_starts_[0] == 0, ascending
};

class SourceMap {
 public:
  FileId add(std::string name, std::string text);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }

 private:
  // unique_ptr keeps each file's address (and its string_views) stable as files are added.
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Number of code points in `bytes` (continuation bytes are not counted).
uint32_t count_code_points(std::string_view bytes);

// One UTF-8 sequence decoded strictly: overlong forms, surrogates, code points past
// U+10FFFF and truncated sequences are invalid (`valid` false, `length` 1).
struct Utf8Char {
  uint32_t code_point = 0;
  uint32_t length = 1;
  bool valid = false;
};
Utf8Char decode_utf8(std::string_view text, size_t at);

}  // namespace edict
