// tests/testing/policy_gen.cc: see policy_gen.h.
//
// The policy generator builds a small model (roles, actions, resource types
// with attributes) and renders it, keeping enough type information to write
// only well-typed conditions: same types on both sides of a comparison, ranked
// roles where the ladder orders them, and `has` guards around every read the
// checker cannot prove present (optional attributes, and resource attributes
// that some resource type of the rule lacks).
#include "tests/testing/policy_gen.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <set>

namespace edict::testing {
namespace {

using runtime::Value;
using runtime::ValueKind;

// ---- the vocabulary ------------------------------------------------------------
enum class VK : uint8_t { kBool, kInt, kString, kStatus, kUser, kGroup, kRole, kTenant };

struct VType {
  VK kind = VK::kBool;
  bool set = false;
  friend bool operator==(const VType&, const VType&) = default;
};

struct AttrDef {
  const char* name;
  VType type;
};

std::string type_text(VType t) {
  const char* k = "";
  switch (t.kind) {
    case VK::kBool: k = "bool"; break;
    case VK::kInt: k = "int"; break;
    case VK::kString: k = "string"; break;
    case VK::kStatus: k = "Status"; break;
    case VK::kUser: k = "User"; break;
    case VK::kGroup: k = "Group"; break;
    case VK::kRole: k = "Role"; break;
    case VK::kTenant: k = "Tenant"; break;
  }
  return t.set ? std::string("set<") + k + ">" : std::string(k);
}

const std::vector<std::string> kStatus = {"active", "idle", "gone"};
// Source forms of the string literals; the values are in kWordValues.
const std::vector<std::string> kWords = {"\"a\"", "\"b\"", "\"\"", "\"\xC3\xA9t\xC3\xA9\"", "\"q\\\"t\""};
const std::vector<std::string> kWordValues = {"a", "b", "", "\xC3\xA9t\xC3\xA9", "q\"t"};
const std::vector<std::string> kInts = {"0", "1", "2", "3", "10", "100", "9223372036854775807"};

// Every attribute name has one type wherever it is declared.
const std::vector<AttrDef> kUserAttrs = {
    {"status", {VK::kStatus}},   {"groups", {VK::kGroup, true}}, {"verified", {VK::kBool}},
    {"level", {VK::kInt}},       {"dept", {VK::kString}},        {"manager", {VK::kUser}},
    {"delegate", {VK::kRole}},   {"team", {VK::kGroup}},         {"skills", {VK::kString, true}},
};
const std::vector<AttrDef> kResourceAttrs = {
    {"owner", {VK::kUser}},         {"group", {VK::kGroup}},          {"flag", {VK::kBool}},
    {"size", {VK::kInt}},           {"label", {VK::kString}},         {"state", {VK::kStatus}},
    {"role", {VK::kRole}},          {"members", {VK::kUser, true}},   {"tags", {VK::kString, true}},
    {"levels", {VK::kInt, true}},   {"roles", {VK::kRole, true}},     {"states", {VK::kStatus, true}},
    {"home", {VK::kTenant}},
};
const std::vector<AttrDef> kContextAttrs = {
    {"mfa", {VK::kBool}},   {"new_role", {VK::kRole}}, {"risk", {VK::kInt}},
    {"region", {VK::kString}}, {"site", {VK::kGroup}}, {"phase", {VK::kStatus}},
};
const std::vector<std::string> kRoleNames = {"viewer", "editor", "admin", "auditor"};
const std::vector<std::string> kActionNames = {"view", "edit", "purge"};
const std::vector<std::string> kResourceNames = {"Doc", "Call", "Bill"};

struct Attr {
  AttrDef def;
  bool optional = false;
};

struct Resource {
  std::string name;
  std::vector<uint32_t> actions;  // supported, ascending
  std::vector<Attr> attrs;
};

// One item of a rule's action or resource list, as the checker sees it.
struct Item {
  std::string text;
  std::vector<uint32_t> ids;
  bool direct = false;
};

// A value the condition can read, with the `has` guard it needs.
struct Operand {
  std::string text;
  VType type;
  std::string guard;  // "" or "resource has x"
};

class Gen {
 public:
  Gen(uint64_t seed, const PolicyGenOptions& options) : rng_(seed), options_(options) {
    // Now and then a policy large in one dimension, for the table's limits:
    // role bitsets of several words, obligation bits up to 63, many rules in a
    // cell, deeply nested conditions.
    if (rng_.chance(options_.big_percent)) big_ = static_cast<Big>(1 + rng_.below(4));
    depth_ = big_ == Big::kDeep ? 7 : options_.max_depth;
  }

  GeneratedPolicy run() {
    build_schema();
    GeneratedPolicy out;
    out.prelude = render_schema();
    const uint32_t n = big_ == Big::kRules ? 30 + rng_.below(40) : 1 + rng_.below(options_.max_rules);
    for (uint32_t i = 0; i < n; ++i) out.rules.push_back(rule(i));
    if (rng_.chance(60)) out.postlude += catalog("cat0");
    if (rng_.chance(20)) out.postlude += catalog("cat1");
    return out;
  }

 private:
  // ---- schema ----
  void build_schema() {
    const uint32_t role_count = big_ == Big::kRoles ? 62 + rng_.below(80) : 2 + rng_.below(3);
    for (uint32_t i = 0; i < role_count; ++i) {
      roles_.push_back(i < kRoleNames.size() ? kRoleNames[i] : "x" + std::to_string(i));
      std::vector<uint32_t> parents;
      if (i < 8) {
        for (uint32_t j = 0; j < i; ++j) {
          if (rng_.chance(35)) parents.push_back(j);
        }
      } else {
        for (int k = 0; k < 2; ++k) {
          const uint32_t j = rng_.below(i);
          if (rng_.chance(40) && std::find(parents.begin(), parents.end(), j) == parents.end()) parents.push_back(j);
        }
      }
      parents_.push_back(parents);
    }
    if (rng_.chance(35)) {
      superadmin_ = static_cast<uint32_t>(roles_.size());
      roles_.push_back("root");
      parents_.push_back({});
      if (rng_.chance(25)) parents_[rng_.below(role_count)].push_back(*superadmin_);  // a role extending root
    }
    if (rng_.chance(80)) {
      std::vector<uint32_t> all(roles_.size());
      for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
      shuffle(all);
      all.resize(1 + rng_.below(std::min<uint32_t>(8, static_cast<uint32_t>(all.size()))));
      ladder_ = all;
    }
    action_count_ = 2 + rng_.below(2);
    has_group_ = rng_.chance(70);
    if (has_group_) {
      for (uint32_t a = 0; a < action_count_; ++a) {
        if (rng_.chance(60)) group_.push_back(a);
      }
      if (group_.empty()) group_.push_back(rng_.below(action_count_));
    }
    const uint32_t type_count = 2 + rng_.below(2);
    for (uint32_t t = 0; t < type_count; ++t) {
      Resource r;
      r.name = kResourceNames[t];
      std::set<uint32_t> acts;
      for (uint32_t a = 0; a < action_count_; ++a) {
        if (rng_.chance(65)) acts.insert(a);
      }
      if (acts.empty()) acts.insert(rng_.below(action_count_));
      r.actions.assign(acts.begin(), acts.end());
      for (const AttrDef& d : kResourceAttrs) {
        if (rng_.chance(35)) r.attrs.push_back({d, rng_.chance(40)});
      }
      shuffle(r.attrs);
      resources_.push_back(std::move(r));
    }
    if (rng_.chance(70)) {
      for (uint32_t t = 0; t < type_count; ++t) {
        if (rng_.chance(60)) category_.push_back(t);
      }
      if (category_.empty()) category_.push_back(0);
    }
    for (const AttrDef& d : kUserAttrs) {
      if (rng_.chance(60)) user_attrs_.push_back({d, rng_.chance(30)});
    }
    for (const AttrDef& d : kContextAttrs) {
      if (rng_.chance(40)) context_.push_back({d, rng_.chance(40)});
    }
    audit_ = rng_.chance(50);
    params_ = {"pii", "payment"};
    if (big_ == Big::kObligations) {
      for (uint32_t i = 2, n = 34 + rng_.below(28); i < n; ++i) params_.push_back("p" + std::to_string(i));
    }
  }

  std::string render_schema() {
    std::string s = "// generated policy\nenum Status { active, idle, gone }\nentity Group;\nentity User {";
    for (size_t i = 0; i < user_attrs_.size(); ++i) s += (i ? ", " : " ") + attr_text(user_attrs_[i]);
    s += " }\naction ";
    for (uint32_t a = 0; a < action_count_; ++a) s += (a ? ", " : "") + kActionNames[a];
    s += ";\n";
    if (has_group_) {
      s += "action manage = ";
      for (size_t i = 0; i < group_.size(); ++i) s += (i ? " | " : "") + kActionNames[group_[i]];
      s += ";\n";
    }
    for (const Resource& r : resources_) {
      s += "resource " + r.name;
      if (!r.attrs.empty()) {
        s += " {";
        for (size_t i = 0; i < r.attrs.size(); ++i) s += (i ? ", " : " ") + attr_text(r.attrs[i]);
        s += " }";
      }
      s += " actions ";
      // Name the group when it is exactly the supported set, to exercise both forms.
      std::vector<uint32_t> g(group_);
      if (has_group_ && g == r.actions && rng_.chance(70)) {
        s += "manage";
      } else {
        for (size_t i = 0; i < r.actions.size(); ++i) s += (i ? ", " : "") + kActionNames[r.actions[i]];
      }
      s += ";\n";
    }
    if (!category_.empty()) {
      s += "category Stuff = ";
      for (size_t i = 0; i < category_.size(); ++i) s += (i ? " | " : "") + resources_[category_[i]].name;
      s += ";\n";
    }
    if (!context_.empty()) {
      s += "context {";
      for (size_t i = 0; i < context_.size(); ++i) s += (i ? ", " : " ") + attr_text(context_[i]);
      s += " }\n";
    }
    for (size_t i = 0; i < roles_.size(); ++i) {
      s += (superadmin_ && *superadmin_ == i ? "superadmin role " : "role ") + roles_[i];
      for (size_t k = 0; k < parents_[i].size(); ++k) s += (k ? ", " : " extends ") + roles_[parents_[i][k]];
      s += ";\n";
    }
    if (!ladder_.empty()) {
      s += "rank ";
      for (size_t i = 0; i < ladder_.size(); ++i) s += (i ? " < " : "") + roles_[ladder_[i]];
      s += ";\n";
    }
    s += "obligation redact(";
    for (size_t i = 0; i < params_.size(); ++i) s += (i ? ", " : "") + params_[i];
    s += ");\n";
    if (audit_) s += "obligation audit;\n";
    return s;
  }

  static std::string attr_text(const Attr& a) {
    return std::string(a.def.name) + ": " + type_text(a.def.type) + (a.optional ? "?" : "");
  }

  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_.below(static_cast<uint32_t>(i))]);
  }

  // ---- targets ----
  std::vector<Item> action_items() {
    std::vector<Item> items;
    const uint32_t pick = rng_.below(10);
    if (pick == 0) {
      Item all{"*", {}, false};
      for (uint32_t a = 0; a < action_count_; ++a) all.ids.push_back(a);
      return {all};
    }
    if (pick <= 2 && has_group_) items.push_back({"manage", group_, false});
    const uint32_t n = items.empty() ? 1 + rng_.below(2) : rng_.below(2);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t a = rng_.below(action_count_);
      items.push_back({kActionNames[a], {a}, true});
    }
    return items;
  }

  std::vector<Item> resource_items() {
    std::vector<Item> items;
    const uint32_t pick = rng_.below(10);
    if (pick == 0) {
      Item all{"*", {}, false};
      for (uint32_t t = 0; t < resources_.size(); ++t) all.ids.push_back(t);
      return {all};
    }
    if (pick <= 2 && !category_.empty()) items.push_back({"Stuff", category_, false});
    const uint32_t n = items.empty() ? 1 + rng_.below(2) : rng_.below(2);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t t = rng_.below(static_cast<uint32_t>(resources_.size()));
      items.push_back({resources_[t].name, {t}, true});
    }
    return items;
  }

  bool supports(uint32_t type, uint32_t action) const {
    const auto& a = resources_[type].actions;
    return std::binary_search(a.begin(), a.end(), action);
  }

  // The checker's supported_pairs(): empty when it would report an error.
  std::set<std::pair<uint32_t, uint32_t>> pairs_of(const std::vector<Item>& actions,
                                                   const std::vector<Item>& resources) const {
    std::set<std::pair<uint32_t, uint32_t>> pairs;
    std::vector<bool> resource_used(resources.size(), false);
    for (const Item& a : actions) {
      bool action_used = false;
      for (size_t ri = 0; ri < resources.size(); ++ri) {
        bool any = false;
        for (uint32_t act : a.ids) {
          for (uint32_t res : resources[ri].ids) {
            if (supports(res, act)) {
              pairs.emplace(act, res);
              any = true;
            }
          }
        }
        if (!any && a.direct && resources[ri].direct) return {};
        action_used = action_used || any;
        resource_used[ri] = resource_used[ri] || any;
      }
      if (!action_used) return {};
    }
    for (bool used : resource_used) {
      if (!used) return {};
    }
    return pairs;
  }

  static std::string items_text(const std::vector<Item>& items) {
    std::string s;
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i].text;
    return s;
  }

  // "ACTIONS on RESOURCES", setting types_ to the rule's resource types.
  std::string target() {
    for (int attempt = 0; attempt < 50; ++attempt) {
      const auto actions = action_items();
      const auto resources = resource_items();
      const auto pairs = pairs_of(actions, resources);
      if (pairs.empty()) continue;
      types_.clear();
      for (auto [a, t] : pairs) types_.insert(t);
      return items_text(actions) + " on " + items_text(resources);
    }
    const uint32_t t = rng_.below(static_cast<uint32_t>(resources_.size()));
    types_ = {t};
    return kActionNames[resources_[t].actions[0]] + " on " + resources_[t].name;
  }

  std::string role_list(uint32_t min, uint32_t max) {
    std::string s;
    const uint32_t n = min + rng_.below(max - min + 1);
    std::vector<uint32_t> all(roles_.size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    shuffle(all);
    for (uint32_t i = 0; i < n && i < all.size(); ++i) s += (i ? ", " : "") + roles_[all[i]];
    return s;
  }

  // ---- rules ----
  std::string rule(uint32_t index) {
    const bool grant = rng_.chance(60);
    std::string s;
    if (rng_.chance(50)) s += "r" + std::to_string(index) + ": ";
    if (grant) {
      s += "grant " + role_list(1, 2) + " ";
    } else {
      s += "forbid ";
      if (rng_.chance(60)) s += role_list(1, 2) + " ";
    }
    s += target();
    std::string when, unless;
    if (rng_.chance(15)) {
      // A guard in `when` that covers a read in `unless`.
      Operand o;
      if (guarded_operand(o)) {
        when = o.guard;
        unless = atom_over(o);
      }
    }
    if (when.empty() && rng_.chance(65)) when = condition(depth_);
    if (unless.empty() && rng_.chance(30)) unless = condition(depth_);
    if (unless.empty() && rng_.chance(10)) {
      // The role exception policies write most, which the runtime tests with the
      // rule's roles (branches.h, RoleExceptions).
      unless = "principal is " + constant({VK::kRole});
      if (rng_.chance(30)) unless = "(" + unless + " || principal is " + constant({VK::kRole}) + ")";
    }
    if (!when.empty()) s += " when " + when;
    if (!unless.empty()) s += " unless " + unless;
    if (grant && rng_.chance(35)) s += " with " + obligations();
    return s + ";\n";
  }

  std::string obligations() {
    std::vector<std::string> uses;
    if (!audit_ || rng_.chance(75)) {
      // A few arguments; with many parameters, most grants carry most of them so
      // that intersections keep high bits.
      std::vector<std::string> args;
      for (const std::string& a : params_) {
        if (rng_.chance(params_.size() > 2 ? 80 : 50)) args.push_back(a);
      }
      if (args.empty()) args.push_back(rng_.pick(params_));
      shuffle(args);
      std::string use = "redact(";
      for (size_t i = 0; i < args.size(); ++i) use += (i ? ", " : "") + args[i];
      uses.push_back(use + ")");
    }
    if (audit_ && (uses.empty() || rng_.chance(30))) uses.push_back("audit");
    std::string s;
    for (size_t i = 0; i < uses.size(); ++i) s += (i ? ", " : "") + uses[i];
    return s;
  }

  std::string catalog(const std::string& name) {
    std::string s = "catalog " + name + " for " + role_list(1, 2) + " {\n";
    const uint32_t n = 1 + rng_.below(3);
    for (uint32_t i = 0; i < n; ++i) {
      s += "  grantable " + target();
      if (rng_.chance(40)) s += " when " + condition(depth_ > 0 ? depth_ - 1 : 0);
      s += ";\n";
    }
    return s + "}\n";
  }

  // ---- operands ----
  std::vector<Operand> operands() const {
    std::vector<Operand> out;
    out.push_back({"principal", {VK::kUser}, ""});
    out.push_back({"principal.tenant", {VK::kTenant}, ""});
    out.push_back({"resource.tenant", {VK::kTenant}, ""});
    if (!ladder_.empty()) out.push_back({"principal.rank", {VK::kRole}, ""});
    for (const Attr& a : user_attrs_) {
      out.push_back({std::string("principal.") + a.def.name, a.def.type,
                     a.optional ? std::string("principal has ") + a.def.name : ""});
    }
    for (const Attr& a : context_) {
      out.push_back({std::string("context.") + a.def.name, a.def.type,
                     a.optional ? std::string("context has ") + a.def.name : ""});
    }
    for (const AttrDef& d : kResourceAttrs) {
      bool somewhere = false, everywhere_required = true;
      for (uint32_t t : types_) {
        const Attr* found = nullptr;
        for (const Attr& a : resources_[t].attrs) {
          if (std::string_view(a.def.name) == d.name) found = &a;
        }
        somewhere = somewhere || found != nullptr;
        everywhere_required = everywhere_required && found != nullptr && !found->optional;
      }
      if (!somewhere) continue;
      out.push_back({std::string("resource.") + d.name, d.type,
                     everywhere_required ? "" : std::string("resource has ") + d.name});
    }
    return out;
  }

  bool guarded_operand(Operand& o) {
    std::vector<Operand> guarded;
    for (Operand& x : operands()) {
      if (!x.guard.empty() && !x.type.set) guarded.push_back(x);
    }
    if (guarded.empty()) return false;
    o = rng_.pick(guarded);
    return true;
  }

  // A literal of a scalar type, or "" when the type has none.
  std::string constant(VType t, bool ranked_only = false) {
    switch (t.kind) {
      case VK::kBool: return rng_.chance(50) ? "true" : "false";
      case VK::kInt: return rng_.pick(kInts);
      case VK::kString: return rng_.pick(kWords);
      case VK::kStatus: return (rng_.chance(30) ? "Status." : "") + rng_.pick(kStatus);
      case VK::kRole:
        if (ranked_only) return ladder_.empty() ? "" : roles_[rng_.pick(ladder_)];
        return roles_[rng_.below(static_cast<uint32_t>(roles_.size()))];
      default: return "";
    }
  }

  static bool ordered(VK k) { return k == VK::kInt || k == VK::kStatus || k == VK::kRole; }

  std::string cmp_op(VType t) {
    static const std::vector<std::string> kEq = {"==", "!="};
    static const std::vector<std::string> kAll = {"==", "!=", "<", "<=", ">", ">="};
    if (ordered(t.kind) && (t.kind != VK::kRole || !ladder_.empty())) return rng_.pick(kAll);
    return rng_.pick(kEq);
  }

  // Wraps a read in the guards its operands need.
  std::string guarded(const std::string& atom, const std::vector<const Operand*>& ops) {
    std::string guard;
    std::set<std::string> seen;
    for (const Operand* o : ops) {
      if (o->guard.empty() || !seen.insert(o->guard).second) continue;
      guard += (guard.empty() ? "" : " && ") + o->guard;
    }
    if (guard.empty()) return atom;
    if (rng_.chance(70)) return "(" + guard + " && " + atom + ")";
    return "(!(" + guard + ") || " + atom + ")";
  }

  // A leaf test over `o`, without its guard (the caller provides it).
  std::string atom_over(const Operand& o) {
    if (o.type.kind == VK::kBool && rng_.chance(50)) return o.text;
    if (o.type.kind == VK::kRole && rng_.chance(30)) return o.text + " is " + constant({VK::kRole});
    const std::string op = cmp_op(o.type);
    const bool ordering = op != "==" && op != "!=";
    const std::string c = constant(o.type, ordering && o.type.kind == VK::kRole);
    if (c.empty()) {  // entities and tenants have no literals
      if (o.type == VType{VK::kUser}) return o.text + " " + op + " principal";
      return o.text + " " + op + " " + o.text;
    }
    return rng_.chance(75) ? o.text + " " + op + " " + c : c + " " + op + " " + o.text;
  }

  std::string atom() {
    const std::vector<Operand> ops = operands();
    for (int attempt = 0; attempt < 20; ++attempt) {
      switch (rng_.below(options_.nested_bool_compare ? 10 : 9)) {
        case 0: {  // a bool attribute as a condition
          std::vector<const Operand*> c;
          for (const Operand& o : ops) {
            if (o.type == VType{VK::kBool}) c.push_back(&o);
          }
          if (c.empty()) break;
          const Operand* o = c[rng_.below(static_cast<uint32_t>(c.size()))];
          return guarded(o->text, {o});
        }
        case 1: {  // compare with a constant
          std::vector<const Operand*> c;
          for (const Operand& o : ops) {
            if (!o.type.set && !constant(o.type).empty()) c.push_back(&o);
          }
          if (c.empty()) break;
          const Operand* o = c[rng_.below(static_cast<uint32_t>(c.size()))];
          const std::string op = cmp_op(o->type);
          const bool ordering = op != "==" && op != "!=";
          const std::string k = constant(o->type, ordering && o->type.kind == VK::kRole);
          if (k.empty()) break;
          return guarded(rng_.chance(75) ? o->text + " " + op + " " + k : k + " " + op + " " + o->text, {o});
        }
        case 2: {  // compare two operands of one type
          std::vector<std::pair<const Operand*, const Operand*>> c;
          for (const Operand& a : ops) {
            for (const Operand& b : ops) {
              if (&a != &b && !a.type.set && a.type == b.type) c.emplace_back(&a, &b);
            }
          }
          if (c.empty()) break;
          auto [a, b] = c[rng_.below(static_cast<uint32_t>(c.size()))];
          return guarded(a->text + " " + cmp_op(a->type) + " " + b->text, {a, b});
        }
        case 3: {  // membership in a set attribute
          std::vector<const Operand*> sets;
          for (const Operand& o : ops) {
            if (o.type.set) sets.push_back(&o);
          }
          if (sets.empty()) break;
          const Operand* s = sets[rng_.below(static_cast<uint32_t>(sets.size()))];
          const VType elem{s->type.kind, false};
          std::vector<const Operand*> xs;
          for (const Operand& o : ops) {
            if (o.type == elem) xs.push_back(&o);
          }
          const std::string k = constant(elem);
          if (!k.empty() && (xs.empty() || rng_.chance(40))) return guarded(k + " in " + s->text, {s});
          if (xs.empty()) break;
          const Operand* x = xs[rng_.below(static_cast<uint32_t>(xs.size()))];
          return guarded(x->text + " in " + s->text, {x, s});
        }
        case 4: {  // membership in a literal list
          std::vector<const Operand*> c;
          for (const Operand& o : ops) {
            if (!o.type.set && o.type.kind != VK::kBool && !constant(o.type).empty()) c.push_back(&o);
          }
          if (c.empty()) break;
          const Operand* o = c[rng_.below(static_cast<uint32_t>(c.size()))];
          std::string list;
          const uint32_t n = 1 + rng_.below(3);
          for (uint32_t i = 0; i < n; ++i) list += (i ? ", " : "") + constant(o->type);
          return guarded(o->text + " in [" + list + "]", {o});
        }
        case 5: {  // has
          std::vector<std::string> c = {"principal has tenant", "resource has tenant", "principal has rank"};
          for (const Operand& o : ops) {
            if (!o.guard.empty()) c.push_back(o.guard);
          }
          for (const Attr& a : context_) c.push_back(std::string("context has ") + a.def.name);
          return rng_.pick(c);
        }
        case 6: {  // is
          const uint32_t pick = rng_.below(3);
          if (pick == 0) return "principal is " + constant({VK::kRole});
          if (pick == 1) {
            std::vector<std::string> types;
            for (const Resource& r : resources_) types.push_back(r.name);
            if (!category_.empty()) types.push_back("Stuff");
            return "resource is " + rng_.pick(types);
          }
          std::vector<const Operand*> c;
          for (const Operand& o : ops) {
            if (o.type == VType{VK::kRole}) c.push_back(&o);
          }
          if (c.empty()) break;
          const Operand* o = c[rng_.below(static_cast<uint32_t>(c.size()))];
          return guarded(o->text + " is " + constant({VK::kRole}), {o});
        }
        case 7: return rng_.chance(50) ? "true" : "false";
        case 8: {  // one more comparison with a constant, weighted toward ordering
          std::vector<const Operand*> c;
          for (const Operand& o : ops) {
            if (!o.type.set && ordered(o.type.kind) && (o.type.kind != VK::kRole || !ladder_.empty())) c.push_back(&o);
          }
          if (c.empty()) break;
          const Operand* o = c[rng_.below(static_cast<uint32_t>(c.size()))];
          static const std::vector<std::string> kOrder = {"<", "<=", ">", ">="};
          return guarded(o->text + " " + rng_.pick(kOrder) + " " + constant(o->type, o->type.kind == VK::kRole), {o});
        }
        case 9: {  // conditions compared as bools
          static const std::vector<std::string> kEq = {"==", "!="};
          return "(" + atom() + ") " + rng_.pick(kEq) + " (" + atom() + ")";
        }
      }
    }
    return "true";
  }

  std::string condition(uint32_t depth) {
    if (depth == 0 || rng_.chance(45)) return atom();
    switch (rng_.below(4)) {
      case 0: return "!(" + condition(depth - 1) + ")";
      case 1:
      case 2: {
        const std::string op = rng_.chance(50) ? " && " : " || ";
        std::string s = "(" + condition(depth - 1) + ")";
        const uint32_t n = 1 + rng_.below(2);
        for (uint32_t i = 0; i < n; ++i) s += op + "(" + condition(depth - 1) + ")";
        return s;
      }
      default: return condition(depth - 1) + (rng_.chance(50) ? " && " : " || ") + atom();
    }
  }

  enum class Big : uint8_t { kNone, kRoles, kObligations, kRules, kDeep };

  Rng rng_;
  PolicyGenOptions options_;
  Big big_ = Big::kNone;
  uint32_t depth_ = 0;
  std::vector<std::string> params_;  // of obligation `redact`
  std::vector<std::string> roles_;
  std::vector<std::vector<uint32_t>> parents_;
  std::optional<uint32_t> superadmin_;
  std::vector<uint32_t> ladder_;
  uint32_t action_count_ = 0;
  bool has_group_ = false;
  std::vector<uint32_t> group_;
  std::vector<Resource> resources_;
  std::vector<uint32_t> category_;
  std::vector<Attr> user_attrs_, context_;
  bool audit_ = false;
  std::set<uint32_t> types_;  // resource types of the rule being generated
};

}  // namespace

// ---- GeneratedPolicy ---------------------------------------------------------------
std::string GeneratedPolicy::source() const {
  std::string s = prelude;
  for (const std::string& r : rules) s += r;
  return s + postlude;
}

std::string GeneratedPolicy::source(const std::vector<size_t>& rule_order) const {
  std::string s = prelude;
  for (size_t i : rule_order) s += rules[i];
  return s + postlude;
}

PolicyGenerator::PolicyGenerator(uint64_t seed, PolicyGenOptions options) : seeds_(seed), options_(options) {}

GeneratedPolicy PolicyGenerator::next() { return generate(seeds_.next()); }

GeneratedPolicy PolicyGenerator::generate(uint64_t seed) const {
  GeneratedPolicy p = Gen(seed, options_).run();
  p.seed = seed;
  return p;
}

// ---- requests ---------------------------------------------------------------------
namespace {

void collect_literals(const ast::Expr* e, std::set<std::string>& strings, std::set<int64_t>& ints) {
  if (e == nullptr) return;
  if (e->kind == ast::ExprKind::kString) strings.insert(e->text);
  if (e->kind == ast::ExprKind::kInt) ints.insert(e->int_value);
  for (const auto& c : e->children) collect_literals(c.get(), strings, ints);
}

std::vector<bool> optional_flags(const std::vector<compiler::Attribute>& attrs, size_t builtins) {
  std::vector<bool> out(builtins, false);
  for (const compiler::Attribute& a : attrs) out.push_back(a.type.optional);
  return out;
}

}  // namespace

RequestGenerator::RequestGenerator(const compiler::Policy& policy, uint64_t seed, RequestGenOptions options)
    : policy_(policy), layout_(policy), rng_(seed), options_(options) {
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  std::set<std::string> strings(kWordValues.begin(), kWordValues.end());
  std::set<int64_t> ints = {0, 1, -1, 7, INT64_MIN + 1, INT64_MAX};
  for (const compiler::Rule& r : policy.rules) {
    pairs.insert(r.pairs.begin(), r.pairs.end());
    collect_literals(r.when, strings, ints);
    collect_literals(r.unless, strings, ints);
  }
  for (const compiler::Catalog& c : policy.catalogs) {
    for (const compiler::CatalogEntry& e : c.entries) {
      pairs.insert(e.pairs.begin(), e.pairs.end());
      collect_literals(e.when, strings, ints);
    }
  }
  pairs_.assign(pairs.begin(), pairs.end());
  for (const std::string& s : strings) string_pool_.push_back(strings_.emplace_back(s));
  for (int64_t i : ints) {
    int_pool_.push_back(i);
    if (i > INT64_MIN) int_pool_.push_back(i - 1);
    if (i < INT64_MAX) int_pool_.push_back(i + 1);
  }
  principal_optional_ = optional_flags(policy.entities[policy.user_entity].attrs, 2);
  // A resource slot is optional when some resource type declares it optional or lacks it.
  resource_optional_.assign(layout_.resource.size(), false);
  for (size_t slot = 1; slot < layout_.resource.size(); ++slot) {
    for (const compiler::ResourceType& r : policy.resources) {
      bool found = false;
      for (const compiler::Attribute& a : r.attrs) {
        if (a.name == layout_.resource[slot].name) found = !a.type.optional;
      }
      if (!found) resource_optional_[slot] = true;
    }
  }
  context_optional_ = optional_flags(policy.context, 0);
}

// A small universe, so equality and membership hit often, with extreme values
// among them (sets are sorted as signed numbers).
int64_t RequestGenerator::entity() {
  static const int64_t kEntities[] = {1, 2, 3, -7, INT64_MAX, INT64_MIN + 1};
  return kEntities[rng_.below(6)];
}

Value RequestGenerator::scalar(const compiler::Type& t) {
  using Kind = compiler::Type::Kind;
  const bool oor = rng_.chance(options_.out_of_range_percent);
  switch (t.kind) {
    case Kind::kBool: return Value::boolean(rng_.chance(50));
    case Kind::kInt: return Value::integer(rng_.pick(int_pool_));
    case Kind::kString: return Value::string(rng_.pick(string_pool_));
    case Kind::kEnum: {
      const auto n = static_cast<uint32_t>(policy_.enums[t.id].values.size());
      if (oor) return Value::of(ValueKind::kEnum, rng_.chance(50) ? int64_t{n} : int64_t{-1});
      return Value::enum_value(rng_.below(n));
    }
    case Kind::kEntity: return Value::entity(entity());
    case Kind::kTenant: return Value::entity(rng_.chance(70) ? 100 + static_cast<int64_t>(rng_.below(2)) : entity());
    case Kind::kRole: {
      const auto n = static_cast<uint32_t>(policy_.roles.size());
      if (oor) return Value::of(ValueKind::kRole, rng_.chance(50) ? int64_t{n} : int64_t{-1});
      return Value::role(rng_.below(n));
    }
    case Kind::kError: return {};
  }
  return {};
}

Value RequestGenerator::wrong_kind(const compiler::Type& t, GeneratedRequest& out) {
  // Any kind but the declared one (for sets, scalars; for scalars, anything else).
  for (;;) {
    const auto kind = static_cast<ValueKind>(1 + rng_.below(8));
    Value v;
    switch (kind) {
      case ValueKind::kBool: v = Value::boolean(rng_.chance(50)); break;
      case ValueKind::kInt: v = Value::integer(rng_.pick(int_pool_)); break;
      case ValueKind::kString: v = Value::string(rng_.pick(string_pool_)); break;
      case ValueKind::kEnum: v = Value::enum_value(rng_.below(3)); break;
      case ValueKind::kEntity: v = Value::entity(entity()); break;
      case ValueKind::kRole: v = Value::role(rng_.below(static_cast<uint32_t>(policy_.roles.size()))); break;
      case ValueKind::kIdSet: {
        auto& ids = out.id_sets.emplace_back();
        for (uint32_t k = rng_.below(3); k > 0; --k) ids.push_back(entity());
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        v = Value::id_set(ids);
        break;
      }
      case ValueKind::kStringSet: {
        auto& strs = out.string_sets.emplace_back();
        for (uint32_t k = rng_.below(3); k > 0; --k) strs.push_back(rng_.pick(string_pool_));
        v = Value::string_set(strs);
        break;
      }
      default: continue;
    }
    using Kind = compiler::Type::Kind;
    bool same = false;
    if (t.set) {
      same = kind == (t.kind == Kind::kString ? ValueKind::kStringSet : ValueKind::kIdSet);
    } else {
      switch (t.kind) {
        case Kind::kBool: same = kind == ValueKind::kBool; break;
        case Kind::kInt: same = kind == ValueKind::kInt; break;
        case Kind::kString: same = kind == ValueKind::kString; break;
        case Kind::kEnum: same = kind == ValueKind::kEnum; break;
        case Kind::kEntity:
        case Kind::kTenant: same = kind == ValueKind::kEntity; break;
        case Kind::kRole: same = kind == ValueKind::kRole; break;
        case Kind::kError: break;
      }
    }
    if (!same) return v;
  }
}

Value RequestGenerator::value(const compiler::Type& t, bool optional, GeneratedRequest& out) {
  using Kind = compiler::Type::Kind;
  if (rng_.chance(optional ? 3 * options_.absent_percent : options_.absent_percent)) return {};
  if (rng_.chance(options_.wrong_kind_percent)) return wrong_kind(t, out);
  if (!t.set) return scalar(t);
  const uint32_t n = rng_.below(4);
  if (t.kind == Kind::kString) {
    std::set<std::string_view> items;
    for (uint32_t k = 0; k < n; ++k) items.insert(rng_.pick(string_pool_));
    auto& strs = out.string_sets.emplace_back(items.begin(), items.end());
    return Value::string_set(strs);
  }
  std::set<int64_t> items;
  for (uint32_t k = 0; k < n; ++k) {
    switch (t.kind) {
      case Kind::kBool: items.insert(rng_.below(2)); break;
      case Kind::kInt: items.insert(rng_.pick(int_pool_)); break;
      case Kind::kEnum: items.insert(rng_.below(static_cast<uint32_t>(policy_.enums[t.id].values.size()))); break;
      case Kind::kRole: items.insert(rng_.below(static_cast<uint32_t>(policy_.roles.size()))); break;
      default: items.insert(entity()); break;
    }
  }
  // Now and then a large set, so that the evaluator searches (more than 8
  // ids) where the reference scans: fillers around and between the few ids
  // requests use (entity() and the enum and role indices).
  if (rng_.chance(8)) {
    for (uint32_t k = 9 + rng_.below(40); k > 0; --k) items.insert(static_cast<int64_t>(rng_.below(200)) - 100);
  }
  auto& ids = out.id_sets.emplace_back(items.begin(), items.end());
  return Value::id_set(ids);
}

void RequestGenerator::fill(std::vector<Value>& values, const std::vector<testkit::ReferenceLayout::Slot>& slots,
                            const std::vector<bool>& optional, size_t first, GeneratedRequest& out) {
  values.clear();
  // Built-in slots are never read from the request; leave them absent, or junk now and then.
  for (size_t i = 0; i < first; ++i) values.push_back(rng_.chance(5) ? Value::integer(rng_.pick(int_pool_)) : Value{});
  for (size_t i = first; i < slots.size(); ++i) {
    compiler::Type t = slots[i].type;
    t.optional = false;
    values.push_back(value(t, optional[i], out));
  }
  // Now and then a short array (the missing slots are absent), or a longer one.
  if (rng_.chance(3) && !values.empty()) values.resize(rng_.below(static_cast<uint32_t>(values.size())));
  if (rng_.chance(1)) values.push_back(Value::integer(1));
}

void RequestGenerator::next(GeneratedRequest& out) {
  out.id_sets.clear();
  out.string_sets.clear();
  runtime::Request& r = out.request;
  r = {};
  const auto actions = static_cast<uint32_t>(policy_.actions.size());
  const auto types = static_cast<uint32_t>(policy_.resources.size());
  const auto roles = static_cast<uint32_t>(policy_.roles.size());
  if (!pairs_.empty() && rng_.chance(75)) {
    std::tie(r.action, r.resource_type) = rng_.pick(pairs_);
  } else {
    r.action = rng_.below(actions);
    r.resource_type = rng_.below(types);
  }
  if (rng_.chance(options_.out_of_range_percent)) r.action = actions + rng_.below(2);
  if (rng_.chance(options_.out_of_range_percent)) r.resource_type = rng_.chance(50) ? types : UINT32_MAX;
  r.principal = entity();
  const int64_t tenant = 100 + static_cast<int64_t>(rng_.below(2));
  r.principal_tenant = r.resource_tenant = tenant;
  const uint32_t t = rng_.below(100);
  if (t < 4) r.resource_tenant = tenant == 100 ? 101 : 100;
  else if (t < 6) r.principal_tenant = runtime::kNoTenant;
  else if (t < 8) r.resource_tenant = runtime::kNoTenant;
  out.roles.clear();
  for (uint32_t k = rng_.below(4); k > 0; --k) out.roles.push_back(rng_.below(roles));
  if (rng_.chance(options_.out_of_range_percent)) out.roles.push_back(roles + rng_.below(3));
  out.custom_roles.clear();
  if (options_.custom_role_count > 0) {
    for (uint32_t k = rng_.below(3); k > 0; --k) out.custom_roles.push_back(rng_.below(options_.custom_role_count));
  }
  if (rng_.chance(options_.out_of_range_percent)) out.custom_roles.push_back(options_.custom_role_count);
  fill(out.principal_attrs, layout_.principal, principal_optional_, 2, out);
  fill(out.resource_attrs, layout_.resource, resource_optional_, 1, out);
  fill(out.context_attrs, layout_.context, context_optional_, 0, out);
  if (rng_.chance(1)) r.error = static_cast<runtime::RequestError>(1 + rng_.below(7));
  r.roles = out.roles;
  r.custom_roles = out.custom_roles;
  r.principal_attrs = out.principal_attrs;
  r.resource_attrs = out.resource_attrs;
  r.context_attrs = out.context_attrs;
}

}  // namespace edict::testing
