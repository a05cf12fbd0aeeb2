// tests/testing/reference_eval.cc: test oracle; never link into the product.
//
// Written for obviousness, not speed: every rule of the policy is looked at for
// every request, conditions are walked as trees, and each piece of the
// semantics is one small function. See reference_eval.h for the ids.
#include "tests/testing/reference_eval.h"

#include <algorithm>
#include <sstream>

namespace edict::testing {
namespace {

using ast::ExprKind;
using ast::Root;
using compiler::Type;
using Kind = Type::Kind;
using runtime::Value;
using runtime::ValueKind;

// ---- three-valued truth ------------------------------------------------------
enum class Truth : uint8_t { kFalse, kTrue, kError };

Truth truth(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

Truth kleene_not(Truth t) {
  if (t == Truth::kError) return Truth::kError;
  return t == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
}

// AND: false if any part is false, else error if any is, else true.
Truth kleene_and(const std::vector<Truth>& parts) {
  bool error = false;
  for (Truth t : parts) {
    if (t == Truth::kFalse) return Truth::kFalse;
    if (t == Truth::kError) error = true;
  }
  return error ? Truth::kError : Truth::kTrue;
}

// OR: true if any part is true, else error if any is, else false.
Truth kleene_or(const std::vector<Truth>& parts) {
  bool error = false;
  for (Truth t : parts) {
    if (t == Truth::kTrue) return Truth::kTrue;
    if (t == Truth::kError) error = true;
  }
  return error ? Truth::kError : Truth::kFalse;
}

const compiler::Attribute* find_attr(const std::vector<compiler::Attribute>& attrs, const std::string& name) {
  for (const compiler::Attribute& a : attrs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

template <typename T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A value computed from the request or from a literal. `error` when it could
// not be read (absent, wrong kind, out of range, no rank).
struct Val {
  bool error = true;
  Type type;            // static type; sets have `set`
  int64_t i = 0;        // bool (0/1), int, enum index, entity id, role id
  std::string_view s;   // string
  Value set;            // a set attribute: kIdSet or kStringSet

  static Val err() { return {}; }
  static Val scalar(Type t, int64_t v) {
    Val x;
    x.error = false;
    x.type = t;
    x.i = v;
    return x;
  }
};

// ---- one request against one policy -----------------------------------------
class Eval {
 public:
  Eval(const compiler::Policy& p, const ReferenceLayout& layout, const runtime::Request& req)
      : p_(p), layout_(layout), req_(req), effective_(p.roles.size(), false) {
    for (uint32_t r : req.roles) {
      for (uint32_t a : p.roles[r].ancestors) effective_[a] = true;
    }
  }

  bool holds(uint32_t role) const { return effective_[role]; }

  // `when C unless D` = C && !D; a missing `when` is true, a missing `unless` nothing.
  Truth rule_condition(const ast::Expr* when, const ast::Expr* unless) const {
    std::vector<Truth> parts;
    if (when != nullptr) parts.push_back(condition(*when));
    if (unless != nullptr) parts.push_back(kleene_not(condition(*unless)));
    return kleene_and(parts);
  }

 private:
  // ---- conditions ----
  Truth condition(const ast::Expr& e) const {
    switch (e.kind) {
      case ExprKind::kBool: return truth(e.bool_value);
      case ExprKind::kNot: return kleene_not(condition(*e.children[0]));
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        std::vector<Truth> parts;
        for (const auto& c : e.children) parts.push_back(condition(*c));
        return e.kind == ExprKind::kAnd ? kleene_and(parts) : kleene_or(parts);
      }
      case ExprKind::kCompare: return compare(e);
      case ExprKind::kIn: return membership(e);
      case ExprKind::kHas: return has(e);
      case ExprKind::kIs: return is(e);
      case ExprKind::kPath: {  // a bool attribute used as a condition
        const Val v = value(e, nullptr);
        if (v.error) return Truth::kError;
        return truth(v.i != 0);
      }
      default: return Truth::kError;  // not a condition; the checker rejects it
    }
  }

  // The type an operand has without context; kError for bare names and lists,
  // which take the type of the other operand.
  Type static_type(const ast::Expr& e) const {
    switch (e.kind) {
      case ExprKind::kBool: return {Kind::kBool};
      case ExprKind::kInt: return {Kind::kInt};
      case ExprKind::kString: return {Kind::kString};
      case ExprKind::kQualified:
        for (uint32_t i = 0; i < p_.enums.size(); ++i) {
          if (p_.enums[i].name == e.qualifier.text) return {Kind::kEnum, i};
        }
        return {};
      case ExprKind::kName:
      case ExprKind::kSetLit: return {};
      case ExprKind::kPath:
        if (e.name.text.empty()) return {Kind::kEntity, p_.user_entity};
        return attr_type(e.root, e.name.text);
      default: return {Kind::kBool};
    }
  }

  // The declared type of an attribute (optional dropped).
  Type attr_type(Root root, const std::string& name) const {
    Type t;
    switch (root) {
      case Root::kPrincipal:
        if (name == "tenant") return {Kind::kTenant};
        if (name == "rank") return {Kind::kRole};
        if (const auto* a = find_attr(p_.entities[p_.user_entity].attrs, name)) t = a->type;
        break;
      case Root::kResource:
        if (name == "tenant") return {Kind::kTenant};
        if (const auto* a = find_attr(p_.resources[req_.resource_type].attrs, name)) {
          t = a->type;
        } else if (auto slot = layout_.resource_slot(name)) {
          t = layout_.resource[*slot].type;  // read under a guard on a type without it
        }
        break;
      case Root::kContext:
        if (const auto* a = find_attr(p_.context, name)) t = a->type;
        break;
    }
    t.optional = false;
    return t;
  }

  bool needs_context(const ast::Expr& e) const {
    return e.kind == ExprKind::kName || e.kind == ExprKind::kSetLit;
  }

  // The value of an operand. `expected` resolves bare names (enum values, roles).
  Val value(const ast::Expr& e, const Type* expected) const {
    switch (e.kind) {
      case ExprKind::kBool: return Val::scalar({Kind::kBool}, e.bool_value ? 1 : 0);
      case ExprKind::kInt: return Val::scalar({Kind::kInt}, e.int_value);
      case ExprKind::kString: {
        Val v = Val::scalar({Kind::kString}, 0);
        v.s = e.text;
        return v;
      }
      case ExprKind::kName: {
        if (expected == nullptr) return Val::err();
        const Type want = expected->element();
        if (want.kind == Kind::kEnum) {
          const auto& values = p_.enums[want.id].values;
          auto it = std::find(values.begin(), values.end(), e.name.text);
          if (it == values.end()) return Val::err();
          return Val::scalar(want, it - values.begin());
        }
        if (want.kind == Kind::kRole) {
          for (uint32_t r = 0; r < p_.roles.size(); ++r) {
            if (p_.roles[r].name == e.name.text) return Val::scalar(want, r);
          }
        }
        return Val::err();
      }
      case ExprKind::kQualified: {
        const Type t = static_type(e);
        if (t.kind != Kind::kEnum) return Val::err();
        const auto& values = p_.enums[t.id].values;
        auto it = std::find(values.begin(), values.end(), e.name.text);
        if (it == values.end()) return Val::err();
        return Val::scalar(t, it - values.begin());
      }
      case ExprKind::kPath:
        if (e.name.text.empty()) {
          if (e.root != Root::kPrincipal) return Val::err();
          return Val::scalar({Kind::kEntity, p_.user_entity}, req_.principal);
        }
        return read(e.root, e.name.text);
      case ExprKind::kSetLit: return Val::err();  // only inside `in`, see membership()
      default: {  // a condition used as a bool value: `(a < b) == c`
        const Truth t = condition(e);
        if (t == Truth::kError) return Val::err();
        return Val::scalar({Kind::kBool}, t == Truth::kTrue ? 1 : 0);
      }
    }
  }

  // The role in E highest on the rank ladder, if any.
  std::optional<uint32_t> rank() const {
    for (size_t i = p_.rank_ladder.size(); i-- > 0;) {
      if (holds(p_.rank_ladder[i])) return p_.rank_ladder[i];
    }
    return std::nullopt;
  }

  // The request's value in a slot; past the end of the span is absent.
  static Value slot_value(std::span<const Value> values, std::optional<uint32_t> slot) {
    if (!slot || *slot >= values.size()) return {};
    return values[*slot];
  }

  std::optional<uint32_t> slot_of(Root root, const std::string& name) const {
    const std::vector<ReferenceLayout::Slot>& slots =
        root == Root::kPrincipal ? layout_.principal : root == Root::kResource ? layout_.resource : layout_.context;
    // Built-in slots (tenant, rank) are never read from the request's arrays.
    const size_t first = root == Root::kPrincipal ? 2 : root == Root::kResource ? 1 : 0;
    for (size_t i = first; i < slots.size(); ++i) {
      if (slots[i].name == name) return static_cast<uint32_t>(i);
    }
    return std::nullopt;
  }

  std::span<const Value> values_of(Root root) const {
    return root == Root::kPrincipal ? req_.principal_attrs
           : root == Root::kResource ? req_.resource_attrs
                                     : req_.context_attrs;
  }

  // Whether a request value has the kind (and range) of a declared type.
  bool fits(const Value& v, const Type& t) const {
    if (t.set) return v.kind == (t.kind == Kind::kString ? ValueKind::kStringSet : ValueKind::kIdSet);
    switch (t.kind) {
      case Kind::kBool: return v.kind == ValueKind::kBool && (v.i == 0 || v.i == 1);
      case Kind::kInt: return v.kind == ValueKind::kInt;
      case Kind::kString: return v.kind == ValueKind::kString;
      case Kind::kEnum:
        return v.kind == ValueKind::kEnum && v.i >= 0 && static_cast<uint64_t>(v.i) < p_.enums[t.id].values.size();
      case Kind::kEntity:
      case Kind::kTenant: return v.kind == ValueKind::kEntity;
      case Kind::kRole:
        return v.kind == ValueKind::kRole && v.i >= 0 && static_cast<uint64_t>(v.i) < p_.roles.size();
      case Kind::kError: return false;
    }
    return false;
  }

  Val read(Root root, const std::string& name) const {
    if (root == Root::kPrincipal && name == "tenant") {
      if (req_.principal_tenant == runtime::kNoTenant) return Val::err();
      return Val::scalar({Kind::kTenant}, req_.principal_tenant);
    }
    if (root == Root::kResource && name == "tenant") {
      if (req_.resource_tenant == runtime::kNoTenant) return Val::err();
      return Val::scalar({Kind::kTenant}, req_.resource_tenant);
    }
    if (root == Root::kPrincipal && name == "rank") {
      auto r = rank();
      if (!r) return Val::err();
      return Val::scalar({Kind::kRole}, *r);
    }
    const Type t = attr_type(root, name);
    const Value v = slot_value(values_of(root), slot_of(root, name));
    if (!fits(v, t)) return Val::err();
    Val out = Val::scalar(t, v.i);
    if (t.kind == Kind::kString && !t.set) out.s = v.s;
    if (t.set) out.set = v;
    return out;
  }

  static bool equal(const Val& a, const Val& b) {
    if (a.type.kind == Kind::kString) return a.s == b.s;
    return a.i == b.i;
  }

  Truth compare(const ast::Expr& e) const {
    const ast::Expr& l = *e.children[0];
    const ast::Expr& r = *e.children[1];
    // Bare names take the type of the other operand, as in the checker.
    const Type t = needs_context(l) && !needs_context(r) ? static_type(r) : static_type(l);
    const Val a = value(l, &t);
    const Val b = value(r, &t);
    if (a.error || b.error) return Truth::kError;
    switch (e.op) {
      case ast::CmpOp::kEq: return truth(equal(a, b));
      case ast::CmpOp::kNe: return truth(!equal(a, b));
      default: break;
    }
    int64_t x = a.i, y = b.i;
    if (t.kind == Kind::kRole) {  // roles are ordered by the rank ladder
      const auto& ra = p_.roles[static_cast<size_t>(a.i)].rank;
      const auto& rb = p_.roles[static_cast<size_t>(b.i)].rank;
      if (!ra || !rb) return Truth::kError;
      x = *ra;
      y = *rb;
    }
    switch (e.op) {
      case ast::CmpOp::kLt: return truth(x < y);
      case ast::CmpOp::kLe: return truth(x <= y);
      case ast::CmpOp::kGt: return truth(x > y);
      case ast::CmpOp::kGe: return truth(x >= y);
      default: return Truth::kError;
    }
  }

  Truth membership(const ast::Expr& e) const {
    const ast::Expr& l = *e.children[0];
    const ast::Expr& r = *e.children[1];
    if (r.kind == ExprKind::kSetLit) {
      const Type t = static_type(l);
      const Val x = value(l, nullptr);
      if (x.error) return Truth::kError;
      for (const auto& c : r.children) {
        const Val item = value(*c, &t);
        if (!item.error && equal(x, item)) return Truth::kTrue;
      }
      return Truth::kFalse;
    }
    const Val s = value(r, nullptr);
    const Type want = s.type.element();
    const Val x = value(l, &want);
    if (s.error || x.error || !s.type.set) return Truth::kError;
    // Linear search on purpose: the runtime binary-searches; sorted sets agree.
    if (s.set.kind == ValueKind::kStringSet) {
      for (uint32_t k = 0; k < s.set.count; ++k) {
        if (s.set.strs[k] == x.s) return Truth::kTrue;
      }
      return Truth::kFalse;
    }
    for (uint32_t k = 0; k < s.set.count; ++k) {
      if (s.set.ids[k] == x.i) return Truth::kTrue;
    }
    return Truth::kFalse;
  }

  // `has` is never an error: it tells whether the value is there.
  Truth has(const ast::Expr& e) const {
    const ast::Expr& subject = *e.children[0];
    const std::string& name = e.name.text;
    if (subject.root == Root::kPrincipal && name == "tenant") return truth(req_.principal_tenant != runtime::kNoTenant);
    if (subject.root == Root::kResource && name == "tenant") return truth(req_.resource_tenant != runtime::kNoTenant);
    if (subject.root == Root::kPrincipal && name == "rank") return truth(rank().has_value());
    const Value v = slot_value(values_of(subject.root), slot_of(subject.root, name));
    return truth(v.kind != ValueKind::kAbsent);
  }

  Truth is(const ast::Expr& e) const {
    const ast::Expr& subject = *e.children[0];
    const std::string& name = e.name.text;
    const bool bare = subject.kind == ExprKind::kPath && subject.name.text.empty();
    if (bare && subject.root == Root::kResource) {
      for (uint32_t t = 0; t < p_.resources.size(); ++t) {
        if (p_.resources[t].name == name) return truth(req_.resource_type == t);
      }
      for (const compiler::Category& c : p_.categories) {
        if (c.name == name) return truth(contains(c.members, req_.resource_type));
      }
      return Truth::kError;
    }
    std::optional<uint32_t> role;
    for (uint32_t r = 0; r < p_.roles.size(); ++r) {
      if (p_.roles[r].name == name) role = r;
    }
    if (!role) return Truth::kError;
    if (bare && subject.root == Root::kPrincipal) return truth(holds(*role));
    const Val v = value(subject, nullptr);
    if (v.error || v.type.kind != Kind::kRole) return Truth::kError;
    return truth(contains(p_.roles[static_cast<size_t>(v.i)].ancestors, *role));
  }

  const compiler::Policy& p_;
  const ReferenceLayout& layout_;
  const runtime::Request& req_;
  std::vector<bool> effective_;  // E: every role the principal holds, through `extends`
};

runtime::Decision deny(runtime::Reason reason) {
  runtime::Decision d;
  d.effect = runtime::Effect::kDeny;
  d.reason = reason;
  return d;
}

bool has_pair(const std::vector<std::pair<uint32_t, uint32_t>>& pairs, uint32_t action, uint32_t type) {
  return contains(pairs, std::make_pair(action, type));
}

}  // namespace

// ---- layout ------------------------------------------------------------------
ReferenceLayout::ReferenceLayout(const compiler::Policy& p) {
  principal.push_back({"tenant", {Kind::kTenant}});
  principal.push_back({"rank", {Kind::kRole}});
  for (const compiler::Attribute& a : p.entities[p.user_entity].attrs) principal.push_back({a.name, a.type});
  resource.push_back({"tenant", {Kind::kTenant}});
  for (const compiler::ResourceType& r : p.resources) {
    for (const compiler::Attribute& a : r.attrs) {
      if (!resource_slot(a.name)) resource.push_back({a.name, a.type});
    }
  }
  for (const compiler::Attribute& a : p.context) context.push_back({a.name, a.type});
  uint32_t next = 0;
  for (const compiler::Obligation& o : p.obligations) {
    std::vector<uint32_t> instances;
    if (o.params.empty()) {
      instances.push_back(next++);
      instance_text.push_back(o.name);
    }
    for (const std::string& param : o.params) {
      instances.push_back(next++);
      instance_text.push_back(o.name + "(" + param + ")");
    }
    obligation_instance.push_back(std::move(instances));
  }
}

std::optional<uint32_t> ReferenceLayout::resource_slot(const std::string& name) const {
  for (size_t i = 1; i < resource.size(); ++i) {
    if (resource[i].name == name) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

// ---- the decision --------------------------------------------------------------
ReferenceEvaluator::ReferenceEvaluator(const compiler::Policy& policy) : policy_(policy), layout_(policy) {}

uint64_t ReferenceEvaluator::obligation_mask(const compiler::Rule& rule) const {
  uint64_t mask = 0;
  for (const compiler::ObligationRef& o : rule.obligations) {
    const std::vector<uint32_t>& instances = layout_.obligation_instance[o.obligation];
    if (o.args.empty()) {
      if (policy_.obligations[o.obligation].params.empty()) mask |= uint64_t{1} << instances[0];
      continue;
    }
    for (uint32_t arg : o.args) mask |= uint64_t{1} << instances[arg];
  }
  return mask;
}

runtime::Decision ReferenceEvaluator::evaluate(const runtime::Request& req, const ReferenceCustomRoles* custom) const {
  const compiler::Policy& p = policy_;
  using runtime::Reason;

  // 1. Requests the policy cannot interpret.
  bool bad = req.error != runtime::RequestError::kNone || req.action >= p.actions.size() ||
             req.resource_type >= p.resources.size();
  for (uint32_t r : req.roles) bad = bad || r >= p.roles.size();
  const size_t custom_count = custom != nullptr ? custom->roles.size() : 0;
  for (uint32_t c : req.custom_roles) bad = bad || c >= custom_count;
  if (bad) {
    runtime::Decision d = deny(Reason::kBadRequest);
    d.request_error = req.error;
    return d;
  }

  // 2. Tenant isolation.
  if (req.principal_tenant == runtime::kNoTenant || req.resource_tenant == runtime::kNoTenant ||
      req.principal_tenant != req.resource_tenant) {
    return deny(Reason::kTenantMismatch);
  }

  const Eval eval(p, layout_, req);
  auto role_match = [&](const compiler::Rule& rule) {
    if (rule.effect == ast::Effect::kForbid && rule.roles.empty()) return true;
    for (uint32_t r : rule.roles) {
      if (eval.holds(r)) return true;
    }
    return false;
  };

  // 3. Forbids beat grants; a forbid whose condition is an error applies.
  for (uint32_t i = 0; i < p.rules.size(); ++i) {
    const compiler::Rule& rule = p.rules[i];
    if (rule.effect != ast::Effect::kForbid || !has_pair(rule.pairs, req.action, req.resource_type)) continue;
    if (!role_match(rule)) continue;
    if (eval.rule_condition(rule.when, rule.unless) != Truth::kFalse) {
      runtime::Decision d = deny(Reason::kForbidden);
      d.rule = i;  // the lowest: the loop goes up
      return d;
    }
  }

  // 4. Custom roles: one applies when the principal holds a holder role of its
  // catalog, it lists the pair, and a catalog entry for the pair has no
  // condition or a true one. Its grant carries no obligation.
  bool custom_applies = false;
  for (uint32_t c : req.custom_roles) {
    const ReferenceCustomRole& role = custom->roles[c];
    const compiler::Catalog& catalog = p.catalogs[role.catalog];
    bool holder = false;
    for (uint32_t h : catalog.holders) holder = holder || eval.holds(h);
    if (!holder || !has_pair(role.permissions, req.action, req.resource_type)) continue;
    for (const compiler::CatalogEntry& entry : catalog.entries) {
      if (!has_pair(entry.pairs, req.action, req.resource_type)) continue;
      if (entry.when == nullptr || eval.rule_condition(entry.when, nullptr) == Truth::kTrue) custom_applies = true;
    }
  }

  // 5. Grants (and the super-administrator's implicit one): the lowest applying
  // rule decides; the obligations are those every applying grant carries,
  // custom-role grants included (which carry none).
  std::optional<uint32_t> first;
  uint64_t obligations = ~uint64_t{0};
  for (uint32_t i = 0; i < p.rules.size(); ++i) {
    const compiler::Rule& rule = p.rules[i];
    if (rule.effect != ast::Effect::kGrant || !has_pair(rule.pairs, req.action, req.resource_type)) continue;
    if (!role_match(rule)) continue;
    if (eval.rule_condition(rule.when, rule.unless) != Truth::kTrue) continue;
    if (!first) first = i;
    obligations &= obligation_mask(rule);
  }
  if (p.superadmin && eval.holds(*p.superadmin) &&
      contains(p.resources[req.resource_type].actions, req.action)) {
    if (!first) first = static_cast<uint32_t>(p.rules.size());
    obligations = 0;
  }
  if (first || custom_applies) {
    runtime::Decision d;
    d.effect = runtime::Effect::kAllow;
    d.reason = Reason::kGranted;
    d.rule = first ? *first : runtime::kNoRule;
    d.obligations = first && !custom_applies ? obligations : 0;
    d.custom_role = !first;  // only when no policy rule allowed
    return d;
  }

  // 6. Default deny.
  return deny(Reason::kNoGrant);
}

runtime::Decision reference_evaluate(const compiler::Policy& policy, const runtime::Request& request,
                                     const ReferenceCustomRoles* custom) {
  return ReferenceEvaluator(policy).evaluate(request, custom);
}

// ---- readable forms -------------------------------------------------------------
namespace {

std::string value_text(const compiler::Policy& p, const Value& v, const Type* type) {
  std::ostringstream o;
  switch (v.kind) {
    case ValueKind::kAbsent: return "absent";
    case ValueKind::kBool: o << "bool " << v.i; break;
    case ValueKind::kInt: o << "int " << v.i; break;
    case ValueKind::kString: o << "string \"" << v.s << "\""; break;
    case ValueKind::kEnum:
      o << "enum " << v.i;
      if (type && type->kind == Kind::kEnum && v.i >= 0 && static_cast<uint64_t>(v.i) < p.enums[type->id].values.size()) {
        o << " (" << p.enums[type->id].values[static_cast<size_t>(v.i)] << ")";
      }
      break;
    case ValueKind::kEntity: o << "entity " << v.i; break;
    case ValueKind::kRole:
      o << "role " << v.i;
      if (v.i >= 0 && static_cast<uint64_t>(v.i) < p.roles.size()) o << " (" << p.roles[static_cast<size_t>(v.i)].name << ")";
      break;
    case ValueKind::kIdSet:
      o << "ids {";
      for (uint32_t k = 0; k < v.count; ++k) o << (k ? ", " : "") << v.ids[k];
      o << "}";
      break;
    case ValueKind::kStringSet:
      o << "strings {";
      for (uint32_t k = 0; k < v.count; ++k) o << (k ? ", " : "") << '"' << v.strs[k] << '"';
      o << "}";
      break;
  }
  return o.str();
}

template <typename Names>
std::string id_text(uint32_t id, const Names& names) {
  if (id < names.size()) return names[id].name;
  return "#" + std::to_string(id) + " (out of range)";
}

std::string tenant_text(int64_t t) { return t == runtime::kNoTenant ? "none" : std::to_string(t); }

const char* reason_text(runtime::Reason r) {
  switch (r) {
    case runtime::Reason::kGranted: return "granted";
    case runtime::Reason::kNoGrant: return "no grant";
    case runtime::Reason::kForbidden: return "forbidden";
    case runtime::Reason::kTenantMismatch: return "tenant mismatch";
    case runtime::Reason::kBadRequest: return "bad request";
  }
  return "?";
}

}  // namespace

std::string describe_request(const compiler::Policy& p, const runtime::Request& req, const ReferenceCustomRoles* custom) {
  const ReferenceLayout layout(p);
  std::ostringstream o;
  o << "action " << id_text(req.action, p.actions) << " on " << id_text(req.resource_type, p.resources)
    << "\n  principal " << req.principal << " tenant " << tenant_text(req.principal_tenant) << ", resource tenant "
    << tenant_text(req.resource_tenant) << "\n  roles [";
  for (size_t k = 0; k < req.roles.size(); ++k) o << (k ? ", " : "") << id_text(req.roles[k], p.roles);
  o << "]";
  if (!req.custom_roles.empty()) {
    o << "\n  custom roles [";
    for (size_t k = 0; k < req.custom_roles.size(); ++k) {
      const uint32_t c = req.custom_roles[k];
      o << (k ? "; " : "");
      if (custom == nullptr || c >= custom->roles.size()) {
        o << "#" << c << " (out of range)";
        continue;
      }
      const ReferenceCustomRole& r = custom->roles[c];
      o << r.name << " of " << p.catalogs[r.catalog].name << ":";
      for (auto [a, t] : r.permissions) o << " " << id_text(a, p.actions) << "/" << id_text(t, p.resources);
    }
    o << "]";
  }
  if (req.error != runtime::RequestError::kNone) o << "\n  request error " << static_cast<int>(req.error);
  auto attrs = [&](const char* root, std::span<const Value> values, const std::vector<ReferenceLayout::Slot>& slots) {
    for (size_t k = 0; k < values.size(); ++k) {
      o << "\n  " << root << "[" << k << "] ";
      if (k < slots.size()) o << slots[k].name;
      o << " = " << value_text(p, values[k], k < slots.size() ? &slots[k].type : nullptr);
    }
    if (values.size() < slots.size()) o << "\n  " << root << " slots " << values.size() << ".." << slots.size() - 1 << " not given";
  };
  attrs("principal", req.principal_attrs, layout.principal);
  attrs("resource", req.resource_attrs, layout.resource);
  attrs("context", req.context_attrs, layout.context);
  return o.str();
}

std::string describe_decision(const compiler::Policy& p, const runtime::Decision& d) {
  const ReferenceLayout layout(p);
  std::ostringstream o;
  o << (d.allowed() ? "ALLOW" : "DENY") << " (" << reason_text(d.reason) << ")";
  if (d.rule == runtime::kNoRule) {
    o << " rule none";
  } else if (d.rule < p.rules.size()) {
    o << " rule " << d.rule << " `" << p.rules[d.rule].name << "`";
  } else if (d.rule == p.rules.size()) {
    o << " rule " << d.rule << " (super-administrator)";
  } else {
    o << " rule " << d.rule << " (out of range)";
  }
  o << " obligations {";
  bool first = true;
  for (uint32_t i = 0; i < 64; ++i) {
    if ((d.obligations >> i & 1) == 0) continue;
    o << (first ? "" : ", ") << (i < layout.instance_text.size() ? layout.instance_text[i] : "#" + std::to_string(i));
    first = false;
  }
  o << "}";
  if (d.custom_role) o << " custom_role";
  return o.str();
}

}  // namespace edict::testing
