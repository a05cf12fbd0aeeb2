// lint/render.h: findings as text, JSON, SARIF 2.1.0, GitHub workflow commands
// and JUnit XML. The format is chosen at the CLI edge; every renderer reads the
// same Report and writes to a stream.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/source.h"
#include "lint/finding.h"

namespace edict::lint {

struct Report {
  const SourceMap* sources = nullptr;
  std::vector<Finding> findings;  // sorted by file and position, no duplicates
  std::vector<FileId> files;      // every file linted, for JUnit's passing cases
  size_t policies = 0;
  size_t suppressed = 0;
};

struct ToolInfo {
  std::string_view name = "edict-lint";
  std::string_view version;
  std::string_view information_uri;
};

// gcc-style, like `edict check`: `file:line:col: warning: message [rule-id]`,
// the source line with a caret, help and notes.
void render_text(const Report& r, std::ostream& out, bool color);
void render_json(const Report& r, std::ostream& out);
void render_sarif(const Report& r, const ToolInfo& tool, std::ostream& out);
// `::warning file=F,line=L,col=C,endColumn=E,title=RULE::message`, one per finding.
void render_github(const Report& r, std::ostream& out);
void render_junit(const Report& r, std::ostream& out);

// A fingerprint of each finding that survives unrelated edits: a hash of the rule
// id, the text of the finding's line with whitespace collapsed, and how many
// earlier findings of the same file share both. Line numbers are not part of it.
std::vector<std::string> fingerprints(const Report& r);

}  // namespace edict::lint
