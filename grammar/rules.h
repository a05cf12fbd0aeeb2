// grammar/rules.h: the Edict surface syntax as PEGTL rules, in reading order.
//
// Rules only: the actions that build the AST are in parse.cc, the error messages
// of the commit points in errors.h. docs/language.md is the user-facing version.
// Every token rule consumes its trailing separators (`tok<>`), so a rule starts on
// a token and errors point at the offending token, never at whitespace.
//
// A rule that has an error message raises on *every* local failure (must_if), so
// messages are attached only to dedicated single-use rules (`include_path`, not
// `string_lit`); those are the names ending in a commit-point role.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>

#include <tao/pegtl.hpp>

namespace edict::grammar {
namespace pg = tao::pegtl;

// clang-format off
// ---- lexical ---------------------------------------------------------------
// sep := whitespace | '//' ... eol | '#' ... eol | '/*' ... '*/'
struct line_comment    : pg::seq< pg::sor< pg::two< '/' >, pg::one< '#' > >, pg::until< pg::eolf > > {};
struct comment_open    : pg::string< '/', '*' > {};
struct comment_close   : pg::until< pg::string< '*', '/' > > {};
struct block_comment   : pg::if_must< comment_open, comment_close > {};
struct sep             : pg::sor< pg::one< ' ', '\t', '\r', '\n', '\f', '\v' >, line_comment, block_comment > {};
struct seps            : pg::star< sep > {};
template< typename R >
struct tok             : pg::seq< R, seps > {};

// Identifier letters: ASCII letters, digits, '_', and non-ASCII code points other
// than C1 controls, spaces, general punctuation (which holds the invisible and
// bidirectional-control characters) and specials. The input is validated UTF-8.
struct utf8_letter     : pg::utf8::ranges< 0xA1, 0x061B, 0x061D, 0x167F, 0x1681, 0x1FFF,
                                           0x2070, 0x2FFF, 0x3001, 0xFEFE, 0xFF00, 0xFFEF,
                                           0x10000, 0x10FFFF > {};
struct ident_first     : pg::sor< pg::alpha, pg::one< '_' >, utf8_letter > {};
struct ident_other     : pg::sor< pg::alnum, pg::one< '_' >, utf8_letter > {};
struct word            : pg::seq< ident_first, pg::star< ident_other > > {};

template< typename Str >
struct key             : pg::seq< Str, pg::not_at< ident_other > > {};
struct kw_include      : key< TAO_PEGTL_STRING( "include" ) > {};
struct kw_enum         : key< TAO_PEGTL_STRING( "enum" ) > {};
struct kw_entity       : key< TAO_PEGTL_STRING( "entity" ) > {};
struct kw_resource     : key< TAO_PEGTL_STRING( "resource" ) > {};
struct kw_actions      : key< TAO_PEGTL_STRING( "actions" ) > {};
struct kw_category     : key< TAO_PEGTL_STRING( "category" ) > {};
struct kw_action       : key< TAO_PEGTL_STRING( "action" ) > {};
struct kw_role         : key< TAO_PEGTL_STRING( "role" ) > {};
struct kw_superadmin   : key< TAO_PEGTL_STRING( "superadmin" ) > {};
struct kw_extends      : key< TAO_PEGTL_STRING( "extends" ) > {};
struct kw_rank         : key< TAO_PEGTL_STRING( "rank" ) > {};
struct kw_context      : key< TAO_PEGTL_STRING( "context" ) > {};
struct kw_obligation   : key< TAO_PEGTL_STRING( "obligation" ) > {};
struct kw_catalog      : key< TAO_PEGTL_STRING( "catalog" ) > {};
struct kw_for          : key< TAO_PEGTL_STRING( "for" ) > {};
struct kw_grantable    : key< TAO_PEGTL_STRING( "grantable" ) > {};
struct kw_grant        : key< TAO_PEGTL_STRING( "grant" ) > {};
struct kw_forbid       : key< TAO_PEGTL_STRING( "forbid" ) > {};
struct kw_on           : key< TAO_PEGTL_STRING( "on" ) > {};
struct kw_when         : key< TAO_PEGTL_STRING( "when" ) > {};
struct kw_unless       : key< TAO_PEGTL_STRING( "unless" ) > {};
struct kw_with         : key< TAO_PEGTL_STRING( "with" ) > {};
struct kw_in           : key< TAO_PEGTL_STRING( "in" ) > {};
struct kw_has          : key< TAO_PEGTL_STRING( "has" ) > {};
struct kw_is           : key< TAO_PEGTL_STRING( "is" ) > {};
struct kw_true         : key< TAO_PEGTL_STRING( "true" ) > {};
struct kw_false        : key< TAO_PEGTL_STRING( "false" ) > {};
struct kw_set          : key< TAO_PEGTL_STRING( "set" ) > {};
struct kw_bool         : key< TAO_PEGTL_STRING( "bool" ) > {};
struct kw_int          : key< TAO_PEGTL_STRING( "int" ) > {};
struct kw_string       : key< TAO_PEGTL_STRING( "string" ) > {};
struct kw_principal    : key< TAO_PEGTL_STRING( "principal" ) > {};
struct kw_resource_ref : key< TAO_PEGTL_STRING( "resource" ) > {};
struct kw_context_ref  : key< TAO_PEGTL_STRING( "context" ) > {};
struct kw_test         : key< TAO_PEGTL_STRING( "test" ) > {};
struct keyword         : pg::sor< kw_include, kw_enum, kw_entity, kw_resource, kw_actions,
                                  kw_category, kw_action, kw_role, kw_superadmin, kw_extends,
                                  kw_rank, kw_context, kw_obligation, kw_catalog, kw_for,
                                  kw_grantable, kw_grant, kw_forbid, kw_on, kw_when, kw_unless,
                                  kw_with, kw_in, kw_has, kw_is, kw_true, kw_false, kw_set,
                                  kw_bool, kw_int, kw_string, kw_principal, kw_test > {};

// clang-format on

// The keywords' texts, sorted: what `keyword` matches when followed by a non-word
// character. tests/grammar_test.cc checks that each is a `keyword` and that there
// are as many as `keyword` has alternatives.
inline constexpr std::string_view kKeywordTexts[] = {
    "action", "actions", "bool", "catalog", "category", "context", "entity", "enum", "extends", "false", "for",
    "forbid", "grant", "grantable", "has", "in", "include", "int", "is", "obligation", "on", "principal", "rank",
    "resource", "role", "set", "string", "superadmin", "test", "true", "unless", "when", "with"};
static_assert(std::size(kKeywordTexts) == keyword::subs_t::size);

// pg::not_at< keyword > in one look instead of up to 33 string matches before
// every name (a tenth of the instructions of parsing 10,000 rules). Every keyword is an ASCII word, so one can start here
// only as the whole run of ASCII word characters (a keyword followed by one is
// not a keyword): when that run is not one of the texts, nothing here is a
// keyword. When it is, `keyword` itself decides, for what follows the run may
// be a non-ASCII letter (`granté` is a name).
struct not_keyword {
  // To the grammar analysis (contrib/analyze) it is the rule it stands for.
  using rule_t = pg::internal::not_at<keyword>;
  using subs_t = pg::type_list<keyword>;

  static bool ascii_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  template <pg::apply_mode A, pg::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    const char* const begin = in.current();
    const char* end = begin;
    while (end != in.end() && ascii_word_char(*end)) ++end;
    const std::string_view run(begin, static_cast<size_t>(end - begin));
    if (!std::binary_search(std::begin(kKeywordTexts), std::end(kKeywordTexts), run)) return true;
    return Control<pg::not_at<keyword>>::template match<A, M, Action, Control>(in, st...);
  }
};

// clang-format off
// identifier := word that is not a keyword. After '.', `has` and `is` any word is
// an attribute name, keywords included (`principal.rank`).
struct identifier      : pg::seq< not_keyword, word > {};
struct name            : tok< identifier > {};
struct member_word     : word {};

struct integer         : pg::plus< pg::digit > {};
struct escape_code     : pg::one< '"', '\\', 'n', 't' > {};
struct escape          : pg::if_must< pg::one< '\\' >, escape_code > {};
struct string_char     : pg::sor< escape, pg::not_one< '"', '\\', '\n', '\r' > > {};
struct string_open     : pg::one< '"' > {};
struct string_body     : pg::seq< pg::star< string_char >, pg::one< '"' > > {};
struct string_lit      : pg::if_must< string_open, string_body > {};

struct semi            : tok< pg::one< ';' > > {};
struct comma           : tok< pg::one< ',' > > {};
struct colon           : tok< pg::one< ':' > > {};
struct equals          : tok< pg::seq< pg::one< '=' >, pg::not_at< pg::one< '=' > > > > {};
struct pipe            : tok< pg::seq< pg::one< '|' >, pg::not_at< pg::one< '|' > > > > {};
struct lbrace          : tok< pg::one< '{' > > {};
struct rbrace          : tok< pg::one< '}' > > {};
struct lparen          : tok< pg::one< '(' > > {};
struct rparen          : tok< pg::one< ')' > > {};
struct lbracket        : tok< pg::one< '[' > > {};
struct rbracket        : tok< pg::one< ']' > > {};
struct wildcard        : tok< pg::one< '*' > > {};

// Names and name lists. `decl_name` is any declared name, `more_names` its list tail.
struct decl_name       : name {};
struct next_name       : name {};
struct more_names      : pg::star< comma, pg::must< next_name > > {};
struct name_list       : pg::seq< decl_name, more_names > {};
// target := '*' | name (',' name)*
struct target          : pg::sor< wildcard, name_list > {};

// ---- types -----------------------------------------------------------------
// type := ('bool' | 'int' | 'string' | NAME | 'set' '<' type '>') '?'?
struct type_expr;
struct set_open        : tok< pg::one< '<' > > {};
struct set_element     : pg::seq< type_expr > {};
struct set_close       : tok< pg::one< '>' > > {};
struct set_type        : pg::if_must< tok< kw_set >, set_open, set_element, set_close > {};
struct bool_type       : tok< kw_bool > {};
struct int_type        : tok< kw_int > {};
struct string_type     : tok< kw_string > {};
struct named_type      : name {};
struct optional_mark   : tok< pg::one< '?' > > {};
struct type_expr       : pg::seq< pg::sor< bool_type, int_type, string_type, set_type, named_type >,
                                  pg::opt< optional_mark > > {};

// attrs := '{' (attr (',' attr)* ','?)? '}'      attr := NAME ':' type
struct attr_name       : tok< member_word > {};  // keywords allowed: `role: Role`
struct attr_type       : pg::seq< type_expr > {};
struct attr_decl       : pg::if_must< attr_name, colon, attr_type > {};
struct attr_list       : pg::opt< attr_decl, pg::star< comma, attr_decl >, pg::opt< comma > > {};
struct attrs_close     : rbrace {};
struct attr_block      : pg::seq< lbrace, attr_list, pg::must< attrs_close > > {};
struct maybe_attrs     : pg::opt< attr_block > {};

// ---- declarations ------------------------------------------------------------
struct decl_end        : semi {};

// include := 'include' STRING ';'
struct include_path    : tok< string_lit > {};
struct include_decl    : pg::if_must< tok< kw_include >, include_path, decl_end > {};

// enum := 'enum' NAME '{' NAME (',' NAME)* ','? '}' ';'?
struct enum_name       : name {};
struct enum_open       : lbrace {};
struct enum_value      : name {};
struct enum_values     : pg::seq< enum_value, pg::star< comma, enum_value >, pg::opt< comma > > {};
struct enum_close      : rbrace {};
struct enum_decl       : pg::seq< pg::if_must< tok< kw_enum >, enum_name, enum_open, enum_values,
                                               enum_close >, pg::opt< semi > > {};

// entity := 'entity' NAME (',' NAME)* (';' | attrs ';'?)
struct entity_names    : name_list {};
struct entity_body     : pg::sor< semi, pg::seq< attr_block, pg::opt< semi > > > {};
struct entity_decl     : pg::if_must< tok< kw_entity >, entity_names, entity_body > {};

// resource := 'resource' NAME (',' NAME)* attrs? 'actions' target ';'
struct resource_names  : name_list {};
struct actions_kw      : tok< kw_actions > {};
struct supported       : target {};
struct resource_decl   : pg::if_must< tok< kw_resource >, resource_names, maybe_attrs,
                                      actions_kw, supported, decl_end > {};

// category := 'category' NAME '=' NAME ('|' NAME)* ';'
struct category_name   : name {};
struct category_eq     : equals {};
struct member_name     : name {};
struct category_members: pg::seq< member_name, pg::star< pipe, pg::must< member_name > > > {};
struct category_decl   : pg::if_must< tok< kw_category >, category_name, category_eq,
                                      category_members, decl_end > {};

// action := 'action' NAME (',' NAME)* ';' | 'action' NAME '=' NAME ('|' NAME)* ';'
struct action_names    : name_list {};
struct group_members   : pg::seq< member_name, pg::star< pipe, pg::must< member_name > > > {};
struct action_group    : pg::if_must< equals, group_members > {};
struct maybe_group     : pg::opt< action_group > {};
struct action_decl     : pg::if_must< tok< kw_action >, action_names, maybe_group, decl_end > {};

// role := 'superadmin'? 'role' NAME (',' NAME)* ('extends' NAME (',' NAME)*)? ';'
struct superadmin_mark : tok< kw_superadmin > {};
struct role_kw         : tok< kw_role > {};
struct role_names      : name_list {};
struct parent_names    : name_list {};
struct role_parents    : pg::if_must< tok< kw_extends >, parent_names > {};
struct role_body       : pg::seq< role_names, pg::opt< role_parents >, decl_end > {};
struct role_after_superadmin : role_kw {};
struct role_decl       : pg::sor< pg::if_must< superadmin_mark, role_after_superadmin, role_body >,
                                  pg::if_must< role_kw, role_body > > {};

// rank := 'rank' NAME ('<' NAME)* ';'
struct rank_less       : tok< pg::one< '<' > > {};
struct rank_first      : name {};
struct rank_rest       : pg::star< rank_less, pg::must< member_name > > {};
struct rank_decl       : pg::if_must< tok< kw_rank >, rank_first, rank_rest, decl_end > {};

// context := 'context' attrs ';'?
struct context_attrs   : attr_block {};
struct context_decl    : pg::seq< pg::if_must< tok< kw_context >, context_attrs >, pg::opt< semi > > {};

// obligation := 'obligation' NAME ('(' NAME (',' NAME)* ')')? ';'
struct obligation_name : name {};
struct params_close    : rparen {};
struct param_names     : name_list {};
struct obligation_params : pg::if_must< lparen, param_names, params_close > {};
struct maybe_params    : pg::opt< obligation_params > {};
struct obligation_decl : pg::if_must< tok< kw_obligation >, obligation_name, maybe_params,
                                      decl_end > {};

// ---- expressions -------------------------------------------------------------
// expr := and ('||' and)*        and := not ('&&' not)*       not := '!' not | test
// test := primary (cmp primary | 'in' primary | 'has' WORD | 'is' NAME)?
// primary := '(' expr ')' | '[' literal (',' literal)* ']' | path | literal
// path := ('principal' | 'resource' | 'context') ('.' WORD)?
struct expr;
struct or_op           : tok< pg::two< '|' > > {};
struct and_op          : tok< pg::two< '&' > > {};
struct bang            : tok< pg::seq< pg::one< '!' >, pg::not_at< pg::one< '=' > > > > {};

struct paren_body      : pg::seq< expr > {};
struct paren_close     : rparen {};
struct paren_open      : lparen {};
struct paren_expr      : pg::if_must< paren_open, paren_body, paren_close > {};

struct true_lit        : kw_true {};
struct false_lit       : kw_false {};
struct int_lit         : integer {};
struct str_lit         : string_lit {};
struct qualified_tail  : member_word {};
struct name_ref        : pg::seq< identifier, pg::opt< pg::one< '.' >, pg::must< qualified_tail > > > {};
struct literal         : tok< pg::sor< true_lit, false_lit, int_lit, str_lit, name_ref > > {};

struct set_item        : literal {};
struct set_items_close : rbracket {};
struct set_items       : pg::opt< literal, pg::star< comma, pg::must< set_item > > > {};
struct set_lit         : pg::if_must< lbracket, set_items, set_items_close > {};

struct root_principal  : kw_principal {};
struct root_resource   : kw_resource_ref {};
struct root_context    : kw_context_ref {};
struct attr_ref        : member_word {};
struct too_deep_path   : pg::one< '.' > {};
struct path            : tok< pg::seq< pg::sor< root_principal, root_resource, root_context >,
                                       pg::opt< pg::one< '.' >, pg::must< attr_ref > >,
                                       pg::opt< pg::at< pg::one< '.' > >, pg::raise< too_deep_path > > > > {};

struct primary         : pg::sor< paren_expr, set_lit, path, literal > {};

struct op_eq           : pg::two< '=' > {};
struct op_ne           : pg::string< '!', '=' > {};
struct op_le           : pg::string< '<', '=' > {};
struct op_ge           : pg::string< '>', '=' > {};
struct op_lt           : pg::one< '<' > {};
struct op_gt           : pg::one< '>' > {};
struct cmp_op          : tok< pg::sor< op_eq, op_ne, op_le, op_ge, op_lt, op_gt > > {};
struct lone_equals     : pg::seq< pg::one< '=' >, pg::not_at< pg::one< '=' > > > {};
struct single_equals   : lone_equals {};  // raised only: a rule with a message must not be tried
struct cmp_rhs         : pg::seq< primary > {};
struct in_rhs          : pg::seq< primary > {};
struct has_name        : tok< member_word > {};
struct is_name         : name {};
struct compare_tail    : pg::if_must< cmp_op, cmp_rhs > {};
struct in_tail         : pg::if_must< tok< kw_in >, in_rhs > {};
struct has_tail        : pg::if_must< tok< kw_has >, has_name > {};
struct is_tail         : pg::if_must< tok< kw_is >, is_name > {};
struct test_expr       : pg::seq< primary, pg::opt< pg::sor< compare_tail, in_tail, has_tail, is_tail,
                                                             pg::seq< pg::at< lone_equals >,
                                                                      pg::raise< single_equals > > > > > {};
struct not_expr;
struct not_operand     : pg::seq< not_expr > {};
struct negation        : pg::if_must< bang, not_operand > {};
struct not_expr        : pg::sor< negation, test_expr > {};
struct and_rhs         : pg::seq< not_expr > {};
struct and_expr        : pg::seq< not_expr, pg::star< and_op, pg::must< and_rhs > > > {};
struct or_rhs          : pg::seq< and_expr > {};
struct expr            : pg::seq< and_expr, pg::star< or_op, pg::must< or_rhs > > > {};

// ---- rules -------------------------------------------------------------------
// rule      := (NAME ':')? ('grant' target target | 'forbid' target target?) 'on' target
//              ('when' expr)? ('unless' expr)? ('with' obligation (',' obligation)*)? ';'
// The first target of a grant lists roles and the second actions; a forbid with one
// target before 'on' applies to every role.
struct when_expr       : pg::seq< expr > {};
struct unless_expr     : pg::seq< expr > {};
struct when_clause     : pg::if_must< tok< kw_when >, when_expr > {};
struct unless_clause   : pg::if_must< tok< kw_unless >, unless_expr > {};
struct args_close      : rparen {};
struct arg_names       : name_list {};
struct obligation_args : pg::if_must< lparen, arg_names, args_close > {};
struct obligation_ref  : name {};
struct obligation_use  : pg::seq< obligation_ref, pg::opt< obligation_args > > {};
struct next_obligation : obligation_use {};
struct more_obligations: pg::star< comma, pg::must< next_obligation > > {};
struct with_clause     : pg::if_must< tok< kw_with >, obligation_use, more_obligations > {};
struct rule_end        : semi {};
struct on_kw           : tok< kw_on > {};
struct rule_resources  : target {};
struct rule_tail       : pg::seq< on_kw, pg::must< rule_resources >, pg::opt< when_clause >,
                                  pg::opt< unless_clause >, pg::opt< with_clause >,
                                  pg::must< rule_end > > {};
struct grant_roles     : target {};
struct grant_actions   : target {};
struct grant_head      : pg::seq< grant_roles, pg::must< grant_actions > > {};
struct grant_kw        : tok< kw_grant > {};
struct forbid_kw       : tok< kw_forbid > {};
struct forbid_first    : target {};
struct forbid_second   : target {};
struct forbid_head     : pg::seq< forbid_first, pg::opt< forbid_second > > {};
struct grant_rule      : pg::if_must< grant_kw, grant_head, rule_tail > {};
struct forbid_rule     : pg::if_must< forbid_kw, forbid_head, rule_tail > {};
struct rule_label      : pg::seq< identifier, seps, pg::one< ':' >, pg::not_at< pg::one< ':' > >, seps > {};
struct labelled_rule   : pg::sor< grant_rule, forbid_rule > {};
struct rule_decl       : pg::sor< grant_rule, forbid_rule, pg::if_must< rule_label, labelled_rule > > {};

// catalog := 'catalog' NAME 'for' NAME (',' NAME)* '{' entry* '}' ';'?
// entry   := 'grantable' target 'on' target ('when' expr)? ';'
struct catalog_name    : name {};
struct catalog_for     : tok< kw_for > {};
struct holder_names    : name_list {};
struct catalog_open    : lbrace {};
struct catalog_actions : target {};
struct catalog_on      : on_kw {};
struct catalog_resources : target {};
struct entry_end       : semi {};
struct maybe_when      : pg::opt< when_clause > {};
struct catalog_entry   : pg::if_must< tok< kw_grantable >, catalog_actions, catalog_on,
                                      catalog_resources, maybe_when, entry_end > {};
struct catalog_entries : pg::star< catalog_entry > {};
struct catalog_close   : rbrace {};
struct catalog_decl    : pg::seq< pg::if_must< tok< kw_catalog >, catalog_name, catalog_for,
                                               holder_names, catalog_open, catalog_entries,
                                               catalog_close >, pg::opt< semi > > {};

// `test` is reserved for policy tests (see docs/language.md).
struct test_reserved   : kw_test {};

// ---- file --------------------------------------------------------------------
// file := decl*       (parse.cc parses one decl at a time to recover after errors)
struct bad_decl        : pg::any {};
struct decl            : pg::sor< include_decl, enum_decl, entity_decl, resource_decl,
                                  category_decl, action_decl, role_decl, rank_decl,
                                  context_decl, obligation_decl, catalog_decl, rule_decl,
                                  pg::seq< pg::at< kw_test >, pg::raise< test_reserved > >,
                                  pg::raise< bad_decl > > {};
// clang-format on

}  // namespace edict::grammar
