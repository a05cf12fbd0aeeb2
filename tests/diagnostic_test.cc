// tests/diagnostic_test.cc: source positions and diagnostic rendering.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "grammar/diagnostic.h"
#include "grammar/source.h"

namespace edict {
namespace {

TEST(Source, LineColCountsCodePointsAndTabsAsOne) {
  SourceFile f("f", "ab\n\tx\nçé z\n");
  EXPECT_EQ(f.line_col(0).line, 1u);
  EXPECT_EQ(f.line_col(1).column, 2u);
  EXPECT_EQ(f.line_col(4).line, 2u);
  EXPECT_EQ(f.line_col(4).column, 2u);   // after one tab
  EXPECT_EQ(f.line_col(11).column, 4u);  // `z` after two 2-byte letters and a space
  EXPECT_EQ(f.line_col(7).column, 1u);   // inside `ç` counts as `ç`
  EXPECT_EQ(f.line_col(8).column, 2u);   // `é`
  EXPECT_EQ(f.line_col(1000).line, 4u);  // past the end clamps
}

TEST(Source, LoneContinuationByteAtLineStartIsColumnOne) {
  // Found by the mutation test: this used to yield column 0 and a caret line of
  // four billion spaces.
  SourceFile f("f", "\xA9num");
  EXPECT_EQ(f.line_col(0).column, 1u);
  SourceMap sources;
  sources.add("p.edict", "\xA9num");
  Diagnostics diags;
  diags.error("E0002", {0, 0, 1}, "invalid UTF-8 (byte 0xA9)");
  std::ostringstream out;
  render_text(diags, sources, out, false);
  EXPECT_EQ(out.str(), "p.edict:1:1: error: invalid UTF-8 (byte 0xA9) [E0002]\n    1 | ?num\n      | ^\n");
}

TEST(Source, LinesDropTheirTerminatorIncludingCr) {
  SourceFile f("f", "one\r\ntwo\nthree");
  EXPECT_EQ(f.line(1), "one");
  EXPECT_EQ(f.line(2), "two");
  EXPECT_EQ(f.line(3), "three");
  EXPECT_EQ(f.line(4), "");
  EXPECT_EQ(f.line_count(), 3u);
}

TEST(Source, DecodeUtf8RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(decode_utf8("é", 0).valid);
  EXPECT_EQ(decode_utf8("é", 0).code_point, 0xE9u);
  EXPECT_FALSE(decode_utf8("\xC0\xAF", 0).valid);
  EXPECT_FALSE(decode_utf8("\xED\xA0\x80", 0).valid);
  EXPECT_FALSE(decode_utf8("\xF4\x90\x80\x80", 0).valid);
  EXPECT_FALSE(decode_utf8("\xC3", 0).valid);
}

std::string render(const std::string& text, Span span, std::string help = {}) {
  SourceMap sources;
  sources.add("p.edict", text);
  Diagnostics diags;
  diags.error("E0101", span, "unknown role `x`").help = std::move(help);
  std::ostringstream out;
  render_text(diags, sources, out, false);
  return out.str();
}

TEST(RenderText, CaretUnderTheSpanWithTabsCopied) {
  EXPECT_EQ(render("\tgrant x v on R;", {0, 7, 8}, "did you mean `y`?"),
            "p.edict:1:8: error: unknown role `x` [E0101]\n"
            "    1 | \tgrant x v on R;\n"
            "      | \t      ^\n"
            "      = help: did you mean `y`?\n");
}

TEST(RenderText, UnderlineCountsCodePoints) {
  EXPECT_EQ(render("role é; grant éé v on R;", {0, 15, 19}),
            "p.edict:1:15: error: unknown role `x` [E0101]\n"
            "    1 | role é; grant éé v on R;\n"
            "      |               ^~\n");
}

TEST(RenderText, LongLinesAreWindowedAroundTheCaret) {
  const std::string line = std::string(5000, 'a') + "XYZ" + std::string(5000, 'b');
  const std::string out = render(line, {0, 5000, 5003});
  EXPECT_NE(out.find("p.edict:1:5001:"), std::string::npos);
  EXPECT_NE(out.find("| ...aaaa"), std::string::npos);
  EXPECT_NE(out.find("XYZbbb"), std::string::npos);
  EXPECT_LT(out.size(), 600u);
  // The caret sits under X: "..." plus 60 cells of context.
  EXPECT_NE(out.find("      |    " + std::string(60, ' ') + "^~~\n"), std::string::npos);
}

TEST(RenderText, ControlAndBidiCharactersAreNeutralised) {
  const std::string out = render("role \x1b[31mx\u202e;", {0, 0, 4});
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find("\u202e"), std::string::npos);
  EXPECT_NE(out.find("role ?[31mx?;"), std::string::npos);
}

TEST(RenderText, NotesFollowWithTheirOwnLocation) {
  SourceMap sources;
  sources.add("p.edict", "role a;\nrole a;\n");
  Diagnostics diags;
  diags.error("E0102", {0, 13, 14}, "role `a` is declared twice").notes.push_back({{0, 5, 6}, "first declared here"});
  std::ostringstream out;
  render_text(diags, sources, out, false);
  EXPECT_EQ(out.str(),
            "p.edict:2:6: error: role `a` is declared twice [E0102]\n"
            "    2 | role a;\n"
            "      |      ^\n"
            "p.edict:1:6: note: first declared here\n"
            "    1 | role a;\n"
            "      |      ^\n");
}

TEST(RenderJson, CarriesCodesLocationsHelpAndNotes) {
  SourceMap sources;
  sources.add("p.edict", "role a;\nrole a;\n");
  Diagnostics diags;
  Diagnostic& d = diags.error("E0102", {0, 13, 14}, "role `a` is declared twice");
  d.help = "rename one";
  d.notes.push_back({{0, 5, 6}, "first declared here"});
  std::ostringstream out;
  render_json(diags, sources, out);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["errors"], 1);
  EXPECT_EQ(j["warnings"], 0);
  const auto& e = j["diagnostics"][0];
  EXPECT_EQ(e["code"], "E0102");
  EXPECT_EQ(e["severity"], "error");
  EXPECT_EQ(e["help"], "rename one");
  EXPECT_EQ(e["location"]["file"], "p.edict");
  EXPECT_EQ(e["location"]["line"], 2);
  EXPECT_EQ(e["location"]["column"], 6);
  EXPECT_EQ(e["location"]["end_column"], 7);
  EXPECT_EQ(e["notes"][0]["location"]["line"], 1);
}

TEST(RenderJson, InvalidUtf8InFileNamesStillGivesValidJson) {
  SourceMap sources;
  sources.add("bad\xFFname.edict", "x");
  Diagnostics diags;
  diags.error("E0001", {0, 0, 1}, "m");
  std::ostringstream out;
  render_json(diags, sources, out);
  EXPECT_TRUE(nlohmann::json::accept(out.str()));
}

TEST(Diagnostics, KeepsAtMostTheLimitButCountsAll) {
  Diagnostics diags;
  for (int i = 0; i < 250; ++i) diags.error("E0001", {0, 0, 0}, "x").help = "h";
  EXPECT_EQ(diags.items().size(), Diagnostics::kMaxKept);
  EXPECT_EQ(diags.error_count(), 250u);
  EXPECT_EQ(diags.dropped(), 150u);
}

TEST(Diagnostics, SortAndDedupeOrdersByPlaceAndDropsRepeats) {
  Diagnostics diags;
  diags.error("E0203", {0, 9, 10}, "b");
  diags.error("E0203", {0, 1, 2}, "a");
  diags.error("E0203", {0, 9, 10}, "b");
  diags.sort_and_dedupe();
  ASSERT_EQ(diags.items().size(), 2u);
  EXPECT_EQ(diags.items()[0].message, "a");
  EXPECT_EQ(diags.error_count(), 2u);
}

}  // namespace
}  // namespace edict
