// runtime/format/table_format.h: the .edictc decision-table format, version 1.
//
// The one header shared by the writer (compiler/lower.cc) and the reader
// (runtime/table.cc); std only, so the compiler can write tables without
// depending on the runtime and the runtime can read them without the compiler.
// docs/table-format.md is the prose specification; this header is normative.
//
// Layout: a 64-byte Header, a section table (SectionEntry[section_count]), then
// the sections, each 8-byte aligned. Everything is little-endian with fixed
// widths; references are indices or byte offsets, never pointers, so a table can
// be mapped from disk as is. `checksum` is CRC-32 (the zlib/PNG polynomial) of the
// whole file with the checksum field itself read as zero; CRC-32 detects every
// single-bit error (tests/runtime_test.cc flips every bit of a table to check).
//
// INVARIANT (checked by the loader, relied on by the evaluator): every index in
// every record of every section is in range, every (first, count) range lies
// inside its target section, role rules and catalog entries are sorted as stated
// below, and every condition program a rule or catalog entry points at is a
// well-formed postfix program whose stack stays within [1, kMaxStack] and ends
// with exactly one value. Byte order is little-endian; this header, read and
// written with memcpy of host structs, refuses to build elsewhere.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace edict::runtime::format {

static_assert(std::endian::native == std::endian::little, "the .edictc format is little-endian");

inline constexpr char kMagic[8] = {'E', 'D', 'C', 'T', '\r', '\n', '\x1a', '\n'};  // catches text-mode damage
inline constexpr uint16_t kFormatMajor = 1;  // a reader must match it exactly
inline constexpr uint16_t kFormatMinor = 0;  // meaning given to reserved fields or flag bits only;
                                             // a new section kind or record layout is a major bump
inline constexpr uint32_t kMaxTableBytes = 256u << 20;
inline constexpr uint32_t kMaxStack = 1024;   // condition program stack bound
inline constexpr uint32_t kNone = UINT32_MAX;  // "no index" in any u32 field
inline constexpr uint32_t kMaxObligationInstances = 64;  // one bit each in Decision
inline constexpr uint32_t kMaxRoles = 4096;  // the evaluator keeps a role bitset on its stack

struct Header {
  char magic[8];
  uint16_t major;
  uint16_t minor;
  uint32_t header_size;    // sizeof(Header)
  uint32_t file_size;      // the whole file
  uint32_t checksum;       // CRC-32 of the file with this field as zero
  uint32_t section_count;
  uint32_t section_table;  // byte offset of SectionEntry[section_count]
  uint64_t policy_hash;    // FNV-1a 64 of the policy's source texts, in reading order
  uint32_t flags;          // bit 0: has debug sections
  uint32_t reserved[5];
};
static_assert(sizeof(Header) == 64);
inline constexpr uint32_t kChecksumOffset = 20;  // offsetof(Header, checksum)

enum class SectionKind : uint32_t {
  kMeta = 1,        // Meta[1]
  kStringIndex,     // uint32_t[2 * n]: (offset, length) into kStringData
  kStringData,      // char[]: UTF-8, not NUL-terminated
  kRoles,           // Role[role_count]
  kActions,         // Name[action_count]
  kResources,       // Name[resource_count]
  kAttrs,           // Attr[principal_attrs + resource_attrs + context_attrs], in that order
  kEnums,           // Enum[enum_count]
  kEnumValues,      // uint32_t[]: string ids of enum value names
  kCells,           // Cell[action_count * resource_count], row-major by action
  kBitsets,         // uint64_t[words * n]: role bitsets; bitset 0 is all zeros
  kRoleRules,       // RoleRule[]: unconditional grants/forbids, sorted by role within a cell
  kCondRules,       // CondRule[]
  kCode,            // Instr[]
  kPool,            // int64_t[]: constant lists (in_const, is_type)
  kRules,           // Rule[rule_count]
  kObligations,     // Obligation[obligation_count]: obligation instances
  kCatalogs,        // Catalog[catalog_count]
  kCatalogEntries,  // CatalogEntry[]
  kDebugRules,      // DebugRule[rule_count] (optional)
  kDebugInstrs,     // uint32_t[code size]: string id of each instruction's source text (optional)
};
inline constexpr uint32_t kSectionKindCount = 21;

struct SectionEntry {
  uint32_t kind;    // SectionKind
  uint32_t offset;  // byte offset, 8-aligned
  uint32_t size;    // bytes
  uint32_t count;   // elements
};
static_assert(sizeof(SectionEntry) == 16);

struct Meta {
  uint32_t role_count;
  uint32_t action_count;
  uint32_t resource_count;
  uint32_t words;             // uint64 words per role bitset: ceil(role_count / 64), at least 1
  uint32_t principal_attrs;   // slots 0 (tenant) and 1 (rank) are built in
  uint32_t resource_attrs;    // slot 0 (tenant) is built in
  uint32_t context_attrs;
  uint32_t enum_count;
  uint32_t rule_count;
  uint32_t obligation_count;  // obligation instances, at most kMaxObligationInstances
  uint32_t catalog_count;
  uint32_t superadmin;        // role id, or kNone
  uint32_t reserved[4];
};
static_assert(sizeof(Meta) == 64);

struct Name {
  uint32_t name;  // string id
};

struct Role {
  uint32_t name;     // string id
  uint32_t rank;     // position on the rank ladder (0 = lowest), or kNone
  uint32_t implied;  // bitset: the roles holding this one gives (itself and what it extends)
  uint32_t flags;    // bit 0: super-administrator
};

enum class Root : uint8_t { kPrincipal = 0, kResource = 1, kContext = 2 };
inline constexpr uint32_t kPrincipalTenantSlot = 0;
inline constexpr uint32_t kPrincipalRankSlot = 1;
inline constexpr uint32_t kResourceTenantSlot = 0;

enum class AttrKind : uint8_t { kBool = 1, kInt, kString, kEnum, kEntity, kRole, kTenant };

struct Attr {
  uint32_t name;     // string id
  uint8_t root;      // Root
  uint8_t kind;      // AttrKind of the value (of each element for sets)
  uint8_t set;       // 1: a set of `kind`
  uint8_t reserved;
  uint32_t enum_id;  // kEnum: index into kEnums; else kNone
};
static_assert(sizeof(Attr) == 12);

struct Enum {
  uint32_t name;
  uint32_t first_value;  // into kEnumValues
  uint32_t value_count;
};

// The rules of one (action, resource type) pair. Role-only decisions are a few
// bit tests: holding any role in grant_bits allows, unless a forbid applies.
struct Cell {
  uint32_t grant_bits;       // bitset: roles with an unconditional grant (superadmin included)
  uint32_t forbid_bits;      // bitset: roles with an unconditional forbid
  uint32_t grant_first;      // RoleRule range: which rule granted each role
  uint32_t grant_count;
  uint32_t forbid_first;     // RoleRule range: which rule forbade each role
  uint32_t forbid_count;
  uint32_t cond_first;       // CondRule range: conditional rules, forbids first
  uint32_t cond_count;
  uint32_t forbid_all_rule;  // an unconditional forbid for every principal, or kNone
  uint32_t reserved;
};
static_assert(sizeof(Cell) == 40);

struct RoleRule {
  uint32_t role;
  uint32_t rule;
};

// A rule that needs more than the principal's roles: a condition, or
// obligations (grants with obligations are kept apart so the decision can
// intersect them).
struct CondRule {
  uint32_t rule;
  uint8_t effect;     // 0 forbid, 1 grant
  uint8_t all_roles;  // 1: applies to every principal (forbids without roles)
  uint16_t reserved;
  uint32_t role_bits;   // bitset, when !all_roles
  uint32_t code_first;  // condition program; code_count 0 = always applies
  uint32_t code_count;
  uint32_t reserved2;
  uint64_t obligations;  // grants: bit i = obligation instance i
};
static_assert(sizeof(CondRule) == 32);

enum class Cmp : uint8_t { kEq = 0, kNe, kLt, kLe, kGt, kGe };

// Condition programs are postfix over three-valued truth (false, true, error):
// leaves push one value, `not` maps one, `and`/`or` combine two (Kleene logic, so
// the order of operands never matters and a false guard makes an unguarded read
// harmless: false && error = false). A program's result must be true for its
// rule to apply; error counts as "applies" for a forbid and "does not" for a grant.
//
// Operands: root_a/a and root_b/b name attribute slots; b/c carry constants.
// clang-format off
#define EDICT_OPS(X)                                                                           \
  X(kConst,        "const")         /* push a (0 or 1)                                     */ \
  X(kHas,          "has")           /* push: attribute (root_a, a) is present               */ \
  X(kTruthy,       "truthy")        /* push: bool attribute (root_a, a) is true             */ \
  X(kCmpConst,     "cmp_const")     /* push: attr (root_a, a) <cmp> constant (b lo, c hi)   */ \
  X(kCmpAttr,      "cmp_attr")      /* push: attr (root_a, a) <cmp> attr (root_b, b)        */ \
  X(kCmpPrincipal, "cmp_principal") /* push: attr (root_a, a) ==/!= the principal           */ \
  X(kInAttr,       "in_attr")       /* push: attr (root_a, a) is in set attr (root_b, b)    */ \
  X(kInConst,      "in_const")      /* push: attr (root_a, a) is in pool[b .. b+c)          */ \
  X(kPrincipalIn,  "principal_in")  /* push: the principal is in set attr (root_b, b)       */ \
  X(kConstIn,      "const_in")      /* push: constant (b lo, c hi) is in set attr (root_a, a) */ \
  X(kIsRole,       "is_role")       /* push: the principal holds role a (or one implying it) */ \
  X(kIsRoleAttr,   "is_role_attr")  /* push: role attr (root_a, a) implies role b          */ \
  X(kIsType,       "is_type")       /* push: the resource type is in pool[b .. b+c)         */ \
  X(kNot,          "not")           /* pop 1, push its negation (error stays error)         */ \
  X(kAnd,          "and")           /* pop 2, push Kleene and                               */ \
  X(kOr,           "or")            /* pop 2, push Kleene or                                */ \
  X(kEqual,        "equal")         /* pop 2, push: same truth value (error if either errs) */ \
  X(kNotEqual,     "not_equal")     /* pop 2, push: different truth values (error likewise) */
// clang-format on

enum class Op : uint8_t {
#define EDICT_OP_ENUM(name, text) name,
  EDICT_OPS(EDICT_OP_ENUM)
#undef EDICT_OP_ENUM
  kCount
};

inline const char* op_name(Op op) {
  switch (op) {
#define EDICT_OP_NAME(name, text) \
  case Op::name: return text;
    EDICT_OPS(EDICT_OP_NAME)
#undef EDICT_OP_NAME
    default: return "?";
  }
}

struct Instr {
  uint8_t op;      // Op
  uint8_t cmp;     // Cmp, for comparisons
  uint8_t root_a;  // Root
  uint8_t root_b;  // Root
  uint32_t a;
  uint32_t b;
  uint32_t c;
};
static_assert(sizeof(Instr) == 16);

struct Rule {
  uint32_t name;    // string id: the label, or "file:line"
  uint8_t effect;   // 0 forbid, 1 grant
  uint8_t reserved[3];
  uint64_t obligations;
};
static_assert(sizeof(Rule) == 16);

// One obligation with one argument: `redact(pii)` is an instance.
struct Obligation {
  uint32_t name;  // string id
  uint32_t arg;   // string id, or kNone
};

// What tenants may put in custom roles and templates (docs/language.md).
struct Catalog {
  uint32_t name;
  uint32_t holder_bits;  // bitset: only principals holding one of these may use it
  uint32_t entry_first;  // CatalogEntry range, sorted by (action, resource)
  uint32_t entry_count;
};

struct CatalogEntry {
  uint32_t action;
  uint32_t resource;
  uint32_t code_first;  // condition every custom-role grant of this pair carries
  uint32_t code_count;  // 0: none
};

struct DebugRule {
  uint32_t file;    // string id
  uint32_t line;
  uint32_t column;
  uint32_t text;    // string id: the rule's source text
};

static_assert(std::is_trivially_copyable_v<Cell> && std::is_trivially_copyable_v<Instr>);

}  // namespace edict::runtime::format
