// lint/context.cc: the facts every rule shares, and small expression helpers.
#include "lint/context.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <tuple>

#include <fmt/format.h>

namespace edict::lint {
namespace {

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

template <typename Words>
bool contains_any(std::string_view name, const Words& words) {
  const std::string l = lower(name);
  return std::any_of(std::begin(words), std::end(words),
                     [&](std::string_view w) { return l.find(w) != std::string::npos; });
}

constexpr std::string_view kRoleWords[] = {"role"};
constexpr std::string_view kSensitiveWords[] = {"billing", "invoice",    "payment",  "credit",     "subscription",
                                                "apikey",  "token",      "secret",   "credential", "password",
                                                "transcript", "recording"};
constexpr std::string_view kMfaWords[] = {"mfa", "2fa", "twofactor", "multifactor", "otp", "stepup"};

bool listed(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

Span decl_span(const ast::Decl& d) {
  return std::visit([](const auto& x) { return x.span; }, d);
}

}  // namespace

bool LintContext::holds(uint32_t role, uint32_t other) const {
  const auto& a = policy.roles[role].ancestors;
  return std::binary_search(a.begin(), a.end(), other);
}

bool LintContext::forbid_binds(const compiler::Rule& forbid, uint32_t role) const {
  if (forbid.roles.empty()) return true;
  return std::any_of(forbid.roles.begin(), forbid.roles.end(), [&](uint32_t f) { return holds(role, f); });
}

bool LintContext::grant_reaches(const compiler::Rule& grant, uint32_t role) const {
  return std::any_of(grant.roles.begin(), grant.roles.end(), [&](uint32_t g) { return holds(role, g); });
}

bool LintContext::is_read_only(uint32_t action) const {
  static const std::set<std::string, std::less<>> kRead = {"view",   "read",     "list",   "get",
                                                           "show",   "search",   "download", "listen",
                                                           "export", "monitor"};
  return kRead.count(policy.actions[action].name) > 0;
}

bool LintContext::is_role_assignment(uint32_t action) const {
  const std::string& n = policy.actions[action].name;
  return contains_any(n, kRoleWords) || listed(config.role_assignment_actions, n);
}

bool LintContext::is_sensitive(uint32_t resource) const {
  const std::string& n = policy.resources[resource].name;
  if (contains_any(n, kSensitiveWords) || listed(config.sensitive_resources, n)) return true;
  for (const compiler::Category& c : policy.categories) {
    if (std::find(c.members.begin(), c.members.end(), resource) == c.members.end()) continue;
    if (contains_any(c.name, kSensitiveWords) || listed(config.sensitive_resources, c.name)) return true;
  }
  return false;
}

bool LintContext::is_mfa_attribute(std::string_view name) const {
  return contains_any(name, kMfaWords) ||
         listed(config.mfa_attributes, name);
}

bool LintContext::resource_has_role_attribute(uint32_t resource) const {
  const auto& attrs = policy.resources[resource].attrs;
  return std::any_of(attrs.begin(), attrs.end(), [](const compiler::Attribute& a) {
    return a.type.kind == compiler::Type::Kind::kRole && !a.type.set;
  });
}

std::string LintContext::pair_name(Pair p) const {
  return fmt::format("{} on {}", policy.actions[p.first].name, policy.resources[p.second].name);
}

Span LintContext::anchor_of(Span span) const {
  if (span.file >= ws.files.size()) return span;
  for (const ast::Decl& d : ws.files[span.file].ast.decls) {
    const Span s = decl_span(d);
    if (s.begin <= span.begin && span.end <= s.end) return s;
  }
  return span;
}

Finding& LintContext::report(std::vector<Finding>& out, std::string_view rule, Span span, std::string message) const {
  const RuleInfo* info = find_rule(rule);
  Finding& f = out.emplace_back();
  f.rule = std::string(rule);
  f.severity = info != nullptr ? info->severity : Severity::kWarning;
  f.span = span;
  f.anchor = anchor_of(span);
  f.message = std::move(message);
  return f;
}

// ---- expressions ---------------------------------------------------------------
bool mentions_name(const ast::Expr* e, std::string_view name) {
  if (e == nullptr) return false;
  bool found = false;
  walk(*e, [&](const ast::Expr& x) {
    if ((x.kind == ast::ExprKind::kName || x.kind == ast::ExprKind::kIs) && x.name.text == name) found = true;
  });
  return found;
}

bool mentions_rank(const ast::Expr* e) {
  if (e == nullptr) return false;
  bool found = false;
  walk(*e, [&](const ast::Expr& x) {
    if (x.kind == ast::ExprKind::kPath && x.root == ast::Root::kPrincipal && x.name.text == "rank") found = true;
  });
  return found;
}

bool mentions_mfa(const LintContext& ctx, const ast::Expr* e) {
  if (e == nullptr) return false;
  bool found = false;
  walk(*e, [&](const ast::Expr& x) {
    if (x.kind == ast::ExprKind::kPath && x.root == ast::Root::kContext && ctx.is_mfa_attribute(x.name.text)) {
      found = true;
    }
  });
  return found;
}

bool same_expr(const ast::Expr* a, const ast::Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind || a->bool_value != b->bool_value || a->int_value != b->int_value || a->text != b->text ||
      a->root != b->root || a->op != b->op || a->qualifier.text != b->qualifier.text ||
      a->name.text != b->name.text || a->children.size() != b->children.size()) {
    return false;
  }
  for (size_t i = 0; i < a->children.size(); ++i) {
    if (!same_expr(a->children[i].get(), b->children[i].get())) return false;
  }
  return true;
}

// ---- construction ----------------------------------------------------------------
LintContext make_context(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                         const Config& config, TestedRoles tested) {
  LintContext ctx{ws, root, policy, config, ws.closure(root), {}, {}, std::move(tested)};

  std::map<std::tuple<FileId, uint32_t, uint32_t>, const ast::RuleDecl*> by_span;
  for (FileId f : ctx.files) {
    for (const ast::Decl& d : ws.files[f].ast.decls) {
      if (const auto* r = std::get_if<ast::RuleDecl>(&d)) by_span[{r->span.file, r->span.begin, r->span.end}] = r;
    }
  }
  for (const compiler::Rule& r : policy.rules) {
    auto it = by_span.find({r.span.file, r.span.begin, r.span.end});
    ctx.rule_decls.push_back(it == by_span.end() ? nullptr : it->second);
  }

  // Full access: the super-administrator, or unconditional grants that together
  // reach every supported (action, resource type) pair.
  size_t supported = 0;
  for (const compiler::ResourceType& rt : policy.resources) supported += rt.actions.size();
  ctx.full_access.assign(policy.roles.size(), false);
  for (uint32_t role = 0; role < policy.roles.size(); ++role) {
    if (policy.roles[role].superadmin) {
      ctx.full_access[role] = true;
      continue;
    }
    std::set<Pair> granted;
    for (const compiler::Rule& r : policy.rules) {
      if (r.effect != ast::Effect::kGrant || !ctx.unconditional(r) || !ctx.grant_reaches(r, role)) continue;
      granted.insert(r.pairs.begin(), r.pairs.end());
    }
    ctx.full_access[role] = supported > 0 && granted.size() == supported;
  }
  return ctx;
}

}  // namespace edict::lint
