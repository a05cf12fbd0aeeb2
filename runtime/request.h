// runtime/request.h: what the evaluator is asked, as plain ids and values.
//
// A Request is a view: it points at caller-owned storage (attribute arrays, role
// lists, sets) and owns nothing, so building one on the hot path allocates nothing
// when the caller keeps that storage. RequestBuilder (request_builder.h) builds one
// from names and strings for tools and tests.
//
// Ids are those of the loaded Table: action, resource type and role indices, and
// attribute slots (Table::find_attr(root, name)). Entity ids (users, groups, IVRs,
// extensions, tenants) are opaque 64-bit values chosen by the caller; the only
// requirement is that the same entity has the same id everywhere in one request.
// Missing attributes are `kAbsent`; reading one makes the condition an error,
// which fails closed (a grant does not apply, a forbid does).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace edict::runtime {

enum class ValueKind : uint8_t {
  kAbsent = 0,
  kBool,       // i: 0 or 1
  kInt,        // i
  kString,     // s
  kEnum,       // i: value index in declaration order
  kEntity,     // i: entity id
  kRole,       // i: role id
  kIdSet,      // ids[0..count): entity, enum, role or int values, sorted ascending; i: empty buckets (id_set())
  kStringSet,  // strs[0..count)
};

struct Value {
  ValueKind kind = ValueKind::kAbsent;
  int64_t i = 0;
  std::string_view s;
  const int64_t* ids = nullptr;
  const std::string_view* strs = nullptr;
  uint32_t count = 0;

  static Value of(ValueKind kind, int64_t i) {
    Value x;
    x.kind = kind;
    x.i = i;
    return x;
  }
  static Value boolean(bool b) { return of(ValueKind::kBool, b ? 1 : 0); }
  static Value integer(int64_t v) { return of(ValueKind::kInt, v); }
  static Value string(std::string_view v) {
    Value x = of(ValueKind::kString, 0);
    x.s = v;
    return x;
  }
  static Value enum_value(uint32_t index) { return of(ValueKind::kEnum, index); }
  static Value entity(int64_t id) { return of(ValueKind::kEntity, id); }
  static Value role(uint32_t id) { return of(ValueKind::kRole, id); }
  // `sorted_ids` must be sorted ascending (the evaluator binary-searches it).
  // The set's `i` says which of 64 buckets (an id's low 6 bits) none of its
  // ids falls in: bit b set, no id ends in b. The evaluator then tells most
  // ids not held by one bit test, without a search. Bits only ever clear
  // what might be held: 0 (any Value's default) claims nothing, and a set
  // built without id_set() is searched in full.
  static Value id_set(std::span<const int64_t> sorted_ids) {
    uint64_t filled = 0;
    for (int64_t id : sorted_ids) filled |= uint64_t{1} << id_bucket(id);
    Value x = of(ValueKind::kIdSet, static_cast<int64_t>(~filled));
    x.ids = sorted_ids.data();
    x.count = static_cast<uint32_t>(sorted_ids.size());
    return x;
  }
  static unsigned id_bucket(int64_t id) { return static_cast<uint64_t>(id) & 63u; }
  // For a set from id_set(): true where it holds no id in `id`'s bucket, so
  // not `id`; false says nothing.
  bool lacks_bucket_of(int64_t id) const { return ((static_cast<uint64_t>(i) >> id_bucket(id)) & 1u) != 0; }
  static Value string_set(std::span<const std::string_view> items) {
    Value x = of(ValueKind::kStringSet, 0);
    x.strs = items.data();
    x.count = static_cast<uint32_t>(items.size());
    return x;
  }
};

// Why a request could not be evaluated as asked; such a request is denied.
enum class RequestError : uint8_t {
  kNone = 0,
  kUnknownAction,
  kUnknownResourceType,
  kUnknownRole,
  kUnknownAttribute,
  kBadValue,         // a value of the wrong kind for its attribute, or out of range
  kMissingTenant,
  kUnknownCustomRole,
};
const char* to_string(RequestError e);

inline constexpr int64_t kNoTenant = INT64_MIN;

inline constexpr uint32_t kNoIndex = UINT32_MAX;

struct Request {
  // Unset, the action and resource type name nothing: such a request is denied
  // (unknown action) rather than silently asking about action 0.
  uint32_t action = kNoIndex;
  uint32_t resource_type = kNoIndex;
  int64_t principal = 0;                  // the principal's entity id
  int64_t principal_tenant = kNoTenant;
  int64_t resource_tenant = kNoTenant;
  std::span<const uint32_t> roles;        // roles held in the tenant (inheritance is implied)
  std::span<const uint32_t> custom_roles; // indices into the CustomRoles given to evaluate()
  // Indexed by attribute slot. A slot past an array's end is absent; but the
  // fast path (a single-role plan) is taken only when the principal's and the
  // resource's arrays hold a value (kAbsent where unset) for every attribute
  // of the table, Table::attr_count(root), as RequestBuilder sizes them.
  std::span<const Value> principal_attrs; // indexed by principal attribute slot
  std::span<const Value> resource_attrs;  // indexed by resource attribute slot
  std::span<const Value> context_attrs;   // indexed by context attribute slot
  RequestError error = RequestError::kNone;  // set by a builder that could not resolve a name
};

}  // namespace edict::runtime
