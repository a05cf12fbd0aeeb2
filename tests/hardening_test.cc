// tests/hardening_test.cc: faults and fuzz findings, each replayed forever.
//
//   Faults.*      inputs from the file system that misbehave: devices that never
//                 end (/dev/zero), files that cannot be read. Both readers (the
//                 compiler's loader and Table::load_file) read at most one byte
//                 past their size limit, so an endless input is "too large",
//                 never an exhausted memory or a hang.
//   FuzzFound.*   one test per crash the fuzzers found (fuzz/regressions/ holds
//                 the inputs; docs/reliability.md lists them).
// The CLI's side of the same faults (exit codes, messages, /dev/full, out of
// memory) is tests/fault_test.sh.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "compiler/load.h"
#include "grammar/diagnostic.h"
#include "grammar/source.h"
#include "grammar/test_parse.h"
#include "runtime/table.h"

namespace edict {
namespace {

TEST(Faults, TableFromAnEndlessDevice) {
  auto table = runtime::Table::load_file("/dev/zero");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, runtime::LoadErrorCode::kTooLarge) << table.error().message;
}

TEST(Faults, TableThatCannotBeRead) {
  auto table = runtime::Table::load_file("/proc/self/mem");  // EIO from offset 0
  ASSERT_FALSE(table);
}

TEST(Faults, PolicyFromAnEndlessDevice) {
  Diagnostics diags;
  const compiler::Workspace ws = compiler::load({"/dev/zero"}, diags);
  ASSERT_EQ(ws.io_errors.size(), 1u);
  EXPECT_NE(ws.io_errors[0].message.find("too large"), std::string::npos) << ws.io_errors[0].message;
}

TEST(Faults, IncludeOfAnEndlessDevice) {
  Diagnostics diags;
  const compiler::Workspace ws = compiler::load_text("t.edict", "include \"/dev/zero\";\nentity User;\n", diags);
  ASSERT_EQ(diags.error_count(), 1u);
  std::ostringstream out;
  render_text(diags, ws.sources, out, false);
  EXPECT_NE(out.str().find("too large"), std::string::npos) << out.str();
}

// fuzz/regressions/testfile_fuzzer/comment_after_obligation*: a `(` in a comment
// after an obligation's name was taken for its argument, and the parser popped
// one name more than it had pushed (heap-buffer-overflow).
TEST(FuzzFound, CommentAfterObligationName) {
  SourceMap sources;
  const FileId id = sources.add("t.edict-test",
                                "policy \"p.edict\";\ntenant acme;\nuser ann in acme as agent;\n"
                                "allow ann view Billing with redact // (pii)\n, audit(x) // (\n;\n");
  Diagnostics diags;
  const testfile::File file = grammar::parse_test_file(sources, id, diags);
  ASSERT_EQ(diags.error_count(), 0u);
  ASSERT_EQ(file.cases.size(), 1u);
  const auto& obligations = file.cases[0].body.obligations;
  ASSERT_EQ(obligations.size(), 2u);
  EXPECT_EQ(obligations[0].name.text, "redact");
  EXPECT_FALSE(obligations[0].arg.has_value());
  EXPECT_EQ(obligations[1].name.text, "audit");
  ASSERT_TRUE(obligations[1].arg.has_value());
  EXPECT_EQ(obligations[1].arg->text, "x");
}

}  // namespace
}  // namespace edict
