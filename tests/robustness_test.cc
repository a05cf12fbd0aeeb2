// tests/robustness_test.cc: hostile and huge inputs: every one gets a located
// diagnostic (or an I/O error), never a crash, a stack overflow or a hang.
// Inputs are generated here rather than checked in (10 MB files do not belong in
// the repository). No test asserts on time; a hang shows as a ctest timeout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/testing/check_text.h"

namespace edict {
namespace {

namespace fs = std::filesystem;

const std::string kValid = R"(enum Status { invited, active, suspended }
entity Group;
entity User { status: Status, groups: set<Group> }
action view, edit;
resource Call { group: Group? } actions view, edit;
role agent;
role manager extends agent;
grant agent view on Call when resource has group && resource.group in principal.groups;
forbid * on * unless principal.status == active;
)";

std::string first_code(const testing::CheckOutput& out) {
  return out.diags.items().empty() ? "" : out.diags.items().front().code;
}

TEST(Robustness, TenMegabyteLine) {
  const auto out = testing::check_source(kValid + std::string(10 << 20, 'x') + "\n");
  EXPECT_EQ(first_code(out), "E0001");
  EXPECT_LT(out.text.size(), 2000u);  // the line is shown as a window, not whole
}

TEST(Robustness, TenMegabyteStringAndComment) {
  const auto s = testing::check_source(kValid + "forbid * on * when principal.status == \"" + std::string(10 << 20, 'y') + "\";");
  EXPECT_EQ(first_code(s), "E0201");
  const auto c = testing::check_source(kValid + "/*" + std::string(10 << 20, 'z'));
  EXPECT_EQ(first_code(c), "E0005");
}

TEST(Robustness, FilesOverTheSizeLimitAreRefusedBeforeParsing) {
  const auto out = testing::check_source(std::string((64u << 20) + 1, ' '));
  EXPECT_EQ(first_code(out), "E0009");
  EXPECT_EQ(out.diags.error_count(), 1u);
}

TEST(Robustness, HundredThousandNestedParentheses) {
  const auto out = testing::check_source(kValid + "forbid * on * when " + std::string(100000, '(') + "true" +
                                         std::string(100000, ')') + ";");
  EXPECT_EQ(first_code(out), "E0006");
  EXPECT_EQ(out.diags.error_count(), 1u);
}

TEST(Robustness, HundredThousandNegations) {
  const auto out = testing::check_source(kValid + "forbid * on * when " + std::string(100000, '!') + "true;");
  EXPECT_EQ(first_code(out), "E0006");
}

TEST(Robustness, DeepNestingWithinTheLimitChecks) {
  const auto out = testing::check_source(kValid + "forbid * on * when " + std::string(200, '(') + "principal.status == active" +
                                         std::string(200, ')') + ";");
  EXPECT_FALSE(out.diags.has_errors()) << out.text;
}

TEST(Robustness, LongAndChainsDoNotRecurse) {
  std::string cond = "true";
  for (int i = 0; i < 100000; ++i) cond += " && true";
  const auto out = testing::check_source(kValid + "forbid * on * when " + cond + ";");
  EXPECT_FALSE(out.diags.has_errors()) << out.text.substr(0, 500);
}

TEST(Robustness, ManyErrorsAreCapped) {
  std::string text = kValid;
  for (int i = 0; i < 100000; ++i) text += "grant ;\n";
  const auto out = testing::check_source(text);
  EXPECT_EQ(out.diags.error_count(), 50u);
}

TEST(Robustness, BinaryGarbageGetsOneLocatedError) {
  std::mt19937 rng(12345);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng() & 0xFF);
  const auto out = testing::check_source(garbage);
  ASSERT_EQ(out.diags.error_count(), 1u);
  EXPECT_TRUE(first_code(out) == "E0002" || first_code(out) == "E0003");
}

// A small in-process fuzz loop with a fixed seed: random byte edits of a valid
// policy must never crash and must always produce a decision (errors or none).
TEST(Robustness, RandomMutationsNeverCrash) {
  std::mt19937 rng(20261123);
  const std::string alphabet = "(){}[];:,.<>=!&|*?\"#/ \n\tabcxyz019_\xC3\xA9";
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = kValid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1 + rng() % 8); break;
        case 2: if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    const auto out = testing::check_source(text);
    for (const Diagnostic& d : out.diags.items()) {
      ASSERT_FALSE(d.code.empty()) << text;
      ASSERT_FALSE(d.message.empty()) << text;
    }
  }
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("edict-test-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

TEST(Includes, LongChainsLoadWithoutRecursion) {
  TempDir dir;
  const int n = 2000;
  dir.write("f0.edict", kValid + "include \"f1.edict\";\n");
  for (int i = 1; i < n; ++i) {
    dir.write("f" + std::to_string(i) + ".edict",
              "role r" + std::to_string(i) + ";\n" +
                  (i + 1 < n ? "include \"f" + std::to_string(i + 1) + ".edict\";\n" : std::string()));
  }
  const auto out = testing::check_files({(dir.path() / "f0.edict").string()});
  EXPECT_FALSE(out.diags.has_errors()) << out.text.substr(0, 1000);
}

TEST(Includes, DiamondsAreReadOnce) {
  TempDir dir;
  dir.write("schema.edict", "enum Status { active }\nentity Group;\nentity User { status: Status }\n");
  dir.write("a.edict", "include \"schema.edict\";\nrole a;\n");
  dir.write("b.edict", "include \"schema.edict\";\nrole b;\n");
  dir.write("root.edict", "include \"a.edict\";\ninclude \"b.edict\";\naction v;\nresource R actions v;\ngrant a, b v on R;\n");
  const auto out = testing::check_files({(dir.path() / "root.edict").string()});
  EXPECT_FALSE(out.diags.has_errors()) << out.text;
}

TEST(Includes, FilesGivenTogetherThatIncludeEachOtherFormOnePolicy) {
  TempDir dir;
  dir.write("schema.edict", "entity User;\nrole a;\naction v;\nresource R actions v;\n");
  dir.write("rules.edict", "include \"schema.edict\";\ngrant a v on R;\n");
  const auto out = testing::check_files({(dir.path() / "rules.edict").string(), (dir.path() / "schema.edict").string()});
  EXPECT_FALSE(out.diags.has_errors()) << out.text;
}

TEST(Includes, IncludingADirectoryIsALocatedError) {
  TempDir dir;
  fs::create_directories(dir.path() / "sub");
  dir.write("root.edict", kValid + "include \"sub\";\n");
  const auto out = testing::check_files({(dir.path() / "root.edict").string()});
  EXPECT_EQ(first_code(out), "E0105");
  EXPECT_NE(out.text.find("is a directory"), std::string::npos);
}

TEST(Includes, MissingRootFileIsAnIoErrorNotADiagnostic) {
  const auto out = testing::check_files({"/nonexistent/policy.edict"});
  EXPECT_TRUE(out.io_error);
  EXPECT_FALSE(out.diags.has_errors());
}

}  // namespace
}  // namespace edict
