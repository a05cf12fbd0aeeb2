/* examples/check_access.c: ask a compiled Edict table a few questions through the C ABI.
 *
 *   edict compile policies/contact_center.edict -o cc.edictc
 *   check_access cc.edictc
 *
 * The questions are about policies/contact_center.edict: may an agent of tenant t1,
 * assigned to queue q1, answer a call from queue q1? From queue q2? A call of another
 * tenant? And may they view Billing? Plain C99: only edict.h and libedict.so. */
#include <stdio.h>
#include <string.h>

#include "edict.h"

/* Prints one decision as "QUESTION: allow|deny (reason; rule NAME)". */
static void print_decision(const edict_engine *engine, const char *question, const edict_decision *d) {
  char rule[128] = "";
  if (d->rule != EDICT_NO_RULE) (void)edict_rule_name(engine, d->rule, rule, sizeof rule, NULL);
  printf("%s: %s (%s", question, d->allowed ? "allow" : "deny", edict_reason_str((edict_reason)d->reason));
  if (rule[0] != '\0') printf("; rule %s", rule);
  if (d->request_error != EDICT_REQ_OK) printf("; %s", edict_request_error_str((edict_request_error)d->request_error));
  printf(")\n");
}

/* Asks whether agent u1 of tenant t1 (queues: q1) may answer a Call from `queue`,
 * owned by tenant `resource_tenant`. Returns 0 when the question could be asked. */
static int ask_call(const edict_engine *engine, const char *queue, const char *resource_tenant) {
  edict_request *req = NULL;
  edict_decision d = EDICT_DECISION_INIT;
  char question[128];
  edict_status s = edict_request_new(engine, NULL, &req);
  if (s != EDICT_OK) {
    fprintf(stderr, "check_access: %s\n", edict_status_str(s));
    return 1;
  }
  edict_request_set_principal(req, "u1", "t1");
  edict_request_add_role(req, "agent");
  edict_request_add_set_item(req, EDICT_ROOT_PRINCIPAL, "queues", "q1");
  edict_request_set_action(req, "answer");
  edict_request_set_resource_type(req, "Call");
  edict_request_set_resource_tenant(req, resource_tenant);
  edict_request_set_attr(req, EDICT_ROOT_RESOURCE, "queue", queue);
  s = edict_eval(engine, req, &d);
  if (s != EDICT_OK) {
    edict_request_free(req);
    fprintf(stderr, "check_access: eval: %s\n", edict_status_str(s));
    return 1;
  }
  snprintf(question, sizeof question, "agent of t1 answers a call from queue %s of %s", queue, resource_tenant);
  print_decision(engine, question, &d);
  if (!d.allowed) {
    /* Why, for the log: edict_explain allocates and formats, so it is for denies
     * worth a line, not the hot path. A longer text is cut to fit (EDICT_E_BUFFER). */
    char why[512];
    s = edict_explain(engine, req, &d, why, sizeof why, NULL);
    if (s == EDICT_OK || s == EDICT_E_BUFFER) printf("  why: %s\n", why);
  }
  edict_request_free(req);
  return 0;
}

static int ask_billing(const edict_engine *engine, const char *role) {
  edict_request *req = NULL;
  edict_decision d = EDICT_DECISION_INIT;
  char question[128];
  if (edict_request_new(engine, NULL, &req) != EDICT_OK) return 1;
  edict_request_set_principal(req, "u2", "t1");
  /* An unknown name is not a crash and not an allow: the decision says why. */
  edict_request_add_role(req, role);
  edict_request_set_action(req, "view");
  edict_request_set_resource_type(req, "Billing");
  const edict_status s = edict_eval(engine, req, &d);
  edict_request_free(req);
  if (s != EDICT_OK) return 1;
  snprintf(question, sizeof question, "%s of t1 views Billing", role);
  print_decision(engine, question, &d);
  return 0;
}

int main(int argc, char **argv) {
  edict_engine *engine = NULL;
  char err[256];
  if (argc != 2) {
    fprintf(stderr, "usage: check_access TABLE.edictc\n");
    return 2;
  }
  if (edict_abi_version() != EDICT_ABI_VERSION) {
    fprintf(stderr, "check_access: libedict ABI %u, built for %u\n", edict_abi_version(), EDICT_ABI_VERSION);
    return 2;
  }
  const edict_status s = edict_engine_open_file(argv[1], &engine, err, sizeof err);
  if (s != EDICT_OK) {
    fprintf(stderr, "check_access: %s: %s\n", edict_status_str(s), err);
    return 2;
  }
  int failures = 0;
  failures += ask_call(engine, "q1", "t1");
  failures += ask_call(engine, "q2", "t1");
  failures += ask_call(engine, "q1", "t2");
  failures += ask_billing(engine, "owner");
  failures += ask_billing(engine, "administrator");
  failures += ask_billing(engine, "janitor");
  edict_engine_close(engine);
  return failures == 0 ? 0 : 1;
}
