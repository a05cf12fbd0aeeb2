// tests/diff_test.cc: `edict diff` (compiler/diff.h).
//
// tests/data/diff/CASE.old.edict and CASE.new.edict are one change each; the
// rendered report must equal CASE.expected (EDICT_UPDATE_GOLDEN=1 rewrites the
// expected files; review the diff), and whether it is "wider" (exit 1) is pinned
// in the table below. Also: every bundled policy diffed with its formatted self
// has no decision changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/check.h"
#include "compiler/diff.h"
#include "compiler/format.h"
#include "compiler/load.h"

namespace fs = std::filesystem;
using namespace edict;

namespace {

const fs::path kDir = fs::path(EDICT_SOURCE_DIR) / "tests" / "data" / "diff";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Loads and checks one policy; fails the test on errors.
compiler::DecisionSummary summary_of_text(const std::string& name, const std::string& text) {
  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text(name, text, diags);
  EXPECT_FALSE(diags.has_errors()) << name;
  if (diags.has_errors() || ws.roots.size() != 1) return {};
  auto policy = compiler::check(ws, ws.roots[0], diags);
  EXPECT_TRUE(policy.has_value()) << name;
  if (!policy) return {};
  return compiler::summarize(ws, *policy);
}

compiler::DiffReport diff_files(const fs::path& a, const fs::path& b) {
  return compiler::diff(summary_of_text(a.filename().string(), read(a)), summary_of_text(b.filename().string(), read(b)));
}

// Whether each fixture may allow more (edict diff exits 1) or not (exit 0).
const std::map<std::string, bool> kWider = {
    {"nothing_changed", false}, {"new_grant", true},          {"removed_grant", false},
    {"new_forbid", false},      {"condition_tightened", true}, {"condition_removed", true},
    {"obligation_added", false}, {"obligation_removed", true}, {"inheritance", true},
    {"superadmin", true},       {"catalog", true},            {"vocabulary", true},
};

TEST(Diff, Fixtures) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string file = e.path().filename().string();
    if (!file.ends_with(".new.edict")) continue;
    const std::string name = file.substr(0, file.size() - std::string(".new.edict").size());
    SCOPED_TRACE(name);
    ++n;
    const compiler::DiffReport report = diff_files(kDir / (name + ".old.edict"), kDir / (name + ".new.edict"));
    ASSERT_TRUE(kWider.count(name)) << "add " << name << " to kWider";
    EXPECT_EQ(report.wider(), kWider.at(name));
    const std::string text = compiler::render_diff_text(report);
    const fs::path expected = kDir / (name + ".expected");
    const char* update = std::getenv("EDICT_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
      std::ofstream(expected, std::ios::binary) << text;
      continue;
    }
    EXPECT_EQ(read(expected), text);
  }
  EXPECT_EQ(n, kWider.size());
}

TEST(Diff, NothingChangedSaysSo) {
  const compiler::DiffReport report = diff_files(kDir / "nothing_changed.old.edict", kDir / "nothing_changed.new.edict");
  EXPECT_TRUE(report.changes.empty());
  EXPECT_EQ(compiler::render_diff_text(report), "no decision changes\n");
}

// A role-only change is exact: the new grant shows as allowed, not conditional,
// when no conditional forbid is in the way.
TEST(Diff, RoleOnlyIsExact) {
  const std::string base =
      "entity User; action view, edit; resource Doc actions view, edit; role a; role b;\n"
      "grant a view on Doc;\n";
  const auto before = summary_of_text("a.edict", base);
  const auto after = summary_of_text("b.edict", base + "grant b view, edit on Doc;\nforbid a edit on Doc;\n");
  const compiler::DiffReport report = compiler::diff(before, after);
  ASSERT_EQ(report.changes.size(), 3u) << compiler::render_diff_text(report);
  EXPECT_TRUE(report.wider());
  const std::string text = compiler::render_diff_text(report);
  EXPECT_NE(text.find("+ edit on Doc: newly allowed (denied -> allowed)"), std::string::npos) << text;
  EXPECT_NE(text.find("- edit on Doc: newly forbidden (denied -> forbidden)"), std::string::npos) << text;
}

// Formatting changes no decision (reordering is the nothing_changed fixture).
TEST(Diff, BundledPoliciesAgainstTheirFormattedSelves) {
  for (const auto& e : fs::directory_iterator(fs::path(EDICT_SOURCE_DIR) / "policies")) {
    if (e.path().extension() != ".edict") continue;
    SCOPED_TRACE(e.path().string());
    const std::string text = read(e.path());
    const auto formatted = compiler::format_source(text);
    ASSERT_TRUE(formatted.has_value());
    const auto original = summary_of_text("p.edict", text);
    EXPECT_TRUE(compiler::diff(original, summary_of_text("p.edict", *formatted)).changes.empty());
    EXPECT_FALSE(original.cells.empty());
  }
}

}  // namespace
