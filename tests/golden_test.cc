// tests/golden_test.cc: every tests/golden/diag/*.edict is checked and its rendered
// diagnostics compared with the file's .stderr twin, byte for byte.
//
// EDICT_UPDATE_GOLDEN=1 rewrites the .stderr files instead; review the diff.
// Every golden input must produce at least one error: an input that checks clean
// is a broken test, not a passing one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/check_text.h"

namespace fs = std::filesystem;

namespace {

const fs::path kGoldenDir = fs::path(EDICT_SOURCE_DIR) / "tests" / "golden" / "diag";

std::vector<std::string> golden_inputs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".edict") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, DiagnosticsMatch) {
  const std::string name = GetParam();
  // File names in the output are relative to the golden directory.
  const fs::path old_cwd = fs::current_path();
  fs::current_path(kGoldenDir);
  const edict::testing::CheckOutput out = edict::testing::check_files({name + ".edict"});
  fs::current_path(old_cwd);

  EXPECT_TRUE(out.diags.has_errors()) << name << ".edict checks clean; a golden input must fail";
  const fs::path expected_path = kGoldenDir / (name + ".stderr");
  const char* update = std::getenv("EDICT_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << out.text;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path
                                         << " (run with EDICT_UPDATE_GOLDEN=1 and review it)";
  EXPECT_EQ(read(expected_path), out.text) << "diagnostics of " << name << ".edict changed";
}

INSTANTIATE_TEST_SUITE_P(Diag, Golden, ::testing::ValuesIn(golden_inputs()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
