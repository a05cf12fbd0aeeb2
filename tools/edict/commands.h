// tools/edict/commands.h: one function per subcommand; main.cc only dispatches.
//
// Exit codes, for every subcommand: 0 success, 1 the policy has errors,
// 2 usage, I/O or internal error.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace edict::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitPolicyErrors = 1;
inline constexpr int kExitUsage = 2;

enum class Format { kText, kJson };

// Registers `edict check` on `app`; the callback sets `exit_code`.
void add_check_command(CLI::App& app, int& exit_code);

// Expands directories to the `.edict` files below them (sorted, so output is
// stable) and keeps files as given.
std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::vector<std::string>& errors);

}  // namespace edict::cli
