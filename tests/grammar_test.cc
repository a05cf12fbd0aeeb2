// tests/grammar_test.cc: the PEGTL grammar: well-formedness, what each construct
// parses to (AST dumps), and where syntax errors point.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/ast.h"
#include "grammar/parse.h"
#include "grammar/rules.h"

namespace edict {
namespace {

namespace pg = tao::pegtl;

TEST(Grammar, AnalyzeFindsNoInfiniteLoops) {
  // Rules that can loop without consuming input or recurse left are grammar bugs.
  EXPECT_EQ(pg::analyze<grammar::decl>(1), 0u);
  EXPECT_EQ(pg::analyze<grammar::seps>(1), 0u);
}

// Whether `text`, whole, matches grammar rule R.
template <typename R>
bool matches_whole(std::string_view text) {
  pg::memory_input in(text.data(), text.size(), "test");
  return pg::parse<pg::seq<R, pg::eof>>(in);
}

// not_keyword looks keywords up in kKeywordTexts instead of trying `keyword`'s
// alternatives: the list must be exactly the texts `keyword` matches. The
// static_assert beside it fixes the count; this, that each is one (so none is
// missing or misspelt), and that identifiers are told from keywords as before.
TEST(Grammar, KeywordTextsAreExactlyTheKeywords) {
  for (std::string_view kw : grammar::kKeywordTexts) {
    EXPECT_TRUE(matches_whole<grammar::keyword>(kw)) << kw;
    EXPECT_FALSE(matches_whole<grammar::identifier>(kw)) << kw;
  }
  EXPECT_TRUE(std::is_sorted(std::begin(grammar::kKeywordTexts), std::end(grammar::kKeywordTexts)));
  // A keyword's text followed by a word character is a name: ASCII, or a
  // non-ASCII letter (decided by `keyword` itself, past the ASCII run).
  for (const char* name : {"granted", "in_scope", "is2", "Grant", "role_", "testé", "grant\u00e9"}) {
    EXPECT_TRUE(matches_whole<grammar::identifier>(name)) << name;
  }
  // Followed by a character that is not a letter, it is still the keyword: a
  // no-break space (U+00A0), which identifiers exclude.
  pg::memory_input in(std::string_view("grant\u00a0x"), "test");
  EXPECT_FALSE(pg::parse<grammar::identifier>(in));
  pg::memory_input in2(std::string_view("granted x"), "test");
  EXPECT_TRUE(pg::parse<grammar::identifier>(in2));
  EXPECT_EQ(in2.current() - in2.begin(), 7);
}

// Whether rule R matches at the start of `text` (not necessarily all of it).
template <typename R>
bool matches_at_start(std::string_view text) {
  pg::memory_input in(text.data(), text.size(), "test");
  return pg::parse<R>(in);
}

// not_keyword answers as the rule it replaced, pg::not_at<keyword>, at every
// position of the bundled policies and diagnostic goldens, and after each
// keyword followed by every kind of character an identifier may or may not
// continue with.
TEST(Grammar, NotKeywordAgreesWithNotAtKeywordEverywhere) {
  std::vector<std::string> texts;
  for (const char* dir : {"policies", "tests/golden/diag"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(EDICT_SOURCE_DIR) / dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream file(entry.path(), std::ios::binary);
      texts.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
  }
  ASSERT_GT(texts.size(), 10u);
  const char* followers[] = {"", " ", "_", "a", "Z", "7", ".", ":", "\xC3\xA9" /* é */, "\xC2\xA0" /* no-break space */,
                             "\xC2\x85" /* C1 control */, "\xE2\x80\x8B" /* zero-width space */,
                             "\xE3\x80\x80" /* ideographic space */, "\xF0\x9F\x98\x80" /* U+1F600 */,
                             "\xEF\xBB\xBF" /* U+FEFF */, "\xFF"};
  for (std::string_view kw : grammar::kKeywordTexts) {
    for (const char* follower : followers) texts.push_back(std::string(kw) + follower);
  }
  size_t positions = 0;
  for (const std::string& text : texts) {
    for (size_t at = 0; at <= text.size(); ++at, ++positions) {
      const std::string_view rest = std::string_view(text).substr(at);
      ASSERT_EQ(matches_at_start<grammar::not_keyword>(rest), matches_at_start<pg::not_at<grammar::keyword>>(rest))
          << "at " << at << " of: " << text.substr(0, 80);
    }
  }
  EXPECT_GT(positions, 10'000u);
}

struct Parsed {
  std::string dump;
  Diagnostics diags;
  SourceMap sources;
};

Parsed parse_text(const std::string& text) {
  Parsed p;
  const FileId id = p.sources.add("t.edict", text);
  p.dump = ast::dump(grammar::parse(p.sources, id, p.diags));
  return p;
}

struct DumpCase {
  const char* id;
  const char* source;
  const char* dump;
};

class GrammarDump : public ::testing::TestWithParam<DumpCase> {};

TEST_P(GrammarDump, ParsesTo) {
  const DumpCase& c = GetParam();
  Parsed p = parse_text(c.source);
  ASSERT_FALSE(p.diags.has_errors()) << c.id << ": " << p.diags.items().front().message;
  EXPECT_EQ(p.dump, c.dump) << c.id;
}

const DumpCase kDumpCases[] = {
    {"1.1 enum", "enum Status { invited, active, suspended }", "enum Status { invited, active, suspended }\n"},
    {"1.2 enum trailing comma and semicolon", "enum S { a, b, };", "enum S { a, b }\n"},
    {"2.1 entity", "entity Group;", "entity Group\n"},
    {"2.2 entities", "entity Group, Ivr;", "entity Group, Ivr\n"},
    {"2.3 entity attrs",
     "entity User { status: Status, groups: set<Group>, manager: User?, n: int, s: string, b: bool, }",
     "entity User\n  attr status: Status\n  attr groups: set<Group>\n  attr manager: User?\n"
     "  attr n: int\n  attr s: string\n  attr b: bool\n"},
    {"2.4 keyword attribute name", "entity User { role: Role, rank: int }",
     "entity User\n  attr role: Role\n  attr rank: int\n"},
    {"3.1 resource", "resource Billing actions view, edit;", "resource Billing actions view, edit\n"},
    {"3.2 resource attrs wildcard", "resource Agent, Flow { owner: User? } actions *;",
     "resource Agent, Flow actions *\n  attr owner: User?\n"},
    {"4.1 category", "category Building = Agent | Flow;", "category Building = Agent, Flow\n"},
    {"5.1 actions", "action view, edit;", "action view, edit\n"},
    {"5.2 action group", "action manage = view | create;", "action manage = view, create\n"},
    {"6.1 role", "role viewer;", "role viewer\n"},
    {"6.2 role extends", "role admin extends editor, viewer;", "role admin extends editor, viewer\n"},
    {"6.3 superadmin", "superadmin role root;", "superadmin role root\n"},
    {"7.1 rank", "rank agent < manager < owner;", "rank agent, manager, owner\n"},
    {"8.1 context", "context { mfa: bool, new_role: Role? }", "context\n  attr mfa: bool\n  attr new_role: Role?\n"},
    {"9.1 obligation", "obligation redact(pii, payment);", "obligation redact(pii, payment)\n"},
    {"9.2 obligation no params", "obligation notify;", "obligation notify()\n"},
    {"10.1 include", "include \"common.edict\";", "include \"common.edict\"\n"},
    {"11.1 grant", "grant admin manage, export on *;", "grant [admin] manage, export on *\n"},
    {"11.2 forbid for all", "forbid * on *;", "forbid [] * on *\n"},
    {"11.3 forbid with roles", "forbid admin edit on Member;", "forbid [admin] edit on Member\n"},
    {"11.4 label and obligation", "scrubbed: grant viewer view on Transcript with redact(pii), notify;",
     "scrubbed: grant [viewer] view on Transcript\n  with redact(pii)\n  with notify()\n"},
    {"12.1 condition precedence", "grant a v on R when principal.x && !principal.y || principal.z;",
     "grant [a] v on R\n  when\n    or\n      and\n        path principal.x\n        not\n          path principal.y\n"
     "      path principal.z\n"},
    {"12.2 n-ary and, parenthesized or",
     "grant a v on R when principal.x && principal.y && (principal.z || principal.w);",
     "grant [a] v on R\n  when\n    and\n      path principal.x\n      path principal.y\n"
     "      or (parenthesized)\n        path principal.z\n        path principal.w\n"},
    {"12.3 tests", "forbid v on R when resource has group && principal is admin unless context.n >= 3;",
     "forbid [] v on R\n  when\n    and\n      has group\n        path resource\n      is admin\n        path principal\n"
     "  unless\n    compare >=\n      path context.n\n      int 3\n"},
    {"12.4 literals", "grant a v on R when principal.s == \"a\\\"b\" || principal.st != Status.active "
                      "|| principal.r in [x, y] || principal.b == false;",
     "grant [a] v on R\n  when\n    or\n      compare ==\n        path principal.s\n        string \"a\"b\"\n"
     "      compare !=\n        path principal.st\n        qualified Status.active\n"
     "      in\n        path principal.r\n        set\n          name x\n          name y\n"
     "      compare ==\n        path principal.b\n        bool false\n"},
    {"13.1 catalog", "catalog c for u { grantable view on A; grantable * on B when principal.x; }",
     "catalog c for u\n  grantable view on A\n  grantable * on B\n    path principal.x\n"},
    {"14.1 comments everywhere", "// a\n# b\n/* c */ role /* d */ r; // e", "role r\n"},
    {"14.2 unicode identifier", "role chargé_clientèle;", "role chargé_clientèle\n"},
    {"14.3 byte order mark", "\xEF\xBB\xBFrole r;", "role r\n"},
};

// Test names from the case ids: "12.1 condition precedence" -> c12_1_condition_precedence.
template <typename Case>
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string out = "c";
  for (const char* p = info.param.id; *p; ++p) out += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, GrammarDump, ::testing::ValuesIn(kDumpCases), case_name<DumpCase>);

struct ErrorCase {
  const char* id;
  const char* source;
  const char* code;
  const char* message;
  uint32_t line, column;
};

class GrammarError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(GrammarError, ReportsAt) {
  const ErrorCase& c = GetParam();
  Parsed p = parse_text(c.source);
  ASSERT_TRUE(p.diags.has_errors()) << c.id;
  const Diagnostic& d = p.diags.items().front();
  EXPECT_EQ(d.code, c.code) << c.id;
  EXPECT_EQ(d.message, c.message) << c.id;
  const LineCol at = p.sources.file(0).line_col(d.span.begin);
  EXPECT_EQ(at.line, c.line) << c.id;
  EXPECT_EQ(at.column, c.column) << c.id;
}

const ErrorCase kErrorCases[] = {
    {"1 missing semicolon points after the last token", "grant a v on R\ngrant b v on R;", "E0001",
     "expected `;` at the end of the rule", 1, 15},
    {"2 missing on", "grant a v R;", "E0001", "expected `on` and resource types after the actions", 1, 11},
    {"3 missing actions", "grant a on R;", "E0001", "expected the actions to grant (names or `*`) after the roles", 1, 9},
    {"4 single equals", "forbid * on * when principal.s = x;", "E0001", "`=` is not a comparison: use `==`", 1, 32},
    {"5 unterminated string points at the quote", "forbid * on * when principal.s == \"abc;\n", "E0004",
     "unterminated string: missing closing `\"` on this line", 1, 35},
    {"6 bad escape", "include \"a\\qb\";", "E0004",
     "invalid escape in string: only `\\\"`, `\\\\`, `\\n` and `\\t` are allowed", 1, 12},
    {"7 unterminated comment points at the opener", "role r;\n  /* never closed", "E0005",
     "unterminated comment: `/*` has no matching `*/`", 2, 3},
    {"8 unclosed paren", "forbid * on * when (principal.a;", "E0001", "expected `)`", 1, 32},
    {"9 keyword as name", "role grant;", "E0001", "expected a role name after `role`", 1, 6},
    {"10 empty enum", "enum E { }", "E0001", "expected at least one value in the enum", 1, 10},
    {"11 deep path", "forbid * on * when principal.a.b;", "E0001",
     "attributes are read one level deep, as in `principal.groups`: requests carry no attributes of other entities", 1, 31},
    {"12 integer overflow", "forbid * on * when context.n < 9223372036854775808;", "E0007",
     "integer literal is out of range", 1, 32},
    {"13 stray token", "}", "E0001",
     "expected a declaration or rule (`grant`, `forbid`, `role`, `entity`, `resource`, `action`, `enum`, ...)", 1, 1},
    {"14 test is reserved", "test \"x\" { }", "E0001",
     "`test` is reserved for policy tests, which live in `.edict-test` files", 1, 1},
    {"16 invalid UTF-8", "role r\xFF;", "E0002", "invalid UTF-8 (byte 0xFF)", 1, 7},
    {"17 overlong UTF-8", "role r\xC0\xAF;", "E0002", "invalid UTF-8 (byte 0xC0)", 1, 7},
    {"18 empty", "", "E0008", "file has no declarations", 1, 1},
    {"19 only comments", "// nothing\n", "E0008", "file has no declarations", 1, 1},
    {"20 missing type", "entity U { a: }", "E0001",
     "expected a type (`bool`, `int`, `string`, `set<T>` or a declared type name)", 1, 15},
    {"21 set needs element", "entity U { a: set<> }", "E0001",
     "expected the element type of the set, as in `set<Group>`", 1, 19},
    {"22 columns count code points", "role é; role ü grant;", "E0001", "expected `;` at the end of the declaration", 1, 15},
};

INSTANTIATE_TEST_SUITE_P(Cases, GrammarError, ::testing::ValuesIn(kErrorCases), case_name<ErrorCase>);

TEST(GrammarBytes, NulByteIsReportedWhereItIs) {
  Parsed p = parse_text(std::string("role r;\nrole\0s;", 16));
  ASSERT_EQ(p.diags.error_count(), 1u);
  EXPECT_EQ(p.diags.items()[0].code, "E0003");
  const LineCol at = p.sources.file(0).line_col(p.diags.items()[0].span.begin);
  EXPECT_EQ(at.line, 2u);
  EXPECT_EQ(at.column, 5u);
}

TEST(GrammarRecovery, ReportsOneErrorPerBrokenDeclarationAndKeepsTheRest) {
  Parsed p = parse_text(
      "role a;\n"
      "grant a view R;\n"          // error 1
      "role b;\n"
      "forbid * on * when (;\n"    // error 2
      "role c;\n");
  EXPECT_EQ(p.diags.error_count(), 2u);
  EXPECT_EQ(p.dump, "role a\nrole b\nrole c\n");
}

TEST(GrammarRecovery, StopsAfterFiftyErrors) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "grant ;\n";
  Parsed p = parse_text(text);
  EXPECT_EQ(p.diags.error_count(), 50u);
}

TEST(GrammarSpans, SpansCoverTokensNotTrailingSpace) {
  SourceMap sources;
  Diagnostics diags;
  const FileId id = sources.add("t.edict", "grant   admin   view  on  R   when  principal.x   ;");
  ast::File f = grammar::parse(sources, id, diags);
  ASSERT_EQ(f.decls.size(), 1u);
  const auto& r = std::get<ast::RuleDecl>(f.decls[0]);
  auto text = [&](Span s) { return std::string(sources.file(id).text().substr(s.begin, s.end - s.begin)); };
  EXPECT_EQ(text(r.roles[0].span), "admin");
  EXPECT_EQ(text(r.when->span), "principal.x");
  EXPECT_EQ(text(r.span), "grant   admin   view  on  R   when  principal.x   ;");
  EXPECT_EQ(text(r.keyword_span), "grant");
}

TEST(GrammarSpans, ParenthesizedOperandsStartAtTheirParenthesis) {
  // Regression: `(a) && b` once spanned from `a`, so explanations quoted `a) && b`.
  SourceMap sources;
  Diagnostics diags;
  const FileId id = sources.add("t.edict", "grant r view on R when (principal.x || principal.y)  && principal.z;");
  ast::File f = grammar::parse(sources, id, diags);
  ASSERT_EQ(f.decls.size(), 1u);
  const auto& r = std::get<ast::RuleDecl>(f.decls[0]);
  auto text = [&](Span s) { return std::string(sources.file(id).text().substr(s.begin, s.end - s.begin)); };
  EXPECT_EQ(text(r.when->span), "(principal.x || principal.y)  && principal.z");
  ASSERT_EQ(r.when->children.size(), 2u);
  EXPECT_EQ(text(r.when->children[0]->span), "(principal.x || principal.y)");
}

}  // namespace
}  // namespace edict
