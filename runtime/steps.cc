// runtime/steps.cc: decoding a verified table's condition programs (steps.h).
#include "runtime/steps.h"

#include <algorithm>

#include "runtime/table.h"

namespace edict::runtime {

namespace {

namespace f = format;

Operand decode_operand(const Table& t, uint8_t root, uint32_t slot) {
  Operand o;
  const auto r = static_cast<f::Root>(root);
  const f::Attr& attr = t.attr(r, slot);
  static constexpr std::span<const Value> Request::* kAttrs[] = {&Request::principal_attrs, &Request::resource_attrs,
                                                                  &Request::context_attrs};
  o.attrs = kAttrs[root];  // verified: root <= 2
  o.slot = slot;
  o.offset = size_t{slot} * sizeof(Value);
  o.source = static_cast<Source>(root);
  if (r == f::Root::kPrincipal && slot == f::kPrincipalTenantSlot) o.source = Source::kPrincipalTenant;
  if (r == f::Root::kPrincipal && slot == f::kPrincipalRankSlot) o.source = Source::kPrincipalRank;
  if (r == f::Root::kResource && slot == f::kResourceTenantSlot) o.source = Source::kResourceTenant;
  if (o.source > Source::kContextAttr) o.slot = kComputedSlot;
  o.kind = static_cast<f::AttrKind>(attr.kind);
  o.set = attr.set != 0;
  if (o.set) {
    o.want = o.kind == f::AttrKind::kString ? ValueKind::kStringSet : ValueKind::kIdSet;
    return o;
  }
  switch (o.kind) {
    case f::AttrKind::kBool: o.want = ValueKind::kBool; o.max = 1; break;
    case f::AttrKind::kInt: o.want = ValueKind::kInt; break;
    case f::AttrKind::kString: o.want = ValueKind::kString; break;
    case f::AttrKind::kEnum: {
      const uint32_t values = t.enums()[attr.enum_id].value_count;
      o.want = values == 0 ? ValueKind::kAbsent : ValueKind::kEnum;
      o.max = values == 0 ? 0 : values - 1;
      break;
    }
    case f::AttrKind::kEntity:
    case f::AttrKind::kTenant: o.want = ValueKind::kEntity; break;
    case f::AttrKind::kRole:
      o.want = t.role_count() == 0 ? ValueKind::kAbsent : ValueKind::kRole;
      o.max = t.role_count() == 0 ? 0 : t.role_count() - 1;
      break;
  }
  return o;
}

bool entityish(f::AttrKind k) { return k == f::AttrKind::kEntity || k == f::AttrKind::kTenant; }

// Roles compare by rank except for (in)equality, which is by identity.
bool by_rank(const Operand& o, f::Cmp cmp) {
  return o.kind == f::AttrKind::kRole && cmp != f::Cmp::kEq && cmp != f::Cmp::kNe;
}

Step decode(const Table& t, const f::Instr& in) {
  Step s;
  s.in = in;
  s.constant = static_cast<int64_t>(uint64_t{in.b} | (uint64_t{in.c} << 32));
  const auto cmp = static_cast<f::Cmp>(in.cmp);
  s.cmp_true = cmp_mask(cmp);
  switch (static_cast<f::Op>(in.op)) {
    case f::Op::kConst: s.exec = Exec::kConst; break;
    case f::Op::kHas:
      s.exec = Exec::kHas;
      s.a = decode_operand(t, in.root_a, in.a);
      break;
    case f::Op::kTruthy:
      s.a = decode_operand(t, in.root_a, in.a);
      s.exec = s.a.want == ValueKind::kBool ? Exec::kTruthy : Exec::kError;
      break;
    case f::Op::kCmpPrincipal:
      s.a = decode_operand(t, in.root_a, in.a);
      s.exec = s.a.want == ValueKind::kEntity ? Exec::kCmpPrincipal : Exec::kError;
      break;
    case f::Op::kIsRoleAttr:
      s.a = decode_operand(t, in.root_a, in.a);
      s.exec = s.a.want == ValueKind::kRole ? Exec::kIsRoleAttr : Exec::kError;
      break;
    case f::Op::kCmpConst: {
      s.a = decode_operand(t, in.root_a, in.a);
      const bool bad_role = s.a.kind == f::AttrKind::kRole &&
                            (s.constant < 0 || static_cast<uint64_t>(s.constant) >= t.role_count());
      if (s.a.set || bad_role) {
        s.exec = Exec::kError;
      } else if (s.a.kind == f::AttrKind::kString) {
        s.exec = Exec::kCmpStringConst;
        s.text = t.string(in.b);
      } else {
        s.exec = by_rank(s.a, cmp) ? Exec::kCmpRankConst
                 : cmp == f::Cmp::kEq  ? Exec::kEqIdConst
                 : cmp == f::Cmp::kNe  ? Exec::kNeIdConst
                                       : Exec::kCmpIdConst;
      }
      break;
    }
    case f::Op::kCmpAttr:
      s.a = decode_operand(t, in.root_a, in.a);
      s.b = decode_operand(t, in.root_b, in.b);
      if (s.a.set || s.b.set || (s.a.kind != s.b.kind && !(entityish(s.a.kind) && entityish(s.b.kind)))) {
        s.exec = Exec::kError;
      } else if (s.a.kind == f::AttrKind::kString) {
        s.exec = Exec::kCmpStringAttr;
      } else {
        s.exec = by_rank(s.a, cmp) ? Exec::kCmpRankAttr : Exec::kCmpIdAttr;
        // `x < principal.rank`, how policies bound what a principal may manage:
        // the principal's top-ranked role is precomputed per role (Table::implied),
        // and read in place rather than built as a Value.
        const bool a_rank = s.a.source == Source::kPrincipalRank, b_rank = s.b.source == Source::kPrincipalRank;
        if (s.exec == Exec::kCmpRankAttr && a_rank != b_rank) {
          s.exec = b_rank ? Exec::kCmpAttrToPrincipalRank : Exec::kCmpPrincipalRankToAttr;
        }
      }
      break;
    case f::Op::kInAttr: {
      s.a = decode_operand(t, in.root_a, in.a);
      s.b = decode_operand(t, in.root_b, in.b);
      const ValueKind x = s.a.want;
      const bool scalar = x != ValueKind::kAbsent && x != ValueKind::kIdSet && x != ValueKind::kStringSet;
      if (s.b.want == ValueKind::kStringSet && x == ValueKind::kString) {
        s.exec = Exec::kInStringAttr;
      } else if (s.b.want == ValueKind::kIdSet && scalar && x != ValueKind::kString) {
        s.exec = Exec::kInIdAttr;
      } else {
        s.exec = Exec::kError;
      }
      break;
    }
    case f::Op::kInConst: {
      s.a = decode_operand(t, in.root_a, in.a);
      s.exec = s.a.set ? Exec::kError : Exec::kInConst;
      if (s.exec == Exec::kError || s.a.kind == f::AttrKind::kString) break;
      // Ids below 64 (enum values, roles, small entities): one bit test.
      const auto pool = t.pool().subspan(in.b, in.c);
      if (std::all_of(pool.begin(), pool.end(), [](int64_t k) { return k >= 0 && k < 64; })) {
        uint64_t mask = 0;
        for (int64_t k : pool) mask |= uint64_t{1} << k;
        s.exec = Exec::kInConstMask;
        s.constant = static_cast<int64_t>(mask);
      }
      break;
    }
    case f::Op::kPrincipalIn:
      s.b = decode_operand(t, in.root_b, in.b);
      s.exec = s.b.want == ValueKind::kIdSet ? Exec::kPrincipalIn : Exec::kError;
      break;
    case f::Op::kConstIn:
      s.a = decode_operand(t, in.root_a, in.a);
      if (s.a.want == ValueKind::kStringSet) {
        s.exec = Exec::kConstInStrings;
        s.text = t.string(in.b);
      } else {
        s.exec = s.a.want == ValueKind::kIdSet ? Exec::kConstInIds : Exec::kError;
      }
      break;
    case f::Op::kIsRole: s.exec = Exec::kIsRole; break;
    case f::Op::kIsType: s.exec = Exec::kIsType; break;
    default: s.exec = Exec::kOperator; break;
  }
  // The evaluator takes a value of kind `want` as well-formed without testing for
  // absence: an operand that nothing fits (want kAbsent) would take an absent
  // one. A step reading such an operand's value can only err.
  if ((reads_value_a(s.exec) && s.a.want == ValueKind::kAbsent) ||
      (reads_value_b(s.exec) && s.b.want == ValueKind::kAbsent)) {
    s.exec = Exec::kError;
  }
  return s;
}

}  // namespace

std::vector<Step> decode_steps(const Table& table) {
  const auto code = table.code();
  std::vector<Step> steps;
  steps.reserve(code.size());
  for (const f::Instr& in : code) steps.push_back(decode(table, in));
  return steps;
}

}  // namespace edict::runtime
