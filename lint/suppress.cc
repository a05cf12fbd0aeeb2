// lint/suppress.cc: reading and applying `edict-lint: allow` comments.
#include "lint/suppress.h"

#include <algorithm>

#include <fmt/format.h>

#include "lint/rules.h"
#include "lint/source_scan.h"

namespace edict::lint {
namespace {

constexpr std::string_view kDirective = "edict-lint:";
constexpr std::string_view kEmDash = "\xE2\x80\x94";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Splits "ids SEP reason" at the first em dash, or the first `-`/`--` standing
// alone between spaces (rule ids contain `-`, so a bare `-` inside a word is not a
// separator). Returns npos-based positions through `sep_begin`/`sep_end`.
bool find_separator(std::string_view s, size_t& sep_begin, size_t& sep_end) {
  const size_t dash = s.find(kEmDash);
  size_t best = std::string_view::npos;
  size_t best_end = 0;
  if (dash != std::string_view::npos) {
    best = dash;
    best_end = dash + kEmDash.size();
  }
  for (size_t i = 0; i < s.size() && i < best; ++i) {
    if (s[i] != '-' || (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t')) continue;
    size_t j = i;
    while (j < s.size() && s[j] == '-') ++j;
    if (j - i > 2 || (j < s.size() && s[j] != ' ' && s[j] != '\t')) continue;
    best = i;
    best_end = j;
    break;
  }
  if (best == std::string_view::npos) return false;
  sep_begin = best;
  sep_end = best_end;
  return true;
}

void add(std::vector<Finding>& out, std::string_view rule, Span span, std::string message, std::string help) {
  Finding& f = out.emplace_back();
  f.rule = std::string(rule);
  f.severity = find_rule(rule)->severity;
  f.span = span;
  f.anchor = span;
  f.message = std::move(message);
  f.help = std::move(help);
}

}  // namespace

std::vector<Suppression> read_suppressions(const SourceFile& file, FileId id, std::vector<Finding>& findings) {
  std::vector<Suppression> out;
  const std::string_view text = file.text();
  for (const Token& t : scan_tokens(text)) {
    if (t.kind != Token::Kind::kComment) continue;
    std::string_view body = text.substr(t.begin, t.end - t.begin);
    body.remove_prefix(body.front() == '#' ? 1 : 2);
    if (body.size() >= 2 && text[t.begin] == '/' && text[t.begin + 1] == '*') body.remove_suffix(2);
    body = trim(body);
    if (body.substr(0, kDirective.size()) != kDirective) continue;
    const Span span{id, t.begin, t.end};
    body = trim(body.substr(kDirective.size()));
    if (body.substr(0, 5) != "allow" || (body.size() > 5 && body[5] != ' ' && body[5] != '\t')) {
      add(findings, ids::kInvalidSuppression, span, "malformed lint directive: expected `allow RULE-ID — reason`",
          "write `# edict-lint: allow RULE-ID — why this is intended`");
      continue;
    }
    body = trim(body.substr(5));
    Suppression s;
    s.span = span;
    s.line = file.line_col(t.begin).line;
    size_t sep_begin = 0;
    size_t sep_end = 0;
    std::string_view list = body;
    if (find_separator(body, sep_begin, sep_end)) {
      list = body.substr(0, sep_begin);
      s.reason = std::string(trim(body.substr(sep_end)));
    } else {
      // No dash: the ids end at the first gap that no comma bridges.
      size_t i = 0;
      bool want_id = true;
      while (i < list.size()) {
        size_t j = i;
        while (j < list.size() && (list[j] == ' ' || list[j] == '\t')) ++j;
        if (want_id) {
          size_t k = j;
          while (k < list.size() && id_char(list[k])) ++k;
          if (k == j) break;
          i = k;
          want_id = false;
        } else if (j < list.size() && list[j] == ',') {
          i = j + 1;
          want_id = true;
        } else {
          break;
        }
      }
      if (!trim(list.substr(i)).empty()) {
        add(findings, ids::kInvalidSuppression, span, "malformed lint directive: the reason must follow a dash",
            "write `allow RULE-ID — reason` (or `-`/`--` for the dash)");
        continue;
      }
    }
    bool bad = false;
    for (size_t i = 0; i < list.size();) {
      if (list[i] == ',' || list[i] == ' ' || list[i] == '\t') { ++i; continue; }
      size_t j = i;
      while (j < list.size() && id_char(list[j])) ++j;
      if (j == i) {  // a character no rule id has: the reason is missing its dash
        bad = true;
        break;
      }
      const std::string rule(list.substr(i, j - i));
      if (find_rule(rule) == nullptr) {
        add(findings, ids::kInvalidSuppression, span, fmt::format("unknown lint rule `{}` in a suppression", rule),
            "see `edict lint --list-rules` for the rule ids");
      } else {
        s.rules.push_back(rule);
      }
      i = j;
    }
    if (bad || (s.rules.empty() && list.find_first_not_of(" \t,") == std::string_view::npos)) {
      add(findings, ids::kInvalidSuppression, span, "malformed lint directive: expected `allow RULE-ID — reason`",
          "separate the reason from the rule ids with a dash: `allow RULE-ID — reason`");
      if (bad) continue;
    }
    if (s.reason.empty() && !s.rules.empty()) {
      add(findings, ids::kSuppressionWithoutReason, span,
          fmt::format("suppression of `{}` gives no reason", fmt::join(s.rules, "`, `")),
          "add why it is intended after a dash: `allow RULE-ID — reason`");
    }
    if (!s.rules.empty()) out.push_back(std::move(s));
  }
  return out;
}

size_t apply_suppressions(const SourceMap& sources, const std::vector<Suppression>& suppressions,
                          std::vector<Finding>& findings) {
  auto suppressed = [&](const Finding& f) {
    if (f.rule == ids::kSuppressionWithoutReason || f.rule == ids::kInvalidSuppression) return false;
    const SourceFile& file = sources.file(f.span.file);
    const uint32_t caret = file.line_col(f.span.begin).line;
    const uint32_t decl = f.anchor.file == f.span.file ? file.line_col(f.anchor.begin).line : caret;
    return std::any_of(suppressions.begin(), suppressions.end(), [&](const Suppression& s) {
      if (s.span.file != f.span.file) return false;
      if (std::find(s.rules.begin(), s.rules.end(), f.rule) == s.rules.end()) return false;
      return caret == s.line || caret == s.line + 1 || decl == s.line || decl == s.line + 1;
    });
  };
  const size_t before = findings.size();
  findings.erase(std::remove_if(findings.begin(), findings.end(), suppressed), findings.end());
  return before - findings.size();
}

}  // namespace edict::lint
