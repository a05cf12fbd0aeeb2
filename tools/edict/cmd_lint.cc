// tools/edict/cmd_lint.cc: `edict lint PATH...`: review findings over checked policies.
//
// Each root policy is checked first, as `edict check` does; if any has errors,
// their diagnostics are printed and nothing is linted (exit 1). Otherwise every
// policy is linted with its configuration (`--config`, or the nearest
// `.edict-lint` above the policy) and the findings are printed in the chosen
// format. Exit status: 0 no finding at or above --fail-on, 1 some (or the policy
// has errors), 2 usage, configuration or I/O error.
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/check.h"
#include "compiler/load.h"
#include "lint/config.h"
#include "lint/lint.h"
#include "lint/render.h"
#include "lint/rules.h"
#include "tools/edict/commands.h"

#ifndef EDICT_VERSION
#define EDICT_VERSION "0.0.0"
#endif
#ifndef EDICT_PROJECT_URL
#define EDICT_PROJECT_URL ""  // cmake -DEDICT_PROJECT_URL=https://...: SARIF's informationUri
#endif

namespace edict::cli {
namespace {

enum class LintFormat { kText, kJson, kSarif, kGithub, kJunit };
enum class FailOn { kError, kWarning, kNote, kNever };

struct LintOptions {
  std::vector<std::string> paths;
  LintFormat format = LintFormat::kText;
  FailOn fail_on = FailOn::kWarning;
  std::string config;
  std::string explain;
  bool list_rules = false;
  std::string color = "auto";
};

int explain_rule(const std::string& id) {
  const lint::RuleInfo* r = lint::find_rule(id);
  if (r == nullptr) {
    std::cerr << fmt::format("edict: error: unknown lint rule `{}`; `edict lint --list-rules` lists them\n", id);
    return kExitUsage;
  }
  std::cout << fmt::format("{} ({}): {}\n\n{}\n\nWhat to do: {}.\n\nSuppress one finding with a comment on its line or "
                           "the line above:\n  # edict-lint: allow {} — reason\n",
                           r->id, severity_name(r->severity), r->summary, r->explanation, r->help, r->id);
  return kExitOk;
}

int list_rules() {
  for (const lint::RuleInfo& r : lint::all_rules()) {
    std::cout << fmt::format("{:<28} {:<8} {}\n", r.id, severity_name(r.severity), r.summary);
  }
  return kExitOk;
}

int run_lint(const LintOptions& opts) {
  if (!opts.explain.empty()) return explain_rule(opts.explain);
  if (opts.list_rules) return list_rules();
  if (opts.paths.empty()) {
    std::cerr << "edict: error: lint needs policy files or directories (or --explain ID, --list-rules)\n";
    return kExitUsage;
  }
  std::vector<std::string> errors;
  const std::vector<std::string> files = expand_paths(opts.paths, errors);
  Diagnostics diags;
  compiler::Workspace ws = compiler::load(files, diags);
  for (const compiler::IoError& e : ws.io_errors) errors.push_back(e.message);

  // Configuration: one for all (--config), or the nearest one per policy.
  std::optional<lint::Config> forced;
  if (!opts.config.empty()) {
    auto c = lint::read_config(opts.config);
    if (!c) errors.push_back(c.error());
    else forced = std::move(*c);
  }
  std::map<std::string, lint::Config> found;
  std::vector<const lint::Config*> configs;
  const lint::Config defaults;
  for (FileId root : ws.roots) {
    if (forced) {
      configs.push_back(&*forced);
      continue;
    }
    const std::optional<std::string> path = lint::find_config(ws.sources.file(root).name());
    if (!path) {
      configs.push_back(&defaults);
      continue;
    }
    if (!found.count(*path)) {
      auto c = lint::read_config(*path);
      if (!c) {
        errors.push_back(c.error());
        found.emplace(*path, lint::Config{});
      } else {
        found.emplace(*path, std::move(*c));
      }
    }
    configs.push_back(&found.at(*path));
  }
  if (!errors.empty()) {
    diags.sort_and_dedupe();
    render_text(diags, ws.sources, std::cerr, false);
    for (const std::string& e : errors) std::cerr << "edict: error: " << e << '\n';
    return kExitUsage;
  }

  // The policies must check cleanly before they are linted.
  std::vector<std::unique_ptr<compiler::Policy>> policies;
  for (FileId root : ws.roots) {
    Result<compiler::Policy> p = compiler::check(ws, root, diags);
    policies.push_back(p ? std::make_unique<compiler::Policy>(std::move(*p)) : nullptr);
  }
  if (diags.has_errors()) {
    diags.sort_and_dedupe();
    const bool color = opts.color == "always" || (opts.color == "auto" && isatty(STDERR_FILENO));
    render_text(diags, ws.sources, std::cerr, color);
    std::cerr << fmt::format("edict: {} error{}; fix them before linting\n", diags.error_count(),
                             diags.error_count() == 1 ? "" : "s");
    return kExitPolicyErrors;
  }

  lint::Report report;
  report.sources = &ws.sources;
  report.policies = ws.roots.size();
  std::set<std::tuple<FileId, uint32_t, uint32_t, std::string, std::string>> seen;  // shared includes
  std::set<FileId> linted;
  for (size_t i = 0; i < ws.roots.size(); ++i) {
    lint::LintResult r = lint::lint_policy(ws, ws.roots[i], *policies[i], *configs[i]);
    report.suppressed += r.suppressed;
    for (lint::Finding& f : r.findings) {
      if (seen.insert({f.span.file, f.span.begin, f.span.end, f.rule, f.message}).second) {
        report.findings.push_back(std::move(f));
      }
    }
    for (FileId f : ws.closure(ws.roots[i])) linted.insert(f);
  }
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const lint::Finding& a, const lint::Finding& b) {
    return std::tie(a.span.file, a.span.begin, a.rule) < std::tie(b.span.file, b.span.begin, b.rule);
  });
  report.files.assign(linted.begin(), linted.end());

  switch (opts.format) {
    case LintFormat::kText: {
      const bool color = opts.color == "always" || (opts.color == "auto" && isatty(STDOUT_FILENO));
      lint::render_text(report, std::cout, color);
      size_t by[3] = {0, 0, 0};
      for (const lint::Finding& f : report.findings) ++by[static_cast<int>(f.severity)];
      std::cout << fmt::format("edict lint: {} polic{}, {} error{}, {} warning{}, {} note{}, {} suppressed\n",
                               report.policies, report.policies == 1 ? "y" : "ies", by[0], by[0] == 1 ? "" : "s",
                               by[1], by[1] == 1 ? "" : "s", by[2], by[2] == 1 ? "" : "s", report.suppressed);
      break;
    }
    case LintFormat::kJson: lint::render_json(report, std::cout); break;
    case LintFormat::kSarif:
      lint::render_sarif(report, {"edict-lint", EDICT_VERSION, EDICT_PROJECT_URL}, std::cout);
      break;
    case LintFormat::kGithub: lint::render_github(report, std::cout); break;
    case LintFormat::kJunit: lint::render_junit(report, std::cout); break;
  }

  if (opts.fail_on == FailOn::kNever) return kExitOk;
  const Severity threshold = opts.fail_on == FailOn::kError     ? Severity::kError
                             : opts.fail_on == FailOn::kWarning ? Severity::kWarning
                                                                : Severity::kNote;
  for (const lint::Finding& f : report.findings) {
    if (lint::at_or_above(f.severity, threshold)) return kExitPolicyErrors;
  }
  return kExitOk;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<LintOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "Review policies for risky or dead rules (see docs/lint.md).\n"
      "Policies are checked first; a policy with errors is not linted.\n"
      "Configuration: --config FILE, or the nearest .edict-lint above each policy.\n"
      "Suppress one finding with `# edict-lint: allow RULE-ID — reason` on its line or the line above.\n"
      "Exit status: 0 no finding at or above --fail-on, 1 findings (or the policy has errors),\n"
      "2 usage, configuration or I/O error.");
  cmd->add_option("paths", opts->paths, "policy files or directories");
  cmd->add_option("--format", opts->format, "output: text (default), json, sarif, github, junit")
      ->transform(CLI::CheckedTransformer(std::map<std::string, LintFormat>{{"text", LintFormat::kText},
                                                                             {"json", LintFormat::kJson},
                                                                             {"sarif", LintFormat::kSarif},
                                                                             {"github", LintFormat::kGithub},
                                                                             {"junit", LintFormat::kJunit}}));
  cmd->add_option("--fail-on", opts->fail_on,
                  "exit 1 when a finding is at or above: error, warning (default), note, never")
      ->transform(CLI::CheckedTransformer(std::map<std::string, FailOn>{{"error", FailOn::kError},
                                                                         {"warning", FailOn::kWarning},
                                                                         {"note", FailOn::kNote},
                                                                         {"never", FailOn::kNever}}));
  cmd->add_option("--config", opts->config, "lint configuration file (default: nearest .edict-lint)");
  cmd->add_option("--explain", opts->explain, "explain a rule and exit");
  cmd->add_flag("--list-rules", opts->list_rules, "list every rule with its default severity and exit");
  cmd->add_option("--color", opts->color, "color text output: auto (default), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([opts, &exit_code] { exit_code = run_lint(*opts); });
}

}  // namespace edict::cli
