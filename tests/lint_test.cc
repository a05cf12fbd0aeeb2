// tests/lint_test.cc: the linter: every rule on its positive and negative
// fixture (tests/data/lint/RULE/{bad,good}.edict), suppressions, configuration,
// confusables, fingerprints, the renderers, and the bundled policies.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compiler/check.h"
#include "compiler/load.h"
#include "lint/config.h"
#include "lint/confusables.h"
#include "lint/lint.h"
#include "lint/render.h"
#include "lint/rules.h"

namespace edict {
namespace {

namespace fs = std::filesystem;

std::string source_path(const std::string& rel) { return std::string(EDICT_SOURCE_DIR) + "/" + rel; }

// A loaded, checked and linted policy (or the check errors).
struct Linted {
  compiler::Workspace ws;
  std::vector<compiler::Policy> policies;
  Diagnostics diags;
  lint::Report report;

  size_t count(std::string_view rule) const {
    return static_cast<size_t>(std::count_if(report.findings.begin(), report.findings.end(),
                                             [&](const lint::Finding& f) { return f.rule == rule; }));
  }
  std::string dump() const {
    std::ostringstream out;
    lint::render_text(report, out, false);
    return out.str();
  }
};

void run(Linted& l, const lint::Config& config, bool tests_on_disk) {
  l.report.sources = &l.ws.sources;
  for (FileId root : l.ws.roots) {
    Result<compiler::Policy> p = compiler::check(l.ws, root, l.diags);
    ASSERT_TRUE(p.has_value()) << "policy does not check";
    l.policies.push_back(std::move(*p));
  }
  for (size_t i = 0; i < l.ws.roots.size(); ++i) {
    lint::LintResult r = tests_on_disk ? lint::lint_policy(l.ws, l.ws.roots[i], l.policies[i], config)
                                       : lint::lint_policy(l.ws, l.ws.roots[i], l.policies[i], config, {});
    l.report.suppressed += r.suppressed;
    for (lint::Finding& f : r.findings) l.report.findings.push_back(std::move(f));
  }
  ++l.report.policies;
}

std::unique_ptr<Linted> lint_files(const std::vector<std::string>& paths, const lint::Config& config = {}) {
  auto l = std::make_unique<Linted>();
  l->ws = compiler::load(paths, l->diags);
  EXPECT_TRUE(l->ws.io_errors.empty());
  run(*l, config, true);
  return l;
}

std::unique_ptr<Linted> lint_text(const std::string& text, const lint::Config& config = {}) {
  auto l = std::make_unique<Linted>();
  l->ws = compiler::load_text("test.edict", text, l->diags);
  run(*l, config, false);
  return l;
}

// ---- 1. every rule: a positive and a negative example --------------------------
class RuleFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleFixture, ReportsBadAndNotGood) {
  const std::string rule = GetParam();
  const std::string dir = source_path("tests/data/lint/" + rule);
  ASSERT_TRUE(fs::exists(dir + "/bad.edict")) << "no positive example for " << rule;
  ASSERT_TRUE(fs::exists(dir + "/good.edict")) << "no negative example for " << rule;
  auto bad = lint_files({dir + "/bad.edict"});
  EXPECT_GE(bad->count(rule), 1u) << bad->dump();
  auto good = lint_files({dir + "/good.edict"});
  EXPECT_EQ(good->count(rule), 0u) << good->dump();
}

std::vector<std::string> rule_ids() {
  std::vector<std::string> out;
  for (const lint::RuleInfo& r : lint::all_rules()) out.emplace_back(r.id);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Lint, RuleFixture, ::testing::ValuesIn(rule_ids()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Lower-case words joined by single hyphens: "wildcard-grant".
bool is_kebab_case(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (c == '-' ? id[i - 1] == '-' : (c < 'a' || c > 'z')) return false;
  }
  return true;
}

// ---- 2. the registry -------------------------------------------------------------
TEST(LintRegistry, IdsAreUniqueKebabCaseAndExplained) {
  std::set<std::string_view> seen;
  EXPECT_GE(lint::all_rules().size(), 12u);
  for (const lint::RuleInfo& r : lint::all_rules()) {
    SCOPED_TRACE(std::string(r.id));
    EXPECT_TRUE(seen.insert(r.id).second);
    EXPECT_TRUE(is_kebab_case(r.id));
    EXPECT_FALSE(r.summary.empty());
    EXPECT_GT(r.explanation.size(), 100u);
    EXPECT_FALSE(r.help.empty());
    EXPECT_EQ(lint::rule_index(r.id), static_cast<int>(&r - lint::all_rules().data()));
  }
  EXPECT_EQ(lint::find_rule("no-such-rule"), nullptr);
}

// ---- 3. suppressions ---------------------------------------------------------------
const std::string kHead = "entity User;\naction view;\nresource Doc actions view;\nrole admin;\n";

TEST(LintSuppress, FormsAndPlaces) {
  struct Case {
    const char* name;
    std::string text;
    size_t wildcard;   // wildcard-grant findings left
    size_t no_reason;  // suppression-without-reason findings
    size_t invalid;    // invalid-suppression findings
  };
  const std::vector<Case> cases = {
      {"1.1 em dash, line above", kHead + "// edict-lint: allow wildcard-grant \xE2\x80\x94 by design\ngrant admin * on *;\n", 0, 0, 0},
      {"1.2 hash and hyphen", kHead + "# edict-lint: allow wildcard-grant - by design\ngrant admin * on *;\n", 0, 0, 0},
      {"1.3 double hyphen", kHead + "// edict-lint: allow wildcard-grant -- by design\ngrant admin * on *;\n", 0, 0, 0},
      {"1.4 same line", kHead + "grant admin * on *;  // edict-lint: allow wildcard-grant - by design\n", 0, 0, 0},
      {"1.5 above the label", kHead + "# edict-lint: allow wildcard-grant - by design\nfull:\ngrant admin * on *;\n", 0, 0, 0},
      {"1.6 two lines above", kHead + "# edict-lint: allow wildcard-grant - by design\n\ngrant admin * on *;\n", 1, 0, 0},
      {"1.7 other rule", kHead + "# edict-lint: allow redundant-grant - no\ngrant admin * on *;\n", 1, 0, 0},
      {"1.8 list of rules", kHead + "# edict-lint: allow redundant-grant, wildcard-grant - both\ngrant admin * on *;\n", 0, 0, 0},
      {"1.9 block comment", kHead + "/* edict-lint: allow wildcard-grant - by design */\ngrant admin * on *;\n", 0, 0, 0},
      {"2.1 no reason still applies", kHead + "# edict-lint: allow wildcard-grant\ngrant admin * on *;\n", 0, 1, 0},
      {"2.2 empty reason", kHead + "# edict-lint: allow wildcard-grant -\ngrant admin * on *;\n", 0, 1, 0},
      {"2.3 reason without dash", kHead + "# edict-lint: allow wildcard-grant by design\ngrant admin * on *;\n", 1, 0, 1},
      {"2.4 unknown rule", kHead + "# edict-lint: allow wildcard-grnt - typo\ngrant admin * on *;\n", 1, 0, 1},
      {"2.5 not allow", kHead + "# edict-lint: deny wildcard-grant - what\ngrant admin * on *;\n", 1, 0, 1},
      {"2.6 prose mentioning the linter", kHead + "// see edict-lint docs\ngrant admin * on *;\n", 1, 0, 0},
      {"2.7 inside a string is not a comment", kHead +
           "entity X { s: string }\ngrant admin * on * when principal.tenant == principal.tenant || \"# edict-lint: allow wildcard-grant - x\" == \"\";\n",
       1, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto l = lint_text(c.text);
    EXPECT_EQ(l->count(lint::ids::kWildcardGrant), c.wildcard) << l->dump();
    EXPECT_EQ(l->count(lint::ids::kSuppressionWithoutReason), c.no_reason) << l->dump();
    EXPECT_EQ(l->count(lint::ids::kInvalidSuppression), c.invalid) << l->dump();
  }
}

TEST(LintSuppress, CountsSuppressed) {
  auto l = lint_text(kHead + "# edict-lint: allow wildcard-grant - by design\ngrant admin * on *;\n");
  EXPECT_EQ(l->report.suppressed, 1u);
}

// ---- 4. configuration --------------------------------------------------------------
TEST(LintConfig, ParsesSettings) {
  auto c = lint::parse_config(
      "# comment\nwildcard-grant = off\nunused-enum-value = error  # trailing\n"
      "sensitive-resources = Payout, Secret\nmfa-attributes = step_up\nrole-assignment-actions = invite\n",
      "cfg");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_FALSE(c->severity.at("wildcard-grant").has_value());
  EXPECT_EQ(c->severity.at("unused-enum-value"), Severity::kError);
  EXPECT_EQ(c->sensitive_resources, (std::vector<std::string>{"Payout", "Secret"}));
  EXPECT_EQ(c->mfa_attributes, (std::vector<std::string>{"step_up"}));
  EXPECT_EQ(c->role_assignment_actions, (std::vector<std::string>{"invite"}));
}

TEST(LintConfig, RejectsBadInput) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : {Case{"wildcard-grant\n", "cfg:1: expected `key = value`"},
                        Case{"\nwildcard-grant = loud\n", "cfg:2: `loud` is not a severity"},
                        Case{"no-such-rule = off\n", "cfg:1: unknown setting `no-such-rule`"}}) {
    SCOPED_TRACE(c.text);
    auto r = lint::parse_config(c.text, "cfg");
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().find(c.error), std::string::npos) << r.error();
  }
}

TEST(LintConfig, OffAndSeverityApply) {
  const std::string text = kHead + "grant admin * on *;\n";
  auto off = lint_text(text, *lint::parse_config("wildcard-grant = off\n", "cfg"));
  EXPECT_EQ(off->count(lint::ids::kWildcardGrant), 0u);
  auto err = lint_text(text, *lint::parse_config("wildcard-grant = error\n", "cfg"));
  ASSERT_EQ(err->count(lint::ids::kWildcardGrant), 1u);
  for (const lint::Finding& f : err->report.findings) {
    if (f.rule == lint::ids::kWildcardGrant) {
      EXPECT_EQ(f.severity, Severity::kError);
    }
  }
}

TEST(LintConfig, ExtraSensitiveResourcesAndMfaAttributes) {
  const std::string text =
      "entity User;\naction view, assign_role;\nresource Payout, Doc actions view;\nresource Member actions assign_role;\n"
      "context { fresh_login: bool }\nrole clerk;\ngrant clerk view on Payout;\ngrant clerk assign_role on Member;\n"
      "forbid assign_role on Member unless context.fresh_login;\n";
  auto plain = lint_text(text);
  EXPECT_EQ(plain->count(lint::ids::kSensitiveUnconditioned), 0u);
  EXPECT_EQ(plain->count(lint::ids::kAdminActionWithoutMfa), 1u);
  auto configured = lint_text(text, *lint::parse_config("sensitive-resources = Payout\nmfa-attributes = fresh_login\n", "c"));
  EXPECT_EQ(configured->count(lint::ids::kSensitiveUnconditioned), 1u);
  EXPECT_EQ(configured->count(lint::ids::kAdminActionWithoutMfa), 0u);
}

// The help names the pair the grant exposes and the policy's own MFA flag, and
// says how to declare one when the policy has none.
TEST(LintConfig, MfaHelpNamesThePairAndTheFlag) {
  auto help_of = [](const std::string& text, const lint::Config& config = {}) {
    auto l = lint_text(text, config);
    for (const lint::Finding& f : l->report.findings) {
      if (f.rule == lint::ids::kAdminActionWithoutMfa) return f.help;
    }
    return std::string("(not reported)");
  };
  const std::string head = "entity User;\naction view, delete;\nresource Doc actions view, delete;\nrole admin;\n";
  EXPECT_EQ(help_of(head + "grant admin delete on Doc;\n"),
            "add a forbid such as `forbid delete on Doc unless context.mfa;`, declaring `context { mfa: bool }`");
  EXPECT_EQ(help_of(head + "context { step_up_mfa: bool }\ngrant admin delete on Doc;\n"),
            "add a forbid such as `forbid delete on Doc unless context.step_up_mfa;`");
  // A flag the forbid could not read as written (not a plain bool) is not offered.
  EXPECT_EQ(help_of(head + "context { mfa_level: int, mfa_at: bool? }\ngrant admin delete on Doc;\n"),
            "add a forbid such as `forbid delete on Doc unless context.mfa;`, declaring `context { mfa: bool }`");
  EXPECT_EQ(help_of(head + "grant admin delete on Doc;\n", *lint::parse_config("mfa-attributes = fresh_login\n", "c")),
            "add a forbid such as `forbid delete on Doc unless context.fresh_login;`, declaring "
            "`context { fresh_login: bool }`");
}

TEST(LintConfig, FoundByWalkingUp) {
  const auto found = lint::find_config(source_path("policies/pbx.edict"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(fs::path(*found).filename(), ".edict-lint");
}

// ---- 5. rule details ---------------------------------------------------------------
TEST(LintConditions, ConstantParts) {
  const std::string head =
      "enum S { a, b }\nentity User { n: int, s: S, o: int? }\naction view;\nresource Doc { d: int } actions view;\n"
      "resource Pic actions view;\nrole viewer;\nrole editor extends viewer;\ngrant viewer view on Pic;\n";
  struct Case {
    const char* cond;
    size_t constant;
  };
  const std::vector<Case> cases = {
      {"true", 1},
      {"principal.n > 1 && false", 1},           // the whole `&&` is false
      {"principal.n > 1 || true", 1},
      {"principal.n > 1 && principal.n < 5", 0},
      {"principal.n == principal.n", 1},
      {"principal.n != principal.n", 1},
      {"1 < 2", 1},
      {"principal.s == a && !(principal.s == a)", 1},
      {"principal has n", 1},                    // required attribute
      {"principal has o && principal.o > 1", 0},
      {"resource has d", 1},
      {"resource is Doc", 1},
      {"resource is Pic", 1},                    // never, on a rule over Doc
      {"principal is editor", 1},                // every grantee is an editor
      {"principal is viewer", 1},                // editors extend viewer
      {"principal.s in []", 1},
      {"principal.s in [a, b]", 0},
      {"S.a == S.b", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.cond);
    auto l = lint_text(head + "grant editor view on Doc when " + c.cond + ";\n");
    EXPECT_EQ(l->count(lint::ids::kConstantCondition), c.constant) << l->dump();
  }
}

TEST(LintGrants, DuplicatesReportOnlyTheLaterOne) {
  auto l = lint_text(kHead + "one: grant admin view on Doc;\ntwo: grant admin view on Doc;\n");
  ASSERT_EQ(l->count(lint::ids::kRedundantGrant), 1u) << l->dump();
  for (const lint::Finding& f : l->report.findings) {
    if (f.rule == lint::ids::kRedundantGrant) {
      EXPECT_NE(f.message.find("`two`"), std::string::npos);
    }
  }
}

TEST(LintGrants, SuperadminGrantIsRedundant) {
  auto l = lint_text(kHead + "superadmin role root;\ngrant root view on Doc;\ngrant admin view on Doc;\n");
  EXPECT_EQ(l->count(lint::ids::kRedundantGrant), 1u) << l->dump();
}

TEST(LintAdmin, CatalogHeldByAdminShadowsIt) {
  auto l = lint_text(kHead + "grant admin * on *;\ncatalog c for admin { grantable view on Doc; }\n");
  EXPECT_EQ(l->count(lint::ids::kCatalogShadowsAdmin), 1u) << l->dump();
}

TEST(LintAdmin, SuperadminIsAboveEveryone) {
  const std::string text =
      "entity User;\naction view, assign_role;\nresource Member actions view, assign_role;\ncontext { new_role: Role }\n"
      "superadmin role root;\nrole admin;\ngrant admin assign_role, view on Member;\n";
  auto l = lint_text(text);
  EXPECT_EQ(l->count(lint::ids::kAssignAboveRank), 1u) << l->dump();
  auto guarded = lint_text(text + "forbid assign_role on Member when context.new_role == root unless principal is root;\n");
  EXPECT_EQ(guarded->count(lint::ids::kAssignAboveRank), 0u) << guarded->dump();
}

TEST(LintUnused, RolesAttributesObligations) {
  auto l = lint_text(
      "entity Group { name: string }\nentity User { g: set<Group> }\naction view;\nresource Doc actions view;\n"
      "context { unused_flag: bool }\nobligation redact(pii);\nrole reader;\nrole nobody;\n"
      "grant reader view on Doc when principal.tenant == principal.tenant;\n");
  const std::string out = l->dump();
  EXPECT_NE(out.find("role `nobody` is never used"), std::string::npos) << out;
  EXPECT_NE(out.find("attribute `name` of `Group` is never read"), std::string::npos) << out;
  EXPECT_NE(out.find("attribute `unused_flag` of the context is never read"), std::string::npos) << out;
  EXPECT_NE(out.find("obligation `redact` is never carried"), std::string::npos) << out;
  EXPECT_EQ(out.find("role `reader`"), std::string::npos) << out;
  EXPECT_EQ(l->count(lint::ids::kEmptyRole), 0u) << "an unused role is reported once, as unused";
}

// ---- 6. confusables ------------------------------------------------------------------
TEST(LintConfusables, SkeletonsAndScripts) {
  EXPECT_EQ(lint::skeleton("\xD0\xB0" "dmin"), lint::skeleton("admin"));          // Cyrillic а
  EXPECT_EQ(lint::skeleton("\xCE\xBF" "wner"), lint::skeleton("owner"));          // Greek ο
  EXPECT_EQ(lint::skeleton("rnanager"), lint::skeleton("manager"));
  EXPECT_EQ(lint::skeleton("Iog"), lint::skeleton("log"));
  EXPECT_NE(lint::skeleton("admin"), lint::skeleton("Admin"));
  EXPECT_TRUE(lint::mixed_script("\xD0\xB0" "dmin"));
  EXPECT_FALSE(lint::mixed_script("\xD0\xB0\xD0\xB4"));                           // all Cyrillic
  EXPECT_FALSE(lint::mixed_script("role_2"));
  EXPECT_FALSE(lint::mixed_script("caf\xC3\xA9"));                                // Latin é
}

TEST(LintText, BidiControlsEverywhere) {
  // U+2066 in a string, U+200F in code position inside a comment-free line, U+202E in a comment.
  auto l = lint_text(kHead + "grant admin view on Doc when principal.tenant == principal.tenant || \"\xE2\x81\xA6\" == \"\";\n"
                             "// \xE2\x80\xAE hidden\n");
  EXPECT_EQ(l->count(lint::ids::kBidiControl), 2u) << l->dump();
  const std::string out = l->dump();
  EXPECT_NE(out.find("in a string"), std::string::npos) << out;
  EXPECT_NE(out.find("in a comment"), std::string::npos) << out;
}

// ---- 7. output ---------------------------------------------------------------------
TEST(LintRender, FingerprintsSurviveUnrelatedEdits) {
  const std::string body = "grant admin * on *;\n";
  auto a = lint_text(kHead + body);
  auto b = lint_text(kHead + "// a comment\n\nentity Other;\n" + body);
  const auto fa = lint::fingerprints(a->report);
  const auto fb = lint::fingerprints(b->report);
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0], fb[0]);
  auto c = lint_text(kHead + "  grant  admin *   on *;\n");  // whitespace only
  EXPECT_EQ(lint::fingerprints(c->report)[0], fa[0]);
  auto d = lint_text(kHead + "role other;\ngrant other view on Doc;\ngrant admin * on *;\n");
  EXPECT_EQ(lint::fingerprints(d->report).back(), fa[0]);
}

TEST(LintRender, SarifShape) {
  auto l = lint_text(kHead + "grant admin * on *;\n");
  std::ostringstream out;
  lint::render_sarif(l->report, {"edict-lint", "1.2.3", "https://example.com/edict"}, out);
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["version"], "2.1.0");
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), lint::all_rules().size());
  ASSERT_EQ(run["results"].size(), 1u);
  const auto& r = run["results"][0];
  EXPECT_EQ(r["ruleId"], "wildcard-grant");
  EXPECT_EQ(run["tool"]["driver"]["rules"][r["ruleIndex"].get<size_t>()]["id"], "wildcard-grant");
  EXPECT_EQ(r["level"], "warning");
  const auto& region = r["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 5);
  EXPECT_EQ(region["startColumn"], 13);
  EXPECT_EQ(region["endColumn"], 19);
  EXPECT_EQ(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "test.edict");
  EXPECT_TRUE(r["partialFingerprints"].contains("edictLint/v1"));
}

TEST(LintRender, GithubEscapesProperties) {
  auto l = std::make_unique<Linted>();
  l->ws = compiler::load_text("dir,with:odd%.edict", kHead + "grant admin * on *;\n", l->diags);
  run(*l, {}, false);
  std::ostringstream out;
  lint::render_github(l->report, out);
  EXPECT_EQ(out.str().substr(0, out.str().find("::", 2) + 2),
            "::warning file=dir%2Cwith%3Aodd%25.edict,line=5,col=13,endColumn=19,title=wildcard-grant::");
}

TEST(LintRender, JunitCountsFailures) {
  auto l = lint_text(kHead + "grant admin * on *;\n");
  l->report.files = {0};
  std::ostringstream out;
  lint::render_junit(l->report, out);
  EXPECT_NE(out.str().find("<testsuites name=\"edict lint\" tests=\"1\" failures=\"1\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("<failure type=\"warning\""), std::string::npos);
}

// ---- 8. the bundled policies ---------------------------------------------------------
TEST(LintPolicies, SeedPoliciesAreClean) {
  auto config = lint::read_config(source_path("policies/.edict-lint"));
  ASSERT_TRUE(config.has_value()) << config.error();
  for (const char* p : {"contact_center", "dashboard", "pbx", "tenant_crm", "voice_workspace"}) {
    SCOPED_TRACE(p);
    auto l = lint_files({source_path(std::string("policies/") + p + ".edict")}, *config);
    EXPECT_TRUE(l->report.findings.empty()) << l->dump();
  }
}

}  // namespace
}  // namespace edict
