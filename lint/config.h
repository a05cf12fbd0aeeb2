// lint/config.h: the project lint configuration (`.edict-lint`).
//
// A small line format, one setting per line, `#` comments:
//
//   wildcard-grant = off                 # disable a rule
//   unused-enum-value = warning          # change its severity (error|warning|note)
//   sensitive-resources = Payout, Secret # resource types (or categories) to treat as sensitive
//   mfa-attributes = step_up             # context attributes that count as an MFA guard
//   role-assignment-actions = invite     # actions that hand out roles
//
// Lists add to the built-in defaults. `edict lint` uses `--config FILE`, or else
// the first `.edict-lint` found walking up from each policy's directory.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/diagnostic.h"
#include "support/result.h"

namespace edict::lint {

inline constexpr const char* kConfigFileName = ".edict-lint";

struct Config {
  std::string path;  // where it was read from; empty for the defaults
  // Per rule: a severity, or nullopt for `off`. Rules not listed keep their default.
  std::map<std::string, std::optional<Severity>> severity;
  std::vector<std::string> sensitive_resources;
  std::vector<std::string> mfa_attributes;
  std::vector<std::string> role_assignment_actions;
};

// Parses configuration text; `name` is used in error messages ("name:3: ...").
// Unknown keys, unknown rule ids and bad values are errors.
Result<Config, std::string> parse_config(std::string_view text, const std::string& name);

// Reads and parses a configuration file.
Result<Config, std::string> read_config(const std::string& path);

// The first `.edict-lint` in the directory of `policy_path` or one of its
// parents, if any.
std::optional<std::string> find_config(const std::string& policy_path);

}  // namespace edict::lint
