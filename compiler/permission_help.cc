#include "compiler/permission_help.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "support/suggest.h"
#include "support/text.h"

namespace edict::compiler {
namespace {

// `name` as one of `sets` (action groups or categories), listing the set's
// members among `items`; else did-you-mean among the items.
template <typename Sets, typename Items>
std::string help(std::string_view name, std::string_view set_kind, std::string_view items_kind, const Sets& sets,
                 const Items& items) {
  const auto set = std::find_if(sets.begin(), sets.end(), [&](const auto& x) { return x.name == name; });
  if (set != sets.end()) {
    std::vector<std::string_view> members;
    members.reserve(set->members.size());
    for (const uint32_t id : set->members) members.push_back(items[id].name);
    return fmt::format("`{}` is {}; a custom role names {}: {}", name, set_kind, items_kind,
                       quoted_alternatives(members));
  }
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const auto& x : items) names.push_back(x.name);
  return did_you_mean(name, names);
}

}  // namespace

std::string permission_name_help(const Policy& policy, PermissionPart part, std::string_view name) {
  if (part == PermissionPart::kAction) {
    return help(name, "an action group", "single actions", policy.action_groups, policy.actions);
  }
  return help(name, "a category", "resource types", policy.categories, policy.resources);
}

}  // namespace edict::compiler
