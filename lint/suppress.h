// lint/suppress.h: `edict-lint: allow` comments.
//
//   # edict-lint: allow RULE-ID[, RULE-ID...] — reason
//   // edict-lint: allow RULE-ID -- reason        (`-` and `--` work as the dash too)
//
// A suppression on line L silences findings of the named rules whose caret is on
// line L or L+1, or whose declaration (the anchor: a whole rule with its label, a
// role declaration, ...) starts on line L or L+1. It must have a reason; one
// without still applies but is itself a finding (suppression-without-reason). An
// unknown rule id or a malformed directive is an invalid-suppression finding.
// Suppression findings cannot themselves be suppressed.
#pragma once

#include <string>
#include <vector>

#include "grammar/source.h"
#include "lint/finding.h"

namespace edict::lint {

struct Suppression {
  Span span;                      // the comment
  uint32_t line = 0;              // 1-based line of the comment's start
  std::vector<std::string> rules;
  std::string reason;
};

// Reads the suppressions of one file, appending findings about malformed ones.
std::vector<Suppression> read_suppressions(const SourceFile& file, FileId id, std::vector<Finding>& findings);

// Removes suppressed findings from `findings`; returns how many were removed.
size_t apply_suppressions(const SourceMap& sources, const std::vector<Suppression>& suppressions,
                          std::vector<Finding>& findings);

}  // namespace edict::lint
