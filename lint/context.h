// lint/context.h: what every lint rule reads: the checked policy, its syntax
// tree and source, the configuration, and facts derived once for all rules.
//
// The derived facts are the policy's meaning as the runtime sees it (role
// ancestry, which roles hold full access, which rules are unconditional), so
// that the rules agree with the evaluator rather than with the spelling of the
// policy. Everything here is built by make_context() and read-only afterwards.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/load.h"
#include "compiler/policy.h"
#include "grammar/ast.h"
#include "lint/config.h"
#include "lint/finding.h"
#include "lint/rules.h"

namespace edict::lint {

using Pair = std::pair<uint32_t, uint32_t>;  // (action, resource type)

// Roles the policy's test files give to users that appear in cases; empty
// `present` when there are no test files next to the policy.
struct TestedRoles {
  bool present = false;
  std::set<std::string> roles;
  std::vector<std::string> files;  // the test files that were read
};

struct LintContext {
  const compiler::Workspace& ws;
  FileId root;
  const compiler::Policy& policy;
  const Config& config;
  std::vector<FileId> files;                      // the policy's files, reading order
  std::vector<const ast::RuleDecl*> rule_decls;   // parallel to policy.rules (may be null)
  std::vector<bool> full_access;                  // per role: superadmin or holds every pair
  TestedRoles tested;

  // ---- facts --------------------------------------------------------------
  bool unconditional(const compiler::Rule& r) const { return r.when == nullptr && r.unless == nullptr; }
  // Every principal holding `role` holds `other` (other is `role` or an ancestor).
  bool holds(uint32_t role, uint32_t other) const;
  // A forbid applies to every holder of `role` (no roles, or one `role` holds).
  bool forbid_binds(const compiler::Rule& forbid, uint32_t role) const;
  // Every holder of `role` is granted by `grant`'s roles.
  bool grant_reaches(const compiler::Rule& grant, uint32_t role) const;
  bool is_read_only(uint32_t action) const;
  bool is_role_assignment(uint32_t action) const;
  bool is_sensitive(uint32_t resource) const;
  bool is_mfa_attribute(std::string_view name) const;
  bool resource_has_role_attribute(uint32_t resource) const;
  std::string pair_name(Pair p) const;
  std::string role_name(uint32_t role) const { return policy.roles[role].name; }

  // The top-level declaration enclosing `span` (its own span when none does).
  Span anchor_of(Span span) const;

  // ---- reporting ------------------------------------------------------------
  // Appends a finding of `rule` at its default severity.
  Finding& report(std::vector<Finding>& out, std::string_view rule, Span span, std::string message) const;
};

// ---- expression helpers (lint/expr_util.cc) -----------------------------------
// Calls `fn` on every node of `e`, parents first.
template <typename Fn>
void walk(const ast::Expr& e, Fn&& fn) {
  fn(e);
  for (const auto& c : e.children) walk(*c, fn);
}
// Whether the condition names `name` as a role or value (`is admin`, `== admin`,
// `in [admin]`).
bool mentions_name(const ast::Expr* e, std::string_view name);
// Whether the condition reads `principal.rank`.
bool mentions_rank(const ast::Expr* e);
// Whether it reads a context attribute the configuration calls an MFA flag.
bool mentions_mfa(const LintContext& ctx, const ast::Expr* e);
// Structural equality, ignoring spans and parentheses.
bool same_expr(const ast::Expr* a, const ast::Expr* b);

// Builds the context, deriving the facts above.
LintContext make_context(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                         const Config& config, TestedRoles tested);

// ---- rule families (one file each) ----------------------------------------------
void check_roles(const LintContext& ctx, std::vector<Finding>& out);          // rules_roles.cc
void check_grants(const LintContext& ctx, std::vector<Finding>& out);         // rules_grants.cc
void check_admin(const LintContext& ctx, std::vector<Finding>& out);          // rules_admin.cc
void check_conditions(const LintContext& ctx, std::vector<Finding>& out);     // rules_conditions.cc
void check_unused(const LintContext& ctx, std::vector<Finding>& out);         // rules_roles.cc
void check_text(const LintContext& ctx, std::vector<Finding>& out);           // rules_text.cc

}  // namespace edict::lint
