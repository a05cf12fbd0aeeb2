/* tests/capi_test.c: the C ABI (runtime/capi/edict.h), from plain C on purpose: it
 * proves the header is C99 and the library usable without C++.
 *
 *   capi_test CAPI.edictc CAPI_V2.edictc
 *
 * (tables compiled from tests/data/capi.edict and capi_v2.edict). Cases: NULL
 * pointers and garbage lengths everywhere, every truncation and every corrupted
 * byte of a real table, names the table does not know (deny with the reason), the
 * size-field protocol of edict_decision, custom roles, no allocation in edict_eval,
 * and edict_engine_swap while two threads evaluate. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edict.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    ++checks;                                                         \
    if (!(cond)) {                                                    \
      ++failures;                                                     \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)
#define CHECK_STATUS(expr, want)                                                          \
  do {                                                                                    \
    const edict_status got_ = (expr);                                                     \
    ++checks;                                                                             \
    if (got_ != (want)) {                                                                 \
      ++failures;                                                                         \
      fprintf(stderr, "%s:%d: %s: got %s, want %s\n", __FILE__, __LINE__, #expr,         \
              edict_status_str(got_), edict_status_str(want));                            \
    }                                                                                     \
  } while (0)

/* Counting allocations, to show that edict_eval's fast path makes none: on glibc,
 * this program's malloc family (which libedict.so's operator new reaches too) counts
 * while `counting` is set and forwards to glibc's. Not under sanitizers, which
 * replace malloc themselves. */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define CAPI_TEST_COUNTS_ALLOCATIONS 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
static volatile int counting = 0;
static long allocations = 0;
void *malloc(size_t size) {
  if (counting) ++allocations;
  return __libc_malloc(size);
}
void *calloc(size_t count, size_t size) {
  if (counting) ++allocations;
  return __libc_calloc(count, size);
}
void *realloc(void *p, size_t size) {
  if (counting) ++allocations;
  return __libc_realloc(p, size);
}
void free(void *p) { __libc_free(p); }
#endif

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    cap *= 2;
    unsigned char *bigger = realloc(buf, cap);
    if (bigger == NULL) free(buf);
    buf = bigger;
  }
  fclose(f);
  *len = n;
  return buf;
}

static unsigned char *table_a, *table_b;
static size_t table_a_len, table_b_len;
static uint64_t hash_a, hash_b;

/* An active agent of tenant t1 in groups g1, g2 viewing a call of group g1. */
static edict_request *agent_views_call(const edict_engine *e, const char *group) {
  edict_request *r = NULL;
  if (edict_request_new(e, NULL, &r) != EDICT_OK) return NULL;
  edict_request_set_principal(r, "u1", "t1");
  edict_request_add_role(r, "agent");
  edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "status", "active");
  edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "groups", "g1");
  edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "groups", "g2");
  edict_request_set_action(r, "view");
  edict_request_set_resource_type(r, "Call");
  edict_request_set_attr(r, EDICT_ROOT_RESOURCE, "group", group);
  return r;
}

/* An active principal `user` of t1 holding `role` and the custom role `reporter`
 * (of the set `c`) viewing a Report. */
static edict_request *reporter_views_report(const edict_engine *e, const edict_custom_roles *c, const char *user,
                                            const char *role) {
  edict_request *r = NULL;
  if (edict_request_new(e, c, &r) != EDICT_OK) return NULL;
  edict_request_set_principal(r, user, "t1");
  edict_request_add_role(r, role);
  edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "status", "active");
  CHECK_STATUS(edict_request_add_custom_role(r, "reporter"), EDICT_OK);
  edict_request_set_action(r, "view");
  edict_request_set_resource_type(r, "Report");
  return r;
}

/* ---- 1. the library ---------------------------------------------------------- */
static void test_library(void) {
  CHECK(edict_abi_version() == EDICT_ABI_VERSION);
  CHECK(strcmp(edict_status_str(EDICT_OK), "ok") == 0);
  for (int s = 0; s <= EDICT_E_STALE + 1; ++s) CHECK(edict_status_str((edict_status)s) != NULL);
  CHECK(strcmp(edict_status_str((edict_status)999), "unknown status") == 0);
  CHECK(strcmp(edict_status_str((edict_status)-1), "unknown status") == 0);
  CHECK(edict_reason_str((edict_reason)77) != NULL);
  CHECK(edict_request_error_str((edict_request_error)-5) != NULL);
  CHECK(sizeof(edict_decision) == EDICT_DECISION_V1_SIZE);
}

/* ---- 2. NULL pointers and garbage lengths ------------------------------------ */
static void test_null_and_garbage(void) {
  edict_engine *e = (edict_engine *)&failures; /* must be reset to NULL on failure */
  char err[128];
  CHECK_STATUS(edict_engine_open(NULL, 10, &e, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK(e == NULL);
  CHECK(err[0] != '\0');
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, NULL, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_engine_open(NULL, 0, &e, NULL, 0), EDICT_E_BAD_TABLE);
  CHECK(e == NULL);
  /* A length far past the buffer: refused before any byte is read. */
  CHECK_STATUS(edict_engine_open(table_a, SIZE_MAX, &e, err, sizeof err), EDICT_E_BAD_TABLE);
  CHECK_STATUS(edict_engine_open(table_a, (size_t)EDICT_MAX_TABLE_BYTES + 1, &e, err, sizeof err),
               EDICT_E_BAD_TABLE);
  CHECK(e == NULL);
  /* errbuf: NULL with a length, or a length of 0, are both harmless. */
  CHECK_STATUS(edict_engine_open(table_a, 3, &e, NULL, 100), EDICT_E_BAD_TABLE);
  err[0] = 'x';
  CHECK_STATUS(edict_engine_open(table_a, 3, &e, err, 0), EDICT_E_BAD_TABLE);
  CHECK(err[0] == 'x');
  CHECK_STATUS(edict_engine_open(table_a, 3, &e, err, 1), EDICT_E_BAD_TABLE);
  CHECK(err[0] == '\0');
  CHECK_STATUS(edict_engine_open_file(NULL, &e, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_engine_open_file("/nonexistent/x.edictc", &e, err, sizeof err), EDICT_E_IO);
  CHECK(strstr(err, "/nonexistent/x.edictc") != NULL);
  CHECK_STATUS(edict_engine_open_file("/nonexistent/x.edictc", NULL, err, sizeof err), EDICT_E_INVALID_ARG);
  edict_engine_close(NULL);
  edict_request_free(NULL);
  edict_custom_roles_free(NULL);

  edict_request *r = (edict_request *)&failures;
  CHECK_STATUS(edict_request_new(NULL, NULL, &r), EDICT_E_INVALID_ARG);
  CHECK(r == NULL);
  CHECK_STATUS(edict_request_set_action(NULL, "view"), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_set_principal(NULL, "u", "t"), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_set_attr(NULL, EDICT_ROOT_CONTEXT, "a", "b"), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_bind(NULL, NULL, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_error_text(NULL, err, sizeof err, NULL), EDICT_E_INVALID_ARG);

  edict_decision d = EDICT_DECISION_INIT;
  d.allowed = 1;
  CHECK_STATUS(edict_eval(NULL, NULL, &d), EDICT_E_INVALID_ARG);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_BAD_REQUEST);
  CHECK_STATUS(edict_eval(NULL, NULL, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_eval_custom(NULL, NULL, NULL, NULL), EDICT_E_INVALID_ARG);

  uint64_t h = 0;
  CHECK_STATUS(edict_engine_policy_hash(NULL, &h), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_rule_name(NULL, 0, err, sizeof err, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_obligation_text(NULL, 0, err, sizeof err, NULL), EDICT_E_INVALID_ARG);
  edict_custom_roles *c = (edict_custom_roles *)&failures;
  CHECK_STATUS(edict_custom_roles_new(NULL, &c), EDICT_E_INVALID_ARG);
  CHECK(c == NULL);
  CHECK_STATUS(edict_custom_roles_add(NULL, "x", "y", NULL, 0, NULL, NULL, 0), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_engine_swap(NULL, table_a, table_a_len, NULL, 0), EDICT_E_INVALID_ARG);

  /* With a real engine: NULL arguments and out-of-range values of every kind. */
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  CHECK_STATUS(edict_request_new(e, NULL, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_new(e, NULL, &r), EDICT_OK);
  CHECK_STATUS(edict_request_set_action(r, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_set_principal(r, "u1", NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_set_attr(r, (edict_root)7, "status", "active"), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_set_attr(r, (edict_root)-1, "status", "active"), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "groups", NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_eval(e, r, NULL), EDICT_E_INVALID_ARG);
  /* A decision whose size is too small for version 1 is not written at all. */
  edict_decision small = EDICT_DECISION_INIT;
  small.size = 8;
  small.allowed = 42;
  CHECK_STATUS(edict_eval(e, r, &small), EDICT_E_INVALID_ARG);
  CHECK(small.allowed == 42);
  /* Buffers: truncation is reported and still NUL-terminated; NULL/0 asks the length. */
  size_t len = 0;
  char tiny[4];
  CHECK_STATUS(edict_rule_name(e, 0, tiny, sizeof tiny, &len), EDICT_E_BUFFER);
  CHECK(strlen(tiny) == 3 && len > 3);
  CHECK_STATUS(edict_rule_name(e, 0, NULL, 0, &len), EDICT_E_BUFFER);
  CHECK(len == strlen("agent_view_group_calls"));
  CHECK_STATUS(edict_rule_name(e, 0, NULL, 10, &len), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_rule_name(e, 0xFFFFFFFFu, err, sizeof err, &len), EDICT_E_NOT_FOUND);
  CHECK_STATUS(edict_rule_name(e, 1000, err, sizeof err, NULL), EDICT_E_NOT_FOUND);
  CHECK_STATUS(edict_obligation_text(e, 64, err, sizeof err, NULL), EDICT_E_NOT_FOUND);
  /* Custom roles: NULL permissions with a count, a garbage count, NULL names inside. */
  CHECK_STATUS(edict_custom_roles_new(e, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_custom_roles_new(e, &c), EDICT_OK);
  const edict_permission bad[2] = {{"view", "Report"}, {NULL, "Report"}};
  CHECK_STATUS(edict_custom_roles_add(c, "r", "reports", NULL, 3, NULL, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_custom_roles_add(c, "r", "reports", bad, SIZE_MAX, NULL, err, sizeof err),
               EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_custom_roles_add(c, "r", "reports", bad, 2, NULL, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_custom_roles_add(c, NULL, "reports", bad, 1, NULL, err, sizeof err), EDICT_E_INVALID_ARG);
  size_t count = 99;
  CHECK_STATUS(edict_custom_roles_count(c, &count), EDICT_OK);
  CHECK(count == 0);
  CHECK_STATUS(edict_custom_roles_count(c, NULL), EDICT_E_INVALID_ARG);
  edict_custom_roles_free(c);
  edict_request_free(r);
  edict_engine_close(e);
}

/* ---- 3. truncated and corrupted tables --------------------------------------- */
static void test_bad_tables(void) {
  char err[256];
  edict_engine *e = NULL;
  int all_refused = 1;
  /* Every proper prefix of a valid table is refused, with a message. */
  for (size_t n = 0; n < table_a_len; ++n) {
    unsigned char *copy = malloc(n + 1); /* exactly n bytes readable (+1: malloc(0)) */
    memcpy(copy, table_a, n);
    err[0] = '\0';
    const edict_status s = edict_engine_open(copy, n, &e, err, sizeof err);
    if (s == EDICT_OK || e != NULL || err[0] == '\0') {
      all_refused = 0;
      fprintf(stderr, "prefix of %zu bytes: %s (%s)\n", n, edict_status_str(s), err);
      edict_engine_close(e);
      e = NULL;
    }
    free(copy);
  }
  CHECK(all_refused);
  /* Every single corrupted byte is refused (the checksum catches what the verifier
   * would not). */
  unsigned char *copy = malloc(table_a_len);
  memcpy(copy, table_a, table_a_len);
  all_refused = 1;
  for (size_t i = 0; i < table_a_len; ++i) {
    copy[i] ^= 0x5a;
    const edict_status s = edict_engine_open(copy, table_a_len, &e, err, sizeof err);
    if (s == EDICT_OK || e != NULL) {
      all_refused = 0;
      fprintf(stderr, "corrupted byte %zu accepted\n", i);
      edict_engine_close(e);
      e = NULL;
    }
    copy[i] ^= 0x5a;
  }
  CHECK(all_refused);
  /* A longer buffer (trailing garbage) is refused too. */
  unsigned char *longer = malloc(table_a_len + 16);
  memcpy(longer, table_a, table_a_len);
  memset(longer + table_a_len, 0, 16);
  CHECK_STATUS(edict_engine_open(longer, table_a_len + 16, &e, err, sizeof err), EDICT_E_BAD_TABLE);
  free(longer);
  /* Another format major version: EDICT_E_VERSION, whatever else is wrong. */
  copy[8] = 9;
  CHECK_STATUS(edict_engine_open(copy, table_a_len, &e, err, sizeof err), EDICT_E_VERSION);
  CHECK(e == NULL);
  /* Not a table at all. */
  static const char junk[64] = "hello, world: this is not a table";
  CHECK_STATUS(edict_engine_open(junk, sizeof junk, &e, err, sizeof err), EDICT_E_BAD_TABLE);
  free(copy);
  /* A failed swap keeps the old table. */
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  CHECK_STATUS(edict_engine_swap(e, table_b, table_b_len / 2, err, sizeof err), EDICT_E_BAD_TABLE);
  CHECK(err[0] != '\0');
  CHECK_STATUS(edict_engine_swap(e, NULL, 5, err, sizeof err), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_engine_swap_file(e, "/nonexistent", err, sizeof err), EDICT_E_IO);
  uint64_t h = 0;
  CHECK_STATUS(edict_engine_policy_hash(e, &h), EDICT_OK);
  CHECK(h == hash_a);
  edict_engine_close(e);
}

/* ---- 4. decisions, names the table lacks, the size field ------------------------- */
static void test_decisions(void) {
  char err[256], text[128];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;

  /* Allowed, with an obligation and the deciding rule. */
  edict_request *r = agent_views_call(e, "g1");
  edict_decision d = EDICT_DECISION_INIT;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1 && d.reason == EDICT_REASON_GRANTED && d.request_error == EDICT_REQ_OK);
  CHECK(d.policy_hash == hash_a && d.custom_role == 0);
  CHECK_STATUS(edict_rule_name(e, d.rule, text, sizeof text, NULL), EDICT_OK);
  CHECK(strcmp(text, "agent_view_group_calls") == 0);
  CHECK(d.obligations == 1u);
  CHECK_STATUS(edict_obligation_text(e, 0, text, sizeof text, NULL), EDICT_OK);
  CHECK(strcmp(text, "redact(pii)") == 0);
  CHECK_STATUS(edict_request_error_text(r, text, sizeof text, NULL), EDICT_OK);
  CHECK(text[0] == '\0');
  edict_request_free(r);

  /* The caller's struct may be larger than version 1 (a later header): the library
   * writes its own fields and leaves the rest alone. */
  struct {
    edict_decision d;
    uint64_t later_field;
  } bigger;
  memset(&bigger, 0, sizeof bigger);
  bigger.d.size = (uint32_t)sizeof bigger;
  bigger.later_field = 0x1234;
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_eval(e, r, &bigger.d), EDICT_OK);
  CHECK(bigger.d.allowed == 1 && bigger.d.size == sizeof bigger && bigger.later_field == 0x1234);
  edict_request_free(r);

  /* Sets: a comma list replaces the items added so far; add_set_item adds to it. */
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "groups", "g5,g6"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0);
  CHECK_STATUS(edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "groups", "g1"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1);
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "groups", ""), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0);
  edict_request_free(r);

  /* Other group: default deny, no rule. */
  r = agent_views_call(e, "g9");
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_NO_GRANT && d.rule == EDICT_NO_RULE && d.obligations == 0);
  edict_request_free(r);

  /* Another tenant's call: denied whatever the rules say. */
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_resource_tenant(r, "t2"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_TENANT_MISMATCH);
  edict_request_free(r);

  /* A forbid: an inactive principal. */
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "status", "invited"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_FORBIDDEN);
  CHECK_STATUS(edict_rule_name(e, d.rule, text, sizeof text, NULL), EDICT_OK);
  CHECK(strcmp(text, "inactive_do_nothing") == 0);
  edict_request_free(r);

  /* Bool and int setters. */
  CHECK_STATUS(edict_request_new(e, NULL, &r), EDICT_OK);
  edict_request_set_principal(r, "u2", "t1");
  edict_request_add_role(r, "supervisor");
  edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "status", "active");
  CHECK_STATUS(edict_request_set_int(r, EDICT_ROOT_PRINCIPAL, "level", 3), EDICT_OK);
  CHECK_STATUS(edict_request_set_bool(r, EDICT_ROOT_PRINCIPAL, "mfa", 1), EDICT_OK);
  edict_request_set_action(r, "edit");
  edict_request_set_resource_type(r, "Call");
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1);
  CHECK_STATUS(edict_request_set_int(r, EDICT_ROOT_PRINCIPAL, "level", 2), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0);
  /* Strings: export a "public" call, with and without MFA. */
  edict_request_set_action(r, "export");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_RESOURCE, "label", "public"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1);
  CHECK_STATUS(edict_request_set_bool(r, EDICT_ROOT_PRINCIPAL, "mfa", 0), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_FORBIDDEN);
  edict_request_free(r);
  edict_engine_close(e);
}

/* Evaluates `r` and checks a deny for a bad request of kind `kind`, whose text
 * mentions `name`. */
static void expect_bad_request(const edict_engine *e, edict_request *r, edict_request_error kind, const char *name,
                               int line) {
  edict_decision d = EDICT_DECISION_INIT;
  char text[256] = "";
  const edict_status s = edict_eval(e, r, &d);
  (void)edict_request_error_text(r, text, sizeof text, NULL);
  ++checks;
  if (s != EDICT_OK || d.allowed != 0 || d.reason != EDICT_REASON_BAD_REQUEST || d.request_error != (int)kind ||
      (name != NULL && strstr(text, name) == NULL)) {
    ++failures;
    fprintf(stderr, "%s:%d: bad request: status %s, allowed %d, reason %d, request error %d, text `%s`\n", __FILE__,
            line, edict_status_str(s), d.allowed, d.reason, d.request_error, text);
  }
}

static void test_bad_names(void) {
  char err[256];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  edict_request *r;

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_action(r, "frobnicate"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ACTION, "frobnicate", __LINE__);
  /* The first problem is kept: fixing the name later does not un-deny the request,
   * and each later setter still reports its own name. */
  CHECK_STATUS(edict_request_set_action(r, "view"), EDICT_OK);
  CHECK_STATUS(edict_request_add_role(r, "nobody"), EDICT_E_UNKNOWN_NAME);
  CHECK_STATUS(edict_request_add_set_item(r, EDICT_ROOT_PRINCIPAL, "groups", "g3"), EDICT_OK);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ACTION, "frobnicate", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_resource_type(r, "Spaceship"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_RESOURCE_TYPE, "Spaceship", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_add_role(r, "agnet"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ROLE, "agnet", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_RESOURCE, "colour", "red"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ATTRIBUTE, "colour", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "level", "high"), EDICT_E_BAD_VALUE);
  expect_bad_request(e, r, EDICT_REQ_BAD_VALUE, "high", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_PRINCIPAL, "status", "asleep"), EDICT_E_BAD_VALUE);
  expect_bad_request(e, r, EDICT_REQ_BAD_VALUE, "asleep", __LINE__);
  edict_request_free(r);

  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_add_custom_role(r, "nobody"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_CUSTOM_ROLE, "nobody", __LINE__);
  edict_request_free(r);

  /* A request that never names its action or resource type denies. */
  CHECK_STATUS(edict_request_new(e, NULL, &r), EDICT_OK);
  edict_request_set_principal(r, "u1", "t1");
  edict_request_add_role(r, "agent");
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ACTION, "no action", __LINE__);
  edict_request_set_action(r, "view");
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_RESOURCE_TYPE, "no resource type", __LINE__);
  edict_request_free(r);

  /* No tenant: denied. */
  CHECK_STATUS(edict_request_new(e, NULL, &r), EDICT_OK);
  edict_request_add_role(r, "agent");
  edict_request_set_action(r, "view");
  edict_request_set_resource_type(r, "Call");
  edict_decision d = EDICT_DECISION_INIT;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.request_error == EDICT_REQ_MISSING_TENANT);
  edict_request_free(r);

  /* Empty and odd strings are names like any other. */
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_add_role(r, ""), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ROLE, NULL, __LINE__);
  edict_request_free(r);
  r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_request_add_role(r, "\xff\xfe\x01"), EDICT_E_UNKNOWN_NAME);
  expect_bad_request(e, r, EDICT_REQ_UNKNOWN_ROLE, NULL, __LINE__);
  edict_request_free(r);
  edict_engine_close(e);
}

/* Random requests over a vocabulary of good and bad names: evaluation always answers,
 * and any setter that reported a bad name or value makes the answer a deny. */
static void test_random_requests(void) {
  static const char *const actions[] = {"view", "edit", "export", "frobnicate", "", "View"};
  static const char *const types[] = {"Call", "Report", "Spaceship", "call"};
  static const char *const roles[] = {"agent", "supervisor", "clerk", "agnet", ""};
  static const char *const attrs[] = {"status", "groups", "mfa", "level", "label", "group", "colour", "tenant", "rank"};
  static const char *const values[] = {"active", "invited", "g1", "true", "false", "3", "-7", "public", "", "x,y",
                                       "99999999999999999999", "\xff"};
  char err[256];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  unsigned seed = 12345u;
#define PICK(array) (array[(seed = seed * 1103515245u + 12345u, (seed >> 16) % (sizeof(array) / sizeof(array[0])))])
  int broken = 0;
  for (int i = 0; i < 3000; ++i) {
    edict_request *r = NULL;
    if (edict_request_new(e, NULL, &r) != EDICT_OK) {
      ++broken;
      continue;
    }
    int bad = 0;
    bad |= edict_request_set_principal(r, "u1", "t1") != EDICT_OK;
    bad |= edict_request_set_action(r, PICK(actions)) != EDICT_OK;
    bad |= edict_request_set_resource_type(r, PICK(types)) != EDICT_OK;
    for (int k = (int)((seed >> 8) % 3); k > 0; --k) bad |= edict_request_add_role(r, PICK(roles)) != EDICT_OK;
    for (int k = (int)((seed >> 4) % 4); k > 0; --k) {
      const edict_root root = (edict_root)((seed >> 3) % 3);
      const char *name = PICK(attrs);
      switch ((seed >> 12) % 4) {
        case 0: bad |= edict_request_set_attr(r, root, name, PICK(values)) != EDICT_OK; break;
        case 1: bad |= edict_request_add_set_item(r, root, name, PICK(values)) != EDICT_OK; break;
        case 2: bad |= edict_request_set_bool(r, root, name, (int)(seed & 1u)) != EDICT_OK; break;
        default: bad |= edict_request_set_int(r, root, name, (int64_t)seed - 40000) != EDICT_OK; break;
      }
    }
    edict_decision d = EDICT_DECISION_INIT;
    if (edict_eval(e, r, &d) != EDICT_OK || (bad && (d.allowed != 0 || d.reason != EDICT_REASON_BAD_REQUEST))) {
      ++broken;
      fprintf(stderr, "random request %d: bad=%d allowed=%d reason=%d\n", i, bad, d.allowed, d.reason);
    }
    edict_request_free(r);
  }
#undef PICK
  CHECK(broken == 0);
  edict_engine_close(e);
}

/* ---- 5. custom roles --------------------------------------------------------- */
static void test_custom_roles(void) {
  char err[256];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  edict_custom_roles *c = NULL;
  CHECK_STATUS(edict_custom_roles_new(e, &c), EDICT_OK);
  const edict_permission view_export[2] = {{"view", "Report"}, {"export", "Report"}};
  const edict_permission too_much[2] = {{"view", "Report"}, {"edit", "Call"}};
  uint32_t index = 99;
  CHECK_STATUS(edict_custom_roles_add(c, "reporter", "reports", view_export, 2, &index, err, sizeof err), EDICT_OK);
  CHECK(index == 0);
  CHECK_STATUS(edict_custom_roles_add(c, "greedy", "reports", too_much, 2, &index, err, sizeof err),
               EDICT_E_REJECTED);
  CHECK(strstr(err, "edit") != NULL);
  CHECK_STATUS(edict_custom_roles_add(c, "reporter", "reports", view_export, 1, NULL, err, sizeof err),
               EDICT_E_REJECTED);
  CHECK_STATUS(edict_custom_roles_add(c, "x", "no_such_catalog", view_export, 1, NULL, err, sizeof err),
               EDICT_E_REJECTED);
  CHECK(strstr(err, "no_such_catalog") != NULL);
  CHECK_STATUS(edict_custom_roles_add(c, "viewer", "reports", view_export, 1, &index, err, sizeof err), EDICT_OK);
  CHECK(index == 1);

  /* A clerk holding `reporter` may view a report. */
  edict_request *r = reporter_views_report(e, c, "u3", "clerk");
  CHECK(r != NULL);
  edict_decision d = EDICT_DECISION_INIT;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1 && d.custom_role == 1);
  CHECK_STATUS(edict_eval_custom(e, c, r, &d), EDICT_OK);
  CHECK(d.allowed == 1 && d.custom_role == 1);
  /* Without custom roles, the name is unknown: deny. */
  CHECK_STATUS(edict_eval_custom(e, NULL, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.request_error == EDICT_REQ_UNKNOWN_CUSTOM_ROLE);
  /* Export needs MFA: the policy's forbids apply to custom-role grants. */
  edict_request_set_action(r, "export");
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_FORBIDDEN);
  edict_request_set_bool(r, EDICT_ROOT_PRINCIPAL, "mfa", 1);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1);
  edict_request_free(r);

  /* A custom role attaches only to holders of the catalog's roles (clerk). */
  r = reporter_views_report(e, c, "u4", "agent");
  CHECK(r != NULL);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0);

  /* After a swap the set is stale: deny with EDICT_E_STALE, until rebuilt. */
  CHECK_STATUS(edict_engine_swap(e, table_a, table_a_len, err, sizeof err), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_E_STALE);
  CHECK(d.allowed == 0);
  edict_custom_roles *fresh = NULL;
  CHECK_STATUS(edict_custom_roles_new(e, &fresh), EDICT_OK);
  CHECK_STATUS(edict_custom_roles_add(fresh, "reporter", "reports", view_export, 2, NULL, err, sizeof err), EDICT_OK);
  CHECK_STATUS(edict_request_bind(r, e, c), EDICT_E_STALE);
  CHECK_STATUS(edict_request_bind(r, e, fresh), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 0); /* still an agent, not a clerk */
  CHECK_STATUS(edict_request_add_role(r, "clerk"), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1 && d.custom_role == 1);
  /* Handles may be freed in any order: the request keeps its custom roles alive. */
  edict_custom_roles_free(fresh);
  edict_custom_roles_free(c);
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  CHECK(d.allowed == 1);
  edict_engine_close(e);
  edict_request_free(r);
}

/* ---- 5b. explain: the answer and why, as text ------------------------------------ */
static void test_explain(void) {
  char err[256], text[512], small[8];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  edict_decision d = EDICT_DECISION_INIT, plain = EDICT_DECISION_INIT;
  size_t len = 0;

  /* The same answer as edict_eval, and the deciding rule by name. */
  edict_request *r = agent_views_call(e, "g1");
  CHECK_STATUS(edict_explain(e, r, &d, text, sizeof text, &len), EDICT_OK);
  CHECK_STATUS(edict_eval(e, r, &plain), EDICT_OK);
  CHECK(d.allowed == 1 && d.allowed == plain.allowed && d.rule == plain.rule && d.obligations == plain.obligations);
  CHECK(strstr(text, "allowed by `agent_view_group_calls`") == text);
  CHECK(len == strlen(text));

  /* A deny says which part of the close grant failed, with the entities by name. */
  CHECK_STATUS(edict_request_set_attr(r, EDICT_ROOT_RESOURCE, "group", "g9"), EDICT_OK);
  CHECK_STATUS(edict_explain(e, r, &d, text, sizeof text, NULL), EDICT_OK);
  CHECK(d.allowed == 0 && d.reason == EDICT_REASON_NO_GRANT);
  CHECK(strstr(text, "denied: no grant applies") == text);
  CHECK(strstr(text, "resource.group=g9") != NULL);

  /* A short buffer: the text truncated and NUL-terminated, the full length, the answer. */
  CHECK_STATUS(edict_explain(e, r, &d, small, sizeof small, &len), EDICT_E_BUFFER);
  CHECK(strlen(small) == sizeof small - 1 && strncmp(small, "denied:", 7) == 0);
  CHECK(len > sizeof small && d.allowed == 0 && d.reason == EDICT_REASON_NO_GRANT);
  /* No buffer: only the length, to size one. */
  len = 0;
  CHECK_STATUS(edict_explain(e, r, &d, NULL, 0, &len), EDICT_E_BUFFER);
  CHECK(len > sizeof small);

  /* A request without a resource type is decided without explain(): still said why. */
  edict_request *bare = NULL;
  CHECK_STATUS(edict_request_new(e, NULL, &bare), EDICT_OK);
  edict_request_set_principal(bare, "u1", "t1");
  edict_request_set_action(bare, "view");
  CHECK_STATUS(edict_explain(e, bare, &d, text, sizeof text, NULL), EDICT_OK);
  CHECK(d.allowed == 0 && strcmp(text, "denied: bad request: unknown resource type") == 0);
  edict_request_free(bare);

  /* Bad arguments: an error status, a deny where there is a decision to write. */
  CHECK_STATUS(edict_explain(NULL, r, &d, text, sizeof text, NULL), EDICT_E_INVALID_ARG);
  CHECK(d.allowed == 0 && strcmp(text, "denied: invalid argument") == 0);
  CHECK_STATUS(edict_explain(e, NULL, &d, text, sizeof text, NULL), EDICT_E_INVALID_ARG);
  CHECK_STATUS(edict_explain(e, r, NULL, text, sizeof text, NULL), EDICT_E_INVALID_ARG);
  edict_request_free(r);

  /* A custom role's allow names it; one that does not apply says why. */
  edict_custom_roles *c = NULL;
  CHECK_STATUS(edict_custom_roles_new(e, &c), EDICT_OK);
  const edict_permission view_report[1] = {{"view", "Report"}};
  CHECK_STATUS(edict_custom_roles_add(c, "reporter", "reports", view_report, 1, NULL, err, sizeof err), EDICT_OK);
  r = reporter_views_report(e, c, "u3", "clerk");
  CHECK(r != NULL);
  CHECK_STATUS(edict_explain(e, r, &d, text, sizeof text, NULL), EDICT_OK);
  CHECK(d.allowed == 1 && d.custom_role == 1);
  CHECK(strcmp(text, "allowed by custom role `reporter` (catalog `reports`)") == 0);
  edict_request_set_action(r, "export");
  edict_request_set_bool(r, EDICT_ROOT_PRINCIPAL, "mfa", 1);
  CHECK_STATUS(edict_explain(e, r, &d, text, sizeof text, NULL), EDICT_OK);
  CHECK(d.allowed == 0 && strstr(text, "custom role `reporter` (catalog `reports`) did not apply: it does not grant "
                                       "`export` on `Report`") != NULL);
  edict_request_free(r);
  edict_custom_roles_free(c);
  edict_engine_close(e);
}

/* ---- 6. no allocation on the fast path ------------------------------------------ */
static void test_no_allocation(void) {
#ifdef CAPI_TEST_COUNTS_ALLOCATIONS
  char err[256];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  edict_request *r = agent_views_call(e, "g1");
  edict_decision d = EDICT_DECISION_INIT;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  allocations = 0;
  counting = 1;
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) allowed += edict_eval(e, r, &d) == EDICT_OK && d.allowed == 1;
  counting = 0;
  CHECK(allowed == 1000);
  CHECK(allocations == 0);
  /* After a swap the request is bound to the old table: the slow path resolves its
   * names again, which allocates (and shows that the counting works). */
  CHECK_STATUS(edict_engine_swap(e, table_a, table_a_len, err, sizeof err), EDICT_OK);
  counting = 1;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  counting = 0;
  CHECK(d.allowed == 1 && allocations > 0);
  /* Re-bound, it is fast again. */
  CHECK_STATUS(edict_request_bind(r, e, NULL), EDICT_OK);
  allocations = 0;
  counting = 1;
  CHECK_STATUS(edict_eval(e, r, &d), EDICT_OK);
  counting = 0;
  CHECK(d.allowed == 1 && allocations == 0);
  edict_request_free(r);
  edict_engine_close(e);
#else
  fprintf(stderr, "capi_test: allocation counting is off in this build\n");
#endif
}

/* ---- 7. swap while two threads evaluate ---------------------------------------- */
/* Each thread evaluates at least kMinEvals times and until it has seen answers from
 * both tables; the main thread swaps between them until both threads are done. */
enum { kMinEvals = 20000, kMaxEvals = 5000000 };

static pthread_mutex_t done_mutex = PTHREAD_MUTEX_INITIALIZER;
static int threads_done = 0;

struct worker {
  edict_engine *engine;
  int rebind; /* 1: re-bind the request now and then (fast path after a swap) */
  long seen_a, seen_b, wrong;
};

static void *evaluate_loop(void *arg) {
  struct worker *w = arg;
  edict_request *r = agent_views_call(w->engine, "g1");
  for (long i = 0; r != NULL && i < kMaxEvals && (i < kMinEvals || w->seen_a == 0 || w->seen_b == 0); ++i) {
    edict_decision d = EDICT_DECISION_INIT;
    if (edict_eval(w->engine, r, &d) != EDICT_OK) {
      ++w->wrong;
      continue;
    }
    /* Table A allows (agent_view_group_calls, with its obligation); table B has no
     * such grant. Every answer must match the table that gave it, never a mix. */
    if (d.policy_hash == hash_a && d.allowed == 1 && d.obligations == 1) {
      ++w->seen_a;
    } else if (d.policy_hash == hash_b && d.allowed == 0 && d.reason == EDICT_REASON_NO_GRANT) {
      ++w->seen_b;
    } else {
      ++w->wrong;
    }
    if (w->rebind && i % 64 == 0) (void)edict_request_bind(r, w->engine, NULL);
  }
  if (r == NULL) w->wrong = -1;
  edict_request_free(r);
  pthread_mutex_lock(&done_mutex);
  ++threads_done;
  pthread_mutex_unlock(&done_mutex);
  return NULL;
}

static void test_swap_while_evaluating(void) {
  char err[256];
  edict_engine *e = NULL;
  CHECK_STATUS(edict_engine_open(table_a, table_a_len, &e, err, sizeof err), EDICT_OK);
  if (e == NULL) return;
  struct worker workers[2] = {{e, 0, 0, 0, 0}, {e, 1, 0, 0, 0}};
  pthread_t threads[2];
  int started = 0;
  for (int i = 0; i < 2; ++i) {
    const int ok = pthread_create(&threads[i], NULL, evaluate_loop, &workers[i]) == 0;
    CHECK(ok);
    started += ok;
  }
  long swaps = 0, swap_failures = 0;
  for (int done = 0; !done; ++swaps) {
    const int use_b = swaps % 2 == 0;
    if (edict_engine_swap(e, use_b ? table_b : table_a, use_b ? table_b_len : table_a_len, err, sizeof err) !=
        EDICT_OK)
      ++swap_failures;
    pthread_mutex_lock(&done_mutex);
    done = threads_done == started;
    pthread_mutex_unlock(&done_mutex);
  }
  for (int i = 0; i < started; ++i) pthread_join(threads[i], NULL);
  CHECK(swap_failures == 0);
  for (int i = 0; i < 2; ++i) {
    CHECK(workers[i].wrong == 0);
    CHECK(workers[i].seen_a > 0 && workers[i].seen_b > 0);
    fprintf(stderr, "swap test, thread %d: %ld answers from table A, %ld from table B, %ld wrong (%ld swaps)\n", i,
            workers[i].seen_a, workers[i].seen_b, workers[i].wrong, swaps);
  }
  edict_engine_close(e);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: capi_test CAPI.edictc CAPI_V2.edictc\n");
    return 2;
  }
  table_a = read_file(argv[1], &table_a_len);
  table_b = read_file(argv[2], &table_b_len);
  if (table_a == NULL || table_b == NULL) {
    fprintf(stderr, "capi_test: cannot read the tables\n");
    return 2;
  }
  /* The two tables' identities, for telling answers apart. */
  edict_engine *e = NULL;
  char err[256];
  if (edict_engine_open(table_a, table_a_len, &e, err, sizeof err) != EDICT_OK) {
    fprintf(stderr, "capi_test: %s: %s\n", argv[1], err);
    return 2;
  }
  edict_engine_policy_hash(e, &hash_a);
  CHECK_STATUS(edict_engine_swap_file(e, argv[2], err, sizeof err), EDICT_OK);
  edict_engine_policy_hash(e, &hash_b);
  edict_engine_close(e);
  CHECK(hash_a != hash_b);

  test_library();
  test_null_and_garbage();
  test_bad_tables();
  test_decisions();
  test_bad_names();
  test_random_requests();
  test_custom_roles();
  test_explain();
  test_no_allocation();
  test_swap_while_evaluating();

  free(table_a);
  free(table_b);
  printf("capi_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
