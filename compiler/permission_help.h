// compiler/permission_help.h: what a custom role's permission names, when the
// table has no action or resource type by that name.
//
// A custom role names single actions on resource types, as the runtime takes
// them (runtime/custom_roles.h). The product documents speak of action groups
// and categories too ("manage", "SupervisorPages"), so that is the likely slip:
// the help says what the name stands for. `edict test` (E0412) and `edict
// query` over policy files both give it.
#pragma once

#include <string>
#include <string_view>

#include "compiler/policy.h"

namespace edict::compiler {

enum class PermissionPart { kAction, kResourceType };

// Help for `name`, the action or resource type of a custom role's permission
// that the table does not have: if `policy` declares an action group or a
// category by that name, its members ("`manage` is an action group; a custom
// role names single actions: `view`, `edit` or `delete`"); else the closest
// action or resource type ("did you mean `view`?"); else "".
std::string permission_name_help(const Policy& policy, PermissionPart part, std::string_view name);

}  // namespace edict::compiler
