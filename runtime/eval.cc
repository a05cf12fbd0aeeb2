// runtime/eval.cc: the decision path (evaluate) and its explanation (explain).
//
// evaluate() allocates nothing: effective roles live in a fixed stack buffer
// (tables hold at most format::kMaxRoles roles), the condition stack is a fixed
// array (kMaxStack), and every table index was verified on load.
//
// Decisive rule: the lowest-numbered applicable forbid, else the lowest-numbered
// applicable grant. Cells keep conditional rules sorted by rule id, forbids first,
// so each search needs only the rules numbered below the best candidate so far.
#include "runtime/eval.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "runtime/custom_roles.h"

namespace edict::runtime {
namespace {

namespace f = format;

enum Tri : uint8_t { kF = 0, kT = 1, kE = 2 };

Tri tri(bool b) { return b ? kT : kF; }
Tri tri_not(Tri a) { return a == kE ? kE : a == kT ? kF : kT; }
Tri tri_and(Tri a, Tri b) { return (a == kF || b == kF) ? kF : (a == kE || b == kE) ? kE : kT; }
Tri tri_or(Tri a, Tri b) { return (a == kT || b == kT) ? kT : (a == kE || b == kE) ? kE : kF; }
Tri tri_eq(Tri a, Tri b) { return (a == kE || b == kE) ? kE : tri(a == b); }

// The principal's effective roles (held roles and every role they imply). Only
// words [lo, hi) are initialised and read: a role outside them is not held. The
// range comes from the held roles' implied-word ranges (Table::implied_words), so
// a decision costs the same whether the policy declares 4 roles or 4,000.
struct RoleSet {
  uint64_t bits[f::kMaxRoles / 64];
  uint32_t lo = 0, hi = 0;
};

struct Ctx {
  const Table& t;
  const Request& r;
  const RoleSet& roles;

  bool holds(uint32_t role) const {
    const uint32_t w = role / 64;
    return w >= roles.lo && w < roles.hi && ((roles.bits[w] >> (role % 64)) & 1u);
  }
  bool intersects(const uint64_t* bits) const {
    for (uint32_t w = roles.lo; w < roles.hi; ++w) {
      if (roles.bits[w] & bits[w]) return true;
    }
    return false;
  }
};

// The principal's highest-ranked role, if any.
bool principal_rank(const Ctx& c, Value& out) {
  uint32_t best_rank = 0, best_role = f::kNone;
  const auto roles = c.t.roles();
  for (uint32_t w = c.roles.lo; w < c.roles.hi; ++w) {
    for (uint64_t bits = c.roles.bits[w]; bits != 0; bits &= bits - 1) {
      const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(bits));
      const uint32_t rank = roles[role].rank;
      if (rank != f::kNone && (best_role == f::kNone || rank > best_rank)) {
        best_rank = rank;
        best_role = role;
      }
    }
  }
  if (best_role == f::kNone) return false;
  out = Value::role(best_role);
  return true;
}

// Attribute (root, slot): a pointer into the request, or to `scratch` for the
// built-in slots computed from it (tenants, rank); nullptr when absent. Values are
// read in place: copying one is most of the cost of a simple condition.
const Value* read(const Ctx& c, uint8_t root, uint32_t slot, Value& scratch) {
  const Value* v = nullptr;
  switch (static_cast<f::Root>(root)) {
    case f::Root::kPrincipal:
      if (slot == f::kPrincipalTenantSlot) {
        scratch = Value::entity(c.r.principal_tenant);
        return c.r.principal_tenant != kNoTenant ? &scratch : nullptr;
      }
      if (slot == f::kPrincipalRankSlot) return principal_rank(c, scratch) ? &scratch : nullptr;
      if (slot >= c.r.principal_attrs.size()) return nullptr;
      v = &c.r.principal_attrs[slot];
      break;
    case f::Root::kResource:
      if (slot == f::kResourceTenantSlot) {
        scratch = Value::entity(c.r.resource_tenant);
        return c.r.resource_tenant != kNoTenant ? &scratch : nullptr;
      }
      if (slot >= c.r.resource_attrs.size()) return nullptr;
      v = &c.r.resource_attrs[slot];
      break;
    case f::Root::kContext:
      if (slot >= c.r.context_attrs.size()) return nullptr;
      v = &c.r.context_attrs[slot];
      break;
  }
  return v != nullptr && v->kind != ValueKind::kAbsent ? v : nullptr;
}

// Whether `v` is a well-formed value of attribute `a`'s declared type.
bool fits(const Ctx& c, const f::Attr& a, const Value& v) {
  const auto kind = static_cast<f::AttrKind>(a.kind);
  if (a.set) return kind == f::AttrKind::kString ? v.kind == ValueKind::kStringSet : v.kind == ValueKind::kIdSet;
  switch (kind) {
    case f::AttrKind::kBool: return v.kind == ValueKind::kBool && (v.i == 0 || v.i == 1);
    case f::AttrKind::kInt: return v.kind == ValueKind::kInt;
    case f::AttrKind::kString: return v.kind == ValueKind::kString;
    case f::AttrKind::kEnum:
      return v.kind == ValueKind::kEnum && v.i >= 0 && static_cast<uint64_t>(v.i) < c.t.enums()[a.enum_id].value_count;
    case f::AttrKind::kEntity:
    case f::AttrKind::kTenant: return v.kind == ValueKind::kEntity;
    case f::AttrKind::kRole: return v.kind == ValueKind::kRole && v.i >= 0 && static_cast<uint64_t>(v.i) < c.t.role_count();
  }
  return false;
}

// Reads and type-checks; nullptr means the condition errs.
const Value* value(const Ctx& c, uint8_t root, uint32_t slot, Value& scratch) {
  const Value* v = read(c, root, slot, scratch);
  return v != nullptr && fits(c, c.t.attr(static_cast<f::Root>(root), slot), *v) ? v : nullptr;
}

int64_t constant(const f::Instr& in) {
  return static_cast<int64_t>(uint64_t{in.b} | (uint64_t{in.c} << 32));
}

Tri order(f::Cmp cmp, int diff) {
  switch (cmp) {
    case f::Cmp::kEq: return tri(diff == 0);
    case f::Cmp::kNe: return tri(diff != 0);
    case f::Cmp::kLt: return tri(diff < 0);
    case f::Cmp::kLe: return tri(diff <= 0);
    case f::Cmp::kGt: return tri(diff > 0);
    case f::Cmp::kGe: return tri(diff >= 0);
  }
  return kE;
}

template <typename T>
int three_way(T a, T b) { return a < b ? -1 : a > b ? 1 : 0; }

// Compares two values of one attribute kind. Roles order by rank; a role off the
// ladder has no order (error), but equality is by identity.
Tri compare(const Ctx& c, f::AttrKind kind, f::Cmp cmp, const Value& a, const Value& b) {
  if (kind == f::AttrKind::kString) return order(cmp, three_way(a.s.compare(b.s), 0));
  if (kind == f::AttrKind::kRole && cmp != f::Cmp::kEq && cmp != f::Cmp::kNe) {
    const uint32_t ra = c.t.roles()[static_cast<size_t>(a.i)].rank, rb = c.t.roles()[static_cast<size_t>(b.i)].rank;
    if (ra == f::kNone || rb == f::kNone) return kE;
    return order(cmp, three_way(ra, rb));
  }
  return order(cmp, three_way(a.i, b.i));
}

bool set_has_id(const Value& set, int64_t id) { return std::binary_search(set.ids, set.ids + set.count, id); }
bool set_has_string(const Value& set, std::string_view s) {
  for (uint32_t k = 0; k < set.count; ++k) {
    if (set.strs[k] == s) return true;
  }
  return false;
}

Tri leaf(const Ctx& c, const f::Instr& in) {
  Value sa, sb;  // scratch for computed values
  const Value* a = nullptr;
  const Value* b = nullptr;
  switch (static_cast<f::Op>(in.op)) {
    case f::Op::kConst: return tri(in.a != 0);
    case f::Op::kHas: return tri(read(c, in.root_a, in.a, sa) != nullptr);
    case f::Op::kTruthy:
      if (!(a = value(c, in.root_a, in.a, sa)) || a->kind != ValueKind::kBool) return kE;
      return tri(a->i != 0);
    case f::Op::kCmpConst: {
      if (!(a = value(c, in.root_a, in.a, sa))) return kE;
      const f::Attr& attr = c.t.attr(static_cast<f::Root>(in.root_a), in.a);
      if (attr.set) return kE;
      const auto kind = static_cast<f::AttrKind>(attr.kind);
      if (kind == f::AttrKind::kString) {
        sb = Value::string(c.t.string(in.b));
      } else {
        sb.i = constant(in);
        if (kind == f::AttrKind::kRole && (sb.i < 0 || static_cast<uint64_t>(sb.i) >= c.t.role_count())) return kE;
      }
      return compare(c, kind, static_cast<f::Cmp>(in.cmp), *a, sb);
    }
    case f::Op::kCmpAttr: {
      if (!(a = value(c, in.root_a, in.a, sa)) || !(b = value(c, in.root_b, in.b, sb))) return kE;
      const f::Attr& x = c.t.attr(static_cast<f::Root>(in.root_a), in.a);
      const f::Attr& y = c.t.attr(static_cast<f::Root>(in.root_b), in.b);
      const bool entityish_x = x.kind == uint8_t(f::AttrKind::kEntity) || x.kind == uint8_t(f::AttrKind::kTenant);
      const bool entityish_y = y.kind == uint8_t(f::AttrKind::kEntity) || y.kind == uint8_t(f::AttrKind::kTenant);
      if (x.set || y.set || (x.kind != y.kind && !(entityish_x && entityish_y))) return kE;
      return compare(c, static_cast<f::AttrKind>(x.kind), static_cast<f::Cmp>(in.cmp), *a, *b);
    }
    case f::Op::kCmpPrincipal:
      if (!(a = value(c, in.root_a, in.a, sa)) || a->kind != ValueKind::kEntity) return kE;
      return order(static_cast<f::Cmp>(in.cmp), three_way(a->i, c.r.principal));
    case f::Op::kInAttr: {
      if (!(a = value(c, in.root_a, in.a, sa)) || !(b = value(c, in.root_b, in.b, sb))) return kE;
      if (b->kind == ValueKind::kStringSet) return a->kind == ValueKind::kString ? tri(set_has_string(*b, a->s)) : kE;
      if (b->kind != ValueKind::kIdSet || a->kind == ValueKind::kString || a->kind == ValueKind::kIdSet ||
          a->kind == ValueKind::kStringSet) {
        return kE;
      }
      return tri(set_has_id(*b, a->i));
    }
    case f::Op::kInConst: {
      if (!(a = value(c, in.root_a, in.a, sa))) return kE;
      const f::Attr& attr = c.t.attr(static_cast<f::Root>(in.root_a), in.a);
      if (attr.set) return kE;
      const auto pool = c.t.pool().subspan(in.b, in.c);
      for (int64_t k : pool) {
        if (attr.kind == uint8_t(f::AttrKind::kString) ? a->s == c.t.string(static_cast<uint32_t>(k)) : a->i == k) {
          return kT;
        }
      }
      return kF;
    }
    case f::Op::kPrincipalIn:
      if (!(b = value(c, in.root_b, in.b, sb)) || b->kind != ValueKind::kIdSet) return kE;
      return tri(set_has_id(*b, c.r.principal));
    case f::Op::kConstIn:
      if (!(a = value(c, in.root_a, in.a, sa))) return kE;
      if (a->kind == ValueKind::kStringSet) return tri(set_has_string(*a, c.t.string(in.b)));
      if (a->kind != ValueKind::kIdSet) return kE;
      return tri(set_has_id(*a, constant(in)));
    case f::Op::kIsRole: return tri(c.holds(in.a));
    case f::Op::kIsRoleAttr: {
      if (!(a = value(c, in.root_a, in.a, sa)) || a->kind != ValueKind::kRole) return kE;
      const uint64_t* implied = c.t.bits(c.t.roles()[static_cast<size_t>(a->i)].implied);
      return tri((implied[in.b / 64] >> (in.b % 64)) & 1u);
    }
    case f::Op::kIsType: {
      const auto pool = c.t.pool().subspan(in.b, in.c);
      return tri(std::find(pool.begin(), pool.end(), int64_t{c.r.resource_type}) != pool.end());
    }
    default: return kE;
  }
}

// Runs a verified program. `trace`, when given, receives each instruction's result.
Tri run(const Ctx& c, uint32_t first, uint32_t count, Tri* trace = nullptr) {
  if (count == 0) return kT;
  if (trace == nullptr) {
    // Most conditions are one test (`principal.email_verified`) or its negation
    // (`unless principal.status == active`): no stack needed. The verifier has
    // checked that a one-instruction program is a leaf and that a two-instruction
    // one is a leaf and then a unary operator.
    const auto code = c.t.code();
    if (count == 1) return leaf(c, code[first]);
    if (count == 2 && static_cast<f::Op>(code[first + 1].op) == f::Op::kNot) return tri_not(leaf(c, code[first]));
  }
  Tri stack[f::kMaxStack];
  uint32_t sp = 0;
  const auto code = c.t.code();
  for (uint32_t k = first; k < first + count; ++k) {
    const f::Instr& in = code[k];
    switch (static_cast<f::Op>(in.op)) {
      case f::Op::kNot: stack[sp - 1] = tri_not(stack[sp - 1]); break;
      case f::Op::kAnd: --sp; stack[sp - 1] = tri_and(stack[sp - 1], stack[sp]); break;
      case f::Op::kOr: --sp; stack[sp - 1] = tri_or(stack[sp - 1], stack[sp]); break;
      case f::Op::kEqual: --sp; stack[sp - 1] = tri_eq(stack[sp - 1], stack[sp]); break;
      case f::Op::kNotEqual: --sp; stack[sp - 1] = tri_not(tri_eq(stack[sp - 1], stack[sp])); break;
      default: stack[sp++] = leaf(c, in);
    }
    if (trace) trace[k - first] = stack[sp - 1];
  }
  return stack[0];
}

// Lowest rule among the role rules of `range` whose role the principal holds.
uint32_t lowest_role_rule(const Ctx& c, const uint64_t* cell_bits, uint32_t first, uint32_t count) {
  uint32_t best = f::kNone;
  if (count == 0) return best;
  const auto rr = c.t.role_rules().subspan(first, count);
  for (uint32_t w = c.roles.lo; w < c.roles.hi; ++w) {
    for (uint64_t bits = c.roles.bits[w] & cell_bits[w]; bits != 0; bits &= bits - 1) {
      const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(bits));
      auto it = std::lower_bound(rr.begin(), rr.end(), role,
                                 [](const f::RoleRule& x, uint32_t r) { return x.role < r; });
      if (it != rr.end() && it->role == role) best = std::min(best, it->rule);
    }
  }
  return best;
}

bool cond_roles_match(const Ctx& c, const f::CondRule& cr) {
  return cr.all_roles != 0 || c.intersects(c.t.bits(cr.role_bits));
}

// Whether a custom role allows this request's (action, resource type).
bool custom_allows(const Ctx& c, const CustomRoles& custom, uint32_t index, uint32_t* errors) {
  const CustomRoles::Role& role = custom.role(index);
  const f::Catalog& cat = c.t.catalogs()[role.catalog];
  if (!c.intersects(c.t.bits(cat.holder_bits))) return false;
  const uint64_t bit = uint64_t{c.r.action} * c.t.resource_count() + c.r.resource_type;
  if (((role.cells[bit / 64] >> (bit % 64)) & 1u) == 0) return false;
  const auto entries = c.t.catalog_entries().subspan(cat.entry_first, cat.entry_count);
  auto it = std::lower_bound(entries.begin(), entries.end(), std::pair{c.r.action, c.r.resource_type},
                             [](const f::CatalogEntry& e, std::pair<uint32_t, uint32_t> k) {
                               return std::pair{e.action, e.resource} < k;
                             });
  for (; it != entries.end() && it->action == c.r.action && it->resource == c.r.resource_type; ++it) {
    const Tri t = run(c, it->code_first, it->code_count);
    if (t == kT) return true;
    if (t == kE) ++*errors;
  }
  return false;
}

Decision deny(Reason reason, RequestError error = RequestError::kNone) {
  Decision d;
  d.reason = reason;
  d.request_error = error;
  return d;
}

// Validates the request's ids and fills the effective role bitset.
[[gnu::always_inline]] inline Decision prepare(const Table& t, const Request& r, const CustomRoles* custom,
                                               RoleSet& roles, bool& ok) {
  ok = false;
  if (r.error != RequestError::kNone) return deny(Reason::kBadRequest, r.error);
  if (r.action >= t.action_count()) return deny(Reason::kBadRequest, RequestError::kUnknownAction);
  if (r.resource_type >= t.resource_count()) return deny(Reason::kBadRequest, RequestError::kUnknownResourceType);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t role : r.roles) {
    if (role >= t.role_count()) return deny(Reason::kBadRequest, RequestError::kUnknownRole);
    const Table::WordRange range = t.implied_words(role);
    if (range.first == range.last) continue;
    lo = std::min(lo, range.first);
    hi = std::max(hi, range.last);
  }
  if (lo >= hi) lo = hi = 0;
  roles.lo = lo;
  roles.hi = hi;
  if (hi - lo == 1) {
    // The common case (up to 64 roles, or roles near each other): one word, built
    // in a register. A role whose range is empty contributes its zero word.
    uint64_t word = 0;
    for (uint32_t role : r.roles) word |= t.bits(t.roles()[role].implied)[lo];
    roles.bits[lo] = word;
  } else {
    for (uint32_t w = lo; w < hi; ++w) roles.bits[w] = 0;
    for (uint32_t role : r.roles) {
      const Table::WordRange range = t.implied_words(role);
      const uint64_t* implied = t.bits(t.roles()[role].implied);
      for (uint32_t w = range.first; w < range.last; ++w) roles.bits[w] |= implied[w];
    }
  }
  for (uint32_t idx : r.custom_roles) {
    if (custom == nullptr || &custom->table() != &t || idx >= custom->size()) {
      return deny(Reason::kBadRequest, RequestError::kUnknownCustomRole);
    }
  }
  if (r.principal_tenant == kNoTenant || r.resource_tenant == kNoTenant) {
    return deny(Reason::kTenantMismatch, RequestError::kMissingTenant);
  }
  if (r.principal_tenant != r.resource_tenant) return deny(Reason::kTenantMismatch);
  ok = true;
  return {};
}

}  // namespace

const char* to_string(Reason r) {
  switch (r) {
    case Reason::kGranted: return "granted";
    case Reason::kNoGrant: return "no grant applies";
    case Reason::kForbidden: return "forbidden";
    case Reason::kTenantMismatch: return "principal and resource are in different tenants";
    case Reason::kBadRequest: return "bad request";
  }
  return "unknown";
}

const char* to_string(RequestError e) {
  switch (e) {
    case RequestError::kNone: return "none";
    case RequestError::kUnknownAction: return "unknown action";
    case RequestError::kUnknownResourceType: return "unknown resource type";
    case RequestError::kUnknownRole: return "unknown role";
    case RequestError::kUnknownAttribute: return "unknown attribute";
    case RequestError::kBadValue: return "bad attribute value";
    case RequestError::kMissingTenant: return "missing tenant";
    case RequestError::kUnknownCustomRole: return "unknown custom role";
  }
  return "unknown";
}

Decision evaluate(const Table& t, const Request& r, const CustomRoles* custom) noexcept {
  RoleSet roles;
  bool ok = false;
  Decision d = prepare(t, r, custom, roles, ok);
  if (!ok) return d;
  const Ctx c{t, r, roles};
  const f::Cell& cell = t.cell(r.action, r.resource_type);
  const auto conds = t.cond_rules().subspan(cell.cond_first, cell.cond_count);

  // Forbids: the lowest applicable one decides; an erring condition applies.
  uint32_t forbid = cell.forbid_all_rule;
  forbid = std::min(forbid, lowest_role_rule(c, t.bits(cell.forbid_bits), cell.forbid_first, cell.forbid_count));
  size_t k = 0;
  for (; k < conds.size() && conds[k].effect == 0; ++k) {
    const f::CondRule& cr = conds[k];
    if (cr.rule > forbid) continue;  // cannot decide; keep k moving to the grants
    if (!cond_roles_match(c, cr)) continue;
    const Tri res = run(c, cr.code_first, cr.code_count);
    if (res == kE) ++d.condition_errors;
    if (res != kF) forbid = cr.rule;
  }
  if (forbid != f::kNone) {
    d.effect = Effect::kDeny;
    d.reason = Reason::kForbidden;
    d.rule = forbid;
    return d;
  }

  // Grants: any applicable one allows; the lowest decides; obligations intersect.
  uint32_t grant = lowest_role_rule(c, t.bits(cell.grant_bits), cell.grant_first, cell.grant_count);
  uint64_t obligations = grant == f::kNone ? ~uint64_t{0} : 0;
  for (; k < conds.size(); ++k) {
    const f::CondRule& cr = conds[k];
    if (grant != f::kNone && obligations == 0 && cr.rule > grant) break;  // nothing left to change
    if (!cond_roles_match(c, cr)) continue;
    const Tri res = run(c, cr.code_first, cr.code_count);
    if (res == kE) ++d.condition_errors;
    if (res != kT) continue;
    grant = std::min(grant, cr.rule);
    obligations &= cr.obligations;
  }
  bool by_custom = false;
  if (custom != nullptr && (grant == f::kNone || obligations != 0)) {
    for (uint32_t idx : r.custom_roles) {
      if (custom_allows(c, *custom, idx, &d.condition_errors)) {
        by_custom = grant == f::kNone;
        obligations = 0;
        break;
      }
    }
  }
  if (grant == f::kNone && !by_custom) {
    d.reason = Reason::kNoGrant;
    return d;
  }
  d.effect = Effect::kAllow;
  d.reason = Reason::kGranted;
  d.rule = grant == f::kNone ? kNoRule : grant;
  d.obligations = obligations;
  d.custom_role = by_custom;
  return d;
}

// ---- explain -------------------------------------------------------------------
namespace {

std::string value_text(const Table& t, const f::Attr& a, const Value& v,
                       const std::function<std::string(int64_t)>& entity) {
  auto one = [&](int64_t id) -> std::string {
    switch (static_cast<f::AttrKind>(a.kind)) {
      case f::AttrKind::kEnum: return std::string(t.enum_value_name(a.enum_id, static_cast<uint32_t>(id)));
      case f::AttrKind::kRole:
        return id >= 0 && static_cast<uint64_t>(id) < t.role_count() ? std::string(t.role_name(static_cast<uint32_t>(id)))
                                                                       : fmt::format("role#{}", id);
      case f::AttrKind::kEntity:
      case f::AttrKind::kTenant: return entity ? entity(id) : fmt::format("#{}", id);
      case f::AttrKind::kBool: return id ? "true" : "false";
      default: return fmt::format("{}", id);
    }
  };
  switch (v.kind) {
    case ValueKind::kAbsent: return "absent";
    case ValueKind::kString: return fmt::format("\"{}\"", v.s);
    case ValueKind::kIdSet: {
      std::string s = "{";
      for (uint32_t k = 0; k < v.count && k < 20; ++k) s += (k ? ", " : "") + one(v.ids[k]);
      return s + (v.count > 20 ? ", ...}" : "}");
    }
    case ValueKind::kStringSet: {
      std::string s = "{";
      for (uint32_t k = 0; k < v.count && k < 20; ++k) s += fmt::format("{}\"{}\"", k ? ", " : "", v.strs[k]);
      return s + (v.count > 20 ? ", ...}" : "}");
    }
    default: return one(v.i);
  }
}

std::string operand_text(const Ctx& c, uint8_t root, uint32_t slot, const std::function<std::string(int64_t)>& entity) {
  const f::Attr& a = c.t.attr(static_cast<f::Root>(root), slot);
  static constexpr const char* kRoots[] = {"principal", "resource", "context"};
  Value scratch;
  const Value* v = read(c, root, slot, scratch);
  std::string text = v != nullptr ? value_text(c.t, a, *v, entity) : "absent";
  if (v != nullptr && !fits(c, a, *v)) text += " (wrong type)";
  return fmt::format("{}.{}={}", kRoots[root], c.t.string(a.name), text);
}

// One leaf of a condition and the values it read: "`resource.group in
// principal.groups` is false (resource.group=g7, principal.groups={g1, g2})".
std::string leaf_text(const Ctx& c, uint32_t instr, Tri value, const std::function<std::string(int64_t)>& entity) {
  const f::Instr& in = c.t.code()[instr];
  const auto op = static_cast<f::Op>(in.op);
  std::string part = std::string(c.t.instr_text(instr));
  if (part.empty()) part = f::op_name(op);
  std::vector<std::string> values;
  switch (op) {
    case f::Op::kHas:
    case f::Op::kTruthy:
    case f::Op::kCmpConst:
    case f::Op::kCmpPrincipal:
    case f::Op::kInConst:
    case f::Op::kConstIn:
    case f::Op::kIsRoleAttr: values.push_back(operand_text(c, in.root_a, in.a, entity)); break;
    case f::Op::kCmpAttr:
    case f::Op::kInAttr:
      values.push_back(operand_text(c, in.root_a, in.a, entity));
      values.push_back(operand_text(c, in.root_b, in.b, entity));
      break;
    case f::Op::kPrincipalIn: values.push_back(operand_text(c, in.root_b, in.b, entity)); break;
    case f::Op::kIsType: values.push_back(fmt::format("resource is {}", c.t.resource_name(c.r.resource_type))); break;
    default: break;
  }
  std::string joined;
  for (const auto& v : values) joined += (joined.empty() ? "" : ", ") + v;
  return fmt::format("`{}` is {}{}", part, value == kE ? "an error" : value == kT ? "true" : "false",
                     joined.empty() ? "" : " (" + joined + ")");
}

// Why a program was not true: the leaves that decided its value, with the values
// they read. Under Kleene logic only some leaves matter: `F && x` is false because
// of the F whatever x is, so x is not blamed (it may well be an error, such as a
// read of an attribute the `has` before it found absent).
std::string failed_parts(const Ctx& c, uint32_t first, uint32_t count,
                         const std::function<std::string(int64_t)>& entity) {
  std::vector<Tri> trace(count);
  run(c, first, count, trace.data());
  // Rebuild the tree of the postfix program: children of each operator.
  std::vector<std::vector<uint32_t>> children(count);
  std::vector<uint32_t> stack;
  for (uint32_t k = 0; k < count; ++k) {
    const auto op = static_cast<f::Op>(c.t.code()[first + k].op);
    const uint32_t arity = op == f::Op::kNot ? 1
                           : (op == f::Op::kAnd || op == f::Op::kOr || op == f::Op::kEqual || op == f::Op::kNotEqual) ? 2
                                                                                                                      : 0;
    children[k].assign(stack.end() - arity, stack.end());
    stack.resize(stack.size() - arity);
    stack.push_back(k);
  }
  std::string out;
  // Explains why node k has the value it has (the run verified the stack discipline).
  auto blame = [&](auto&& self, uint32_t k) -> void {
    const auto op = static_cast<f::Op>(c.t.code()[first + k].op);
    const Tri v = trace[k];
    if (children[k].empty()) {
      out += (out.empty() ? "" : "; ") + leaf_text(c, first + k, v, entity);
      return;
    }
    // And: an F child alone makes it F; Or: a T child alone makes it T. Otherwise
    // the children with the node's own value (E, or all F / all T) explain it.
    const bool decisive_only = (op == f::Op::kAnd && v == kF) || (op == f::Op::kOr && v == kT) ||
                               ((op == f::Op::kAnd || op == f::Op::kOr) && v == kE);
    for (uint32_t child : children[k]) {
      if (decisive_only && trace[child] != v) continue;
      self(self, child);
    }
  };
  if (count > 0 && !stack.empty()) blame(blame, stack.back());
  return out;
}

std::string where(const Table& t, uint32_t rule) {
  const f::DebugRule* d = t.debug_rule(rule);
  return d ? fmt::format(" ({}:{})", t.string(d->file), d->line) : std::string();
}

}  // namespace

Explanation explain(const Table& t, const Request& r, const CustomRoles* custom,
                    const std::function<std::string(int64_t)>& entity) {
  Explanation x;
  x.decision = evaluate(t, r, custom);
  RoleSet roles;
  bool ok = false;
  (void)prepare(t, r, custom, roles, ok);
  if (!ok) {
    x.summary = x.decision.reason == Reason::kBadRequest
                    ? fmt::format("denied: bad request: {}", to_string(x.decision.request_error))
                    : fmt::format("denied: {}", to_string(x.decision.reason));
    return x;
  }
  const Ctx c{t, r, roles};
  const f::Cell& cell = t.cell(r.action, r.resource_type);
  if (cell.forbid_all_rule != f::kNone) x.rules.push_back({cell.forbid_all_rule, true, true, true, false, {}});
  auto role_rules = [&](uint32_t first, uint32_t count, bool forbid) {
    for (const f::RoleRule& rr : t.role_rules().subspan(first, count)) {
      const bool held = c.holds(rr.role);
      RuleTrace rt{rr.rule, forbid, held, held, false, {}};
      if (!held) rt.failed = fmt::format("the principal does not hold role `{}`", t.role_name(rr.role));
      x.rules.push_back(std::move(rt));
    }
  };
  role_rules(cell.forbid_first, cell.forbid_count, true);
  for (const f::CondRule& cr : t.cond_rules().subspan(cell.cond_first, cell.cond_count)) {
    if (cr.effect != 0) continue;
    RuleTrace rt{cr.rule, true, cond_roles_match(c, cr), false, false, {}};
    if (rt.role_matched) {
      const Tri res = run(c, cr.code_first, cr.code_count);
      rt.applied = res != kF;
      rt.error = res == kE;
      if (res != kT) rt.failed = failed_parts(c, cr.code_first, cr.code_count, entity);
    } else {
      rt.failed = "the principal holds none of its roles";
    }
    x.rules.push_back(std::move(rt));
  }
  role_rules(cell.grant_first, cell.grant_count, false);
  for (const f::CondRule& cr : t.cond_rules().subspan(cell.cond_first, cell.cond_count)) {
    if (cr.effect != 1) continue;
    RuleTrace rt{cr.rule, false, cond_roles_match(c, cr), false, false, {}};
    if (rt.role_matched) {
      const Tri res = run(c, cr.code_first, cr.code_count);
      rt.applied = res == kT;
      rt.error = res == kE;
      if (res != kT) rt.failed = failed_parts(c, cr.code_first, cr.code_count, entity);
    } else {
      rt.failed = "the principal holds none of its roles";
    }
    x.rules.push_back(std::move(rt));
  }
  const Decision& d = x.decision;
  if (d.allowed()) {
    x.summary = d.custom_role ? "allowed by a custom role"
                              : fmt::format("allowed by `{}`{}", t.rule_name(d.rule), where(t, d.rule));
    if (d.obligations != 0) {
      std::string obs;
      for (uint32_t i = 0; i < 64; ++i) {
        if ((d.obligations >> i) & 1u) obs += (obs.empty() ? "" : ", ") + std::string(t.obligation_text(i));
      }
      x.summary += ", with " + obs;
    }
  } else if (d.reason == Reason::kForbidden) {
    x.summary = fmt::format("denied by forbid `{}`{}", t.rule_name(d.rule), where(t, d.rule));
  } else {
    // The grants that came closest: their role matched but their condition did not hold.
    std::string close;
    for (const RuleTrace& rt : x.rules) {
      if (!rt.forbid && rt.role_matched && !rt.applied) {
        close += fmt::format("; `{}`{} did not apply: {}", t.rule_name(rt.rule), where(t, rt.rule), rt.failed);
      }
    }
    x.summary = "denied: no grant applies" + close;
  }
  return x;
}

}  // namespace edict::runtime
