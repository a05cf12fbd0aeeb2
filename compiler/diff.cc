// compiler/diff.cc: decision summaries of checked policies, and their difference.
//
// External interface: summarize(), diff() and render_diff_text() in diff.h.
// summarize() follows the evaluation semantics of docs/language.md for a
// principal holding one role (and so everything that role extends): an
// unconditional forbid denies; otherwise an unconditional grant (or being the
// super-administrator) allows, unless a conditional forbid might apply; a
// conditional grant or forbid makes the decision conditional.
#include "compiler/diff.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/format.h"

namespace edict::compiler {
namespace {

using Kind = CellDecision::Kind;
using Pair = std::pair<std::string, std::string>;

std::string condition_text(const Workspace& ws, const ast::Expr* when, const ast::Expr* unless) {
  std::string s;
  if (when != nullptr) s = "when " + format_condition(ws.sources.file(when->span.file).text(), *when);
  if (unless != nullptr) {
    if (!s.empty()) s += ' ';
    s += "unless " + format_condition(ws.sources.file(unless->span.file).text(), *unless);
  }
  return s;
}

std::string obligation_text(const Policy& p, const ObligationRef& o) {
  const Obligation& ob = p.obligations[o.obligation];
  if (o.args.empty()) return ob.name;
  std::vector<std::string> args;
  for (uint32_t a : o.args) args.push_back(ob.params[a]);
  std::sort(args.begin(), args.end());
  return fmt::format("{}({})", ob.name, fmt::join(args, ", "));
}

std::set<std::string> obligation_set(const Policy& p, const Rule& r) {
  std::set<std::string> out;
  for (const ObligationRef& o : r.obligations) out.insert(obligation_text(p, o));
  return out;
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kDenied: return "denied";
    case Kind::kForbidden: return "forbidden";
    case Kind::kConditional: return "conditional";
    case Kind::kAllowed: return "allowed";
  }
  return "?";
}

std::string state(const CellDecision& c) {
  std::string s = kind_name(c.kind);
  if (c.granted && !c.forbidden && !c.obligations.empty()) s += fmt::format(" with {}", fmt::join(c.obligations, ", "));
  return s;
}

bool is_deny(Kind k) { return k == Kind::kDenied || k == Kind::kForbidden; }

// What changed between two decisions of one cell, or false if nothing did.
// The summary names the decision change when the decision kind changed, else the
// part that changed; `wider` holds when any part may now allow more.
bool compare_cell(const CellDecision& a, const CellDecision& b, DecisionChange& ch) {
  if (a == b) return false;
  if (a.forbidden && b.forbidden) return false;  // denied either way; the rest is moot
  ch.before = state(a);
  ch.after = state(b);
  auto added = [](const std::set<std::string>& x, const std::set<std::string>& y) {
    return !std::includes(x.begin(), x.end(), y.begin(), y.end());  // y has something x lacks
  };
  auto list = [&](const char* label, const std::set<std::string>& x, const std::set<std::string>& y) {
    for (const std::string& s : x) {
      if (!y.count(s)) ch.details.push_back(fmt::format("- {} {}", label, s));
    }
    for (const std::string& s : y) {
      if (!x.count(s)) ch.details.push_back(fmt::format("+ {} {}", label, s));
    }
  };
  // May allow more: a grant appears or loses its condition, a grant condition
  // appears (or changes: it is compared as text), an obligation is dropped, a
  // forbid goes away or one of its conditions changes.
  const bool grant_wider = (!a.granted && b.granted) || added(a.grant_conditions, b.grant_conditions) ||
                           (a.granted && b.granted && added(b.obligations, a.obligations));
  const bool forbid_wider = (a.forbidden && !b.forbidden) || added(b.forbid_conditions, a.forbid_conditions);
  ch.wider = (grant_wider || forbid_wider) && b.kind != Kind::kDenied && b.kind != Kind::kForbidden;
  if (is_deny(a.kind) && is_deny(b.kind)) {
    if (a.kind == b.kind) return false;
    ch.summary = b.kind == Kind::kForbidden ? "newly forbidden" : "no longer forbidden (still no grant)";
    return true;
  }
  if (is_deny(a.kind)) {
    ch.summary = b.kind == Kind::kAllowed ? "newly allowed" : "newly allowed under conditions";
  } else if (is_deny(b.kind)) {
    ch.summary = b.kind == Kind::kForbidden ? "newly forbidden" : "revoked";
  } else if (a.kind != b.kind) {
    ch.summary = b.kind == Kind::kAllowed ? "conditions removed" : "now conditional";
  } else if (a.grant_conditions != b.grant_conditions || a.forbid_conditions != b.forbid_conditions ||
             a.granted != b.granted) {
    ch.summary = "conditional (changed)";
  } else {
    ch.summary = added(b.obligations, a.obligations) ? "obligations removed" : "obligations added";
  }
  if (is_deny(a.kind) && !is_deny(b.kind)) {
    list("grant", {}, b.grant_conditions);
    list("forbid", {}, b.forbid_conditions);
  }
  if (!is_deny(a.kind) && !is_deny(b.kind)) {
    if (a.granted != b.granted) ch.details.push_back(b.granted ? "+ grant without condition" : "- grant without condition");
    list("grant", a.grant_conditions, b.grant_conditions);
    list("forbid", a.forbid_conditions, b.forbid_conditions);
    if (a.granted && b.granted) list("obligation", a.obligations, b.obligations);
  }
  return true;
}

void vocabulary(const char* what, const std::set<std::string>& a, const std::set<std::string>& b,
                std::vector<DecisionChange>& out) {
  for (const std::string& s : a) {
    if (!b.count(s)) out.push_back({what, "", "", "", fmt::format("{} `{}` removed", what, s), "", "", {}, false});
  }
  for (const std::string& s : b) {
    if (!a.count(s)) out.push_back({what, "", "", "", fmt::format("{} `{}` added", what, s), "", "", {}, false});
  }
}

}  // namespace

DecisionSummary summarize(const Workspace& ws, const Policy& p) {
  DecisionSummary out;
  for (const Role& r : p.roles) out.roles.insert(r.name);
  for (const Action& a : p.actions) out.actions.insert(a.name);
  for (const ResourceType& r : p.resources) out.resources.insert(r.name);
  if (p.superadmin) out.superadmin = p.roles[*p.superadmin].name;
  for (uint32_t r : p.rank_ladder) out.rank_ladder.push_back(p.roles[r].name);

  std::vector<std::string> conditions(p.rules.size());
  for (size_t i = 0; i < p.rules.size(); ++i) conditions[i] = condition_text(ws, p.rules[i].when, p.rules[i].unless);

  for (uint32_t role = 0; role < p.roles.size(); ++role) {
    const std::vector<uint32_t>& held = p.roles[role].ancestors;  // ascending
    auto holds_any = [&](const std::vector<uint32_t>& roles) {
      return std::any_of(roles.begin(), roles.end(),
                         [&](uint32_t x) { return std::binary_search(held.begin(), held.end(), x); });
    };
    auto& cells = out.cells[p.roles[role].name];
    for (uint32_t res = 0; res < p.resources.size(); ++res) {
      for (uint32_t act : p.resources[res].actions) {
        bool forbidden = false, allowed = p.roles[role].superadmin, obligations_seen = false;
        CellDecision cell;
        std::set<std::string> obligations;
        for (size_t i = 0; i < p.rules.size(); ++i) {
          const Rule& r = p.rules[i];
          if (std::find(r.pairs.begin(), r.pairs.end(), std::pair{act, res}) == r.pairs.end()) continue;
          if (!r.roles.empty() && !holds_any(r.roles)) continue;
          const bool conditional = r.when != nullptr || r.unless != nullptr;
          if (r.effect == ast::Effect::kForbid) {
            if (conditional) {
              cell.forbid_conditions.insert(conditions[i]);
            } else {
              forbidden = true;
            }
            continue;
          }
          const std::set<std::string> mine = obligation_set(p, r);
          if (conditional) {
            std::string text = conditions[i];
            if (!mine.empty()) text += fmt::format(" with {}", fmt::join(mine, ", "));
            cell.grant_conditions.insert(text);
            continue;
          }
          // An obligation applies only if every allowing grant carries it.
          if (!obligations_seen) {
            obligations = mine;
          } else {
            std::set<std::string> both;
            std::set_intersection(obligations.begin(), obligations.end(), mine.begin(), mine.end(),
                                  std::inserter(both, both.end()));
            obligations = std::move(both);
          }
          obligations_seen = true;
          allowed = true;
        }
        if (p.roles[role].superadmin) obligations.clear();  // its implicit grant carries none
        cell.granted = allowed;
        cell.forbidden = forbidden;
        if (allowed) {
          cell.obligations = std::move(obligations);
          // Conditional grants add nothing to an unconditional one. (Where one
          // lacks an obligation it may drop it at run time; that is not shown.)
          cell.grant_conditions.clear();
        }
        if (forbidden) {
          cell.kind = Kind::kForbidden;
        } else if (allowed && cell.forbid_conditions.empty()) {
          cell.kind = Kind::kAllowed;
        } else if (allowed || !cell.grant_conditions.empty()) {
          cell.kind = Kind::kConditional;
        } else {
          cell = CellDecision{};  // no grant can apply: the forbids do not matter
        }
        cells[{p.actions[act].name, p.resources[res].name}] = std::move(cell);
      }
    }
  }

  for (const Catalog& c : p.catalogs) {
    CatalogSummary& s = out.catalogs[c.name];
    for (uint32_t h : c.holders) s.holders.insert(p.roles[h].name);
    for (const CatalogEntry& e : c.entries) {
      const std::string cond = condition_text(ws, e.when, nullptr);
      for (auto [a, r] : e.pairs) s.grantable[{p.actions[a].name, p.resources[r].name}].insert(cond);
    }
  }
  return out;
}

DiffReport diff(const DecisionSummary& a, const DecisionSummary& b) {
  DiffReport out;
  auto& ch = out.changes;
  vocabulary("role", a.roles, b.roles, ch);
  vocabulary("action", a.actions, b.actions, ch);
  vocabulary("resource", a.resources, b.resources, ch);
  if (a.superadmin != b.superadmin) {
    ch.push_back({"superadmin", "", "", "",
                  fmt::format("super-administrator `{}` -> `{}`", a.superadmin.empty() ? "(none)" : a.superadmin,
                              b.superadmin.empty() ? "(none)" : b.superadmin),
                  "", "", {}, !b.superadmin.empty()});
  }
  if (a.rank_ladder != b.rank_ladder) {
    // Rank comparisons in conditions read the ladder: their meaning changed
    // without their text changing, so this needs a reviewer.
    ch.push_back({"rank", "", "", "", "rank ladder changed", fmt::format("{}", fmt::join(a.rank_ladder, " < ")),
                  fmt::format("{}", fmt::join(b.rank_ladder, " < ")), {}, true});
  }

  std::set<std::string> roles = a.roles;
  roles.insert(b.roles.begin(), b.roles.end());
  static const std::map<Pair, CellDecision> kNone;
  for (const std::string& role : roles) {
    auto ia = a.cells.find(role);
    auto ib = b.cells.find(role);
    const auto& ca = ia == a.cells.end() ? kNone : ia->second;
    const auto& cb = ib == b.cells.end() ? kNone : ib->second;
    std::set<Pair> keys;
    for (const auto& [k, v] : ca) keys.insert(k);
    for (const auto& [k, v] : cb) keys.insert(k);
    // Rows by resource type, then action: reads like the permission matrix.
    std::vector<Pair> ordered(keys.begin(), keys.end());
    std::sort(ordered.begin(), ordered.end(), [](const Pair& x, const Pair& y) {
      return std::tie(x.second, x.first) < std::tie(y.second, y.first);
    });
    for (const Pair& k : ordered) {
      auto fa = ca.find(k);
      auto fb = cb.find(k);
      const CellDecision da = fa == ca.end() ? CellDecision{} : fa->second;
      const CellDecision db = fb == cb.end() ? CellDecision{} : fb->second;
      DecisionChange c{"decision", role, k.first, k.second, "", "", "", {}, false};
      if (compare_cell(da, db, c)) ch.push_back(std::move(c));
    }
  }

  std::set<std::string> catalogs;
  for (const auto& [n, c] : a.catalogs) catalogs.insert(n);
  for (const auto& [n, c] : b.catalogs) catalogs.insert(n);
  static const CatalogSummary kEmpty;
  for (const std::string& name : catalogs) {
    auto ia = a.catalogs.find(name);
    auto ib = b.catalogs.find(name);
    const CatalogSummary& x = ia == a.catalogs.end() ? kEmpty : ia->second;
    const CatalogSummary& y = ib == b.catalogs.end() ? kEmpty : ib->second;
    if (ia == a.catalogs.end()) ch.push_back({"catalog", name, "", "", "catalog added", "", "", {}, false});
    if (ib == b.catalogs.end()) ch.push_back({"catalog", name, "", "", "catalog removed", "", "", {}, false});
    for (const std::string& h : y.holders) {
      if (!x.holders.count(h)) {
        ch.push_back({"catalog", name, "", "", fmt::format("custom roles may now be held by `{}`", h), "", "", {}, true});
      }
    }
    for (const std::string& h : x.holders) {
      if (!y.holders.count(h)) {
        ch.push_back({"catalog", name, "", "", fmt::format("custom roles may no longer be held by `{}`", h), "", "",
                      {}, false});
      }
    }
    std::set<Pair> keys;
    for (const auto& [k, v] : x.grantable) keys.insert(k);
    for (const auto& [k, v] : y.grantable) keys.insert(k);
    for (const Pair& k : keys) {
      auto fx = x.grantable.find(k);
      auto fy = y.grantable.find(k);
      DecisionChange c{"catalog", name, k.first, k.second, "", "", "", {}, false};
      auto conds = [](const std::set<std::string>& s) {
        std::vector<std::string> v;
        for (const std::string& t : s) v.push_back(t.empty() ? "always" : t);
        return fmt::format("{}", fmt::join(v, "; "));
      };
      if (fx == x.grantable.end()) {
        c.summary = "newly grantable";
        c.after = "grantable " + conds(fy->second);
        c.wider = true;
      } else if (fy == y.grantable.end()) {
        c.summary = "no longer grantable";
        c.before = "grantable " + conds(fx->second);
      } else if (fx->second != fy->second) {
        const bool had_always = fx->second.count(""), has_always = fy->second.count("");
        c.summary = has_always && !had_always ? "grantable without conditions"
                    : had_always && !has_always ? "grantable only under conditions"
                                                : "grantable (conditions changed)";
        c.wider = !(had_always && !has_always) &&
                  !std::includes(fx->second.begin(), fx->second.end(), fy->second.begin(), fy->second.end());
        c.before = "grantable " + conds(fx->second);
        c.after = "grantable " + conds(fy->second);
      } else {
        continue;
      }
      ch.push_back(std::move(c));
    }
  }
  return out;
}

bool DiffReport::wider() const {
  return std::any_of(changes.begin(), changes.end(), [](const DecisionChange& c) { return c.wider; });
}

std::string render_diff_text(const DiffReport& report) {
  if (report.changes.empty()) return "no decision changes\n";
  std::string out;
  std::string group;
  auto mark = [](const DecisionChange& c) {
    if (c.wider) return '+';
    const bool restricts = c.what == "decision" || (c.what == "catalog" && !c.summary.starts_with("catalog "));
    return restricts && c.summary != "no longer forbidden (still no grant)" ? '-' : '~';
  };
  for (const DecisionChange& c : report.changes) {
    std::string g;
    if (c.what == "decision") {
      g = fmt::format("role `{}`", c.role);
    } else if (c.what == "catalog") {
      g = fmt::format("catalog `{}`", c.role);
    } else {
      g = "vocabulary";
    }
    if (g != group) {
      if (!out.empty()) out += '\n';
      out += g + ":\n";
      group = g;
    }
    std::string line = fmt::format("  {} ", mark(c));
    if (!c.action.empty()) line += fmt::format("{} on {}: ", c.action, c.resource);
    line += c.summary;
    if (!c.before.empty() || !c.after.empty()) {
      line += fmt::format(" ({} -> {})", c.before.empty() ? "-" : c.before, c.after.empty() ? "-" : c.after);
    }
    out += line + '\n';
    for (const std::string& d : c.details) out += "      " + d + '\n';
  }
  const size_t wider = static_cast<size_t>(
      std::count_if(report.changes.begin(), report.changes.end(), [](const DecisionChange& c) { return c.wider; }));
  out += fmt::format("\n{} change{}, {} of them wider (+: may allow more; -: allows less; ~: neither)\n",
                     report.changes.size(), report.changes.size() == 1 ? "" : "s", wider);
  return out;
}

}  // namespace edict::compiler
