// compiler/lower.cc: checked Policy -> .edictc bytes.
//
// External interface: lower() and compile_files() in lower.h. Private pieces:
//   TableWriter  interns strings and role bitsets, collects sections, serialises
//                them with the header, section table and CRC-32;
//   CondCompiler turns a condition AST into a postfix program over attribute
//                slots (the checker has already proved it well-typed);
//   Lowerer      walks the policy: roles, attribute slots, cells, catalogs, debug.
// The output is a pure function of the policy: maps are ordered, nothing depends
// on addresses or hash-table iteration order.
#include "compiler/lower.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/check.h"
#include "runtime/format/checksum.h"
#include "runtime/format/table_format.h"
#include "support/text.h"

namespace edict::compiler {
namespace {

namespace fmtx = runtime::format;
using fmtx::Instr;
using fmtx::Op;
using fmtx::Root;
using Kind = Type::Kind;
using ast::ExprKind;


// ---- writing -----------------------------------------------------------------
class TableWriter {
 public:
  uint32_t str(std::string_view s) {
    auto it = strings_.find(s);
    if (it != strings_.end()) return it->second;
    const auto id = static_cast<uint32_t>(string_index_.size() / 2);
    string_index_.push_back(static_cast<uint32_t>(string_data_.size()));
    string_index_.push_back(static_cast<uint32_t>(s.size()));
    string_data_.insert(string_data_.end(), s.begin(), s.end());
    strings_.emplace(std::string(s), id);
    return id;
  }

  void set_words(uint32_t words) {
    words_ = words;
    bitset(std::vector<uint64_t>(words, 0));  // bitset 0: all zeros
  }
  uint32_t bitset(const std::vector<uint64_t>& bits) {
    auto it = bitsets_.find(bits);
    if (it != bitsets_.end()) return it->second;
    const auto id = static_cast<uint32_t>(bitset_pool_.size() / words_);
    bitset_pool_.insert(bitset_pool_.end(), bits.begin(), bits.end());
    bitsets_.emplace(bits, id);
    return id;
  }
  uint32_t role_bitset(const std::vector<uint32_t>& roles) {
    role_bits_.assign(words_, 0);
    for (uint32_t r : roles) role_bits_[r / 64] |= uint64_t{1} << (r % 64);
    return bitset(role_bits_);
  }

  template <typename T>
  void section(fmtx::SectionKind kind, const std::vector<T>& items) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<std::byte> bytes(items.size() * sizeof(T));
    if (!items.empty()) std::memcpy(bytes.data(), items.data(), bytes.size());
    sections_.push_back({kind, std::move(bytes), static_cast<uint32_t>(items.size())});
  }

  void finish_strings() {
    section(fmtx::SectionKind::kStringIndex, string_index_);
    section(fmtx::SectionKind::kStringData, string_data_);
    sections_.back().count = static_cast<uint32_t>(string_data_.size());
    sections_[sections_.size() - 2].count = static_cast<uint32_t>(string_index_.size() / 2);
  }
  void finish_bitsets() { section(fmtx::SectionKind::kBitsets, bitset_pool_); }

  std::vector<std::byte> serialize(uint64_t policy_hash, uint32_t flags) const {
    auto align8 = [](size_t n) { return (n + 7) & ~size_t{7}; };
    const size_t table_at = sizeof(fmtx::Header);
    size_t at = align8(table_at + sections_.size() * sizeof(fmtx::SectionEntry));
    std::vector<fmtx::SectionEntry> entries;
    for (const auto& s : sections_) {
      entries.push_back({static_cast<uint32_t>(s.kind), static_cast<uint32_t>(at),
                         static_cast<uint32_t>(s.bytes.size()), s.count});
      at = align8(at + s.bytes.size());
    }
    std::vector<std::byte> out(at, std::byte{0});
    fmtx::Header h{};
    std::memcpy(h.magic, fmtx::kMagic, sizeof h.magic);
    h.major = fmtx::kFormatMajor;
    h.minor = fmtx::kFormatMinor;
    h.header_size = sizeof(fmtx::Header);
    h.file_size = static_cast<uint32_t>(out.size());
    h.section_count = static_cast<uint32_t>(entries.size());
    h.section_table = static_cast<uint32_t>(table_at);
    h.policy_hash = policy_hash;
    h.flags = flags;
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + table_at, entries.data(), entries.size() * sizeof(fmtx::SectionEntry));
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (!sections_[i].bytes.empty()) {
        std::memcpy(out.data() + entries[i].offset, sections_[i].bytes.data(), sections_[i].bytes.size());
      }
    }
    fmtx::store_checksum(out);
    return out;
  }

 private:
  struct Section {
    fmtx::SectionKind kind;
    std::vector<std::byte> bytes;
    uint32_t count;
  };
  // Hashed: lowering 10,000 rules interns some 33,000 strings (names, rule and
  // condition texts) and 9,000 role bitsets of 40 words, and in ordered maps
  // the key comparisons down each tree were a third of lowering. Ids follow
  // first insertion, so the bytes do not depend on the maps' order (neither is
  // iterated).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct WordsHash {
    size_t operator()(const std::vector<uint64_t>& words) const {
      return std::hash<std::string_view>{}(
          std::string_view(reinterpret_cast<const char*>(words.data()), words.size() * sizeof(uint64_t)));
    }
  };
  std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> strings_;
  std::vector<uint32_t> string_index_;
  std::vector<char> string_data_;
  uint32_t words_ = 1;
  std::unordered_map<std::vector<uint64_t>, uint32_t, WordsHash> bitsets_;
  std::vector<uint64_t> role_bits_;  // role_bitset()'s working copy
  std::vector<uint64_t> bitset_pool_;
  std::vector<Section> sections_;
};

// ---- attribute slots -----------------------------------------------------------
struct Slot {
  uint32_t index = 0;
  Type type;
};

struct Slots {
  std::vector<std::pair<std::string, Type>> principal, resource, context;

  static std::optional<Slot> find(const std::vector<std::pair<std::string, Type>>& v, std::string_view name) {
    for (uint32_t i = 0; i < v.size(); ++i) {
      if (v[i].first == name) return Slot{i, v[i].second};
    }
    return std::nullopt;
  }
  std::optional<Slot> find(ast::Root root, std::string_view name) const {
    switch (root) {
      case ast::Root::kPrincipal: return find(principal, name);
      case ast::Root::kResource: return find(resource, name);
      case ast::Root::kContext: return find(context, name);
    }
    return std::nullopt;
  }
};

Root to_root(ast::Root r) {
  return r == ast::Root::kPrincipal ? Root::kPrincipal : r == ast::Root::kResource ? Root::kResource : Root::kContext;
}

fmtx::Cmp to_cmp(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::kEq: return fmtx::Cmp::kEq;
    case ast::CmpOp::kNe: return fmtx::Cmp::kNe;
    case ast::CmpOp::kLt: return fmtx::Cmp::kLt;
    case ast::CmpOp::kLe: return fmtx::Cmp::kLe;
    case ast::CmpOp::kGt: return fmtx::Cmp::kGt;
    case ast::CmpOp::kGe: return fmtx::Cmp::kGe;
  }
  return fmtx::Cmp::kEq;
}

// `5 < x` is `x > 5`.
fmtx::Cmp flip(fmtx::Cmp c) {
  switch (c) {
    case fmtx::Cmp::kLt: return fmtx::Cmp::kGt;
    case fmtx::Cmp::kLe: return fmtx::Cmp::kGe;
    case fmtx::Cmp::kGt: return fmtx::Cmp::kLt;
    case fmtx::Cmp::kGe: return fmtx::Cmp::kLe;
    default: return c;
  }
}

// ---- conditions ------------------------------------------------------------------
// An operand of a comparison or membership test.
struct Operand {
  enum class What : uint8_t { kAttr, kPrincipal, kConst, kList } what = What::kConst;
  Root root = Root::kPrincipal;
  uint32_t slot = 0;
  Type type;
  int64_t value = 0;             // kConst: int, bool, enum index, role id, or string id
  std::string text;              // kConst strings, for folding
  std::vector<int64_t> list;     // kList
};

class CondCompiler {
 public:
  CondCompiler(const Policy& p, const Slots& slots, TableWriter& w, const SourceMap& sources, bool debug,
               std::vector<Instr>& code, std::vector<uint32_t>& instr_text, std::vector<int64_t>& pool,
               Diagnostics& diags)
      : p_(p), slots_(slots), w_(w), sources_(sources), debug_(debug), code_(code), instr_text_(instr_text),
        pool_(pool), diags_(diags) {}

  // Appends the program for `when C unless D` and returns its (first, count).
  std::pair<uint32_t, uint32_t> compile(const ast::Expr* when, const ast::Expr* unless) {
    const auto first = static_cast<uint32_t>(code_.size());
    if (when == nullptr && unless == nullptr) return {first, 0};
    if (when) expr(*when);
    if (unless) {
      expr(*unless);
      emit({static_cast<uint8_t>(Op::kNot), 0, 0, 0, 0, 0, 0}, nullptr);
      if (when) emit({static_cast<uint8_t>(Op::kAnd), 0, 0, 0, 0, 0, 0}, nullptr);
    }
    return {first, static_cast<uint32_t>(code_.size()) - first};
  }

 private:
  void emit(Instr i, const ast::Expr* source) {
    code_.push_back(i);
    // Source text is debug information: without it the table carries none.
    instr_text_.push_back(source && debug_ ? w_.str(text_of(source->span)) : fmtx::kNone);
  }
  std::string text_of(Span s) const {
    return truncate_utf8(sources_.file(s.file).text().substr(s.begin, s.end - s.begin), 200);
  }
  void fail(const ast::Expr& e, const std::string& what) {
    diags_.error("E0399", e.span, "internal error: cannot compile this condition: " + what);
    emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, 0, 0, 0}, &e);
  }

  Type principal_type(std::string_view name) const {
    if (auto s = slots_.find(ast::Root::kPrincipal, name)) return s->type;
    return {};
  }

  Operand operand(const ast::Expr& e, const Type* expected) {
    Operand o;
    switch (e.kind) {
      case ExprKind::kPath: {
        if (e.name.text.empty()) {
          o.what = Operand::What::kPrincipal;
          o.type = {Kind::kEntity, p_.user_entity};
          return o;
        }
        const auto slot = slots_.find(e.root, e.name.text);
        if (!slot) return o;  // unreachable after check
        o.what = Operand::What::kAttr;
        o.root = to_root(e.root);
        o.slot = slot->index;
        o.type = slot->type;
        return o;
      }
      case ExprKind::kBool: o.type = {Kind::kBool}; o.value = e.bool_value; return o;
      case ExprKind::kInt: o.type = {Kind::kInt}; o.value = e.int_value; return o;
      case ExprKind::kString:
        o.type = {Kind::kString};
        o.text = e.text;
        o.value = w_.str(e.text);
        return o;
      case ExprKind::kQualified: {
        for (uint32_t i = 0; i < p_.enums.size(); ++i) {
          if (p_.enums[i].name != e.qualifier.text) continue;
          const auto& v = p_.enums[i].values;
          o.type = {Kind::kEnum, i};
          o.value = std::find(v.begin(), v.end(), e.name.text) - v.begin();
        }
        return o;
      }
      case ExprKind::kName: {
        if (expected == nullptr) return o;
        o.type = expected->element();
        if (o.type.kind == Kind::kEnum) {
          const auto& v = p_.enums[o.type.id].values;
          o.value = std::find(v.begin(), v.end(), e.name.text) - v.begin();
        } else if (o.type.kind == Kind::kRole) {
          for (uint32_t r = 0; r < p_.roles.size(); ++r) {
            if (p_.roles[r].name == e.name.text) o.value = r;
          }
        }
        return o;
      }
      case ExprKind::kSetLit: {
        o.what = Operand::What::kList;
        const Type want = expected ? expected->element() : Type{};
        for (const auto& c : e.children) {
          Operand item = operand(*c, &want);
          o.list.push_back(item.value);
        }
        o.type = want;
        o.type.set = true;
        return o;
      }
      default: return o;
    }
  }

  static bool needs_context(const ast::Expr& e) { return e.kind == ExprKind::kName || e.kind == ExprKind::kSetLit; }

  static uint32_t lo(int64_t v) { return static_cast<uint32_t>(static_cast<uint64_t>(v) & 0xFFFFFFFFu); }
  static uint32_t hi(int64_t v) { return static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32); }

  static bool is_condition(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kNot:
      case ExprKind::kAnd:
      case ExprKind::kOr:
      case ExprKind::kCompare:
      case ExprKind::kIn:
      case ExprKind::kHas:
      case ExprKind::kIs: return true;
      default: return false;
    }
  }

  void compare(const ast::Expr& e) {
    const ast::Expr& l = *e.children[0];
    const ast::Expr& r = *e.children[1];
    // A condition compared with a bool (`(principal is admin) == false`): both
    // sides are truth values; compare them as such.
    if (is_condition(l) || is_condition(r)) {
      expr(l);
      expr(r);
      const auto op = e.op == ast::CmpOp::kEq ? Op::kEqual : Op::kNotEqual;
      emit({static_cast<uint8_t>(op), 0, 0, 0, 0, 0, 0}, &e);
      return;
    }
    Operand a, b;
    if (needs_context(l) && !needs_context(r)) {
      b = operand(r, nullptr);
      a = operand(l, &b.type);
    } else {
      a = operand(l, nullptr);
      b = operand(r, &a.type);
    }
    fmtx::Cmp cmp = to_cmp(e.op);
    using W = Operand::What;
    if (a.what == W::kConst && b.what == W::kConst) {
      emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, fold(cmp, a, b) ? 1u : 0u, 0, 0}, &e);
      return;
    }
    if (a.what == W::kConst) {
      std::swap(a, b);
      cmp = flip(cmp);
    }
    if (a.what == W::kPrincipal && b.what == W::kPrincipal) {
      emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, cmp == fmtx::Cmp::kEq ? 1u : 0u, 0, 0}, &e);
      return;
    }
    if (a.what == W::kPrincipal) std::swap(a, b);
    if (a.what != W::kAttr) return fail(e, "comparison operands");
    if (b.what == W::kPrincipal) {
      emit({static_cast<uint8_t>(Op::kCmpPrincipal), static_cast<uint8_t>(cmp), static_cast<uint8_t>(a.root), 0,
            a.slot, 0, 0},
           &e);
    } else if (b.what == W::kAttr) {
      emit({static_cast<uint8_t>(Op::kCmpAttr), static_cast<uint8_t>(cmp), static_cast<uint8_t>(a.root),
            static_cast<uint8_t>(b.root), a.slot, b.slot, 0},
           &e);
    } else {
      emit({static_cast<uint8_t>(Op::kCmpConst), static_cast<uint8_t>(cmp), static_cast<uint8_t>(a.root), 0, a.slot,
            lo(b.value), hi(b.value)},
           &e);
    }
  }

  // Comparison of two constants, decided now (`1 < 2`, `active == active`).
  bool fold(fmtx::Cmp cmp, const Operand& a, const Operand& b) const {
    int c = 0;
    if (a.type.kind == Kind::kString) {
      c = a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
    } else if (a.type.kind == Kind::kRole && cmp != fmtx::Cmp::kEq && cmp != fmtx::Cmp::kNe) {
      const auto ra = p_.roles[static_cast<size_t>(a.value)].rank, rb = p_.roles[static_cast<size_t>(b.value)].rank;
      if (!ra || !rb) return false;  // checked: both are on the ladder
      c = *ra < *rb ? -1 : *ra > *rb ? 1 : 0;
    } else {
      c = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    }
    switch (cmp) {
      case fmtx::Cmp::kEq: return c == 0;
      case fmtx::Cmp::kNe: return c != 0;
      case fmtx::Cmp::kLt: return c < 0;
      case fmtx::Cmp::kLe: return c <= 0;
      case fmtx::Cmp::kGt: return c > 0;
      case fmtx::Cmp::kGe: return c >= 0;
    }
    return false;
  }

  void membership(const ast::Expr& e) {
    const ast::Expr& l = *e.children[0];
    const ast::Expr& r = *e.children[1];
    using W = Operand::What;
    if (r.kind == ExprKind::kSetLit) {
      Operand a = operand(l, nullptr);
      Operand list = operand(r, &a.type);
      if (a.what == W::kConst) {
        const bool in = std::find(list.list.begin(), list.list.end(), a.value) != list.list.end();
        emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, in ? 1u : 0u, 0, 0}, &e);
        return;
      }
      if (a.what != W::kAttr) return fail(e, "`in` operand");
      const auto first = static_cast<uint32_t>(pool_.size());
      pool_.insert(pool_.end(), list.list.begin(), list.list.end());
      emit({static_cast<uint8_t>(Op::kInConst), 0, static_cast<uint8_t>(a.root), 0, a.slot, first,
            static_cast<uint32_t>(list.list.size())},
           &e);
      return;
    }
    Operand set = operand(r, nullptr);
    if (set.what != W::kAttr) return fail(e, "`in` set");
    const Type elem = set.type.element();
    Operand a = operand(l, &elem);
    if (a.what == W::kAttr) {
      emit({static_cast<uint8_t>(Op::kInAttr), 0, static_cast<uint8_t>(a.root), static_cast<uint8_t>(set.root),
            a.slot, set.slot, 0},
           &e);
    } else if (a.what == W::kPrincipal) {
      emit({static_cast<uint8_t>(Op::kPrincipalIn), 0, 0, static_cast<uint8_t>(set.root), 0, set.slot, 0}, &e);
    } else {
      emit({static_cast<uint8_t>(Op::kConstIn), 0, static_cast<uint8_t>(set.root), 0, set.slot, lo(a.value),
            hi(a.value)},
           &e);
    }
  }

  void expr(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kBool:
        emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, e.bool_value ? 1u : 0u, 0, 0}, &e);
        return;
      case ExprKind::kNot:
        expr(*e.children[0]);
        emit({static_cast<uint8_t>(Op::kNot), 0, 0, 0, 0, 0, 0}, nullptr);
        return;
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        // Binary combinations as operands arrive keep the stack at most two deep
        // per nesting level, however long the chain.
        const auto op = static_cast<uint8_t>(e.kind == ExprKind::kAnd ? Op::kAnd : Op::kOr);
        expr(*e.children[0]);
        for (size_t i = 1; i < e.children.size(); ++i) {
          expr(*e.children[i]);
          emit({op, 0, 0, 0, 0, 0, 0}, nullptr);
        }
        return;
      }
      case ExprKind::kCompare: compare(e); return;
      case ExprKind::kIn: membership(e); return;
      case ExprKind::kHas: {
        const ast::Expr& subject = *e.children[0];
        const auto slot = slots_.find(subject.root, e.name.text);
        if (!slot) {  // no resource type of the policy has it: never present
          emit({static_cast<uint8_t>(Op::kConst), 0, 0, 0, 0, 0, 0}, &e);
          return;
        }
        emit({static_cast<uint8_t>(Op::kHas), 0, static_cast<uint8_t>(to_root(subject.root)), 0, slot->index, 0, 0},
             &e);
        return;
      }
      case ExprKind::kIs: {
        const ast::Expr& subject = *e.children[0];
        if (subject.kind == ExprKind::kPath && subject.name.text.empty() && subject.root == ast::Root::kResource) {
          const auto first = static_cast<uint32_t>(pool_.size());
          for (uint32_t r = 0; r < p_.resources.size(); ++r) {
            if (p_.resources[r].name == e.name.text) pool_.push_back(r);
          }
          for (const Category& c : p_.categories) {
            if (c.name == e.name.text) pool_.insert(pool_.end(), c.members.begin(), c.members.end());
          }
          emit({static_cast<uint8_t>(Op::kIsType), 0, 0, 0, 0, first, static_cast<uint32_t>(pool_.size()) - first},
               &e);
          return;
        }
        uint32_t role = 0;
        for (uint32_t r = 0; r < p_.roles.size(); ++r) {
          if (p_.roles[r].name == e.name.text) role = r;
        }
        if (subject.kind == ExprKind::kPath && subject.name.text.empty()) {
          emit({static_cast<uint8_t>(Op::kIsRole), 0, 0, 0, role, 0, 0}, &e);
          return;
        }
        Operand v = operand(subject, nullptr);
        if (v.what != Operand::What::kAttr) return fail(e, "`is` subject");
        emit({static_cast<uint8_t>(Op::kIsRoleAttr), 0, static_cast<uint8_t>(v.root), 0, v.slot, role, 0}, &e);
        return;
      }
      case ExprKind::kPath: {
        Operand v = operand(e, nullptr);
        if (v.what != Operand::What::kAttr) return fail(e, "condition");
        emit({static_cast<uint8_t>(Op::kTruthy), 0, static_cast<uint8_t>(v.root), 0, v.slot, 0, 0}, &e);
        return;
      }
      default: fail(e, "expression kind");
    }
  }

  const Policy& p_;
  const Slots& slots_;
  TableWriter& w_;
  const SourceMap& sources_;
  bool debug_;
  std::vector<Instr>& code_;
  std::vector<uint32_t>& instr_text_;
  std::vector<int64_t>& pool_;
  Diagnostics& diags_;
};

fmtx::AttrKind attr_kind(Kind k) {
  switch (k) {
    case Kind::kBool: return fmtx::AttrKind::kBool;
    case Kind::kInt: return fmtx::AttrKind::kInt;
    case Kind::kString: return fmtx::AttrKind::kString;
    case Kind::kEnum: return fmtx::AttrKind::kEnum;
    case Kind::kEntity: return fmtx::AttrKind::kEntity;
    case Kind::kRole: return fmtx::AttrKind::kRole;
    case Kind::kTenant: return fmtx::AttrKind::kTenant;
    case Kind::kError: break;
  }
  return fmtx::AttrKind::kBool;
}

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

Result<std::vector<std::byte>> lower(const Workspace& ws, FileId root, const Policy& p, const LowerOptions& options,
                                     Diagnostics& diags) {
  const size_t errors_before = diags.error_count();
  TableWriter w;
  const auto role_count = static_cast<uint32_t>(p.roles.size());
  if (role_count > fmtx::kMaxRoles) {
    diags.error("E0304", p.roles[fmtx::kMaxRoles].span,
                fmt::format("the policy declares {} roles; a table holds at most {}", role_count, fmtx::kMaxRoles));
    return Unexpected(SeeDiagnostics{});
  }
  const uint32_t words = std::max<uint32_t>(1, (role_count + 63) / 64);
  w.set_words(words);

  // Attribute slots. Builtins first; resource attributes share one slot per name,
  // so each name must have one type across resource types.
  Slots slots;
  slots.principal = {{"tenant", {Kind::kTenant}}, {"rank", {Kind::kRole}}};
  for (const Attribute& a : p.entities[p.user_entity].attrs) slots.principal.emplace_back(a.name, a.type);
  slots.resource = {{"tenant", {Kind::kTenant}}};
  std::map<std::string, std::pair<Type, std::string>> resource_types_seen;
  for (const ResourceType& rt : p.resources) {
    for (const Attribute& a : rt.attrs) {
      Type t = a.type;
      t.optional = false;
      auto [it, fresh] = resource_types_seen.emplace(a.name, std::make_pair(t, rt.name));
      if (fresh) {
        slots.resource.emplace_back(a.name, t);
      } else if (!it->second.first.same_value_type(t)) {
        diags.error("E0301", a.span,
                    fmt::format("attribute `{}` has a different type here than on `{}`", a.name, it->second.second))
            .help = "requests carry one value per attribute name: give it one type on every resource type";
      }
    }
  }
  for (const Attribute& a : p.context) slots.context.emplace_back(a.name, a.type);

  std::vector<fmtx::Attr> attrs;
  auto add_attrs = [&](const std::vector<std::pair<std::string, Type>>& v, Root attr_root) {
    for (const auto& [name, t] : v) {
      attrs.push_back({w.str(name), static_cast<uint8_t>(attr_root), static_cast<uint8_t>(attr_kind(t.kind)),
                       static_cast<uint8_t>(t.set ? 1 : 0), 0, t.kind == Kind::kEnum ? t.id : fmtx::kNone});
    }
  };
  add_attrs(slots.principal, Root::kPrincipal);
  add_attrs(slots.resource, Root::kResource);
  add_attrs(slots.context, Root::kContext);

  // Roles.
  std::vector<fmtx::Role> roles;
  for (const Role& r : p.roles) {
    roles.push_back({w.str(r.name), r.rank ? *r.rank : fmtx::kNone, w.role_bitset(r.ancestors), r.superadmin ? 1u : 0u});
  }

  // Enums.
  std::vector<fmtx::Enum> enums;
  std::vector<uint32_t> enum_values;
  for (const EnumType& e : p.enums) {
    enums.push_back({w.str(e.name), static_cast<uint32_t>(enum_values.size()), static_cast<uint32_t>(e.values.size())});
    for (const std::string& v : e.values) enum_values.push_back(w.str(v));
  }
  std::vector<fmtx::Name> actions, resources;
  for (const Action& a : p.actions) actions.push_back({w.str(a.name)});
  for (const ResourceType& r : p.resources) resources.push_back({w.str(r.name)});

  // Obligation instances.
  std::vector<fmtx::Obligation> obligations;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> instance_of;  // (obligation, arg or kNone)
  for (uint32_t o = 0; o < p.obligations.size(); ++o) {
    if (p.obligations[o].params.empty()) {
      instance_of[{o, fmtx::kNone}] = static_cast<uint32_t>(obligations.size());
      obligations.push_back({w.str(p.obligations[o].name), fmtx::kNone});
    }
    for (uint32_t a = 0; a < p.obligations[o].params.size(); ++a) {
      instance_of[{o, a}] = static_cast<uint32_t>(obligations.size());
      obligations.push_back({w.str(p.obligations[o].name), w.str(p.obligations[o].params[a])});
    }
  }
  if (obligations.size() > fmtx::kMaxObligationInstances) {
    diags.error("E0302", p.obligations.back().span,
                fmt::format("the policy has {} obligation instances; a table holds at most {}", obligations.size(),
                            fmtx::kMaxObligationInstances));
  }

  // Rules, plus the superadmin's implicit grant as a last, synthetic rule.
  const SourceMap& sources = ws.sources;
  std::vector<fmtx::Rule> rules;
  std::vector<uint64_t> rule_masks;
  for (const Rule& r : p.rules) {
    uint64_t mask = 0;
    for (const ObligationRef& o : r.obligations) {
      if (o.args.empty()) {
        if (auto it = instance_of.find({o.obligation, fmtx::kNone}); it != instance_of.end() && it->second < 64) {
          mask |= uint64_t{1} << it->second;
        }
      }
      for (uint32_t a : o.args) {
        if (auto it = instance_of.find({o.obligation, a}); it != instance_of.end() && it->second < 64) {
          mask |= uint64_t{1} << it->second;
        }
      }
    }
    rule_masks.push_back(mask);
    rules.push_back({w.str(r.name), static_cast<uint8_t>(r.effect == ast::Effect::kGrant ? 1 : 0), {0, 0, 0}, mask});
  }
  const auto superadmin_rule = static_cast<uint32_t>(rules.size());
  if (p.superadmin) {
    rules.push_back({w.str(fmt::format("superadmin `{}`", p.roles[*p.superadmin].name)), 1, {0, 0, 0}, 0});
  }

  // Condition programs, one per rule (slots are per name, so one program serves
  // every resource type of the rule).
  std::vector<Instr> code;
  std::vector<uint32_t> instr_text;
  std::vector<int64_t> pool;
  CondCompiler cc(p, slots, w, sources, options.debug_info, code, instr_text, pool, diags);
  std::vector<std::pair<uint32_t, uint32_t>> programs;
  for (const Rule& r : p.rules) programs.push_back(cc.compile(r.when, r.unless));

  // Cells.
  const auto action_count = static_cast<uint32_t>(p.actions.size());
  const auto resource_count = static_cast<uint32_t>(p.resources.size());
  std::vector<std::vector<uint32_t>> rules_of_cell(static_cast<size_t>(action_count) * resource_count);
  for (uint32_t ri = 0; ri < p.rules.size(); ++ri) {
    for (auto [a, r] : p.rules[ri].pairs) rules_of_cell[static_cast<size_t>(a) * resource_count + r].push_back(ri);
  }
  std::vector<fmtx::Cell> cells;
  std::vector<fmtx::RoleRule> role_rules;
  std::vector<fmtx::CondRule> cond_rules;
  for (uint32_t a = 0; a < action_count; ++a) {
    for (uint32_t r = 0; r < resource_count; ++r) {
      std::map<uint32_t, uint32_t> grant_of_role, forbid_of_role;  // role -> lowest rule
      uint32_t forbid_all = fmtx::kNone;
      std::vector<fmtx::CondRule> cond_forbids, cond_grants;
      for (uint32_t ri : rules_of_cell[static_cast<size_t>(a) * resource_count + r]) {
        const Rule& rule = p.rules[ri];
        const bool grant = rule.effect == ast::Effect::kGrant;
        const bool conditional = programs[ri].second > 0;
        if (!conditional && !grant && rule.roles.empty()) {
          forbid_all = std::min(forbid_all, ri);
        } else if (!conditional && (!grant || rule_masks[ri] == 0)) {
          for (uint32_t role : rule.roles) {
            auto& m = grant ? grant_of_role : forbid_of_role;
            auto [it, fresh] = m.emplace(role, ri);
            if (!fresh) it->second = std::min(it->second, ri);
          }
        } else {
          fmtx::CondRule c{};
          c.rule = ri;
          c.effect = grant ? 1 : 0;
          c.all_roles = rule.roles.empty() ? 1 : 0;
          c.role_bits = w.role_bitset(rule.roles);
          c.code_first = programs[ri].first;
          c.code_count = programs[ri].second;
          c.obligations = grant ? rule_masks[ri] : 0;
          (grant ? cond_grants : cond_forbids).push_back(c);
        }
      }
      const auto& supported = p.resources[r].actions;
      if (p.superadmin && std::binary_search(supported.begin(), supported.end(), a)) {
        grant_of_role.emplace(*p.superadmin, superadmin_rule);  // a real grant of lower index stays
      }
      fmtx::Cell cell{};
      std::vector<uint32_t> gr, fr;
      for (auto [role, rule] : grant_of_role) gr.push_back(role);
      for (auto [role, rule] : forbid_of_role) fr.push_back(role);
      cell.grant_bits = w.role_bitset(gr);
      cell.forbid_bits = w.role_bitset(fr);
      cell.grant_first = static_cast<uint32_t>(role_rules.size());
      for (auto [role, rule] : grant_of_role) role_rules.push_back({role, rule});
      cell.grant_count = static_cast<uint32_t>(grant_of_role.size());
      cell.forbid_first = static_cast<uint32_t>(role_rules.size());
      for (auto [role, rule] : forbid_of_role) role_rules.push_back({role, rule});
      cell.forbid_count = static_cast<uint32_t>(forbid_of_role.size());
      cell.cond_first = static_cast<uint32_t>(cond_rules.size());
      cond_rules.insert(cond_rules.end(), cond_forbids.begin(), cond_forbids.end());
      cond_rules.insert(cond_rules.end(), cond_grants.begin(), cond_grants.end());
      cell.cond_count = static_cast<uint32_t>(cond_forbids.size() + cond_grants.size());
      cell.forbid_all_rule = forbid_all;
      cells.push_back(cell);
    }
  }

  // Catalogs.
  std::vector<fmtx::Catalog> catalogs;
  std::vector<fmtx::CatalogEntry> entries;
  for (const Catalog& c : p.catalogs) {
    std::vector<fmtx::CatalogEntry> mine;
    for (const CatalogEntry& e : c.entries) {
      const auto program = cc.compile(e.when, nullptr);
      for (auto [a, r] : e.pairs) mine.push_back({a, r, program.first, program.second});
    }
    std::stable_sort(mine.begin(), mine.end(), [](const fmtx::CatalogEntry& x, const fmtx::CatalogEntry& y) {
      return std::tie(x.action, x.resource) < std::tie(y.action, y.resource);
    });
    catalogs.push_back({w.str(c.name), w.role_bitset(c.holders), static_cast<uint32_t>(entries.size()),
                        static_cast<uint32_t>(mine.size())});
    entries.insert(entries.end(), mine.begin(), mine.end());
  }

  // Debug: where each rule is, and its text.
  std::vector<fmtx::DebugRule> debug_rules;
  if (options.debug_info) {
    for (const Rule& r : p.rules) {
      const SourceFile& f = sources.file(r.span.file);
      const LineCol at = f.line_col(r.span.begin);
      std::string_view text = f.text().substr(r.span.begin, r.span.end - r.span.begin);
      debug_rules.push_back({w.str(f.name()), at.line, at.column, w.str(truncate_utf8(text, 2000))});
    }
    if (p.superadmin) {
      const Role& sa = p.roles[*p.superadmin];
      const SourceFile& f = sources.file(sa.span.file);
      const LineCol at = f.line_col(sa.span.begin);
      debug_rules.push_back({w.str(f.name()), at.line, at.column, w.str("superadmin role " + sa.name)});
    }
  }

  if (diags.error_count() > errors_before) return Unexpected(SeeDiagnostics{});

  fmtx::Meta meta{};
  meta.role_count = role_count;
  meta.action_count = action_count;
  meta.resource_count = resource_count;
  meta.words = words;
  meta.principal_attrs = static_cast<uint32_t>(slots.principal.size());
  meta.resource_attrs = static_cast<uint32_t>(slots.resource.size());
  meta.context_attrs = static_cast<uint32_t>(slots.context.size());
  meta.enum_count = static_cast<uint32_t>(enums.size());
  meta.rule_count = static_cast<uint32_t>(rules.size());
  meta.obligation_count = static_cast<uint32_t>(obligations.size());
  meta.catalog_count = static_cast<uint32_t>(catalogs.size());
  meta.superadmin = p.superadmin ? *p.superadmin : fmtx::kNone;

  using SK = fmtx::SectionKind;
  w.section(SK::kMeta, std::vector<fmtx::Meta>{meta});
  w.section(SK::kRoles, roles);
  w.section(SK::kActions, actions);
  w.section(SK::kResources, resources);
  w.section(SK::kAttrs, attrs);
  w.section(SK::kEnums, enums);
  w.section(SK::kEnumValues, enum_values);
  w.section(SK::kCells, cells);
  w.section(SK::kRoleRules, role_rules);
  w.section(SK::kCondRules, cond_rules);
  w.section(SK::kCode, code);
  w.section(SK::kPool, pool);
  w.section(SK::kRules, rules);
  w.section(SK::kObligations, obligations);
  w.section(SK::kCatalogs, catalogs);
  w.section(SK::kCatalogEntries, entries);
  if (options.debug_info) {
    w.section(SK::kDebugRules, debug_rules);
    w.section(SK::kDebugInstrs, instr_text);
  }
  w.finish_bitsets();
  w.finish_strings();

  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (FileId f : ws.closure(root)) hash = fnv1a(hash, sources.file(f).text());
  return w.serialize(hash, options.debug_info ? 1u : 0u);
}

Result<std::vector<std::byte>> compile_files(const std::vector<std::string>& paths, const LowerOptions& options,
                                             Diagnostics& diags, Workspace& ws, std::optional<Policy>* checked) {
  ws = load(paths, diags);
  if (!ws.io_errors.empty() || ws.roots.size() != 1) {
    if (ws.io_errors.empty() && ws.roots.size() > 1) {
      diags.error("E0303", {ws.roots[1], 0, 0},
                  fmt::format("{} separate policies given; compile takes one (a root file and what it includes)",
                              ws.roots.size()));
    }
    return Unexpected(SeeDiagnostics{});
  }
  auto policy = check(ws, ws.roots[0], diags);
  if (!policy) return Unexpected(SeeDiagnostics{});
  auto bytes = lower(ws, ws.roots[0], *policy, options, diags);
  if (checked != nullptr) *checked = std::move(*policy);
  return bytes;
}

}  // namespace edict::compiler
