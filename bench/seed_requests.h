// bench/seed_requests.h: the seed policies compiled once, and the requests the
// benchmarks and the memory soak evaluate against them. Benchmark-only.
//
// Every request is built once, by RequestBuilder, before anything is timed; the
// builders are kept alive because a Request points into its builder's storage.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/custom_roles.h"
#include "runtime/decision.h"
#include "runtime/request_builder.h"
#include "runtime/table.h"

namespace edict::bench {

// Compiles `policies/<file>` of the repository (EDICT_SOURCE_DIR) and loads it;
// exits the process with the diagnostics on failure.
std::shared_ptr<const runtime::Table> compile_seed(const std::string& file);

struct SeedCase {
  std::string name;                     // "scoped_groups_4"
  std::string what;                     // one line for humans
  const runtime::Table* table = nullptr;
  const runtime::CustomRoles* custom = nullptr;
  const runtime::Request* request = nullptr;
  runtime::Effect expected = runtime::Effect::kDeny;
};

class SeedCases {
 public:
  SeedCases();
  const std::vector<SeedCase>& cases() const { return cases_; }
  const SeedCase& get(const std::string& name) const;

 private:
  runtime::RequestBuilder& builder(const runtime::Table& t, const runtime::CustomRoles* custom = nullptr);

  std::shared_ptr<const runtime::Table> pbx_, dashboard_, contact_center_;
  std::unique_ptr<runtime::CustomRoles> pbx_custom_;
  std::vector<std::unique_ptr<runtime::RequestBuilder>> builders_;
  std::vector<SeedCase> cases_;
};

}  // namespace edict::bench
