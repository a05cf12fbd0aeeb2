// tools/edict/cmd_test.cc: `edict test [PATH...]`: run policy test files.
//
// Prints each failing case with its location, expected and actual decision and
// the explanation, then `N passed, N failed`. --coverage lists the rules no case
// exercised and each policy's coverage. --format json or junit for CI dashboards.
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/xml_escape.h"
#include "testkit/runner.h"
#include "tools/edict/commands.h"

namespace edict::cli {
namespace {

enum class TestFormat { kText, kJson, kJunit };

struct TestOptions {
  std::vector<std::string> paths{"."};
  TestFormat format = TestFormat::kText;
  bool coverage = false;
  std::optional<double> min_coverage;  // percent; a policy below it fails the run
};

// Percent of a policy's rules some case exercised (a policy without rules is 100%).
double coverage_percent(const testkit::PolicyCoverage& p) {
  if (p.rules.empty()) return 100.0;
  size_t hit = 0;
  for (const auto& r : p.rules) hit += r.exercised;
  return 100.0 * static_cast<double>(hit) / static_cast<double>(p.rules.size());
}

int run_test(const TestOptions& opts) {
  const testkit::TestRun run = testkit::run_tests(opts.paths);
  const size_t errors = run.error_count();

  if (opts.format == TestFormat::kJson) {
    nlohmann::json doc;
    doc["passed"] = run.passed;
    doc["failed"] = run.failed;
    doc["cases"] = nlohmann::json::array();
    for (const auto& c : run.cases) {
      doc["cases"].push_back({{"name", c.name}, {"file", c.file}, {"line", c.line}, {"column", c.column},
                              {"passed", c.passed}, {"expected", c.expected}, {"actual", c.actual},
                              {"explanation", c.explanation}});
    }
    doc["errors"] = nlohmann::json::array();
    for (const auto& g : run.diagnostics) {
      std::ostringstream buf;
      render_json(g.diags, *g.sources, buf);
      for (auto& d : nlohmann::json::parse(buf.str())["diagnostics"]) doc["errors"].push_back(d);
    }
    for (const auto& e : run.io_errors) doc["errors"].push_back({{"message", e}});
    doc["coverage"] = nlohmann::json::array();
    for (const auto& p : run.coverage) {
      nlohmann::json rules = nlohmann::json::array();
      size_t hit = 0;
      for (const auto& r : p.rules) {
        hit += r.exercised;
        rules.push_back({{"name", r.name}, {"file", r.file}, {"line", r.line},
                         {"effect", r.forbid ? "forbid" : "grant"}, {"exercised", r.exercised}});
      }
      doc["coverage"].push_back({{"policy", p.policy}, {"rules", rules}, {"exercised", hit}, {"total", p.rules.size()}});
    }
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else if (opts.format == TestFormat::kJunit) {
    std::map<std::string, std::vector<const testkit::CaseResult*>> by_file;
    for (const auto& c : run.cases) by_file[c.file].push_back(&c);
    std::cout << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    std::cout << fmt::format("<testsuites tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", run.passed + run.failed,
                             run.failed, errors);
    for (const auto& [file, cases] : by_file) {
      size_t failures = 0;
      for (const auto* c : cases) failures += !c->passed;
      std::cout << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n", xml_escape(file),
                               cases.size(), failures);
      for (const auto* c : cases) {
        std::cout << fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"", xml_escape(c->name),
                                 xml_escape(file), xml_escape(file), c->line);
        if (c->passed) {
          std::cout << "/>\n";
        } else {
          std::cout << fmt::format(">\n      <failure message=\"expected {}, got {}\">{}</failure>\n    </testcase>\n",
                                   xml_escape(c->expected), xml_escape(c->actual), xml_escape(c->explanation));
        }
      }
      std::cout << "  </testsuite>\n";
    }
    std::cout << "</testsuites>\n";
  } else {
    for (const auto& g : run.diagnostics) render_text(g.diags, *g.sources, std::cerr, false);
    for (const auto& e : run.io_errors) std::cerr << "edict: error: " << e << '\n';
    for (const auto& c : run.cases) {
      if (c.passed) continue;
      std::cout << fmt::format("{}:{}:{}: FAIL: {}\n  expected: {}\n  actual:   {}\n", c.file, c.line, c.column, c.name,
                               c.expected, c.actual);
      if (!c.explanation.empty()) std::cout << fmt::format("  why:      {}\n", c.explanation);
    }
    if (opts.coverage) {
      for (const auto& p : run.coverage) {
        size_t hit = 0;
        for (const auto& r : p.rules) hit += r.exercised;
        std::cout << fmt::format("coverage: {}: {}/{} rules exercised ({:.0f}%)\n", p.policy, hit, p.rules.size(),
                                 coverage_percent(p));
        for (const auto& r : p.rules) {
          if (!r.exercised) {
            std::cout << fmt::format("  {}:{}: {} `{}` is not exercised by any case\n", r.file, r.line,
                                     r.forbid ? "forbid" : "grant", r.name);
          }
        }
      }
    }
    std::cout << fmt::format("{} passed, {} failed\n", run.passed, run.failed);
  }
  bool below_minimum = false;
  if (opts.min_coverage) {
    for (const auto& p : run.coverage) {
      if (coverage_percent(p) + 1e-9 < *opts.min_coverage) {
        below_minimum = true;
        std::cerr << fmt::format("edict: error: {}: rule coverage {:.1f}% is below --min-coverage {}%\n", p.policy,
                                 coverage_percent(p), *opts.min_coverage);
      }
    }
  }
  if (!run.io_errors.empty()) return kExitUsage;
  return run.failed > 0 || errors > 0 || below_minimum ? kExitPolicyErrors : kExitOk;
}

}  // namespace

void add_test_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "test",
      "Run policy test files (*.edict-test): every case through the compiled table and the reference\n"
      "interpreter. A directory stands for every test file below it (default: the current directory).\n"
      "Exit status: 0 all cases pass, 1 a case fails or a test file has errors, 2 usage or I/O error.");
  cmd->add_option("paths", opts->paths, "test files or directories");
  cmd->add_option("--format", opts->format, "output: text (default), json or junit")
      ->transform(CLI::CheckedTransformer(std::map<std::string, TestFormat>{
          {"text", TestFormat::kText}, {"json", TestFormat::kJson}, {"junit", TestFormat::kJunit}}));
  cmd->add_flag("--coverage", opts->coverage, "list the rules no case exercised, and coverage per policy");
  cmd->add_option("--min-coverage", opts->min_coverage, "fail (exit 1) when a policy's rule coverage is below PCT")
      ->option_text("PCT")
      ->check(CLI::Range(0.0, 100.0));
  cmd->callback([opts, &exit_code] { exit_code = run_test(*opts); });
}

}  // namespace edict::cli
