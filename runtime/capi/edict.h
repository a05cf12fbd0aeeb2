/* runtime/capi/edict.h: the C ABI of the Edict runtime (libedict.so).
 *
 * What it is: load a compiled decision table (.edictc, written by `edict compile`),
 * build requests by name, and ask for decisions, from C or anything that can call C.
 * Compiling policies is not part of this library; do it offline with `edict compile`.
 *
 * Stability. Plain C99. Every handle is opaque. The one struct that crosses the
 * boundary by value, edict_decision, starts with a `size` field the caller sets to
 * sizeof(edict_decision) as compiled into the caller (EDICT_DECISION_INIT does it);
 * the library writes only the fields that fit in that size, so a program built
 * against this header keeps working with a later library that appends fields, and a
 * later program works with this library (the fields it adds stay as it set them).
 * Enumerations have fixed values; new values are only appended. Symbols are
 * versioned (EDICT_1; edict_explain EDICT_2) and only `edict_*` is exported. edict_abi_version() returns
 * EDICT_ABI_VERSION of the library, which changes only on an incompatible change.
 *
 * Errors. Every fallible function returns an edict_status and never throws, aborts
 * or leaves a partial result behind: on failure, out-parameters are set to NULL (or
 * to a deny decision), and a message, when there is a place for it, goes into a
 * caller-provided buffer (errbuf, errbuf_len; always NUL-terminated when
 * errbuf_len > 0, truncated to fit; either may be NULL/0). There is no thread-local
 * "last error". NULL handles and NULL pointers are reported as EDICT_E_INVALID_ARG;
 * a byte length above EDICT_MAX_TABLE_BYTES is rejected before any byte is read.
 * (A length larger than the buffer it describes, but within that bound, cannot be
 * detected by any C function; that is the caller's bug.) edict_status_str() turns a
 * status into a static string, as sqlite3_errstr() does.
 *
 * Names that a table does not know. A request naming an unknown action, resource
 * type, role or attribute, or giving a value of the wrong type, is not an error of
 * the call that evaluates it: the setter returns EDICT_E_UNKNOWN_NAME or
 * EDICT_E_BAD_VALUE, the request remembers the problem (edict_request_error_text()),
 * and edict_eval() answers deny with reason EDICT_REASON_BAD_REQUEST and the
 * request_error field saying which kind of name was wrong. Fail closed.
 *
 * Threads. An edict_engine may be shared by any number of threads: edict_eval()
 * and edict_engine_swap() may run concurrently on the same engine. An edict_request
 * and an edict_custom_roles are built by one thread; once built, any number of
 * threads may evaluate with them concurrently, but a setter or edict_custom_roles_add
 * must not run concurrently with any other use of the same handle. Close or free a
 * handle only after every call using it has returned. Handles may be closed in any
 * order: requests and custom-role sets keep what they need alive.
 *
 * Hot path. edict_eval() does not allocate, lock a mutex or format text when the
 * request is bound to the engine's current table and to the custom-role set the
 * evaluation uses (edict_request_new() binds both; edict_request_bind() re-binds
 * after a swap). Otherwise it still answers correctly, resolving the request's
 * names afresh against the current table for this one call, which allocates. Its
 * cost on the fast path: one load of the current table (see edict_engine_swap)
 * plus the evaluation. tests/capi_test.c counts allocations to hold it to that.
 *
 * Example (error handling shortened):
 *
 *   edict_engine *e; edict_request *r; edict_decision d = EDICT_DECISION_INIT;
 *   char err[256];
 *   if (edict_engine_open_file("cc.edictc", &e, err, sizeof err) != EDICT_OK) { puts(err); return 1; }
 *   edict_request_new(e, NULL, &r);
 *   edict_request_set_principal(r, "u1", "t1");
 *   edict_request_add_role(r, "agent");
 *   edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "queues", "q1");
 *   edict_request_set_action(r, "answer");
 *   edict_request_set_resource_type(r, "Call");
 *   edict_request_set_attr(r, EDICT_ROOT_RESOURCE, "queue", "q1");
 *   edict_eval(e, r, &d);            // d.allowed == 1
 *   edict_request_free(r); edict_engine_close(e);
 */
#ifndef EDICT_CAPI_EDICT_H_
#define EDICT_CAPI_EDICT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define EDICT_API __attribute__((visibility("default")))
#else
#define EDICT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes; compare with edict_abi_version(). */
#define EDICT_ABI_VERSION 1u

/* Tables larger than this are refused without reading them (the format's limit). */
#define EDICT_MAX_TABLE_BYTES (256u << 20)

/* "No rule": edict_decision.rule when no rule decided (default deny, bad request). */
#define EDICT_NO_RULE UINT32_MAX

/* Every enum below ends with two sentinels that are never valid values. They give
 * each enum the full range and size of a 32-bit int in C and in C++, so its size
 * never changes as values are appended, and an out-of-range value passed by a
 * caller is well-defined (and rejected) rather than undefined behaviour. */
#define EDICT_ENUM_RANGE_(prefix) prefix##RANGE_MIN_ = -0x7fffffff - 1, prefix##RANGE_MAX_ = 0x7fffffff

/* ---- status codes: stable numbering, new codes are only appended ---------------- */
typedef enum edict_status {
  EDICT_OK = 0,
  EDICT_E_INVALID_ARG = 1,   /* a NULL handle or pointer, an out-of-range enum or size */
  EDICT_E_BAD_TABLE = 2,     /* the bytes are not a valid table (corrupt, truncated, ...) */
  EDICT_E_VERSION = 3,       /* a table format version this library does not read */
  EDICT_E_NOMEM = 4,         /* out of memory */
  EDICT_E_INTERNAL = 5,      /* a bug in the library; the call had no effect */
  EDICT_E_IO = 6,            /* a file could not be read */
  EDICT_E_UNKNOWN_NAME = 7,  /* a name the table does not have (the request remembers it) */
  EDICT_E_BAD_VALUE = 8,     /* a value of the wrong type for its attribute */
  EDICT_E_REJECTED = 9,      /* a custom role exceeds its catalog, or a duplicate name */
  EDICT_E_BUFFER = 10,       /* the output buffer was too small; the text was truncated */
  EDICT_E_NOT_FOUND = 11,    /* no rule / obligation with that id in the current table */
  EDICT_E_STALE = 12,        /* custom roles built on a table the engine no longer uses */
  EDICT_ENUM_RANGE_(EDICT_STATUS_)
} edict_status;

/* Why a decision is what it is (mirrors the runtime's Reason). */
typedef enum edict_reason {
  EDICT_REASON_GRANTED = 0,          /* a grant applied and no forbid did */
  EDICT_REASON_NO_GRANT = 1,         /* default deny: no grant applied */
  EDICT_REASON_FORBIDDEN = 2,        /* a forbid applied, or could not be evaluated */
  EDICT_REASON_TENANT_MISMATCH = 3,  /* principal and resource in different tenants */
  EDICT_REASON_BAD_REQUEST = 4,      /* the request named something the table lacks */
  EDICT_ENUM_RANGE_(EDICT_REASON_)
} edict_reason;

/* What was wrong with a request (mirrors the runtime's RequestError). */
typedef enum edict_request_error {
  EDICT_REQ_OK = 0,
  EDICT_REQ_UNKNOWN_ACTION = 1,
  EDICT_REQ_UNKNOWN_RESOURCE_TYPE = 2,
  EDICT_REQ_UNKNOWN_ROLE = 3,
  EDICT_REQ_UNKNOWN_ATTRIBUTE = 4,
  EDICT_REQ_BAD_VALUE = 5,
  EDICT_REQ_MISSING_TENANT = 6,
  EDICT_REQ_UNKNOWN_CUSTOM_ROLE = 7,
  EDICT_ENUM_RANGE_(EDICT_REQ_)
} edict_request_error;

/* Whose attribute a setter names. */
typedef enum edict_root {
  EDICT_ROOT_PRINCIPAL = 0,
  EDICT_ROOT_RESOURCE = 1,
  EDICT_ROOT_CONTEXT = 2,
  EDICT_ENUM_RANGE_(EDICT_ROOT_)
} edict_root;

/* ---- handles ------------------------------------------------------------------- */
typedef struct edict_engine edict_engine;             /* a table, swappable at run time */
typedef struct edict_request edict_request;           /* a question, built by names */
typedef struct edict_custom_roles edict_custom_roles; /* tenants' custom roles, as data */

/* ---- the decision ---------------------------------------------------------------
 * Set `size` before the call (EDICT_DECISION_INIT); the library fills the fields
 * that fit in it and never writes past it. Fields are fixed-width; new ones are only
 * appended. */
typedef struct edict_decision {
  uint32_t size;              /* in: sizeof(edict_decision) as the caller knows it */
  int32_t allowed;            /* 1 allow, 0 deny */
  int32_t reason;             /* edict_reason */
  int32_t request_error;      /* edict_request_error; EDICT_REQ_OK unless BAD_REQUEST */
  uint32_t rule;              /* the deciding rule (a forbid that denied or a grant that
                                 allowed; see edict_rule_name), or EDICT_NO_RULE */
  uint32_t condition_errors;  /* conditions that could not be evaluated (missing data) */
  uint64_t obligations;       /* allow only: bit i set = obligation instance i applies
                                 (see edict_obligation_text) */
  uint64_t policy_hash;       /* identifies the table that answered (after a swap, rule
                                 ids refer to the new table: compare with
                                 edict_engine_policy_hash) */
  int32_t custom_role;        /* 1: the allow came from a custom role, not a policy rule */
  uint32_t reserved;          /* 0 */
} edict_decision;

/* Size of the first version of edict_decision: the smallest `size` accepted. */
#define EDICT_DECISION_V1_SIZE 48u
#define EDICT_DECISION_INIT {(uint32_t)sizeof(edict_decision), 0, 0, 0, EDICT_NO_RULE, 0, 0, 0, 0, 0}

/* One (action, resource type) permission of a custom role, both NUL-terminated. */
typedef struct edict_permission {
  const char *action;
  const char *resource;
} edict_permission;

/* ---- library ------------------------------------------------------------------- */
EDICT_API unsigned edict_abi_version(void);
/* A static, NUL-terminated description; "unknown status" for values not listed. */
EDICT_API const char *edict_status_str(edict_status status);
EDICT_API const char *edict_reason_str(edict_reason reason);
EDICT_API const char *edict_request_error_str(edict_request_error error);

/* ---- engines ------------------------------------------------------------------- */
/* Verifies and copies `len` bytes of a compiled table (the caller may free them on
 * return). On failure *out is NULL and errbuf says what is wrong and where. */
EDICT_API edict_status edict_engine_open(const void *table, size_t len, edict_engine **out,
                                         char *errbuf, size_t errbuf_len);
EDICT_API edict_status edict_engine_open_file(const char *path, edict_engine **out, char *errbuf,
                                              size_t errbuf_len);
/* NULL is ignored. No call may be using the engine. */
EDICT_API void edict_engine_close(edict_engine *engine);

/* Atomically replaces the table the engine evaluates, while other threads evaluate:
 * each edict_eval() sees either the old table or the new one, never a mix, and the
 * old table is freed when the last evaluation (or request bound to it) releases it.
 * The new bytes are verified first; on failure the engine keeps its table.
 * Cost: verification and copy of the new table on the calling thread, then one
 * pointer swap under a spin lock. Each evaluation pays one load of the current
 * table: the same spin lock, held for one reference-count increment (an atomic
 * shared pointer: no allocation, no mutex, no system call). */
EDICT_API edict_status edict_engine_swap(edict_engine *engine, const void *table, size_t len, char *errbuf,
                                         size_t errbuf_len);
EDICT_API edict_status edict_engine_swap_file(edict_engine *engine, const char *path, char *errbuf,
                                              size_t errbuf_len);
/* The policy hash of the engine's current table. */
EDICT_API edict_status edict_engine_policy_hash(const edict_engine *engine, uint64_t *out);

/* Names from the engine's current table, NUL-terminated into buf (truncated to fit:
 * EDICT_E_BUFFER). *len_out, when not NULL, receives the full length without the NUL.
 * Ids come from an edict_decision; rule names are labels or "file:line".
 * Obligation text looks like "redact(pii)". */
EDICT_API edict_status edict_rule_name(const edict_engine *engine, uint32_t rule, char *buf, size_t buf_len,
                                       size_t *len_out);
EDICT_API edict_status edict_obligation_text(const edict_engine *engine, uint32_t instance, char *buf,
                                             size_t buf_len, size_t *len_out);

/* ---- custom roles -------------------------------------------------------------- */
/* An empty set of custom roles for the engine's current table. */
EDICT_API edict_status edict_custom_roles_new(const edict_engine *engine, edict_custom_roles **out);
/* Adds role `name` from catalog `catalog` with `count` permissions. Each must be
 * listed in the catalog (the ceiling); otherwise EDICT_E_REJECTED and errbuf names
 * the first that exceeds it. *index_out (may be NULL) receives the role's index. */
EDICT_API edict_status edict_custom_roles_add(edict_custom_roles *roles, const char *name, const char *catalog,
                                              const edict_permission *permissions, size_t count,
                                              uint32_t *index_out, char *errbuf, size_t errbuf_len);
EDICT_API edict_status edict_custom_roles_count(const edict_custom_roles *roles, size_t *out);
EDICT_API void edict_custom_roles_free(edict_custom_roles *roles);

/* ---- requests ------------------------------------------------------------------ */
/* A new, empty request bound to the engine's current table and to `custom` (may be
 * NULL: then custom-role names are unknown; EDICT_E_STALE when it was built on
 * another table). Entity ids ("u1", "g7") and tenants are strings; equal strings
 * are the same entity. */
EDICT_API edict_status edict_request_new(const edict_engine *engine, const edict_custom_roles *custom,
                                         edict_request **out);
EDICT_API void edict_request_free(edict_request *request);
/* Re-resolves every name the request was given against the engine's current table
 * and `custom` (may be NULL), so edict_eval() takes its fast path again after a swap.
 * Returns the status of the first name that does not resolve, or EDICT_E_STALE when
 * `custom` was built on another table. */
EDICT_API edict_status edict_request_bind(edict_request *request, const edict_engine *engine,
                                          const edict_custom_roles *custom);

/* Setters: every string is NUL-terminated and copied. They return EDICT_OK,
 * EDICT_E_UNKNOWN_NAME or EDICT_E_BAD_VALUE for this call's name or value (the
 * request then denies, and edict_request_error_text() keeps its first problem), or
 * EDICT_E_INVALID_ARG for NULL arguments or a bad `root` (the request is then
 * unchanged). A request must name its action and resource type; without them it
 * denies (EDICT_REASON_BAD_REQUEST). */
EDICT_API edict_status edict_request_set_action(edict_request *request, const char *action);
EDICT_API edict_status edict_request_set_resource_type(edict_request *request, const char *type);
/* The principal's entity id and tenant. The resource's tenant defaults to it. */
EDICT_API edict_status edict_request_set_principal(edict_request *request, const char *id, const char *tenant);
EDICT_API edict_status edict_request_set_resource_tenant(edict_request *request, const char *tenant);
EDICT_API edict_status edict_request_add_role(edict_request *request, const char *role);
EDICT_API edict_status edict_request_add_custom_role(edict_request *request, const char *name);
/* An attribute from its textual form: bool "true"/"false", int decimal, string as
 * is, enum a value name, entity or tenant an id string, Role a role name, a set a
 * comma-separated list of items. */
EDICT_API edict_status edict_request_set_attr(edict_request *request, edict_root root, const char *name,
                                              const char *value);
/* Adds one item to a set attribute (creating it on first use; edict_request_set_attr
 * with a comma-separated list replaces the whole set). */
EDICT_API edict_status edict_request_add_set_item(edict_request *request, edict_root root, const char *name,
                                                  const char *item);
EDICT_API edict_status edict_request_set_bool(edict_request *request, edict_root root, const char *name,
                                              int value);
EDICT_API edict_status edict_request_set_int(edict_request *request, edict_root root, const char *name,
                                             int64_t value);
/* What is wrong with the request ("" when nothing), into buf as edict_rule_name. */
EDICT_API edict_status edict_request_error_text(const edict_request *request, char *buf, size_t buf_len,
                                                size_t *len_out);

/* ---- evaluation ---------------------------------------------------------------- */
/* Asks the engine's current table, with the custom roles the request is bound to
 * (if any; EDICT_E_STALE as below when they were built on an older table).
 * Thread-safe; no allocation on the fast path (see above). Returns
 * EDICT_OK whenever *out holds the answer, deny included; on any other status *out
 * (when its size is usable) holds a deny with reason EDICT_REASON_BAD_REQUEST. */
EDICT_API edict_status edict_eval(const edict_engine *engine, const edict_request *request, edict_decision *out);
/* Same, with the custom roles `custom` (may be NULL: none): the request's
 * custom-role names are resolved in `custom` (fast when the request is bound to it).
 * A custom-role set must have been built on the engine's current table: after a swap
 * build a new one; until then this returns EDICT_E_STALE and *out denies. */
EDICT_API edict_status edict_eval_custom(const edict_engine *engine, const edict_custom_roles *custom,
                                         const edict_request *request, edict_decision *out);
/* edict_eval(), and also why, as one line of text for logs and support tools:
 * "allowed by `agent_answer_queue_calls` (cc.edict:133)", or "denied: no grant
 * applies; `scoped` (p.edict:9) did not apply: `resource.group in
 * principal.groups` is false (resource.group=g7, principal.groups={g1, g2})". It
 * names the deciding rule and its place, the grants that came close and the part
 * of each condition that failed with the values it read, and of the request's
 * custom roles the one that allowed or why each did not. Unlike edict_eval it
 * allocates and formats: keep it off the hot path. *out is the answer edict_eval
 * gives. The text goes into buf as edict_rule_name's does (EDICT_E_BUFFER when
 * truncated, *out still the answer; *len_out the full length). Added in symbol
 * version EDICT_2. */
EDICT_API edict_status edict_explain(const edict_engine *engine, const edict_request *request, edict_decision *out,
                                     char *buf, size_t buf_len, size_t *len_out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EDICT_CAPI_EDICT_H_ */
