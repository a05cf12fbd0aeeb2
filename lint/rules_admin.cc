// lint/rules_admin.cc: escalation paths: catalog-shadows-admin,
// assign-above-own-rank, admin-action-without-mfa.
//
// These are heuristics over the policy's structure, stated exactly in
// docs/lint.md: a pair is protected when a forbid on it that binds the role in
// question names the role being protected (or compares with principal.rank), or
// reads an MFA context attribute. The heuristics never look at what a condition
// computes, only at what it names, so they can be fooled by a forbid that names a
// role without protecting it; they are meant to catch the forgotten forbid.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lint/context.h"

namespace edict::lint {
namespace {

using compiler::Rule;

std::string quoted_list(const std::vector<std::string>& names, size_t max = 6) {
  std::vector<std::string> q;
  for (size_t i = 0; i < names.size() && i < max; ++i) q.push_back(fmt::format("`{}`", names[i]));
  std::string out = fmt::format("{}", fmt::join(q, ", "));
  if (names.size() > max) out += fmt::format(" and {} more", names.size() - max);
  return out;
}

bool cond_mentions(const Rule& r, std::string_view name) {
  return mentions_name(r.when, name) || mentions_name(r.unless, name);
}
bool cond_mentions_rank(const Rule& r) { return mentions_rank(r.when) || mentions_rank(r.unless); }

// A forbid on `p` binding `role` that names `protected_role` (or ranks).
bool forbid_protects(const LintContext& ctx, Pair p, uint32_t role, const std::string& protected_role) {
  for (const Rule& f : ctx.policy.rules) {
    if (f.effect != ast::Effect::kForbid || !ctx.forbid_binds(f, role)) continue;
    if (std::find(f.pairs.begin(), f.pairs.end(), p) == f.pairs.end()) continue;
    if (cond_mentions_rank(f) || cond_mentions(f, protected_role)) return true;
  }
  return false;
}

bool is_admin_level(const LintContext& ctx, Pair p) {
  const std::string& action = ctx.policy.actions[p.first].name;
  if (ctx.is_role_assignment(p.first)) return true;
  if (action == "transfer_ownership" || action == "reset_password" || action == "impersonate" || action == "delete") {
    return true;
  }
  if (ctx.is_read_only(p.first)) return false;
  std::string r;
  for (char c : ctx.policy.resources[p.second].name) {
    if (c != '_') r += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (std::string_view w : {"role", "member", "user", "account", "setting", "apikey", "token", "credential"}) {
    if (r.find(w) != std::string::npos) return true;
  }
  return false;
}

Span rule_caret(const LintContext& ctx, size_t i) {
  const ast::RuleDecl* d = ctx.rule_decls[i];
  return d != nullptr ? d->keyword_span : ctx.policy.rules[i].span;
}

void catalogs(const LintContext& ctx, std::vector<Finding>& out) {
  std::vector<uint32_t> admins;
  for (uint32_t r = 0; r < ctx.policy.roles.size(); ++r) {
    if (ctx.full_access[r]) admins.push_back(r);
  }
  for (const compiler::Catalog& c : ctx.policy.catalogs) {
    for (uint32_t h : c.holders) {
      if (!ctx.full_access[h]) continue;
      Finding& f = ctx.report(out, ids::kCatalogShadowsAdmin, c.span,
                              fmt::format("catalog `{}` attaches custom roles to admin-level role `{}`", c.name,
                                          ctx.role_name(h)));
      f.help = "attach custom roles to non-admin roles only; an admin's access cannot be narrowed by one";
    }
    for (const compiler::CatalogEntry& e : c.entries) {
      std::vector<std::string> exposed;
      std::set<std::string> admin_names;
      for (const Pair& p : e.pairs) {
        if (ctx.is_read_only(p.first)) continue;
        const bool role_resource = ctx.resource_has_role_attribute(p.second) ||
                                   ctx.policy.resources[p.second].name.find("Role") != std::string::npos;
        if (!ctx.is_role_assignment(p.first) && !role_resource) continue;
        bool pair_exposed = false;
        for (uint32_t a : admins) {
          const std::string& an = ctx.role_name(a);
          if (mentions_name(e.when, an) || mentions_rank(e.when)) continue;
          for (uint32_t h : c.holders) {
            if (ctx.holds(h, a) || forbid_protects(ctx, p, h, an)) continue;
            pair_exposed = true;
            admin_names.insert(an);
          }
        }
        if (pair_exposed) exposed.push_back(ctx.pair_name(p));
      }
      if (exposed.empty()) continue;
      Finding& f = ctx.report(out, ids::kCatalogShadowsAdmin, e.span,
                              fmt::format("custom roles of catalog `{}` may {} with no forbid protecting {}", c.name,
                                          quoted_list(exposed), quoted_list({admin_names.begin(), admin_names.end()})));
      f.help = "add a forbid on these pairs that names the admin roles, or drop them from the catalog";
    }
  }
}

void assign_above_rank(const LintContext& ctx, std::vector<Finding>& out) {
  const compiler::Policy& p = ctx.policy;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& g = p.rules[i];
    if (g.effect != ast::Effect::kGrant) continue;
    // A grant whose own condition ranks or names roles is taken to restrict them.
    bool names_role = cond_mentions_rank(g);
    for (const compiler::Role& r : p.roles) names_role = names_role || cond_mentions(g, r.name);
    if (names_role) continue;
    for (uint32_t role : g.roles) {
      if (p.roles[role].superadmin) continue;
      // The role's own rank: the highest of the roles it holds.
      std::optional<uint32_t> own;
      for (uint32_t a : p.roles[role].ancestors) {
        if (p.roles[a].rank && (!own || *p.roles[a].rank > *own)) own = p.roles[a].rank;
      }
      std::vector<uint32_t> above;
      for (uint32_t x = 0; x < p.roles.size(); ++x) {
        if (ctx.holds(role, x)) continue;
        const bool ranked_above = p.roles[x].rank && (!own || *p.roles[x].rank > *own);
        const bool admin_above = p.roles[x].superadmin || (ctx.full_access[x] && !ctx.full_access[role]);
        if (ranked_above || admin_above) above.push_back(x);
      }
      std::vector<std::string> exposed;
      std::vector<std::string> pairs;
      for (const Pair& pr : g.pairs) {
        if (!ctx.is_role_assignment(pr.first)) continue;
        bool any = false;
        for (uint32_t x : above) {
          if (forbid_protects(ctx, pr, role, ctx.role_name(x))) continue;
          any = true;
          if (std::find(exposed.begin(), exposed.end(), ctx.role_name(x)) == exposed.end()) {
            exposed.push_back(ctx.role_name(x));
          }
        }
        if (any) pairs.push_back(ctx.pair_name(pr));
      }
      if (exposed.empty()) continue;
      Finding& f = ctx.report(out, ids::kAssignAboveRank, rule_caret(ctx, i),
                              fmt::format("`{}` can assign {}, ranked above it ({})", ctx.role_name(role),
                                          quoted_list(exposed), quoted_list(pairs, 3)));
      f.anchor = g.span;
      f.help = "forbid it, e.g. `forbid assign_role on Member unless context.new_role < principal.rank;`";
    }
  }
}

// The help of admin-action-without-mfa: a forbid for the first unguarded pair,
// unless the policy's MFA flag is set: a context attribute that counts as one
// and that the forbid can read as it stands (a plain bool), else the
// configured name, else `mfa`, with how to declare it.
std::string mfa_forbid_help(const LintContext& ctx, const std::string& pair) {
  for (const compiler::Attribute& a : ctx.policy.context) {
    const bool plain_bool = a.type.kind == compiler::Type::Kind::kBool && !a.type.set && !a.type.optional;
    if (plain_bool && ctx.is_mfa_attribute(a.name)) {
      return fmt::format("add a forbid such as `forbid {} unless context.{};`", pair, a.name);
    }
  }
  const std::string name = ctx.config.mfa_attributes.empty() ? "mfa" : ctx.config.mfa_attributes.front();
  return fmt::format("add a forbid such as `forbid {} unless context.{};`, declaring `context {{ {}: bool }}`", pair,
                     name, name);
}

void admin_without_mfa(const LintContext& ctx, std::vector<Finding>& out) {
  const compiler::Policy& p = ctx.policy;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& g = p.rules[i];
    if (g.effect != ast::Effect::kGrant || mentions_mfa(ctx, g.when) || mentions_mfa(ctx, g.unless)) continue;
    std::vector<std::string> unguarded;
    for (const Pair& pr : g.pairs) {
      if (!is_admin_level(ctx, pr)) continue;
      for (uint32_t role : g.roles) {
        const bool guarded = std::any_of(p.rules.begin(), p.rules.end(), [&](const Rule& f) {
          return f.effect == ast::Effect::kForbid && ctx.forbid_binds(f, role) &&
                 std::find(f.pairs.begin(), f.pairs.end(), pr) != f.pairs.end() &&
                 (mentions_mfa(ctx, f.when) || mentions_mfa(ctx, f.unless));
        });
        if (!guarded) {
          unguarded.push_back(ctx.pair_name(pr));
          break;
        }
      }
    }
    if (unguarded.empty()) continue;
    Finding& f = ctx.report(out, ids::kAdminActionWithoutMfa, rule_caret(ctx, i),
                            fmt::format("grant `{}` allows admin-level {} without requiring MFA", g.name,
                                        quoted_list(unguarded, 4)));
    f.anchor = g.span;
    f.help = mfa_forbid_help(ctx, unguarded.front());
  }
}

}  // namespace

void check_admin(const LintContext& ctx, std::vector<Finding>& out) {
  catalogs(ctx, out);
  assign_above_rank(ctx, out);
  admin_without_mfa(ctx, out);
}

}  // namespace edict::lint
