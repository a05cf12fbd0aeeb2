// tools/edict/commands.h: one function per subcommand; main.cc only dispatches.
//
// Exit codes, for every subcommand: 0 success, 1 the policy has errors (or, for
// `query` and `explain` with --exit-code, the request was denied), 2 usage, I/O or
// internal error.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace edict::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitPolicyErrors = 1;
inline constexpr int kExitUsage = 2;

enum class Format { kText, kJson };

// Register one subcommand each on `app`; the callback sets `exit_code`.
void add_check_command(CLI::App& app, int& exit_code);    // cmd_check.cc
void add_compile_command(CLI::App& app, int& exit_code);  // cmd_compile.cc
void add_query_command(CLI::App& app, int& exit_code);    // cmd_query.cc
void add_explain_command(CLI::App& app, int& exit_code);  // cmd_explain.cc
void add_test_command(CLI::App& app, int& exit_code);     // cmd_test.cc
void add_matrix_command(CLI::App& app, int& exit_code);   // cmd_matrix.cc
void add_fmt_command(CLI::App& app, int& exit_code);      // cmd_fmt.cc
void add_diff_command(CLI::App& app, int& exit_code);     // cmd_diff.cc
void add_lint_command(CLI::App& app, int& exit_code);     // cmd_lint.cc

// Expands directories to the `.edict` files below them (sorted, so output is
// stable) and keeps files as given.
std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::vector<std::string>& errors);

}  // namespace edict::cli
