// runtime/eval.h: evaluate a request against a table, and explain the answer.
//
// evaluate() is the hot path: noexcept, no heap allocation, no locks, bounded
// time (cell lookup, a few bit tests, then the conditional rules of this one
// (action, resource type) pair). Semantics (docs/language.md):
//   - a request the table cannot interpret (unknown ids, request.error set) is
//     denied with Reason::kBadRequest;
//   - a principal and resource of different (or unknown) tenants: denied;
//   - any forbid that applies, or whose condition cannot be evaluated: denied;
//   - else a grant or custom-role permission that applies: allowed, with the
//     obligations every allowing grant carries;
//   - else denied (default deny).
// The result never depends on the order of rules.
//
// explain() evaluates the same request and also lists every rule of the cell:
// which applied, which did not and why, with the part of the condition that
// failed and the values it saw. It allocates; use it for tools, not the hot path.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "runtime/decision.h"
#include "runtime/request.h"
#include "runtime/table.h"

namespace edict::runtime {

class CustomRoles;

namespace detail {
// What a plan's walk carries besides the table and the request: room for a
// decision built rather than looked up, and the custom roles. Only requests
// holding custom roles, and refusals, read either, so they go down the walk
// as one pointer: with two, a node's code had one register fewer than it
// uses, and saved and restored one on every node (the caller's: a loop's
// counter made a round trip through memory per node).
struct DecisionFrame {
  alignas(Decision) std::byte scratch[sizeof(Decision)];  // written only where a decision is built
  const CustomRoles* custom;  // set by decide() before anything reads it: not on a role-only decision's path
  // For a request holding one custom role that its role may use, on a plan's
  // walk: the custom role's usual row (CustomRoles::usual_row()), found in
  // decide() beside its checks.
  const uint64_t* custom_row;
  Decision* place() { return reinterpret_cast<Decision*>(scratch); }
};

// evaluate()'s out-of-line part: the decision, as a pointer to one held by the
// table (a plan's outcome) or to one built in the frame. It returns a pointer,
// not a Decision, so that it reaches a plan's first node by a jump and the
// walk's last node returns straight to evaluate(): GCC makes no tail call of a
// function returning a struct in memory, and with one the frame, the call and
// the copy of the 24 bytes were a tenth of a walking decision's instructions
// (docs/performance.md, fourteenth session).
const Decision* decide(DecisionFrame& frame, const Table& table, const Request& request,
                       const CustomRoles* custom) noexcept;
}  // namespace detail

inline Decision evaluate(const Table& table, const Request& request, const CustomRoles* custom = nullptr) noexcept {
  detail::DecisionFrame frame;  // NOLINT(cppcoreguidelines-pro-type-member-init): filled where it is read
  return *detail::decide(frame, table, request, custom);
}

struct RuleTrace {
  uint32_t rule = 0;
  bool forbid = false;
  bool role_matched = false;   // the principal holds a role the rule names
  bool applied = false;
  bool error = false;          // its condition could not be evaluated
  std::string failed;          // the condition leaves that were false or errors, with values
};

struct Explanation {
  Decision decision;
  // When a custom role allowed (decision.custom_role): which of the CustomRoles
  // given, the first of the request's that allows its cell; else kNoIndex.
  uint32_t custom_role = kNoIndex;
  std::vector<RuleTrace> rules;  // the rules of the request's cell, forbids first
  std::string summary;           // one line: "allowed by grant `x`", "denied: ..."
};

// `describe_entity` turns an entity id back into text for messages (tools keep
// the strings they interned); may be empty.
Explanation explain(const Table& table, const Request& request, const CustomRoles* custom = nullptr,
                    const std::function<std::string(int64_t)>& describe_entity = {});

}  // namespace edict::runtime
