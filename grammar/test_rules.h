// grammar/test_rules.h: the syntax of policy test files (*.edict-test), as PEGTL
// rules. Lexical rules (comments, identifiers, strings) are shared with rules.h.
// Actions are in test_parse.cc; messages at the end of this file.
//
//   file     := decl*
//   decl     := 'policy' STRING ';' | 'tenant' NAME (',' NAME)* ';'
//             | 'entity' TYPE ':' NAME (',' NAME)* ';'
//             | 'user' NAME member (',' member)* attrs? ';'
//             | 'custom' NAME 'from' NAME '{' perm (',' perm)* ','? '}' ';'?
//             | loop* case
//   member   := 'in' NAME ('as' NAME ('+' NAME)*)?
//   perm     := ACTION RESOURCE
//   loop     := 'for' VAR 'in' '[' value (',' value)* ']' ':'
//   case     := (STRING ':')? ('allow' | 'deny') NAME ('@' NAME)? ACTION TYPE ('@' NAME)?
//               attrs? ('context' attrs)? ('with' obligation (',' obligation)*)?
//               ('by' NAME)? ';'
//   attrs    := '{' (WORD ':' value (',' WORD ':' value)* ','?)? '}'
//   value    := NAME | VAR | INT | STRING | 'true' | 'false' | '[' (value (',' value)* ','?)? ']'
#pragma once

#include "grammar/rules.h"

namespace edict::grammar::test {

// clang-format off
struct kw_policy   : key< TAO_PEGTL_STRING( "policy" ) > {};
struct kw_tenant   : key< TAO_PEGTL_STRING( "tenant" ) > {};
struct kw_user     : key< TAO_PEGTL_STRING( "user" ) > {};
struct kw_custom   : key< TAO_PEGTL_STRING( "custom" ) > {};
struct kw_from     : key< TAO_PEGTL_STRING( "from" ) > {};
struct kw_allow    : key< TAO_PEGTL_STRING( "allow" ) > {};
struct kw_deny     : key< TAO_PEGTL_STRING( "deny" ) > {};
struct kw_as       : key< TAO_PEGTL_STRING( "as" ) > {};
struct kw_by       : key< TAO_PEGTL_STRING( "by" ) > {};
struct var_name    : pg::seq< pg::one< '$' >, word > {};
// Test keywords are not reserved: every name sits where the grammar expects a name
// (after `as`, `in`, `@`, the effect...), so a policy's role `user` or action `deny`
// can be written as is. `true` and `false` as values are matched as booleans first.
struct plain_name  : word {};
struct tname       : tok< pg::sor< var_name, plain_name > > {};

// values
struct value;
struct t_true      : kw_true {};
struct t_false     : kw_false {};
struct t_int       : pg::seq< pg::opt< pg::one< '-' > >, pg::plus< pg::digit > > {};
struct t_string    : string_lit {};
struct list_open   : lbracket {};
struct list_close  : rbracket {};
struct list_item   : pg::seq< value > {};
struct list_value  : pg::seq< list_open, pg::opt< value, pg::star< comma, pg::not_at< rbracket >, pg::must< list_item > >, pg::opt< comma > >, pg::must< list_close > > {};
struct value       : pg::sor< list_value, tok< pg::sor< t_true, t_false, t_int, t_string > >, tname > {};

struct attr_key    : tok< word > {};
struct attr_colon  : colon {};
struct attr_value  : pg::seq< value > {};
struct t_attr      : pg::if_must< attr_key, attr_colon, attr_value > {};
struct t_attrs_close : rbrace {};
struct t_attrs     : pg::seq< lbrace, pg::opt< t_attr, pg::star< comma, t_attr >, pg::opt< comma > >, pg::must< t_attrs_close > > {};

struct t_end       : semi {};

// declarations
struct policy_path : tok< string_lit > {};
struct policy_decl : pg::if_must< tok< kw_policy >, policy_path, t_end > {};
struct tenant_name : tname {};
struct next_tenant : tname {};
struct tenant_decl : pg::seq< tok< kw_tenant >, pg::must< tenant_name >, pg::star< comma, pg::must< next_tenant > >, pg::must< t_end > > {};
struct entity_type : tname {};
struct entity_colon: colon {};
struct entity_item : tname {};
struct next_entity : tname {};
struct entity_decl : pg::seq< tok< kw_entity >, pg::must< entity_type, entity_colon, entity_item >,
                              pg::star< comma, pg::must< next_entity > >, pg::must< t_end > > {};
struct member_tenant : tname {};
struct member_role : tname {};
struct next_role   : tname {};
struct plus_sign   : tok< pg::one< '+' > > {};
struct member_roles: pg::seq< tok< kw_as >, pg::must< member_role >, pg::star< plus_sign, pg::must< next_role > > > {};
struct membership  : pg::seq< tok< kw_in >, pg::must< member_tenant >, pg::opt< member_roles > > {};
struct next_membership : membership {};
struct user_name   : tname {};
struct user_attrs  : t_attrs {};
struct first_membership : membership {};
struct user_decl   : pg::seq< tok< kw_user >, pg::must< user_name, first_membership >,
                              pg::star< comma, pg::must< next_membership > >, pg::opt< user_attrs >, pg::must< t_end > > {};
struct custom_name : tname {};
struct custom_from : tok< kw_from > {};
struct catalog_ref : tname {};
struct perm_action : tname {};
struct perm_resource : tname {};
struct permission  : pg::seq< perm_action, pg::must< perm_resource > > {};
struct next_perm   : permission {};
struct perms_close : rbrace {};
struct custom_body : pg::seq< lbrace, pg::opt< permission, pg::star< comma, pg::not_at< rbrace >, pg::must< next_perm > >, pg::opt< comma > >, pg::must< perms_close > > {};
struct custom_decl : pg::seq< pg::if_must< tok< kw_custom >, custom_name, custom_from, catalog_ref, custom_body >, pg::opt< semi > > {};

// cases
struct case_label  : pg::seq< string_lit, seps, pg::one< ':' >, seps > {};
struct effect_allow: tok< kw_allow > {};
struct effect_deny : tok< kw_deny > {};
struct at_sign     : tok< pg::one< '@' > > {};
struct subject     : tname {};
struct acting_tenant : tname {};
struct case_action : tname {};
struct case_type   : tname {};
struct resource_tenant : tname {};
struct resource_attrs : t_attrs {};
struct context_attrs_t : t_attrs {};
struct context_part: pg::if_must< tok< kw_context >, context_attrs_t > {};
struct obl_name    : tname {};
struct obl_arg     : tname {};
struct obl_close   : rparen {};
struct obligation_t: pg::seq< obl_name, pg::opt< lparen, pg::must< obl_arg, obl_close > > > {};
struct next_obl    : obligation_t {};
struct with_part   : pg::seq< tok< kw_with >, pg::must< obligation_t >, pg::star< comma, pg::must< next_obl > > > {};
struct by_rule     : tname {};
struct by_part     : pg::if_must< tok< kw_by >, by_rule > {};
struct case_end    : semi {};
struct case_body   : pg::seq< pg::must< subject >, pg::opt< at_sign, pg::must< acting_tenant > >,
                              pg::must< case_action >, pg::must< case_type >,
                              pg::opt< at_sign, pg::must< resource_tenant > >, pg::opt< resource_attrs >,
                              pg::opt< context_part >, pg::opt< with_part >, pg::opt< by_part >,
                              pg::must< case_end > > {};
struct case_effect : pg::sor< effect_allow, effect_deny > {};
struct labelled_effect : case_effect {};
struct case_decl   : pg::sor< pg::seq< case_effect, case_body >,
                              pg::if_must< case_label, labelled_effect, case_body > > {};
struct loop_var    : tok< var_name > {};
struct loop_in     : tok< kw_in > {};
struct loop_items  : list_value {};
struct loop_colon  : colon {};
struct loop_head   : pg::if_must< tok< kw_for >, loop_var, loop_in, loop_items, loop_colon > {};
struct loop_target : pg::sor< case_decl, pg::seq< loop_head, loop_target > > {};
struct loop_decl   : pg::seq< loop_head, pg::must< loop_target > > {};

struct bad_test_decl : pg::any {};
struct test_decl   : pg::sor< policy_decl, tenant_decl, entity_decl, user_decl, custom_decl, loop_decl, case_decl,
                              pg::raise< bad_test_decl > > {};
// clang-format on

template< typename > inline constexpr const char* error_message = nullptr;
// clang-format off
template<> inline constexpr auto error_message< list_item >      = "expected a value after `,`";
template<> inline constexpr auto error_message< list_close >     = "expected `,` or `]` in the list";
template<> inline constexpr auto error_message< attr_colon >     = "expected `:` after the attribute name";
template<> inline constexpr auto error_message< attr_value >     = "expected a value: a name, a number, a string, `true`, `false` or a `[list]`";
template<> inline constexpr auto error_message< t_attrs_close >  = "expected `,` or `}` after an attribute";
template<> inline constexpr auto error_message< t_end >          = "expected `;` at the end of the declaration";
template<> inline constexpr auto error_message< policy_path >    = "expected the policy file in quotes after `policy`";
template<> inline constexpr auto error_message< tenant_name >    = "expected a tenant name after `tenant`";
template<> inline constexpr auto error_message< next_tenant >    = "expected a tenant name after `,`";
template<> inline constexpr auto error_message< entity_type >    = "expected an entity type after `entity`, as in `entity Group: g1, g2;`";
template<> inline constexpr auto error_message< entity_colon >   = "expected `:` and entity names after the type";
template<> inline constexpr auto error_message< entity_item >    = "expected an entity name";
template<> inline constexpr auto error_message< next_entity >    = "expected an entity name after `,`";
template<> inline constexpr auto error_message< member_tenant >  = "expected a tenant name after `in`";
template<> inline constexpr auto error_message< member_role >    = "expected a role name after `as`";
template<> inline constexpr auto error_message< next_role >      = "expected a role name after `+`";
template<> inline constexpr auto error_message< next_membership > = "expected `in TENANT` after `,`";
template<> inline constexpr auto error_message< user_name >      = "expected a user name after `user`";
template<> inline constexpr auto error_message< first_membership > = "expected `in TENANT as ROLE` after the user name";
template<> inline constexpr auto error_message< custom_name >    = "expected the custom role's name after `custom`";
template<> inline constexpr auto error_message< custom_from >    = "expected `from` and the catalog the custom role draws on";
template<> inline constexpr auto error_message< catalog_ref >    = "expected a catalog name after `from`";
template<> inline constexpr auto error_message< custom_body >    = "expected `{` and the custom role's permissions";
template<> inline constexpr auto error_message< perm_resource >  = "expected a resource type after the action";
template<> inline constexpr auto error_message< next_perm >      = "expected a permission (`action Resource`) after `,`";
template<> inline constexpr auto error_message< perms_close >    = "expected `,` or `}` after a permission";
template<> inline constexpr auto error_message< subject >        = "expected the user who makes the request";
template<> inline constexpr auto error_message< acting_tenant >  = "expected a tenant name after `@`";
template<> inline constexpr auto error_message< case_action >    = "expected the action after the user";
template<> inline constexpr auto error_message< case_type >      = "expected the resource type after the action";
template<> inline constexpr auto error_message< resource_tenant > = "expected a tenant name after `@`";
template<> inline constexpr auto error_message< context_attrs_t > = "expected `{` and attributes after `context`";
template<> inline constexpr auto error_message< obligation_t >   = "expected an obligation after `with`, as in `with redact(pii)`";
template<> inline constexpr auto error_message< next_obl >       = "expected an obligation after `,`";
template<> inline constexpr auto error_message< obl_arg >        = "expected the obligation's argument";
template<> inline constexpr auto error_message< obl_close >      = "expected `)`";
template<> inline constexpr auto error_message< by_rule >        = "expected the deciding rule's label after `by`";
template<> inline constexpr auto error_message< case_end >       = "expected `;` at the end of the case (or `{`, `context`, `with`, `by`)";
template<> inline constexpr auto error_message< labelled_effect > = "expected `allow` or `deny` after the case's label";
template<> inline constexpr auto error_message< case_body >      = "expected a case";
template<> inline constexpr auto error_message< loop_var >       = "expected a `$variable` after `for`";
template<> inline constexpr auto error_message< loop_in >        = "expected `in` after the loop variable";
template<> inline constexpr auto error_message< loop_items >     = "expected a `[list]` of values to loop over";
template<> inline constexpr auto error_message< loop_colon >     = "expected `:` after the loop's list";
template<> inline constexpr auto error_message< loop_target >    = "expected a case or another `for` after `:`";
template<> inline constexpr auto error_message< bad_test_decl >  = "expected `policy`, `tenant`, `entity`, `user`, `custom`, `for`, `allow` or `deny`";
// Shared lexical rules keep their messages from errors.h.
template<> inline constexpr auto error_message< comment_close >  = grammar::error_message< comment_close >;
template<> inline constexpr auto error_message< string_body >    = grammar::error_message< string_body >;
template<> inline constexpr auto error_message< escape_code >    = grammar::error_message< escape_code >;
// clang-format on

struct error {
  template< typename Rule >
  static constexpr const char* message = error_message< Rule >;
};

}  // namespace edict::grammar::test
