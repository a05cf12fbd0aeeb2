// lint/rules_grants.cc: what grants really give: wildcard-grant,
// grant-shadowed-by-forbid, redundant-grant, obligation-bypassed,
// sensitive-unconditioned.
//
// "Reaches" is the runtime's notion: a grant to `viewer` reaches every holder of
// a role extending `viewer`; a forbid binds a role when it names no roles or
// names one the role holds. Only unconditional rules are used as witnesses (a
// conditional forbid may not apply; a conditional grant may not allow), so every
// finding here holds for every request.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lint/context.h"

namespace edict::lint {
namespace {

using compiler::Rule;
using ObligationSet = std::set<std::pair<uint32_t, std::vector<uint32_t>>>;

ObligationSet obligations_of(const Rule& r) {
  ObligationSet out;
  for (const compiler::ObligationRef& o : r.obligations) out.insert({o.obligation, o.args});
  return out;
}

std::string obligation_text(const compiler::Policy& p, const std::pair<uint32_t, std::vector<uint32_t>>& o) {
  const compiler::Obligation& ob = p.obligations[o.first];
  std::vector<std::string> args;
  for (uint32_t a : o.second) args.push_back(ob.params[a]);
  return args.empty() ? ob.name : fmt::format("{}({})", ob.name, fmt::join(args, ", "));
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> q;
  for (const std::string& n : names) q.push_back(fmt::format("`{}`", n));
  return fmt::format("{}", fmt::join(q, ", "));
}

// The caret of a rule finding: its `grant`/`forbid` keyword (the label, if any,
// stays in the anchor so a suppression above the label covers it).
Span rule_caret(const LintContext& ctx, size_t i) {
  const ast::RuleDecl* d = ctx.rule_decls[i];
  return d != nullptr ? d->keyword_span : ctx.policy.rules[i].span;
}

Finding& report_rule(const LintContext& ctx, std::vector<Finding>& out, std::string_view id, size_t i, Span caret,
                     std::string message) {
  Finding& f = ctx.report(out, id, caret, std::move(message));
  f.anchor = ctx.policy.rules[i].span;
  return f;
}

class GrantChecks {
 public:
  GrantChecks(const LintContext& ctx, std::vector<Finding>& out) : ctx_(ctx), out_(out) {
    for (const Rule& r : ctx.policy.rules) {
      pairs_.emplace_back(r.pairs.begin(), r.pairs.end());
      obligations_.push_back(obligations_of(r));
    }
  }

  void run() {
    for (size_t i = 0; i < rules().size(); ++i) {
      if (rules()[i].effect != ast::Effect::kGrant) continue;
      wildcard(i);
      if (!shadowed_by_forbid(i)) redundant(i);
      bypassed(i);
      sensitive(i);
    }
  }

 private:
  const std::vector<Rule>& rules() const { return ctx_.policy.rules; }
  bool has_pair(size_t i, Pair p) const { return pairs_[i].count(p) > 0; }

  void wildcard(size_t i) {
    const ast::RuleDecl* d = ctx_.rule_decls[i];
    if (d == nullptr || !d->actions.wildcard || !d->resources.wildcard) return;
    std::vector<std::string> roles;
    for (uint32_t r : rules()[i].roles) {
      if (!ctx_.policy.roles[r].superadmin) roles.push_back(ctx_.role_name(r));
    }
    if (roles.empty()) return;
    const Span caret{d->actions.span.file, d->actions.span.begin, d->resources.span.end};
    report_rule(ctx_, out_, ids::kWildcardGrant, i, caret,
                fmt::format("{} {} granted every action on every resource type", quoted_list(roles),
                            roles.size() == 1 ? "is" : "are"))
        .help = "list what the role needs, or suppress with the reason it is meant to have full access";
  }

  bool shadowed_by_forbid(size_t i) {
    const Rule& g = rules()[i];
    std::set<size_t> witnesses;
    for (uint32_t role : g.roles) {
      for (const Pair& p : g.pairs) {
        bool found = false;
        for (size_t j = 0; j < rules().size() && !found; ++j) {
          const Rule& f = rules()[j];
          if (f.effect != ast::Effect::kForbid || !ctx_.unconditional(f) || !has_pair(j, p) ||
              !ctx_.forbid_binds(f, role)) {
            continue;
          }
          found = true;
          witnesses.insert(j);
        }
        if (!found) return false;
      }
    }
    Finding& f = report_rule(ctx_, out_, ids::kGrantShadowedByForbid, i, rule_caret(ctx_, i),
                             fmt::format("grant `{}` never applies: an unconditional forbid overrides all of it", g.name));
    for (size_t j : witnesses) f.notes.push_back({rule_caret(ctx_, j), fmt::format("forbid `{}` is here", rules()[j].name)});
    f.help = "narrow the forbid, or delete the grant";
    return true;
  }

  // Whether grant `a` alone gives everything grant `b` gives, to the same principals.
  bool covers(size_t a, size_t b) const {
    const Rule& ra = rules()[a];
    const Rule& rb = rules()[b];
    if (!(ctx_.unconditional(ra) || (same_expr(ra.when, rb.when) && same_expr(ra.unless, rb.unless)))) return false;
    if (obligations_[a] != obligations_[b]) return false;
    for (uint32_t role : rb.roles) {
      if (!ctx_.grant_reaches(ra, role)) return false;
    }
    return std::includes(pairs_[a].begin(), pairs_[a].end(), pairs_[b].begin(), pairs_[b].end());
  }

  void redundant(size_t i) {
    const Rule& g = rules()[i];
    const bool all_superadmin = std::all_of(g.roles.begin(), g.roles.end(),
                                            [&](uint32_t r) { return ctx_.policy.roles[r].superadmin; });
    if (all_superadmin && !g.roles.empty()) {
      report_rule(ctx_, out_, ids::kRedundantGrant, i, rule_caret(ctx_, i),
                  fmt::format("grant `{}` is redundant: the super-administrator already holds every permission", g.name))
          .help = "delete the grant";
      return;
    }
    std::set<size_t> witnesses;
    for (uint32_t role : g.roles) {
      if (ctx_.policy.roles[role].superadmin) continue;
      for (const Pair& p : g.pairs) {
        bool found = false;
        for (size_t j = 0; j < rules().size() && !found; ++j) {
          const Rule& o = rules()[j];
          if (j == i || o.effect != ast::Effect::kGrant || !has_pair(j, p) || !ctx_.grant_reaches(o, role)) continue;
          if (!(ctx_.unconditional(o) || (same_expr(o.when, g.when) && same_expr(o.unless, g.unless)))) continue;
          if (obligations_[j] != obligations_[i]) continue;
          // Of two grants that each cover the other, report only the later one.
          if (j > i && covers(i, j)) continue;
          found = true;
          witnesses.insert(j);
        }
        if (!found) return;
      }
    }
    Finding& f = report_rule(ctx_, out_, ids::kRedundantGrant, i, rule_caret(ctx_, i),
                             fmt::format("grant `{}` is redundant: other grants already allow all of it", g.name));
    for (size_t j : witnesses) f.notes.push_back({rule_caret(ctx_, j), fmt::format("grant `{}` allows it", rules()[j].name)});
    f.help = "delete the redundant grant, or narrow the broader one";
  }

  void bypassed(size_t i) {
    const Rule& g = rules()[i];
    if (g.obligations.empty()) return;
    for (uint32_t role : g.roles) {
      if (ctx_.policy.roles[role].superadmin) continue;
      for (const Pair& p : g.pairs) {
        for (size_t j = 0; j < rules().size(); ++j) {
          const Rule& o = rules()[j];
          if (j == i || o.effect != ast::Effect::kGrant || !ctx_.unconditional(o) || !has_pair(j, p) ||
              !ctx_.grant_reaches(o, role)) {
            continue;
          }
          for (const auto& ob : obligations_[i]) {
            if (obligations_[j].count(ob)) continue;
            Finding& f = report_rule(
                ctx_, out_, ids::kObligationBypassed, i, rule_caret(ctx_, i),
                fmt::format("obligation `{}` of grant `{}` is bypassed for `{}` on `{}`: grant `{}` allows it without",
                            obligation_text(ctx_.policy, ob), g.name, ctx_.role_name(role), ctx_.pair_name(p), o.name));
            f.notes.push_back({rule_caret(ctx_, j),
                               fmt::format("grant `{}` carries no `{}`", o.name, ctx_.policy.obligations[ob.first].name)});
            f.help = "add the obligation to the other grant, or condition it so it does not reach these principals";
            return;  // one finding per grant
          }
        }
      }
    }
  }

  void sensitive(size_t i) {
    const Rule& g = rules()[i];
    if (!ctx_.unconditional(g) || !g.obligations.empty()) return;
    std::vector<std::string> roles;
    for (uint32_t r : g.roles) {
      if (!ctx_.full_access[r]) roles.push_back(ctx_.role_name(r));
    }
    std::vector<std::string> resources;
    std::set<uint32_t> seen;
    for (const Pair& p : g.pairs) {
      if (ctx_.is_sensitive(p.second) && seen.insert(p.second).second) {
        resources.push_back(ctx_.policy.resources[p.second].name);
      }
    }
    if (roles.empty() || resources.empty()) return;
    const ast::RuleDecl* d = ctx_.rule_decls[i];
    const Span caret = d != nullptr ? d->resources.span : g.span;
    report_rule(ctx_, out_, ids::kSensitiveUnconditioned, i, caret,
                fmt::format("sensitive {} granted to {} without a condition", quoted_list(resources), quoted_list(roles)))
        .help = "scope it with a condition or an obligation, or suppress with the reason the role needs it";
  }

  const LintContext& ctx_;
  std::vector<Finding>& out_;
  std::vector<std::set<Pair>> pairs_;
  std::vector<ObligationSet> obligations_;
};

}  // namespace

void check_grants(const LintContext& ctx, std::vector<Finding>& out) { GrantChecks(ctx, out).run(); }

}  // namespace edict::lint
