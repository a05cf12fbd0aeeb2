// lint/lint.cc: running the rules, then configuration and suppressions.
#include "lint/lint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "grammar/test_parse.h"
#include "lint/suppress.h"

namespace edict::lint {

TestedRoles find_tested_roles(const compiler::Workspace& ws, FileId root) {
  namespace fs = std::filesystem;
  TestedRoles out;
  const fs::path policy = ws.files[root].canonical;
  std::error_code ec;
  std::vector<fs::path> candidates;
  for (auto it = fs::directory_iterator(policy.parent_path(), ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".edict-test") candidates.push_back(it->path());
  }
  std::sort(candidates.begin(), candidates.end());
  for (const fs::path& path : candidates) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::ostringstream buf;
    buf << in.rdbuf();
    SourceMap sources;
    const FileId id = sources.add(path.string(), buf.str());
    Diagnostics diags;  // a broken test file is `edict test`'s to report
    const testfile::File file = grammar::parse_test_file(sources, id, diags);
    if (!file.policy) continue;
    const fs::path target = fs::weakly_canonical(path.parent_path() / *file.policy, ec);
    if (ec || target != policy) continue;
    out.present = true;
    out.files.push_back(path.filename().string());
    std::set<std::string> users;
    for (const testfile::CaseGroup& g : file.cases) {
      const std::string& u = g.body.user.text;
      if (u.empty() || u[0] != '$') {
        users.insert(u);
        continue;
      }
      for (const testfile::Loop& l : g.loops) {
        if (l.var.text != u && "$" + l.var.text != u) continue;
        for (const testfile::Value& v : l.items) users.insert(v.text);
      }
    }
    for (const testfile::UserDecl& u : file.users) {
      if (!users.count(u.name.text)) continue;
      for (const testfile::Membership& m : u.memberships) {
        for (const ast::Name& r : m.roles) out.roles.insert(r.text);
      }
    }
  }
  return out;
}

LintResult lint_policy(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                       const Config& config, TestedRoles tested) {
  const LintContext ctx = make_context(ws, root, policy, config, std::move(tested));
  LintResult result;
  std::vector<Finding>& out = result.findings;
  for (CheckFn check : {check_roles, check_unused, check_grants, check_admin, check_conditions, check_text}) {
    check(ctx, out);
  }
  std::vector<Suppression> suppressions;
  for (FileId f : ctx.files) {
    std::vector<Suppression> s = read_suppressions(ws.sources.file(f), f, out);
    suppressions.insert(suppressions.end(), s.begin(), s.end());
  }
  // Configuration: drop disabled rules, apply severity overrides.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](Finding& f) {
                             auto it = config.severity.find(f.rule);
                             if (it == config.severity.end()) return false;
                             if (!it->second) return true;
                             f.severity = *it->second;
                             return false;
                           }),
            out.end());
  result.suppressed = apply_suppressions(ws.sources, suppressions, out);
  auto key = [](const Finding& f) { return std::tie(f.span.file, f.span.begin, f.span.end, f.rule, f.message); };
  std::stable_sort(out.begin(), out.end(), [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(), [&](const Finding& a, const Finding& b) { return key(a) == key(b); }),
            out.end());
  return result;
}

LintResult lint_policy(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                       const Config& config) {
  return lint_policy(ws, root, policy, config, find_tested_roles(ws, root));
}

}  // namespace edict::lint
