// compiler/diff.h: `edict diff`: what a policy change does to decisions.
//
// A policy is summarised as decisions, not text: for every role (with what it
// inherits; the super-administrator holds everything), every action and every
// resource type that supports it, the decision a principal holding just that
// role gets: allowed (no condition can take it away), conditional (some grant
// or forbid has a condition), forbidden (an unconditional forbid applies) or
// denied (no grant). Conditions are compared by their canonical text
// (format_condition), so layout and comments never show as changes, and a
// changed condition is reported as "conditional (changed)", never guessed at.
// Role-only decisions are exact. Obligations are those every allowing
// unconditional grant carries. Custom-role catalogs are compared by what they
// make grantable, to whom.
//
// Each change is marked `wider` when it may allow something that was not
// allowed before: newly allowed or conditional, a condition or a forbid removed
// or changed, an obligation dropped, a catalog entry or holder added, a changed
// rank ladder. `edict diff` exits 1 when any change is wider. Pure functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/load.h"
#include "compiler/policy.h"

namespace edict::compiler {

// The decision of one (role, action, resource type), and the parts it comes
// from. The grant side and the forbid side are kept apart so that a change to
// one is reported as such, whatever the other holds.
struct CellDecision {
  enum class Kind : uint8_t { kDenied, kForbidden, kConditional, kAllowed };
  Kind kind = Kind::kDenied;                // the decision they make together
  bool granted = false;                     // an unconditional grant applies (or superadmin)
  bool forbidden = false;                   // an unconditional forbid applies
  std::set<std::string> grant_conditions;   // conditional grants that may allow
  std::set<std::string> forbid_conditions;  // conditional forbids that may deny
  std::set<std::string> obligations;        // carried by every unconditional grant, "redact(pii)"

  friend bool operator==(const CellDecision&, const CellDecision&) = default;
};

struct CatalogSummary {
  std::set<std::string> holders;
  // (action, resource type) -> conditions under which it is grantable ("" = none)
  std::map<std::pair<std::string, std::string>, std::set<std::string>> grantable;
};

// A policy's decisions, keyed by names so that two policies can be compared.
struct DecisionSummary {
  std::set<std::string> roles, actions, resources;
  std::string superadmin;               // empty: none
  std::vector<std::string> rank_ladder;  // lowest first
  // role -> (action, resource type) -> decision; only supported pairs
  std::map<std::string, std::map<std::pair<std::string, std::string>, CellDecision>> cells;
  std::map<std::string, CatalogSummary> catalogs;
};

DecisionSummary summarize(const Workspace& ws, const Policy& policy);

struct DecisionChange {
  std::string what;      // "decision", "role", "action", "resource", "superadmin", "rank", "catalog"
  std::string role;      // decisions; the catalog name for catalog changes
  std::string action;    // decisions and catalog entries
  std::string resource;  // decisions and catalog entries
  std::string summary;   // "newly allowed", "conditional (changed)", "role added", ...
  std::string before, after;  // short states: "denied", "allowed with redact(pii)", ...
  std::vector<std::string> details;  // conditions and obligations that differ
  bool wider = false;
};

struct DiffReport {
  std::vector<DecisionChange> changes;  // grouped: vocabulary, then per role, then catalogs
  bool wider() const;
};

DiffReport diff(const DecisionSummary& before, const DecisionSummary& after);

// Text for a pull request: one block per role, one line per change, `+` for a
// wider change, `-` for a narrower one, `~` for neither.
std::string render_diff_text(const DiffReport& report);

}  // namespace edict::compiler
