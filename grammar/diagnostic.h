// grammar/diagnostic.h: the one diagnostic type of every Edict front-end phase.
//
// Diagnostics are plain data, collected (never thrown) by the parser, resolver and
// type checker, and rendered at the edge: gcc-style text with the source line and a
// caret under the span, or JSON for tools. Each carries a stable code (E00xx parse,
// E01xx names, E02xx types) so tests, docs and tools can refer to it.
//
// Message style (Cedar's): lowercase, no trailing period, one line, user names in
// backticks; advice goes in `help`, related places in `notes`.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/source.h"

namespace edict {

enum class Severity : uint8_t { kError, kWarning, kNote };

// A secondary location: "first declared here", "cycle passes through here".
struct Note {
  Span span;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;     // "E0101"
  Span span;
  std::string message;  // one line, lowercase, no trailing period
  std::string help;     // optional: "did you mean `admin`?"
  std::vector<Note> notes;
};

class Diagnostics {
 public:
  // Past this many errors, further ones are counted but not kept: a garbage file
  // must not produce a million lines of output.
  static constexpr size_t kMaxKept = 100;

  Diagnostic& error(std::string_view code, Span span, std::string message);
  Diagnostic& warning(std::string_view code, Span span, std::string message);
  Diagnostic& add(Diagnostic d);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  size_t warning_count() const { return warning_count_; }
  size_t dropped() const { return dropped_; }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Orders by (file, offset) so output is stable whatever the order of the passes,
  // and drops exact duplicates (a condition checked once per resource type may
  // report the same mistake several times).
  void sort_and_dedupe();

 private:
  std::vector<Diagnostic> items_;
  Diagnostic overflow_;  // target of pushes past kMaxKept
  size_t error_count_ = 0;
  size_t warning_count_ = 0;
  size_t dropped_ = 0;
};

// gcc-style text: `path:line:col: error: message [CODE]`, the source line, a caret
// under the span, `= help: ...`, then each note with its own location.
void render_text(const Diagnostics& diags, const SourceMap& sources, std::ostream& out,
                 bool color = false);
// {"diagnostics": [...], "errors": N, "warnings": N}; one shape for every tool.
void render_json(const Diagnostics& diags, const SourceMap& sources, std::ostream& out);

std::string_view severity_name(Severity s);

}  // namespace edict
