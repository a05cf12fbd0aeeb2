// grammar/diagnostic.cc: collecting diagnostics and rendering them as text or JSON.
#include "grammar/diagnostic.h"

#include <algorithm>
#include <ostream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace edict {
namespace {

// Long lines (minified or hostile input) are shown as a window around the span.
constexpr uint32_t kMaxShownColumns = 160;
constexpr uint32_t kContextBefore = 60;

// One displayed cell per code point of a source line: the text to print for it,
// whether it is a tab (copied into the caret line so carets stay aligned).
struct Cell {
  std::string text;
  bool tab = false;
};

// Splits a line into code points, replacing anything a terminal would interpret
// (control characters, bidirectional overrides, invalid UTF-8) with a visible
// stand-in, so a diagnostic can never reorder or hide the text it quotes.
//
// Only cells [from, from + max) are materialised (a hostile line may be 10 MB);
// `total` receives the number of cells of the whole line.
std::vector<Cell> display_cells(std::string_view line, uint32_t from, uint32_t max, uint32_t& total) {
  std::vector<Cell> cells;
  size_t i = 0;
  uint32_t index = 0;
  // Cells before the window are only counted.
  while (i < line.size() && index < from) {
    ++index;
    const Utf8Char ch = decode_utf8(line, i);
    i += ch.valid ? ch.length : 1;
    while (!ch.valid && i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  }
  while (i < line.size() && cells.size() < max) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == '\t') { cells.push_back({"\t", true}); ++i; continue; }
    if (c < 0x20 || c == 0x7F) { cells.push_back({"?"}); ++i; continue; }
    if (c < 0x80) { cells.push_back({std::string(1, static_cast<char>(c))}); ++i; continue; }
    const Utf8Char ch = decode_utf8(line, i);
    const uint32_t cp = ch.code_point;
    const bool bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                      (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    if (!ch.valid) {
      // One stand-in per byte that is not a continuation byte, matching how
      // line_col() counts columns, so carets stay aligned after bad bytes.
      cells.push_back({"?"});
      ++i;
      while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
      continue;
    }
    cells.push_back({bidi ? std::string("?") : std::string(line.substr(i, ch.length))});
    i += ch.length;
  }
  total = index + static_cast<uint32_t>(cells.size()) + count_code_points(line.substr(std::min(i, line.size())));
  return cells;
}

const char* color_of(Severity s) {
  switch (s) {
    case Severity::kError: return "\033[1;31m";
    case Severity::kWarning: return "\033[1;35m";
    case Severity::kNote: return "\033[1;36m";
  }
  return "";
}

void render_snippet(const SourceFile& file, Span span, std::ostream& out, bool color) {
  const LineCol at = file.line_col(span.begin);
  const std::string_view text = file.line(at.line);
  uint32_t total = 0;
  (void)display_cells(text, 0, 0, total);
  // 0-based cell index of the caret; at most one past the line's end.
  const uint32_t first_col = std::min(at.column - 1, total);
  const uint32_t from = first_col > kContextBefore ? first_col - kContextBefore : 0;
  // Short lines are shown whole; long ones as a window that starts before the caret.
  std::vector<Cell> cells = display_cells(text, 0, kMaxShownColumns + 1, total);
  uint32_t shown_from = 0;
  if (total > kMaxShownColumns) {
    shown_from = from;
    cells = display_cells(text, from, kMaxShownColumns, total);
  }
  const uint32_t shown_to = shown_from + static_cast<uint32_t>(cells.size());
  // Underline to the span's end, or to the end of the line for multi-line spans.
  const LineCol end = file.line_col(span.end);
  uint32_t width = end.line == at.line && end.column > at.column ? end.column - at.column : 1;
  if (end.line != at.line) width = total > first_col ? total - first_col : 1;
  if (shown_to > first_col) width = std::min(width, shown_to - first_col);

  std::string shown = shown_from > 0 ? "..." : "";
  std::string marks = shown_from > 0 ? "   " : "";
  for (const Cell& c : cells) shown += c.text;
  if (shown_to < total) shown += "...";
  for (uint32_t i = shown_from; i < first_col; ++i) {
    marks += i < shown_to && cells[i - shown_from].tab ? '\t' : ' ';
  }
  std::string underline = "^" + std::string(width > 0 ? width - 1 : 0, '~');
  if (color) underline = "\033[1;32m" + underline + "\033[0m";
  out << fmt::format("{:>5}", at.line) << " | " << shown << '\n' << "      | " << marks << underline << '\n';
}

void render_header(const SourceMap& sources, Span span, Severity sev, std::string_view message,
                   std::string_view code, std::ostream& out, bool color) {
  const SourceFile& file = sources.file(span.file);
  const LineCol at = file.line_col(span.begin);
  if (color) out << "\033[1m";
  out << file.name() << ':' << at.line << ':' << at.column << ": ";
  if (color) out << color_of(sev);
  out << severity_name(sev) << ": ";
  if (color) out << "\033[0;1m";
  out << message;
  if (!code.empty()) out << " [" << code << ']';
  if (color) out << "\033[0m";
  out << '\n';
}

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::error(std::string_view code, Span span, std::string message) {
  return add(Diagnostic{Severity::kError, std::string(code), span, std::move(message), {}, {}});
}

Diagnostic& Diagnostics::warning(std::string_view code, Span span, std::string message) {
  return add(Diagnostic{Severity::kWarning, std::string(code), span, std::move(message), {}, {}});
}

Diagnostic& Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::kError) ++error_count_;
  if (d.severity == Severity::kWarning) ++warning_count_;
  if (items_.size() >= kMaxKept) {
    ++dropped_;
    overflow_ = std::move(d);  // callers may still attach help and notes; they go nowhere
    return overflow_;
  }
  return items_.emplace_back(std::move(d));
}

void Diagnostics::sort_and_dedupe() {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.span.file, d.span.begin, d.span.end, d.code, d.message);
  };
  std::stable_sort(items_.begin(), items_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  auto last = std::unique(items_.begin(), items_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return key(a) == key(b);
  });
  for (auto it = last; it != items_.end(); ++it) {
    if (it->severity == Severity::kError) --error_count_;
    if (it->severity == Severity::kWarning) --warning_count_;
  }
  items_.erase(last, items_.end());
}

void render_text(const Diagnostics& diags, const SourceMap& sources, std::ostream& out, bool color) {
  for (const Diagnostic& d : diags.items()) {
    render_header(sources, d.span, d.severity, d.message, d.code, out, color);
    render_snippet(sources.file(d.span.file), d.span, out, color);
    if (!d.help.empty()) out << "      = help: " << d.help << '\n';
    for (const Note& n : d.notes) {
      render_header(sources, n.span, Severity::kNote, n.message, {}, out, color);
      render_snippet(sources.file(n.span.file), n.span, out, color);
    }
  }
  if (diags.dropped() > 0) {
    out << "note: " << diags.dropped() << " more diagnostics not shown\n";
  }
}

namespace {
nlohmann::json location_json(const SourceMap& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  const LineCol b = file.line_col(span.begin);
  const LineCol e = file.line_col(span.end);
  return {{"file", file.name()},   {"line", b.line},     {"column", b.column},
          {"end_line", e.line},    {"end_column", e.column},
          {"byte_offset", span.begin}, {"byte_length", span.end - span.begin}};
}
}  // namespace

void render_json(const Diagnostics& diags, const SourceMap& sources, std::ostream& out) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diags.items()) {
    nlohmann::json j = {{"severity", severity_name(d.severity)},
                        {"code", d.code},
                        {"message", d.message},
                        {"location", location_json(sources, d.span)}};
    if (!d.help.empty()) j["help"] = d.help;
    nlohmann::json notes = nlohmann::json::array();
    for (const Note& n : d.notes) {
      notes.push_back({{"message", n.message}, {"location", location_json(sources, n.span)}});
    }
    j["notes"] = std::move(notes);
    list.push_back(std::move(j));
  }
  nlohmann::json doc = {{"diagnostics", std::move(list)},
                        {"errors", diags.error_count()},
                        {"warnings", diags.warning_count()},
                        {"not_shown", diags.dropped()}};
  // Replace rather than throw on invalid UTF-8 in names: output must always be valid JSON.
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace edict
