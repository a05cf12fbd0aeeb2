// fuzz/differential_fuzzer.cc: random valid policy + random requests: the
// compiled runtime against the reference interpreter.
//
// The input's bytes are the generators' seeds and options (tests/testing/
// policy_gen.h), so libFuzzer explores policy and request space through them
// and keeps the seeds that reach new code in the compiler and the evaluator.
// Any disagreement between runtime::evaluate() and testkit::ReferenceEvaluator
// on effect, reason, deciding rule, obligations or custom role aborts, with
// the policy and the request printed; so does a generated policy whose table
// the loader rejects. Reproduce with the saved input (replay or -runs=1).
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/check.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "fuzz/fuzz_support.h"
#include "grammar/diagnostic.h"
#include "runtime/custom_roles.h"
#include "runtime/eval.h"
#include "runtime/table.h"
#include "tests/testing/policy_gen.h"
#include "testkit/reference_eval.h"

namespace {

using namespace edict;

bool same(const runtime::Decision& a, const runtime::Decision& b) {
  return a.effect == b.effect && a.reason == b.reason && a.rule == b.rule && a.obligations == b.obligations &&
         a.custom_role == b.custom_role;
}

// For each catalog, a role over a subset of the pairs it lists, chosen by the
// input, added to the runtime's CustomRoles and mirrored for the oracle.
void make_custom_roles(const compiler::Policy& p, fuzz::Bytes& in, runtime::CustomRoles& custom,
                       testkit::ReferenceCustomRoles& ref) {
  for (uint32_t k = 0; k < p.catalogs.size(); ++k) {
    std::set<std::pair<uint32_t, uint32_t>> listed;
    for (const auto& e : p.catalogs[k].entries) listed.insert(e.pairs.begin(), e.pairs.end());
    const uint32_t mask = in.u32();
    testkit::ReferenceCustomRole role{"c" + std::to_string(k), k, {}};
    runtime::CustomRoleSpec spec{role.name, p.catalogs[k].name, {}};
    uint32_t bit = 0;
    for (const auto& pair : listed) {
      if (((mask >> (bit++ % 32)) & 1) == 0) continue;
      role.permissions.push_back(pair);
      spec.permissions.emplace_back(p.actions[pair.first].name, p.resources[pair.second].name);
    }
    auto added = custom.add(spec);
    if (!added) fuzz::fail("CustomRoles::add refused a role within its catalog: " + added.error());
    ref.roles.push_back(std::move(role));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return -1;
  fuzz::Bytes in(data, size);
  testing::PolicyGenOptions options;
  options.max_rules = 1 + in.below(16);
  options.max_depth = 1 + in.below(5);
  options.nested_bool_compare = in.below(2) == 0;
  options.big_percent = in.below(4) == 0 ? 8 : 0;
  const uint64_t policy_seed = in.u64();
  const testing::GeneratedPolicy generated = testing::PolicyGenerator(policy_seed, options).generate(policy_seed);
  const std::string source = generated.source();

  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text("gen.edict", source, diags);
  if (ws.roots.empty()) return 0;
  auto policy = compiler::check(ws, ws.roots[0], diags);
  if (!policy) return 0;  // the generator's rare invalid policy (PolicyGen.GeneratedPoliciesCheck bounds them)
  auto bytes = compiler::lower(ws, ws.roots[0], *policy, compiler::LowerOptions{}, diags);
  if (!bytes) return 0;  // a format limit (E03xx), e.g. too many obligation instances
  auto loaded = runtime::Table::load(*bytes);
  if (!loaded) fuzz::fail("the loader rejects a generated policy's table: " + loaded.error().message + "\n" + source);
  const std::shared_ptr<const runtime::Table> table = *loaded;

  const testkit::ReferenceEvaluator oracle(*policy);
  runtime::CustomRoles custom(table);
  testkit::ReferenceCustomRoles ref;
  make_custom_roles(*policy, in, custom, ref);
  testing::RequestGenOptions request_options;
  request_options.custom_role_count = static_cast<uint32_t>(ref.roles.size());
  request_options.out_of_range_percent = in.below(4);
  request_options.absent_percent = in.below(20);
  request_options.wrong_kind_percent = in.below(8);
  testing::RequestGenerator gen(*policy, in.u64(), request_options);
  testing::GeneratedRequest g;
  const uint32_t requests = 16 + in.below(240);
  for (uint32_t i = 0; i < requests; ++i) {
    gen.next(g);
    const bool with_custom = (i & 3) != 3;
    const runtime::Decision want = oracle.evaluate(g.request, with_custom ? &ref : nullptr);
    const runtime::Decision got = runtime::evaluate(*table, g.request, with_custom ? &custom : nullptr);
    if (same(want, got)) continue;
    std::ostringstream msg;
    msg << "runtime and oracle disagree (policy seed " << policy_seed << ")\n==== policy ====\n"
        << source << "\n==== end of policy ====\n  request: "
        << testkit::describe_request(*policy, g.request, with_custom ? &ref : nullptr)
        << "\n  oracle:  " << testkit::describe_decision(*policy, want)
        << "\n  runtime: " << testkit::describe_decision(*policy, got);
    fuzz::fail(msg.str());
  }
  return 0;
}
