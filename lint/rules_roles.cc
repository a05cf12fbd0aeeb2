// lint/rules_roles.cc: roles and declarations: empty-role, untested-role,
// unused-declaration, unused-enum-value.
//
// "Used" means named by something that has an effect: a rule, a catalog, the rank
// ladder, an `extends`, or a condition. The policy's test files do not count as
// uses (they are checked by untested-role instead).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lint/context.h"

namespace edict::lint {
namespace {

// Every condition of the policy: rules' when/unless and catalog entries' when.
std::vector<const ast::Expr*> conditions(const LintContext& ctx) {
  std::vector<const ast::Expr*> out;
  for (const compiler::Rule& r : ctx.policy.rules) {
    if (r.when) out.push_back(r.when);
    if (r.unless) out.push_back(r.unless);
  }
  for (const compiler::Catalog& c : ctx.policy.catalogs) {
    for (const compiler::CatalogEntry& e : c.entries) {
      if (e.when) out.push_back(e.when);
    }
  }
  return out;
}

struct Uses {
  std::set<std::string> names;                          // bare names, `is` names
  std::set<std::pair<std::string, std::string>> qualified;  // Enum.value
  std::set<std::pair<ast::Root, std::string>> attrs;    // principal.x, resource has y
};

Uses collect_uses(const LintContext& ctx) {
  Uses u;
  for (const ast::Expr* c : conditions(ctx)) {
    walk(*c, [&](const ast::Expr& e) {
      switch (e.kind) {
        case ast::ExprKind::kName:
        case ast::ExprKind::kIs: u.names.insert(e.name.text); break;
        case ast::ExprKind::kQualified: u.qualified.insert({e.qualifier.text, e.name.text}); break;
        case ast::ExprKind::kPath:
          if (!e.name.text.empty()) u.attrs.insert({e.root, e.name.text});
          break;
        case ast::ExprKind::kHas:
          if (!e.children.empty() && e.children[0]->kind == ast::ExprKind::kPath) {
            u.attrs.insert({e.children[0]->root, e.name.text});
          }
          break;
        default: break;
      }
    });
  }
  return u;
}

std::vector<bool> roles_used(const LintContext& ctx, const Uses& uses) {
  const compiler::Policy& p = ctx.policy;
  std::vector<bool> used(p.roles.size(), false);
  for (const compiler::Rule& r : p.rules) {
    for (uint32_t x : r.roles) used[x] = true;
  }
  for (const compiler::Role& r : p.roles) {
    for (uint32_t x : r.parents) used[x] = true;
  }
  for (uint32_t x : p.rank_ladder) used[x] = true;
  for (const compiler::Catalog& c : p.catalogs) {
    for (uint32_t x : c.holders) used[x] = true;
  }
  for (uint32_t x = 0; x < p.roles.size(); ++x) {
    if (p.roles[x].superadmin || uses.names.count(p.roles[x].name)) used[x] = true;
  }
  return used;
}

void roles(const LintContext& ctx, const std::vector<bool>& used, std::vector<Finding>& out) {
  const compiler::Policy& p = ctx.policy;
  std::set<uint32_t> holders;
  for (const compiler::Catalog& c : p.catalogs) holders.insert(c.holders.begin(), c.holders.end());
  for (uint32_t x = 0; x < p.roles.size(); ++x) {
    const compiler::Role& role = p.roles[x];
    if (!used[x]) {
      ctx.report(out, ids::kUnusedDeclaration, role.span, fmt::format("role `{}` is never used", role.name)).help =
          "grant it something, or delete it";
      continue;
    }
    if (role.superadmin || holders.count(x)) continue;
    const bool granted = std::any_of(p.rules.begin(), p.rules.end(), [&](const compiler::Rule& r) {
      return r.effect == ast::Effect::kGrant && ctx.grant_reaches(r, x);
    });
    if (!granted) {
      ctx.report(out, ids::kEmptyRole, role.span, fmt::format("role `{}` grants nothing", role.name)).help =
          "add the grants it is meant to carry, or remove it";
    }
  }
  if (!ctx.tested.present) return;
  for (uint32_t x = 0; x < p.roles.size(); ++x) {
    if (ctx.tested.roles.count(p.roles[x].name)) continue;
    Finding& f = ctx.report(out, ids::kUntestedRole, p.roles[x].span,
                            fmt::format("no test case uses a user holding role `{}`", p.roles[x].name));
    f.help = fmt::format("add a user `in TENANT as {}` and cases for it to {}", p.roles[x].name,
                         fmt::join(ctx.tested.files, ", "));
  }
}

void attributes(const LintContext& ctx, const Uses& uses, std::vector<Finding>& out) {
  const compiler::Policy& p = ctx.policy;
  auto report = [&](const compiler::Attribute& a, const std::string& owner) {
    ctx.report(out, ids::kUnusedDeclaration, a.span, fmt::format("attribute `{}` of {} is never read", a.name, owner))
        .help = "read it in a condition, or delete it";
  };
  for (uint32_t e = 0; e < p.entities.size(); ++e) {
    for (const compiler::Attribute& a : p.entities[e].attrs) {
      if (e == p.user_entity && uses.attrs.count({ast::Root::kPrincipal, a.name})) continue;
      report(a, fmt::format("`{}`", p.entities[e].name));
    }
  }
  for (const compiler::ResourceType& rt : p.resources) {
    for (const compiler::Attribute& a : rt.attrs) {
      if (!uses.attrs.count({ast::Root::kResource, a.name})) report(a, fmt::format("`{}`", rt.name));
    }
  }
  for (const compiler::Attribute& a : p.context) {
    if (!uses.attrs.count({ast::Root::kContext, a.name})) report(a, "the context");
  }
  for (uint32_t o = 0; o < p.obligations.size(); ++o) {
    const bool used = std::any_of(p.rules.begin(), p.rules.end(), [&](const compiler::Rule& r) {
      return std::any_of(r.obligations.begin(), r.obligations.end(),
                         [&](const compiler::ObligationRef& ref) { return ref.obligation == o; });
    });
    if (!used) {
      ctx.report(out, ids::kUnusedDeclaration, p.obligations[o].span,
                 fmt::format("obligation `{}` is never carried by a grant", p.obligations[o].name))
          .help = "attach it with `with`, or delete it";
    }
  }
}

void enum_values(const LintContext& ctx, const Uses& uses, std::vector<Finding>& out) {
  for (FileId f : ctx.files) {
    for (const ast::Decl& d : ctx.ws.files[f].ast.decls) {
      const auto* e = std::get_if<ast::EnumDecl>(&d);
      if (e == nullptr) continue;
      for (const ast::Name& v : e->values) {
        if (uses.names.count(v.text) || uses.qualified.count({e->name.text, v.text})) continue;
        ctx.report(out, ids::kUnusedEnumValue, v.span,
                   fmt::format("value `{}` of enum `{}` is never named in a condition", v.text, e->name.text))
            .help = "handle it in a condition, remove it, or suppress with the reason it exists";
      }
    }
  }
}

}  // namespace

void check_roles(const LintContext& ctx, std::vector<Finding>& out) {
  const Uses uses = collect_uses(ctx);
  roles(ctx, roles_used(ctx, uses), out);
}

void check_unused(const LintContext& ctx, std::vector<Finding>& out) {
  const Uses uses = collect_uses(ctx);
  attributes(ctx, uses, out);
  enum_values(ctx, uses, out);
}

}  // namespace edict::lint
