// grammar/errors.h: one message per commit point of rules.h.
//
// PEGTL's must_if static_asserts that every rule that can be raised has a message,
// so forgetting one is a compile error. Wording follows docs/diagnostics.md:
// lowercase, no trailing period, tokens in backticks, say what was expected.
#pragma once

#include "grammar/rules.h"

namespace edict::grammar {

// clang-format off
template< typename > inline constexpr const char* error_message = nullptr;

// lexical
template<> inline constexpr auto error_message< comment_close >   = "unterminated comment: `/*` has no matching `*/`";
template<> inline constexpr auto error_message< string_body >     = "unterminated string: missing closing `\"` on this line";
template<> inline constexpr auto error_message< escape_code >     = "invalid escape in string: only `\\\"`, `\\\\`, `\\n` and `\\t` are allowed";
template<> inline constexpr auto error_message< next_name >       = "expected a name after `,`";
template<> inline constexpr auto error_message< member_name >     = "expected a name";
template<> inline constexpr auto error_message< decl_end >        = "expected `;` at the end of the declaration";

// types and attributes
template<> inline constexpr auto error_message< set_open >        = "expected `<` after `set`";
template<> inline constexpr auto error_message< set_element >     = "expected the element type of the set, as in `set<Group>`";
template<> inline constexpr auto error_message< set_close >       = "expected `>` to close `set<`";
template<> inline constexpr auto error_message< colon >           = "expected `:` and a type after the attribute name";
template<> inline constexpr auto error_message< attr_type >       = "expected a type (`bool`, `int`, `string`, `set<T>` or a declared type name)";
template<> inline constexpr auto error_message< attrs_close >     = "expected `,` or `}` after an attribute";
template<> inline constexpr auto error_message< maybe_attrs >     = "expected an attribute block";

// declarations
template<> inline constexpr auto error_message< include_path >    = "expected a file name in quotes after `include`";
template<> inline constexpr auto error_message< enum_name >       = "expected the enum's name after `enum`";
template<> inline constexpr auto error_message< enum_open >       = "expected `{` and the enum's values";
template<> inline constexpr auto error_message< enum_values >     = "expected at least one value in the enum";
template<> inline constexpr auto error_message< enum_close >      = "expected `,` or `}` after an enum value";
template<> inline constexpr auto error_message< entity_names >    = "expected an entity type name after `entity`";
template<> inline constexpr auto error_message< entity_body >     = "expected `;` or `{` and attributes after the entity name";
template<> inline constexpr auto error_message< resource_names >  = "expected a resource type name after `resource`";
template<> inline constexpr auto error_message< actions_kw >      = "expected `actions` and the actions these resource types support";
template<> inline constexpr auto error_message< supported >       = "expected the supported actions (names or `*`) after `actions`";
template<> inline constexpr auto error_message< category_name >   = "expected the category's name after `category`";
template<> inline constexpr auto error_message< category_eq >     = "expected `=` and the category's resource types, as in `category Voice = Call | Recording`";
template<> inline constexpr auto error_message< category_members > = "expected resource type names separated by `|`";
template<> inline constexpr auto error_message< action_names >    = "expected an action name after `action`";
template<> inline constexpr auto error_message< maybe_group >     = "expected an action group";
template<> inline constexpr auto error_message< group_members >   = "expected action names separated by `|` after `=`";
template<> inline constexpr auto error_message< role_after_superadmin >       = "expected `role` after `superadmin`";
template<> inline constexpr auto error_message< role_body >       = "expected a role name after `role`";
template<> inline constexpr auto error_message< parent_names >    = "expected the name of a role to extend after `extends`";
template<> inline constexpr auto error_message< rank_first >      = "expected role names ordered by `<` after `rank`, lowest first";
template<> inline constexpr auto error_message< rank_rest >       = "expected a rank ladder";
template<> inline constexpr auto error_message< context_attrs >   = "expected `{` and the context's attributes after `context`";
template<> inline constexpr auto error_message< obligation_name > = "expected the obligation's name after `obligation`";
template<> inline constexpr auto error_message< maybe_params >    = "expected obligation parameters";
template<> inline constexpr auto error_message< param_names >     = "expected the obligation's argument values after `(`";
template<> inline constexpr auto error_message< params_close >    = "expected `,` or `)` after an argument value";

// expressions
template<> inline constexpr auto error_message< paren_body >      = "expected an expression after `(`";
template<> inline constexpr auto error_message< paren_close >     = "expected `)`";
template<> inline constexpr auto error_message< qualified_tail >  = "expected a value name after `.`, as in `Status.active`";
template<> inline constexpr auto error_message< set_item >        = "expected a value after `,` in the list";
template<> inline constexpr auto error_message< set_items >       = "expected list items";
template<> inline constexpr auto error_message< set_items_close > = "expected `,` or `]` in the list";
template<> inline constexpr auto error_message< attr_ref >        = "expected an attribute name after `.`";
template<> inline constexpr auto error_message< too_deep_path >   = "attributes are read one level deep, as in `principal.groups`: requests carry no attributes of other entities";
template<> inline constexpr auto error_message< cmp_rhs >         = "expected a value to compare with";
template<> inline constexpr auto error_message< in_rhs >          = "expected a set after `in`, as in `principal.groups` or `[a, b]`";
template<> inline constexpr auto error_message< has_name >        = "expected an attribute name after `has`";
template<> inline constexpr auto error_message< is_name >         = "expected a role or resource type name after `is`";
template<> inline constexpr auto error_message< single_equals >   = "`=` is not a comparison: use `==`";
template<> inline constexpr auto error_message< not_operand >     = "expected an expression after `!`";
template<> inline constexpr auto error_message< and_rhs >         = "expected an expression after `&&`";
template<> inline constexpr auto error_message< or_rhs >          = "expected an expression after `||`";

// rules
template<> inline constexpr auto error_message< when_expr >       = "expected a condition after `when`";
template<> inline constexpr auto error_message< unless_expr >     = "expected a condition after `unless`";
template<> inline constexpr auto error_message< obligation_use >  = "expected an obligation after `with`, as in `with redact(pii)`";
template<> inline constexpr auto error_message< next_obligation > = "expected an obligation after `,`";
template<> inline constexpr auto error_message< more_obligations > = "expected obligations";
template<> inline constexpr auto error_message< arg_names >       = "expected the obligation's arguments after `(`";
template<> inline constexpr auto error_message< args_close >      = "expected `,` or `)` after an obligation argument";
template<> inline constexpr auto error_message< rule_resources >  = "expected resource types (names or `*`) after `on`";
template<> inline constexpr auto error_message< rule_end >        = "expected `;` at the end of the rule";
template<> inline constexpr auto error_message< grant_head >      = "expected the roles to grant to after `grant`, as in `grant editor view on Flow`";
template<> inline constexpr auto error_message< grant_actions >   = "expected the actions to grant (names or `*`) after the roles";
template<> inline constexpr auto error_message< forbid_head >     = "expected the actions to forbid (names or `*`) after `forbid`";
template<> inline constexpr auto error_message< rule_tail >       = "expected `on` and resource types after the actions";
template<> inline constexpr auto error_message< labelled_rule >   = "expected `grant` or `forbid` after the rule label";

// catalogs
template<> inline constexpr auto error_message< catalog_name >    = "expected the catalog's name after `catalog`";
template<> inline constexpr auto error_message< catalog_for >     = "expected `for` and the roles that may hold custom roles from this catalog";
template<> inline constexpr auto error_message< holder_names >    = "expected role names after `for`";
template<> inline constexpr auto error_message< catalog_open >    = "expected `{` and `grantable` entries";
template<> inline constexpr auto error_message< catalog_entries > = "expected catalog entries";
template<> inline constexpr auto error_message< catalog_actions > = "expected grantable actions (names or `*`) after `grantable`";
template<> inline constexpr auto error_message< catalog_on >      = "expected `on` and resource types after the actions";
template<> inline constexpr auto error_message< catalog_resources > = "expected resource types (names or `*`) after `on`";
template<> inline constexpr auto error_message< maybe_when >      = "expected a condition";
template<> inline constexpr auto error_message< entry_end >       = "expected `;` at the end of the catalog entry";
template<> inline constexpr auto error_message< catalog_close >   = "expected `grantable` or `}` in the catalog";

// file
template<> inline constexpr auto error_message< test_reserved >   = "`test` is reserved for policy tests, which live in `.edict-test` files";
template<> inline constexpr auto error_message< bad_decl >        = "expected a declaration or rule (`grant`, `forbid`, `role`, `entity`, `resource`, `action`, `enum`, ...)";
// clang-format on

struct error {
  template< typename Rule >
  static constexpr const char* message = error_message< Rule >;
};

}  // namespace edict::grammar
