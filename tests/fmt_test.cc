// tests/fmt_test.cc: the formatter (compiler/format.h): layout cases, and the
// guarantees on every policy and golden input of the repository:
//   - the output re-parses to the same tree (after canonicalize) with the same
//     comments (verify_format), and formatting it again changes nothing;
//   - for inputs that check, the formatted file compiles to the same table.
// Tables are compared without what legitimately moves with the text: debug
// sections (lines, columns, source snippets), the hash of the source text (and
// the checksum over it), and the default names of unlabelled rules, which are
// "file:line". Each of those is normalised before the bytes are compared.
//
// tests/golden/fmt/NAME.edict is formatted and compared with NAME.expected;
// EDICT_UPDATE_GOLDEN=1 rewrites the expected files (review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "compiler/check.h"
#include "compiler/format.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "grammar/parse.h"
#include "runtime/format/table_format.h"

namespace fs = std::filesystem;
using edict::compiler::format_source;

namespace {

const fs::path kSource = fs::path(EDICT_SOURCE_DIR);

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string fmt_or_die(const std::string& text) {
  auto out = format_source(text);
  EXPECT_TRUE(out.has_value()) << "does not parse:\n" << text;
  return out.value_or("");
}

// Formats, checks round trip and idempotence; returns the output.
std::string round_trip(const std::string& text, const std::string& what) {
  SCOPED_TRACE(what);
  const std::string once = fmt_or_die(text);
  const auto problem = edict::compiler::verify_format(text, once);
  EXPECT_FALSE(problem.has_value()) << *problem << "\n--- output:\n" << once;
  EXPECT_EQ(fmt_or_die(once), once) << "not idempotent";
  return once;
}

// The table of `text` as if it were file `name` in `dir`, normalised as the
// header comment says; empty when it does not check.
std::vector<std::byte> normalised_table(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path old = fs::current_path();
  fs::current_path(dir);
  edict::Diagnostics diags;
  edict::compiler::Workspace ws = edict::compiler::load_text(name, text, diags);
  std::vector<std::byte> bytes;
  if (!diags.has_errors() && ws.roots.size() == 1) {
    auto policy = edict::compiler::check(ws, ws.roots[0], diags);
    if (policy) {
      for (size_t i = 0; i < policy->rules.size(); ++i) {
        if (policy->rules[i].name.find(':') != std::string::npos) policy->rules[i].name = "#" + std::to_string(i);
      }
      auto table = edict::compiler::lower(ws, ws.roots[0], *policy, {.debug_info = false}, diags);
      if (table) bytes = std::move(*table);
    }
  }
  fs::current_path(old);
  if (bytes.empty()) return bytes;
  std::memset(bytes.data() + offsetof(edict::runtime::format::Header, policy_hash), 0, sizeof(uint64_t));
  std::memset(bytes.data() + edict::runtime::format::kChecksumOffset, 0, sizeof(uint32_t));
  return bytes;
}

std::vector<fs::path> repository_inputs() {
  std::vector<fs::path> out;
  for (const char* dir : {"policies", "tests/golden/diag", "tests/golden/diag/include", "tests/data", "tests/data/diff"}) {
    if (!fs::is_directory(kSource / dir)) continue;
    for (const auto& e : fs::directory_iterator(kSource / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".edict") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- layout ----------------------------------------------------------------------
struct Case {
  const char* input;
  const char* expected;
};

TEST(Format, Layout) {
  const Case cases[] = {
      {"entity   User{a:bool,b : set< Group >}", "entity User { a: bool, b: set<Group> }\n"},
      {"enum S{a,b,}", "enum S { a, b }\n"},
      {"role b,a extends z , y;", "role b, a extends y, z;\n"},
      {"grant  editor , admin edit,view on Doc;", "grant admin, editor edit, view on Doc;\n"},
      {"l : forbid * on * when !principal.ok&&(context.a||context.b);",
       "l:\nforbid * on * when !principal.ok && (context.a || context.b);\n"},
      {"resource Doc{owner:User?}actions edit,view;", "resource Doc { owner: User? } actions edit, view;\n"},
      {"category C=A|B;action m=v|e;rank a<b<c;", "category C = A | B;\naction m = v | e;\nrank a < b < c;\n"},
      {"obligation redact(pii,payment);grant v view on T with redact(payment,pii);",
       "obligation redact(pii, payment);\ngrant v view on T with redact(payment, pii);\n"},
      {"catalog c for b,a{grantable view,edit on X when resource.v==\"x\\\"y\";}",
       "catalog c for a, b {\n  grantable edit, view on X when resource.v == \"x\\\"y\";\n}\n"},
      {"context{mfa:bool};include \"x.edict\" ;", "context { mfa: bool }\ninclude \"x.edict\";\n"},
      {"// lead\n\n\n// comments\nentity A;", "// lead\n\n// comments\nentity A;\n"},
      {"entity A; // trailing\n// own\nentity B;", "entity A;  // trailing\n// own\nentity B;\n"},
      {"entity User {\n  // lead\n  a: bool, // one\n\n  b: int\n}\n",
       "entity User {\n  // lead\n  a: bool,  // one\n\n  b: int,\n}\n"},
      {"grant a view on X when principal.x // why\n  || principal.y;",
       "grant a view on X when principal.x || principal.y;  // why\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(round_trip(c.input, c.input), c.expected);
  }
}

TEST(Format, LongListsWrap) {
  std::string names;
  for (int i = 0; i < 30; ++i) names += (i ? ", " : "") + std::string("Resource") + std::to_string(i);
  const std::string out = round_trip("resource " + names + " actions view;", "long");
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_NE(out.find("\n    Resource"), std::string::npos) << out;
  const std::string cond =
      "grant r view on T when (resource has group && resource.group in principal.groups) || (resource has ivr && "
      "resource.ivr in principal.ivrs);";
  EXPECT_EQ(round_trip(cond, "cond"),
            "grant r view on T\n  when (resource has group && resource.group in principal.groups)\n"
            "    || (resource has ivr && resource.ivr in principal.ivrs);\n");
}

TEST(Format, DoesNotParse) {
  edict::Diagnostics diags;
  EXPECT_FALSE(format_source("entity User {", &diags).has_value());
  EXPECT_TRUE(diags.has_errors());
}

TEST(Format, ConditionText) {
  edict::SourceMap sources;
  const std::string text = "grant a view on T when  principal.x==1&&( context.y ||\n !context.z ) // c\n;";
  const auto id = sources.add("t", text);
  edict::Diagnostics diags;
  const edict::ast::File f = edict::grammar::parse(sources, id, diags);
  ASSERT_FALSE(diags.has_errors());
  const auto& rule = std::get<edict::ast::RuleDecl>(f.decls[0]);
  EXPECT_EQ(edict::compiler::format_condition(text, *rule.when), "principal.x == 1 && (context.y || !context.z)");
}

// ---- the repository's files --------------------------------------------------------
TEST(Format, RepositoryFilesRoundTripAndCompileTheSame) {
  size_t formatted = 0, compared = 0;
  for (const fs::path& path : repository_inputs()) {
    SCOPED_TRACE(path.string());
    const std::string text = read(path);
    if (!format_source(text)) continue;  // does not parse: a syntax golden
    const std::string out = round_trip(text, path.string());
    ++formatted;
    const auto before = normalised_table(path.parent_path(), path.filename().string(), text);
    if (before.empty()) continue;
    const auto after = normalised_table(path.parent_path(), path.filename().string(), out);
    EXPECT_TRUE(before == after) << "the formatted file compiles to a different table";
    ++compared;
  }
  EXPECT_GE(formatted, 60u);
  EXPECT_GE(compared, 5u);  // at least the five seed policies
}

// Comments at every kind of place: the end of many lines, after commas, and on
// lines of their own; none may be lost, duplicated or change the tree, and the
// result must be stable.
TEST(Format, CommentsEverywhere) {
  std::mt19937 rng(12345);
  for (const fs::path& path : repository_inputs()) {
    if (path.parent_path().filename() != "policies") continue;
    SCOPED_TRACE(path.string());
    const std::string text = read(path);
    const auto comments = edict::compiler::scan_comments(text);
    auto in_comment = [&](size_t at) {
      return std::any_of(comments.begin(), comments.end(), [&](const auto& c) { return c.begin <= at && at <= c.end; });
    };
    for (int round = 0; round < 4; ++round) {
      std::string out;
      int n = 0;
      bool in_string = false;
      for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' && !in_comment(i)) in_string = !in_string;
        const bool free = !in_string && !in_comment(i);
        if (free && c == '\n' && rng() % 3 == 0) {
          out += rng() % 2 ? " // eol " + std::to_string(n++) : " /* eol " + std::to_string(n++) + " */";
        }
        if (free && c == ',' && rng() % 4 == 0) {
          out += ",/* after comma " + std::to_string(n++) + " */";
          continue;
        }
        if (free && c == ' ' && rng() % 25 == 0) {
          out += " /* mid " + std::to_string(n++) + " */ ";
          continue;
        }
        out += c;
        if (free && c == '\n' && rng() % 5 == 0) out += "// own line " + std::to_string(n++) + "\n";
      }
      ASSERT_TRUE(format_source(out).has_value()) << out;
      round_trip(out, path.string() + " round " + std::to_string(round));
    }
  }
}

// ---- golden layout files ---------------------------------------------------------------
TEST(Format, Golden) {
  const fs::path dir = kSource / "tests" / "golden" / "fmt";
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".edict") continue;
    SCOPED_TRACE(e.path().string());
    ++n;
    const std::string out = round_trip(read(e.path()), e.path().string());
    fs::path expected = e.path();
    expected.replace_extension(".expected");
    const char* update = std::getenv("EDICT_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
      std::ofstream(expected, std::ios::binary) << out;
      continue;
    }
    EXPECT_EQ(read(expected), out);
  }
  EXPECT_GE(n, 1u);
}

}  // namespace
