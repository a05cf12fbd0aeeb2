// lint/finding.h: one lint finding: a rule id, a severity, a located message.
//
// Findings are plain data, produced by the rules (lint/rules_*.cc), filtered by the
// configuration and by suppression comments (lint/suppress.cc), and rendered at
// the edge (lint/render.h). `anchor` is the whole declaration the finding is about
// (a rule, a role, a catalog): a suppression comment on the line above that
// declaration covers the finding even when `span` points inside it.
#pragma once

#include <string>
#include <vector>

#include "grammar/diagnostic.h"
#include "grammar/source.h"

namespace edict::lint {

struct Finding {
  std::string rule;                  // "wildcard-grant"
  Severity severity = Severity::kWarning;
  Span span;                         // what the caret points at
  Span anchor;                       // the enclosing declaration (== span when none)
  std::string message;               // one line, lowercase, no trailing period
  std::string help;                  // optional advice
  std::vector<Note> notes;           // related places
};

// Severity order for --fail-on: error is the highest. True when `s` is at or
// above `threshold`.
inline bool at_or_above(Severity s, Severity threshold) {
  return static_cast<int>(s) <= static_cast<int>(threshold);
}

}  // namespace edict::lint
