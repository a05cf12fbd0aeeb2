// runtime/capi/edict_capi.cc: the extern "C" functions of edict.h over the C++ runtime.
//
// External interface: exactly the functions declared in runtime/capi/edict.h (the
// version script edict.map exports nothing else). Every body runs inside guard(),
// which turns any exception into EDICT_E_NOMEM or EDICT_E_INTERNAL, so no C++
// exception ever crosses the ABI. No function asserts on its inputs: every pointer,
// length and enum value is checked before use.
//
// How the handles map to the runtime:
//   edict_engine        a runtime::TableSlot (an atomic shared_ptr<const Table>): swap is one store,
//                       eval one load; an old table lives until its last user drops it.
//   edict_custom_roles  a shared_ptr<runtime::CustomRoles> (it pins its table).
//   edict_request       the setter calls, recorded (so they can be replayed against
//                       another table), plus a RequestBuilder bound to one table and
//                       custom-role set, whose built Request is what eval reads.
#include "runtime/capi/edict.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/custom_roles.h"
#include "runtime/decision.h"
#include "runtime/eval.h"
#include "runtime/request.h"
#include "runtime/request_builder.h"
#include "runtime/table.h"
#include "runtime/table_slot.h"

namespace rt = edict::runtime;
namespace tf = edict::runtime::format;

// ---- the handles ----------------------------------------------------------------

struct edict_engine {
  rt::TableSlot table;  // runtime/table_slot.h: why not std::atomic<shared_ptr>
};

struct edict_custom_roles {
  std::shared_ptr<rt::CustomRoles> roles;  // holds its table alive
};

namespace {

// One recorded setter call.
struct Op {
  enum class Kind : uint8_t { kAction, kResource, kPrincipal, kResourceTenant, kRole, kCustomRole, kAttr, kSetItem, kBool, kInt };
  Kind kind = Kind::kAction;
  tf::Root root = tf::Root::kPrincipal;
  std::string a, b;  // name or id; value, item or tenant
  int64_t i = 0;
};

// What replaying the ops accumulates besides the builder's own state.
struct ReplayState {
  bool resource_tenant_set = false;
  std::map<std::pair<uint8_t, std::string>, std::vector<std::string>, std::less<>> sets;
};

void apply(rt::RequestBuilder& b, ReplayState& st, const Op& op) {
  switch (op.kind) {
    case Op::Kind::kAction: b.action(op.a); break;
    case Op::Kind::kResource: b.resource_type(op.a); break;
    case Op::Kind::kPrincipal:
      b.principal(op.a, op.b);
      if (!st.resource_tenant_set) b.resource_tenant(op.b);  // the resource's tenant defaults to it
      break;
    case Op::Kind::kResourceTenant:
      st.resource_tenant_set = true;
      b.resource_tenant(op.b);
      break;
    case Op::Kind::kRole: b.role(op.a); break;
    case Op::Kind::kCustomRole: b.custom_role(op.a); break;
    case Op::Kind::kAttr: {
      // For a set, the comma-separated items replace those added before, and later
      // edict_request_add_set_item calls add to them.
      std::vector<std::string>& items = st.sets[{static_cast<uint8_t>(op.root), op.a}];
      items.clear();
      for (size_t start = 0; start <= op.b.size();) {
        const size_t comma = std::min(op.b.find(',', start), op.b.size());
        if (comma > start) items.push_back(op.b.substr(start, comma - start));
        start = comma + 1;
      }
      b.attr(op.root, op.a, op.b);
      break;
    }
    case Op::Kind::kSetItem: {
      std::vector<std::string>& items = st.sets[{static_cast<uint8_t>(op.root), op.a}];
      items.push_back(op.b);
      b.attr_set(op.root, op.a, items);
      break;
    }
    case Op::Kind::kBool: b.attr_bool(op.root, op.a, op.i != 0); break;
    case Op::Kind::kInt: b.attr_int(op.root, op.a, op.i); break;
  }
}

// A builder bound to one table and custom-role set, with the ops replayed into it.
struct Bound {
  std::shared_ptr<const rt::Table> table;
  std::shared_ptr<rt::CustomRoles> custom;  // may be null
  std::unique_ptr<rt::RequestBuilder> builder;
  ReplayState state;
  const rt::Request* built = nullptr;

  Bound(std::shared_ptr<const rt::Table> t, std::shared_ptr<rt::CustomRoles> c)
      : table(std::move(t)), custom(std::move(c)), builder(std::make_unique<rt::RequestBuilder>(*table, custom.get())) {
    built = &builder->build();
  }
};
}  // namespace

struct edict_request {
  std::vector<Op> ops;
  std::unique_ptr<Bound> bound;
  // RequestBuilder leaves an unset action or resource type at id 0, a real one:
  // a request that never named them must deny, not ask about the first action.
  bool has_action = false;
  bool has_resource = false;
};

namespace {

static_assert(sizeof(edict_decision) == EDICT_DECISION_V1_SIZE, "edict_decision v1 layout changed");
static_assert(static_cast<int>(rt::Reason::kBadRequest) == EDICT_REASON_BAD_REQUEST);
static_assert(static_cast<int>(rt::Reason::kTenantMismatch) == EDICT_REASON_TENANT_MISMATCH);
static_assert(static_cast<int>(rt::Reason::kForbidden) == EDICT_REASON_FORBIDDEN);
static_assert(static_cast<int>(rt::Reason::kNoGrant) == EDICT_REASON_NO_GRANT);
static_assert(static_cast<int>(rt::Reason::kGranted) == EDICT_REASON_GRANTED);
static_assert(static_cast<int>(rt::RequestError::kUnknownCustomRole) == EDICT_REQ_UNKNOWN_CUSTOM_ROLE);
static_assert(static_cast<int>(rt::RequestError::kMissingTenant) == EDICT_REQ_MISSING_TENANT);
static_assert(static_cast<int>(rt::RequestError::kBadValue) == EDICT_REQ_BAD_VALUE);
static_assert(static_cast<int>(rt::RequestError::kUnknownAttribute) == EDICT_REQ_UNKNOWN_ATTRIBUTE);
static_assert(static_cast<int>(rt::RequestError::kUnknownRole) == EDICT_REQ_UNKNOWN_ROLE);
static_assert(static_cast<int>(rt::RequestError::kUnknownResourceType) == EDICT_REQ_UNKNOWN_RESOURCE_TYPE);
static_assert(static_cast<int>(rt::RequestError::kUnknownAction) == EDICT_REQ_UNKNOWN_ACTION);
static_assert(static_cast<int>(tf::Root::kPrincipal) == EDICT_ROOT_PRINCIPAL);
static_assert(static_cast<int>(tf::Root::kResource) == EDICT_ROOT_RESOURCE);
static_assert(static_cast<int>(tf::Root::kContext) == EDICT_ROOT_CONTEXT);

// ---- helpers ----------------------------------------------------------------------

// Runs `f`, turning every exception into a status: nothing escapes into C.
template <typename F>
edict_status guard(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return EDICT_E_NOMEM;
  } catch (...) {
    return EDICT_E_INTERNAL;
  }
}

// Copies `text` into a caller buffer, NUL-terminated and truncated to fit.
edict_status copy_out(std::string_view text, char* buf, size_t buf_len, size_t* len_out) noexcept {
  if (len_out != nullptr) *len_out = text.size();
  if (buf == nullptr) return buf_len == 0 ? EDICT_E_BUFFER : EDICT_E_INVALID_ARG;
  if (buf_len == 0) return EDICT_E_BUFFER;
  const size_t n = std::min(text.size(), buf_len - 1);
  if (n > 0) std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
  return n == text.size() ? EDICT_OK : EDICT_E_BUFFER;
}

void set_error(char* errbuf, size_t errbuf_len, std::string_view text) noexcept {
  if (errbuf != nullptr && errbuf_len > 0) (void)copy_out(text, errbuf, errbuf_len, nullptr);
}

void clear_error(char* errbuf, size_t errbuf_len) noexcept {
  if (errbuf != nullptr && errbuf_len > 0) errbuf[0] = '\0';
}

edict_status status_of(const rt::LoadError& e) {
  switch (e.code) {
    case rt::LoadErrorCode::kVersion: return EDICT_E_VERSION;
    case rt::LoadErrorCode::kIo: return EDICT_E_IO;
    default: return EDICT_E_BAD_TABLE;
  }
}

std::string describe(const rt::LoadError& e) {
  std::string out = rt::to_string(e.code);
  if (e.code != rt::LoadErrorCode::kIo) out += " at byte " + std::to_string(e.offset);
  if (!e.message.empty()) out += ": " + e.message;
  return out;
}

edict_status status_of(rt::RequestError e) {
  switch (e) {
    case rt::RequestError::kNone: return EDICT_OK;
    case rt::RequestError::kBadValue:
    case rt::RequestError::kMissingTenant: return EDICT_E_BAD_VALUE;
    default: return EDICT_E_UNKNOWN_NAME;
  }
}

// Loads a table from bytes or a file, reporting as the ABI does.
edict_status load_bytes(const void* bytes, size_t len, std::shared_ptr<const rt::Table>& out, char* errbuf,
                        size_t errbuf_len) {
  if (bytes == nullptr && len > 0) {
    set_error(errbuf, errbuf_len, "table bytes are NULL");
    return EDICT_E_INVALID_ARG;
  }
  if (len > EDICT_MAX_TABLE_BYTES) {  // before reading a single byte: a garbage length
    set_error(errbuf, errbuf_len, "table length " + std::to_string(len) + " exceeds the limit of " +
                                      std::to_string(EDICT_MAX_TABLE_BYTES) + " bytes");
    return EDICT_E_BAD_TABLE;
  }
  static const std::byte kEmpty[1] = {};
  const auto* p = bytes == nullptr ? kEmpty : static_cast<const std::byte*>(bytes);
  auto loaded = rt::Table::load(std::span<const std::byte>(p, len));
  if (!loaded) {
    set_error(errbuf, errbuf_len, describe(loaded.error()));
    return status_of(loaded.error());
  }
  out = std::move(*loaded);
  if (!out) return EDICT_E_INTERNAL;
  return EDICT_OK;
}

edict_status load_path(const char* path, std::shared_ptr<const rt::Table>& out, char* errbuf, size_t errbuf_len) {
  if (path == nullptr) {
    set_error(errbuf, errbuf_len, "path is NULL");
    return EDICT_E_INVALID_ARG;
  }
  auto loaded = rt::Table::load_file(path);
  if (!loaded) {
    set_error(errbuf, errbuf_len, std::string(path) + ": " + describe(loaded.error()));
    return status_of(loaded.error());
  }
  out = std::move(*loaded);
  if (!out) return EDICT_E_INTERNAL;
  return EDICT_OK;
}

bool valid_root(edict_root root) {
  const int r = static_cast<int>(root);
  return r >= EDICT_ROOT_PRINCIPAL && r <= EDICT_ROOT_CONTEXT;
}

// Replays every op into a fresh Bound on (table, custom); returns the status of the
// first op that failed to resolve (EDICT_OK when all did).
std::unique_ptr<Bound> replay(const std::vector<Op>& ops, std::shared_ptr<const rt::Table> table,
                              std::shared_ptr<rt::CustomRoles> custom, edict_status* first_failure) {
  auto bound = std::make_unique<Bound>(std::move(table), std::move(custom));
  for (const Op& op : ops) apply(*bound->builder, bound->state, op);
  bound->built = &bound->builder->build();
  if (first_failure != nullptr) *first_failure = status_of(bound->built->error);
  return bound;
}

// Records `op` and applies it to the request's bound builder. Returns the status of
// this op alone: whether its name or value resolves against the bound table. (The
// builder keeps only the request's first problem, so a fresh one is asked.)
edict_status record(edict_request* r, Op op) {
  Bound& bound = *r->bound;
  rt::RequestBuilder probe(*bound.table, bound.custom.get());
  ReplayState probe_state;
  apply(probe, probe_state, op);
  const edict_status status = status_of(probe.build().error);
  r->ops.push_back(std::move(op));
  apply(*bound.builder, bound.state, r->ops.back());
  bound.built = &bound.builder->build();
  return status;
}

bool usable(const edict_decision* out) {
  return out != nullptr && out->size >= EDICT_DECISION_V1_SIZE;
}

// Writes `d` into the caller's decision, only the bytes its `size` covers.
void write_decision(const rt::Decision& d, uint64_t policy_hash, edict_decision* out) {
  edict_decision full{};
  full.size = out->size;
  full.allowed = d.allowed() ? 1 : 0;
  full.reason = static_cast<int32_t>(d.reason);
  full.request_error = static_cast<int32_t>(d.request_error);
  full.rule = d.rule;
  full.condition_errors = d.condition_errors;
  full.obligations = d.allowed() ? d.obligations : 0;
  full.policy_hash = policy_hash;
  full.custom_role = d.custom_role ? 1 : 0;
  full.reserved = 0;
  std::memcpy(out, &full, std::min<size_t>(out->size, sizeof full));
}

// A fail-closed answer for calls that could not evaluate.
void write_deny(edict_decision* out, uint64_t policy_hash = 0) noexcept {
  if (!usable(out)) return;
  rt::Decision d;
  d.effect = rt::Effect::kDeny;
  d.reason = rt::Reason::kBadRequest;
  d.rule = rt::kNoRule;
  write_decision(d, policy_hash, out);
}

// Answers `request` with `decide(table, request, custom, builder)`, which
// evaluate()s or explain()s it (the builder names the request's entities), on
// the engine's current table; every path that cannot decide writes a deny.
template <typename Decide>
edict_status decide_impl(const edict_engine* engine, const rt::CustomRoles* custom, bool use_request_custom,
                         const edict_request* request, edict_decision* out, Decide&& decide) {
  if (!usable(out)) return EDICT_E_INVALID_ARG;
  if (engine == nullptr || request == nullptr || !request->bound) {
    write_deny(out);
    return EDICT_E_INVALID_ARG;
  }
  const Bound& bound = *request->bound;
  if (use_request_custom) custom = bound.custom.get();
  const std::shared_ptr<const rt::Table> table = engine->table.load();
  if (!table) {
    write_deny(out);
    return EDICT_E_INTERNAL;
  }
  if (bound.built->error == rt::RequestError::kNone && (!request->has_action || !request->has_resource)) {
    rt::Decision d;
    d.reason = rt::Reason::kBadRequest;
    d.request_error = request->has_action ? rt::RequestError::kUnknownResourceType : rt::RequestError::kUnknownAction;
    write_decision(d, table->policy_hash(), out);
    return EDICT_OK;
  }
  if (custom != nullptr && &custom->table() != table.get()) {
    write_deny(out, table->policy_hash());
    return EDICT_E_STALE;
  }
  if (bound.table == table && bound.custom.get() == custom) {
    // Fast path: no allocation, no lock beyond the atomic load above.
    write_decision(decide(*table, *bound.built, custom, *bound.builder), table->policy_hash(), out);
    return EDICT_OK;
  }
  // Slow path: the request was built for another table or custom-role set. Resolve
  // its names afresh for this call; `request` itself is not modified (thread-safe).
  ReplayState state;
  rt::RequestBuilder b(*table, custom);
  for (const Op& op : request->ops) apply(b, state, op);
  write_decision(decide(*table, b.build(), custom, b), table->policy_hash(), out);
  return EDICT_OK;
}

edict_status eval_impl(const edict_engine* engine, const rt::CustomRoles* custom, bool use_request_custom,
                       const edict_request* request, edict_decision* out) {
  return decide_impl(engine, custom, use_request_custom, request, out,
                     [](const rt::Table& t, const rt::Request& r, const rt::CustomRoles* c, const rt::RequestBuilder&) {
                       return rt::evaluate(t, r, c);
                     });
}

edict_status set_op(edict_request* request, Op::Kind kind, const char* a, const char* b = "",
                    edict_root root = EDICT_ROOT_PRINCIPAL, int64_t i = 0) {
  return guard([&] {
    if (request == nullptr || !request->bound || a == nullptr || b == nullptr || !valid_root(root))
      return EDICT_E_INVALID_ARG;
    Op op;
    op.kind = kind;
    op.root = static_cast<tf::Root>(root);
    op.a = a;
    op.b = b;
    op.i = i;
    const edict_status status = record(request, std::move(op));
    if (kind == Op::Kind::kAction) request->has_action = true;
    if (kind == Op::Kind::kResource) request->has_resource = true;
    return status;
  });
}

}  // namespace

// ---- library ------------------------------------------------------------------

extern "C" {

unsigned edict_abi_version(void) { return EDICT_ABI_VERSION; }

const char* edict_status_str(edict_status status) {
  switch (static_cast<int>(status)) {
    case EDICT_OK: return "ok";
    case EDICT_E_INVALID_ARG: return "invalid argument";
    case EDICT_E_BAD_TABLE: return "not a valid decision table";
    case EDICT_E_VERSION: return "unsupported table format version";
    case EDICT_E_NOMEM: return "out of memory";
    case EDICT_E_INTERNAL: return "internal error";
    case EDICT_E_IO: return "I/O error";
    case EDICT_E_UNKNOWN_NAME: return "unknown name";
    case EDICT_E_BAD_VALUE: return "bad value";
    case EDICT_E_REJECTED: return "rejected";
    case EDICT_E_BUFFER: return "buffer too small";
    case EDICT_E_NOT_FOUND: return "not found";
    case EDICT_E_STALE: return "custom roles built for another table";
    default: return "unknown status";
  }
}

const char* edict_reason_str(edict_reason reason) {
  switch (static_cast<int>(reason)) {
    case EDICT_REASON_GRANTED: return "granted";
    case EDICT_REASON_NO_GRANT: return "no grant applies";
    case EDICT_REASON_FORBIDDEN: return "forbidden";
    case EDICT_REASON_TENANT_MISMATCH: return "tenant mismatch";
    case EDICT_REASON_BAD_REQUEST: return "bad request";
    default: return "unknown reason";
  }
}

const char* edict_request_error_str(edict_request_error error) {
  switch (static_cast<int>(error)) {
    case EDICT_REQ_OK: return "none";
    case EDICT_REQ_UNKNOWN_ACTION: return "unknown action";
    case EDICT_REQ_UNKNOWN_RESOURCE_TYPE: return "unknown resource type";
    case EDICT_REQ_UNKNOWN_ROLE: return "unknown role";
    case EDICT_REQ_UNKNOWN_ATTRIBUTE: return "unknown attribute";
    case EDICT_REQ_BAD_VALUE: return "bad value";
    case EDICT_REQ_MISSING_TENANT: return "missing tenant";
    case EDICT_REQ_UNKNOWN_CUSTOM_ROLE: return "unknown custom role";
    default: return "unknown request error";
  }
}

// ---- engines ------------------------------------------------------------------

edict_status edict_engine_open(const void* table, size_t len, edict_engine** out, char* errbuf, size_t errbuf_len) {
  return guard([&] {
    if (out == nullptr) {
      set_error(errbuf, errbuf_len, "out is NULL");
      return EDICT_E_INVALID_ARG;
    }
    *out = nullptr;
    clear_error(errbuf, errbuf_len);
    std::shared_ptr<const rt::Table> t;
    if (edict_status s = load_bytes(table, len, t, errbuf, errbuf_len); s != EDICT_OK) return s;
    auto e = std::make_unique<edict_engine>();
    e->table.store(std::move(t));
    *out = e.release();
    return EDICT_OK;
  });
}

edict_status edict_engine_open_file(const char* path, edict_engine** out, char* errbuf, size_t errbuf_len) {
  return guard([&] {
    if (out == nullptr) {
      set_error(errbuf, errbuf_len, "out is NULL");
      return EDICT_E_INVALID_ARG;
    }
    *out = nullptr;
    clear_error(errbuf, errbuf_len);
    std::shared_ptr<const rt::Table> t;
    if (edict_status s = load_path(path, t, errbuf, errbuf_len); s != EDICT_OK) return s;
    auto e = std::make_unique<edict_engine>();
    e->table.store(std::move(t));
    *out = e.release();
    return EDICT_OK;
  });
}

void edict_engine_close(edict_engine* engine) {
  (void)guard([&] {
    delete engine;
    return EDICT_OK;
  });
}

edict_status edict_engine_swap(edict_engine* engine, const void* table, size_t len, char* errbuf,
                               size_t errbuf_len) {
  return guard([&] {
    clear_error(errbuf, errbuf_len);
    if (engine == nullptr) {
      set_error(errbuf, errbuf_len, "engine is NULL");
      return EDICT_E_INVALID_ARG;
    }
    std::shared_ptr<const rt::Table> t;
    if (edict_status s = load_bytes(table, len, t, errbuf, errbuf_len); s != EDICT_OK) return s;
    // The old table is released here, or later by the last evaluation still holding it.
    engine->table.store(std::move(t));
    return EDICT_OK;
  });
}

edict_status edict_engine_swap_file(edict_engine* engine, const char* path, char* errbuf, size_t errbuf_len) {
  return guard([&] {
    clear_error(errbuf, errbuf_len);
    if (engine == nullptr) {
      set_error(errbuf, errbuf_len, "engine is NULL");
      return EDICT_E_INVALID_ARG;
    }
    std::shared_ptr<const rt::Table> t;
    if (edict_status s = load_path(path, t, errbuf, errbuf_len); s != EDICT_OK) return s;
    engine->table.store(std::move(t));
    return EDICT_OK;
  });
}

edict_status edict_engine_policy_hash(const edict_engine* engine, uint64_t* out) {
  return guard([&] {
    if (engine == nullptr || out == nullptr) return EDICT_E_INVALID_ARG;
    *out = engine->table.load()->policy_hash();
    return EDICT_OK;
  });
}

edict_status edict_rule_name(const edict_engine* engine, uint32_t rule, char* buf, size_t buf_len,
                             size_t* len_out) {
  return guard([&] {
    if (len_out != nullptr) *len_out = 0;
    if (engine == nullptr) return EDICT_E_INVALID_ARG;
    const auto table = engine->table.load();
    if (rule >= table->rule_count()) {
      (void)copy_out("", buf, buf_len, nullptr);
      return EDICT_E_NOT_FOUND;
    }
    return copy_out(table->rule_name(rule), buf, buf_len, len_out);
  });
}

edict_status edict_obligation_text(const edict_engine* engine, uint32_t instance, char* buf, size_t buf_len,
                                   size_t* len_out) {
  return guard([&] {
    if (len_out != nullptr) *len_out = 0;
    if (engine == nullptr) return EDICT_E_INVALID_ARG;
    const auto table = engine->table.load();
    if (instance >= table->meta().obligation_count) {
      (void)copy_out("", buf, buf_len, nullptr);
      return EDICT_E_NOT_FOUND;
    }
    return copy_out(table->obligation_text(instance), buf, buf_len, len_out);
  });
}

// ---- custom roles -------------------------------------------------------------

edict_status edict_custom_roles_new(const edict_engine* engine, edict_custom_roles** out) {
  return guard([&] {
    if (out == nullptr) return EDICT_E_INVALID_ARG;
    *out = nullptr;
    if (engine == nullptr) return EDICT_E_INVALID_ARG;
    auto c = std::make_unique<edict_custom_roles>();
    c->roles = std::make_shared<rt::CustomRoles>(engine->table.load());
    *out = c.release();
    return EDICT_OK;
  });
}

edict_status edict_custom_roles_add(edict_custom_roles* roles, const char* name, const char* catalog,
                                    const edict_permission* permissions, size_t count, uint32_t* index_out,
                                    char* errbuf, size_t errbuf_len) {
  return guard([&] {
    clear_error(errbuf, errbuf_len);
    if (roles == nullptr || name == nullptr || catalog == nullptr || (permissions == nullptr && count > 0)) {
      set_error(errbuf, errbuf_len, "NULL argument");
      return EDICT_E_INVALID_ARG;
    }
    // A catalog can list at most every (action, resource type) pair; a larger count
    // is a garbage length, refused before reading the array.
    const rt::Table& table = roles->roles->table();
    const uint64_t max_pairs = static_cast<uint64_t>(table.action_count()) * table.resource_count();
    if (count > max_pairs) {
      set_error(errbuf, errbuf_len, "more permissions than the table has (action, resource type) pairs");
      return EDICT_E_INVALID_ARG;
    }
    rt::CustomRoleSpec spec;
    spec.name = name;
    spec.catalog = catalog;
    spec.permissions.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (permissions[i].action == nullptr || permissions[i].resource == nullptr) {
        set_error(errbuf, errbuf_len, "permission " + std::to_string(i) + " has a NULL name");
        return EDICT_E_INVALID_ARG;
      }
      spec.permissions.emplace_back(permissions[i].action, permissions[i].resource);
    }
    auto added = roles->roles->add(spec);
    if (!added) {
      set_error(errbuf, errbuf_len, added.error());
      return EDICT_E_REJECTED;
    }
    if (index_out != nullptr) *index_out = *added;
    return EDICT_OK;
  });
}

edict_status edict_custom_roles_count(const edict_custom_roles* roles, size_t* out) {
  return guard([&] {
    if (roles == nullptr || out == nullptr) return EDICT_E_INVALID_ARG;
    *out = roles->roles->size();
    return EDICT_OK;
  });
}

void edict_custom_roles_free(edict_custom_roles* roles) {
  (void)guard([&] {
    delete roles;
    return EDICT_OK;
  });
}

// ---- requests -----------------------------------------------------------------

edict_status edict_request_new(const edict_engine* engine, const edict_custom_roles* custom, edict_request** out) {
  return guard([&] {
    if (out == nullptr) return EDICT_E_INVALID_ARG;
    *out = nullptr;
    if (engine == nullptr) return EDICT_E_INVALID_ARG;
    auto table = engine->table.load();
    std::shared_ptr<rt::CustomRoles> c = custom != nullptr ? custom->roles : nullptr;
    if (c && &c->table() != table.get()) return EDICT_E_STALE;
    auto r = std::make_unique<edict_request>();
    r->bound = std::make_unique<Bound>(std::move(table), std::move(c));
    *out = r.release();
    return EDICT_OK;
  });
}

void edict_request_free(edict_request* request) {
  (void)guard([&] {
    delete request;
    return EDICT_OK;
  });
}

edict_status edict_request_bind(edict_request* request, const edict_engine* engine,
                                const edict_custom_roles* custom) {
  return guard([&] {
    if (request == nullptr || engine == nullptr) return EDICT_E_INVALID_ARG;
    auto table = engine->table.load();
    std::shared_ptr<rt::CustomRoles> c = custom != nullptr ? custom->roles : nullptr;
    if (c && &c->table() != table.get()) return EDICT_E_STALE;
    edict_status first = EDICT_OK;
    request->bound = replay(request->ops, std::move(table), std::move(c), &first);
    return first;
  });
}


edict_status edict_request_set_action(edict_request* request, const char* action) {
  return set_op(request, Op::Kind::kAction, action);
}

edict_status edict_request_set_resource_type(edict_request* request, const char* type) {
  return set_op(request, Op::Kind::kResource, type);
}

edict_status edict_request_set_principal(edict_request* request, const char* id, const char* tenant) {
  return set_op(request, Op::Kind::kPrincipal, id, tenant);
}

edict_status edict_request_set_resource_tenant(edict_request* request, const char* tenant) {
  return set_op(request, Op::Kind::kResourceTenant, "", tenant);
}

edict_status edict_request_add_role(edict_request* request, const char* role) {
  return set_op(request, Op::Kind::kRole, role);
}

edict_status edict_request_add_custom_role(edict_request* request, const char* name) {
  return set_op(request, Op::Kind::kCustomRole, name);
}

edict_status edict_request_set_attr(edict_request* request, edict_root root, const char* name, const char* value) {
  return set_op(request, Op::Kind::kAttr, name, value, root);
}

edict_status edict_request_add_set_item(edict_request* request, edict_root root, const char* name,
                                        const char* item) {
  return set_op(request, Op::Kind::kSetItem, name, item, root);
}

edict_status edict_request_set_bool(edict_request* request, edict_root root, const char* name, int value) {
  return set_op(request, Op::Kind::kBool, name, "", root, value != 0 ? 1 : 0);
}

edict_status edict_request_set_int(edict_request* request, edict_root root, const char* name, int64_t value) {
  return set_op(request, Op::Kind::kInt, name, "", root, value);
}

edict_status edict_request_error_text(const edict_request* request, char* buf, size_t buf_len, size_t* len_out) {
  return guard([&] {
    if (len_out != nullptr) *len_out = 0;
    if (request == nullptr || !request->bound) return EDICT_E_INVALID_ARG;
    const std::string& message = request->bound->builder->error_message();
    if (message.empty() && !request->has_action) return copy_out("no action set", buf, buf_len, len_out);
    if (message.empty() && !request->has_resource) return copy_out("no resource type set", buf, buf_len, len_out);
    return copy_out(message, buf, buf_len, len_out);
  });
}

// ---- evaluation -----------------------------------------------------------------

edict_status edict_eval(const edict_engine* engine, const edict_request* request, edict_decision* out) {
  const edict_status s = guard([&] { return eval_impl(engine, nullptr, /*use_request_custom=*/true, request, out); });
  if (s == EDICT_E_NOMEM || s == EDICT_E_INTERNAL) write_deny(out);  // an exception: still fail closed
  return s;
}

edict_status edict_eval_custom(const edict_engine* engine, const edict_custom_roles* custom,
                               const edict_request* request, edict_decision* out) {
  const edict_status s = guard([&] {
    return eval_impl(engine, custom != nullptr ? custom->roles.get() : nullptr, /*use_request_custom=*/false,
                     request, out);
  });
  if (s == EDICT_E_NOMEM || s == EDICT_E_INTERNAL) write_deny(out);
  return s;
}

edict_status edict_explain(const edict_engine* engine, const edict_request* request, edict_decision* out, char* buf,
                           size_t buf_len, size_t* len_out) {
  if (len_out != nullptr) *len_out = 0;
  std::string why;
  const edict_status s = guard([&] {
    return decide_impl(engine, nullptr, /*use_request_custom=*/true, request, out,
                       [&why](const rt::Table& t, const rt::Request& r, const rt::CustomRoles* c,
                              const rt::RequestBuilder& names) {
                         rt::Explanation x =
                             rt::explain(t, r, c, [&names](int64_t id) { return names.entity_name(id); });
                         why = std::move(x.summary);
                         return x.decision;
                       });
  });
  if (s == EDICT_E_NOMEM || s == EDICT_E_INTERNAL) write_deny(out);
  // Decided before explain() ran (a request without an action or resource type),
  // or not at all: say which. Formatting may fail too; then the status alone.
  const edict_status said = guard([&] {
    if (why.empty() && s == EDICT_OK && usable(out)) {
      why = std::string("denied: bad request: ") + rt::to_string(static_cast<rt::RequestError>(out->request_error));
    } else if (why.empty()) {
      why = std::string("denied: ") + edict_status_str(s);
    }
    return EDICT_OK;
  });
  const edict_status copied = copy_out(said == EDICT_OK ? std::string_view(why) : std::string_view(edict_status_str(s)),
                                       buf, buf_len, len_out);
  return s != EDICT_OK ? s : copied;
}

}  // extern "C"
