// fuzz/testfile_fuzzer.cc: a policy test file (*.edict-test), as `edict test`
// reads it: parse, then (when it names the fixture policy) build its world
// (tenants, entities, users, custom roles), expand its loops and run its cases
// through the compiled table and the reference interpreter.
//
// Trust boundary: test files written next to policies by anyone. Every input
// must end in results or diagnostics, never a crash. The input is written to
// a file in the target's private directory, next to a copy of
// tests/data/testkit/policy.edict; a test file naming any other policy is
// only parsed (see fuzz_support.h on paths).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_support.h"
#include "grammar/diagnostic.h"
#include "grammar/source.h"
#include "grammar/test_parse.h"
#include "testkit/runner.h"

namespace {

std::string test_path;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) edict::fuzz::fail("cannot write " + path);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace edict;
  const std::string dir = fuzz::private_directory();
  std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/tests/data/testkit/policy.edict", std::ios::binary);
  std::ostringstream policy;
  policy << in.rdbuf();
  if (!in) fuzz::fail("cannot read tests/data/testkit/policy.edict");
  write_file(dir + "/policy.edict", policy.str());
  test_path = dir + "/fuzz.edict-test";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > fuzz::kMaxInput) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  SourceMap sources;
  const FileId id = sources.add("fuzz.edict-test", text);
  Diagnostics diags;
  const testfile::File file = grammar::parse_test_file(sources, id, diags);
  std::ostringstream out;
  render_text(diags, sources, out, false);
  if (!file.policy || *file.policy != "policy.edict") return 0;
  write_file(test_path, text);
  const testkit::TestRun run = testkit::run_tests({test_path});
  for (const auto& group : run.diagnostics) render_text(group.diags, *group.sources, out, false);
  return 0;
}
