// tools/edict/cmd_fmt.cc: `edict fmt [--check] [--stdout] PATH...`: canonical layout.
//
// Each file is formatted on its own (includes are not followed). A file that does
// not parse is reported with its diagnostics and left untouched. Before anything
// is written, the output is re-parsed and compared with the input
// (compiler::verify_format); a mismatch is an internal error and nothing is
// written. Files are rewritten through a temporary file in the same directory
// and a rename, so a crash never leaves half a policy. `-` reads stdin and writes
// stdout. The layout is documented in docs/formatting.md.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/format.h"
#include "grammar/parse.h"
#include "tools/edict/commands.h"

namespace edict::cli {
namespace {

struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;
  bool to_stdout = false;
};

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size()) {
    const size_t nl = s.find('\n', at);
    const size_t end = nl == std::string_view::npos ? s.size() : nl;
    out.emplace_back(s.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// A unified diff (3 lines of context) of `a` -> `b`, from a longest common
// subsequence of lines. Quadratic, so very long files fall back to one hunk.
std::string unified_diff(const std::string& path, std::string_view a_text, std::string_view b_text) {
  const std::vector<std::string> a = split_lines(a_text), b = split_lines(b_text);
  const size_t n = a.size(), m = b.size();
  struct Op { char kind; size_t ai, bi; };  // ' ' keep, '-' delete a[ai], '+' insert b[bi]
  std::vector<Op> ops;
  if (n * m <= 25'000'000) {
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] == b[j]) {
        ops.push_back({' ', i++, j++});
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({'-', i++, j});  // deletions before insertions, as diff(1) prints them
      } else {
        ops.push_back({'+', i, j++});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', i, 0});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', n, j});
  }
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
  constexpr size_t kContext = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the
    // last change that is at most 2*kContext unchanged lines further on.
    const size_t first = k >= kContext ? k - kContext : 0;
    size_t last = k;
    size_t same = 0;
    for (size_t q = k; q < ops.size(); ++q) {
      if (ops[q].kind == ' ') {
        if (++same > 2 * kContext) break;
      } else {
        same = 0;
        last = q;
      }
    }
    const size_t end = std::min(ops.size(), last + 1 + kContext);
    size_t a_count = 0, b_count = 0;
    for (size_t q = first; q < end; ++q) {
      if (ops[q].kind != '+') ++a_count;
      if (ops[q].kind != '-') ++b_count;
    }
    const size_t a_start = ops[first].ai + (a_count ? 1 : 0), b_start = ops[first].bi + (b_count ? 1 : 0);
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_start, a_count, b_start, b_count);
    for (size_t q = first; q < end; ++q) {
      const std::string& line = ops[q].kind == '+' ? b[ops[q].bi] : a[ops[q].ai];
      out += ops[q].kind;
      out += line;
      out += '\n';
    }
    k = end;
  }
  return out;
}

bool read_file(const std::string& path, std::string& text, std::string& error) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

// Writes `text` next to `path` and renames it over `path`, keeping its mode.
bool replace_file(const std::string& path, const std::string& text, std::string& error) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path tmp = target.parent_path() / fmt::format(".{}.edict-fmt-{}", target.filename().string(), getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      error = fmt::format("cannot write `{}`: {}", tmp.string(), std::strerror(errno));
      std::error_code ignore;
      fs::remove(tmp, ignore);
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(target, ec).permissions(), ec);
  fs::rename(tmp, target, ec);
  if (ec) {
    error = fmt::format("cannot replace `{}`: {}", path, ec.message());
    std::error_code ignore;
    fs::remove(tmp, ignore);
    return false;
  }
  return true;
}

int run_fmt(const FmtOptions& opts) {
  std::vector<std::string> errors;
  std::vector<std::string> files;
  for (const std::string& p : opts.paths) {
    if (p == "-") {
      files.push_back(p);
    } else {
      const std::vector<std::string> found = expand_paths({p}, errors);
      files.insert(files.end(), found.begin(), found.end());
    }
  }
  bool policy_errors = false, unformatted = false, internal = false;
  size_t changed = 0;
  for (const std::string& path : files) {
    std::string text, error;
    if (!read_file(path, text, error)) {
      errors.push_back(error);
      continue;
    }
    SourceMap sources;
    const FileId id = sources.add(path == "-" ? "<stdin>" : path, text);
    Diagnostics diags;
    const ast::File tree = grammar::parse(sources, id, diags);
    if (diags.has_errors()) {
      render_text(diags, sources, std::cerr, false);
      std::cerr << fmt::format("edict: `{}` does not parse; left unchanged\n", path);
      policy_errors = true;
      continue;
    }
    const std::string formatted = compiler::format(sources.file(id).text(), tree);
    if (auto problem = compiler::verify_format(text, formatted)) {
      std::cerr << fmt::format("edict: internal error: formatting `{}`: {}; left unchanged\n", path, *problem);
      internal = true;
      continue;
    }
    if (opts.check) {
      if (formatted != text) {
        std::cout << unified_diff(path, text, formatted);
        unformatted = true;
      }
    } else if (opts.to_stdout || path == "-") {
      std::cout << formatted;
    } else if (formatted != text) {
      if (!replace_file(path, formatted, error)) {
        errors.push_back(error);
        continue;
      }
      std::cout << "formatted " << path << '\n';
      ++changed;
    }
  }
  for (const std::string& e : errors) std::cerr << "edict: error: " << e << '\n';
  if (opts.check && unformatted) std::cerr << "edict: some files are not formatted; run `edict fmt` on them\n";
  if (!errors.empty() || internal) return kExitUsage;
  return policy_errors || unformatted ? kExitPolicyErrors : kExitOk;
}

}  // namespace

void add_fmt_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<FmtOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fmt",
      "Rewrite policy files in the canonical layout (docs/formatting.md), comments kept.\n"
      "Each file is formatted on its own; a directory stands for every .edict file below it;\n"
      "`-` reads standard input and writes standard output. A file that does not parse is left as is.\n"
      "Exit status: 0 done (or, with --check, every file already formatted), 1 a file does not parse\n"
      "or (--check) is not formatted, 2 usage, I/O or internal error.");
  cmd->add_option("paths", opts->paths, "policy files or directories, or - for stdin")->required();
  cmd->add_flag("--check", opts->check, "write nothing; print a diff of each file that is not formatted and exit 1");
  cmd->add_flag("--stdout", opts->to_stdout, "print the formatted text instead of rewriting the files");
  cmd->callback([opts, &exit_code] { exit_code = run_fmt(*opts); });
}

}  // namespace edict::cli
