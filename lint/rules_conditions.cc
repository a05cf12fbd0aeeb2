// lint/rules_conditions.cc: constant-condition: conditions, or parts of them,
// whose value does not depend on the request.
//
// A small three-valued constant folder over the AST (unknown, true, false) that
// knows the rule's scope: its resource types (for `has` and `resource is`) and its
// roles (for `principal is`). It reports the outermost constant part of a
// condition and does not look inside it. Folding follows Kleene logic like the
// evaluator, so `x && false` is false whatever `x` is. "Always true" ignores
// evaluation errors: a condition that errs fails closed at run time anyway.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lint/context.h"

namespace edict::lint {
namespace {

using ast::Expr;
using ast::ExprKind;

enum class Tri : uint8_t { kUnknown, kTrue, kFalse };

Tri negate(Tri t) { return t == Tri::kTrue ? Tri::kFalse : t == Tri::kFalse ? Tri::kTrue : Tri::kUnknown; }
Tri of(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

struct Scope {
  std::vector<uint32_t> roles;  // empty: any principal
  std::set<uint32_t> resources;
};

bool literal(const Expr& e) {
  return e.kind == ExprKind::kBool || e.kind == ExprKind::kInt || e.kind == ExprKind::kString ||
         e.kind == ExprKind::kName || e.kind == ExprKind::kQualified;
}

// Equality of two literals, when it can be decided without types.
std::optional<bool> literal_equal(const Expr& a, const Expr& b) {
  if (a.kind != b.kind) return std::nullopt;
  switch (a.kind) {
    case ExprKind::kBool: return a.bool_value == b.bool_value;
    case ExprKind::kInt: return a.int_value == b.int_value;
    case ExprKind::kString: return a.text == b.text;
    case ExprKind::kName: return a.name.text == b.name.text;
    case ExprKind::kQualified: return a.qualifier.text == b.qualifier.text && a.name.text == b.name.text;
    default: return std::nullopt;
  }
}

class Folder {
 public:
  Folder(const LintContext& ctx, const Scope& scope) : ctx_(ctx), scope_(scope) {}

  Tri fold(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kBool: return of(e.bool_value);
      case ExprKind::kNot: return negate(fold(*e.children[0]));
      case ExprKind::kAnd:
      case ExprKind::kOr: return connective(e);
      case ExprKind::kCompare: return compare(e);
      case ExprKind::kIn: return membership(e);
      case ExprKind::kHas: return has(e);
      case ExprKind::kIs: return is(e);
      default: return Tri::kUnknown;
    }
  }

 private:
  Tri connective(const Expr& e) const {
    const bool is_and = e.kind == ExprKind::kAnd;
    const Tri absorbing = is_and ? Tri::kFalse : Tri::kTrue;
    bool all_identity = true;
    for (const auto& c : e.children) {
      const Tri t = fold(*c);
      if (t == absorbing) return absorbing;
      if (t == Tri::kUnknown) all_identity = false;
    }
    if (all_identity) return negate(absorbing);
    // `x && !x` is false, `x || !x` is true.
    for (const auto& c : e.children) {
      if (c->kind != ExprKind::kNot) continue;
      for (const auto& d : e.children) {
        if (same_expr(c->children[0].get(), d.get())) return absorbing;
      }
    }
    return Tri::kUnknown;
  }

  Tri compare(const Expr& e) const {
    const Expr& a = *e.children[0];
    const Expr& b = *e.children[1];
    using ast::CmpOp;
    if (literal(a) && literal(b)) {
      if (a.kind == ExprKind::kInt && b.kind == ExprKind::kInt) {
        switch (e.op) {
          case CmpOp::kEq: return of(a.int_value == b.int_value);
          case CmpOp::kNe: return of(a.int_value != b.int_value);
          case CmpOp::kLt: return of(a.int_value < b.int_value);
          case CmpOp::kLe: return of(a.int_value <= b.int_value);
          case CmpOp::kGt: return of(a.int_value > b.int_value);
          case CmpOp::kGe: return of(a.int_value >= b.int_value);
        }
      }
      const std::optional<bool> eq = literal_equal(a, b);
      if (eq && e.op == CmpOp::kEq) return of(*eq);
      if (eq && e.op == CmpOp::kNe) return of(!*eq);
      return Tri::kUnknown;
    }
    if (same_expr(&a, &b)) {
      return of(e.op == CmpOp::kEq || e.op == CmpOp::kLe || e.op == CmpOp::kGe);
    }
    return Tri::kUnknown;
  }

  Tri membership(const Expr& e) const {
    const Expr& set = *e.children[1];
    if (set.kind != ExprKind::kSetLit) return Tri::kUnknown;
    if (set.children.empty()) return Tri::kFalse;
    const Expr& item = *e.children[0];
    if (!literal(item)) return Tri::kUnknown;
    bool decided = true;
    for (const auto& c : set.children) {
      const std::optional<bool> eq = literal_equal(item, *c);
      if (eq && *eq) return Tri::kTrue;
      if (!eq) decided = false;
    }
    return decided ? Tri::kFalse : Tri::kUnknown;
  }

  Tri has(const Expr& e) const {
    const Expr& subject = *e.children[0];
    if (subject.kind != ExprKind::kPath || !subject.name.text.empty()) return Tri::kUnknown;
    const std::string& name = e.name.text;
    if (name == "tenant") return Tri::kTrue;
    auto required = [&](const std::vector<compiler::Attribute>& attrs) -> std::optional<bool> {
      for (const compiler::Attribute& a : attrs) {
        if (a.name == name) return !a.type.optional;
      }
      return std::nullopt;  // absent
    };
    const compiler::Policy& p = ctx_.policy;
    switch (subject.root) {
      case ast::Root::kPrincipal: {
        const auto r = required(p.entities[p.user_entity].attrs);
        return r && *r ? Tri::kTrue : Tri::kUnknown;
      }
      case ast::Root::kContext: {
        const auto r = required(p.context);
        return r && *r ? Tri::kTrue : Tri::kUnknown;
      }
      case ast::Root::kResource: {
        if (scope_.resources.empty()) return Tri::kUnknown;
        bool all = true;
        bool none = true;
        for (uint32_t rt : scope_.resources) {
          const auto r = required(p.resources[rt].attrs);
          if (!(r && *r)) all = false;
          if (r) none = false;
        }
        return all ? Tri::kTrue : none ? Tri::kFalse : Tri::kUnknown;
      }
    }
    return Tri::kUnknown;
  }

  Tri is(const Expr& e) const {
    const Expr& subject = *e.children[0];
    if (subject.kind != ExprKind::kPath || !subject.name.text.empty()) return Tri::kUnknown;
    const compiler::Policy& p = ctx_.policy;
    const std::string& name = e.name.text;
    if (subject.root == ast::Root::kResource && !scope_.resources.empty()) {
      std::set<uint32_t> members;
      for (uint32_t i = 0; i < p.resources.size(); ++i) {
        if (p.resources[i].name == name) members.insert(i);
      }
      for (const compiler::Category& c : p.categories) {
        if (c.name == name) members.insert(c.members.begin(), c.members.end());
      }
      const bool all = std::all_of(scope_.resources.begin(), scope_.resources.end(),
                                   [&](uint32_t r) { return members.count(r) > 0; });
      const bool none = std::none_of(scope_.resources.begin(), scope_.resources.end(),
                                     [&](uint32_t r) { return members.count(r) > 0; });
      return all ? Tri::kTrue : none ? Tri::kFalse : Tri::kUnknown;
    }
    if (subject.root == ast::Root::kPrincipal && !scope_.roles.empty()) {
      for (uint32_t x = 0; x < p.roles.size(); ++x) {
        if (p.roles[x].name != name) continue;
        const bool all = std::all_of(scope_.roles.begin(), scope_.roles.end(),
                                     [&](uint32_t r) { return ctx_.holds(r, x); });
        return all ? Tri::kTrue : Tri::kUnknown;
      }
    }
    return Tri::kUnknown;
  }

  const LintContext& ctx_;
  const Scope& scope_;
};

void report_constants(const LintContext& ctx, const Folder& folder, const Expr& e, std::string_view clause,
                      const std::string& owner, Span anchor, bool top, std::vector<Finding>& out) {
  const Tri t = folder.fold(e);
  if (t != Tri::kUnknown) {
    const char* value = t == Tri::kTrue ? "true" : "false";
    Finding& f = ctx.report(out, ids::kConstantCondition, e.span,
                            fmt::format("{} `{}` condition of {} is always {}", top ? "the" : "this part of the", clause,
                                        owner, value));
    f.anchor = anchor;
    f.help = "fix the condition, or drop it if the rule is meant to be unconditional";
    return;
  }
  if (e.kind == ExprKind::kAnd || e.kind == ExprKind::kOr || e.kind == ExprKind::kNot) {
    for (const auto& c : e.children) report_constants(ctx, folder, *c, clause, owner, anchor, false, out);
  }
}

}  // namespace

void check_conditions(const LintContext& ctx, std::vector<Finding>& out) {
  for (const compiler::Rule& r : ctx.policy.rules) {
    Scope scope{r.roles, {}};
    for (const Pair& p : r.pairs) scope.resources.insert(p.second);
    const Folder folder(ctx, scope);
    const std::string owner = fmt::format("{} `{}`", r.effect == ast::Effect::kGrant ? "grant" : "forbid", r.name);
    if (r.when) report_constants(ctx, folder, *r.when, "when", owner, r.span, true, out);
    if (r.unless) report_constants(ctx, folder, *r.unless, "unless", owner, r.span, true, out);
  }
  for (const compiler::Catalog& c : ctx.policy.catalogs) {
    for (const compiler::CatalogEntry& e : c.entries) {
      if (e.when == nullptr) continue;
      Scope scope;
      for (const Pair& p : e.pairs) scope.resources.insert(p.second);
      const Folder folder(ctx, scope);
      report_constants(ctx, folder, *e.when, "when", fmt::format("catalog `{}`", c.name), c.span, true, out);
    }
  }
}

}  // namespace edict::lint
