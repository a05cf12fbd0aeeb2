// grammar/test_parse.cc: actions building testfile::File from test_rules.h.
#include "grammar/test_parse.h"

#include <charconv>
#include <utility>

#include "grammar/errors.h"
#include "grammar/parse_support.h"
#include "grammar/test_rules.h"

namespace edict::grammar {
namespace {

namespace t = test;
using testfile::Value;

struct TState {
  const char* text = nullptr;
  FileId file = 0;
  testfile::File* out = nullptr;
  uint32_t last_token_end = 0;
  uint32_t string_open = 0;
  uint32_t comment_open = 0;
  std::vector<testfile::Name> names;
  bool obligation_arg = false;  // the obligation being parsed has `(arg)` (set by obl_arg)
  std::vector<std::vector<Value>> value_stack{{}};  // values of the list being built
  std::vector<testfile::Attr> attrs;
  std::string string_value;
  std::string attr_key;
  // the declaration or case under construction
  testfile::UserDecl user;
  testfile::CustomRoleDecl custom;
  testfile::Case kase;
  std::vector<testfile::Loop> loops;
  std::vector<testfile::Attr> resource_attrs, context;
  enum class AttrsOf : uint8_t { kUser, kResource, kContext } attrs_of = AttrsOf::kUser;

  uint32_t offset(const char* p) const { return static_cast<uint32_t>(p - text); }
  template <typename In>
  Span span(const In& in) const {
    const uint32_t b = offset(in.begin());
    uint32_t e = offset(in.end());
    if (last_token_end > b && last_token_end < e) e = last_token_end;
    return {file, b, e};
  }
  testfile::Name pop() {
    testfile::Name n = std::move(names.back());
    names.pop_back();
    return n;
  }
  void reset() {
    TState fresh;
    fresh.text = text;
    fresh.file = file;
    fresh.out = out;
    *this = std::move(fresh);
  }
};

template <typename Rule>
struct action : pg::nothing<Rule> {};

template <> struct action<seps> {
  template <typename In> static void apply(const In& in, TState& s) { s.last_token_end = s.offset(in.begin()); }
};
template <> struct action<string_open> {
  template <typename In> static void apply(const In& in, TState& s) { s.string_open = s.offset(in.begin()); }
};
template <> struct action<comment_open> {
  template <typename In> static void apply(const In& in, TState& s) { s.comment_open = s.offset(in.begin()); }
};
template <> struct action<string_lit> {
  template <typename In> static void apply(const In& in, TState& s) { s.string_value = unescape(in.string_view()); }
};
template <typename In>
void push_name(const In& in, TState& s) {
  s.names.push_back({in.string(), {s.file, s.offset(in.begin()), s.offset(in.end())}});
}
template <> struct action<t::var_name> {
  template <typename In> static void apply(const In& in, TState& s) { push_name(in, s); }
};
template <> struct action<t::plain_name> {
  template <typename In> static void apply(const In& in, TState& s) { push_name(in, s); }
};

// Values: scalars go on the innermost list being built; lists open a level.
void push_value(TState& s, Value v) { s.value_stack.back().push_back(std::move(v)); }
template <> struct action<t::t_true> {
  template <typename In> static void apply(const In& in, TState& s) {
    Value v{Value::Kind::kBool, "true", 0, true, {}, s.span(in)};
    push_value(s, std::move(v));
  }
};
template <> struct action<t::t_false> {
  template <typename In> static void apply(const In& in, TState& s) {
    push_value(s, Value{Value::Kind::kBool, "false", 0, false, {}, s.span(in)});
  }
};
template <> struct action<t::t_int> {
  template <typename In> static void apply(const In& in, TState& s) {
    Value v{Value::Kind::kInt, in.string(), 0, false, {}, s.span(in)};
    const auto text = in.string_view();
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v.int_value);
    if (ec != std::errc() || p != text.data() + text.size()) throw pg::parse_error("integer is out of range", in);
    push_value(s, std::move(v));
  }
};
template <> struct action<t::t_string> {
  template <typename In> static void apply(const In& in, TState& s) {
    push_value(s, Value{Value::Kind::kString, s.string_value, 0, false, {}, s.span(in)});
  }
};
template <> struct action<t::list_open> {
  template <typename In> static void apply(const In&, TState& s) { s.value_stack.emplace_back(); }
};
template <> struct action<t::list_value> {
  template <typename In> static void apply(const In& in, TState& s) {
    Value v{Value::Kind::kList, {}, 0, false, std::move(s.value_stack.back()), s.span(in)};
    s.value_stack.pop_back();
    push_value(s, std::move(v));
  }
};
template <> struct action<t::value> {
  template <typename In> static void apply(const In& in, TState& s) {
    // A name value arrives as a pending name; move it into the value list.
    if (!s.names.empty() && s.names.back().span.begin == s.offset(in.begin())) {
      testfile::Name n = s.pop();
      push_value(s, Value{Value::Kind::kName, n.text, 0, false, {}, n.span});
    }
  }
};
template <> struct action<t::attr_key> {
  template <typename In> static void apply(const In& in, TState& s) { s.attr_key = std::string(in.string_view().substr(0, s.span(in).end - s.offset(in.begin()))); }
};
template <> struct action<t::t_attr> {
  template <typename In> static void apply(const In& in, TState& s) {
    testfile::Attr a;
    a.name = {s.attr_key, {s.file, s.offset(in.begin()), s.offset(in.begin()) + static_cast<uint32_t>(s.attr_key.size())}};
    a.value = std::move(s.value_stack.back().back());
    s.value_stack.back().pop_back();
    s.attrs.push_back(std::move(a));
  }
};
template <> struct action<t::user_attrs> {
  template <typename In> static void apply(const In&, TState& s) { s.user.attrs = std::move(s.attrs); s.attrs.clear(); }
};
template <> struct action<t::resource_attrs> {
  template <typename In> static void apply(const In&, TState& s) { s.resource_attrs = std::move(s.attrs); s.attrs.clear(); }
};
template <> struct action<t::context_attrs_t> {
  template <typename In> static void apply(const In&, TState& s) { s.context = std::move(s.attrs); s.attrs.clear(); }
};

// Declarations.
template <> struct action<t::policy_decl> {
  template <typename In> static void apply(const In& in, TState& s) {
    s.out->policy = s.string_value;
    s.out->policy_span = s.span(in);
  }
};
template <> struct action<t::tenant_decl> {
  template <typename In> static void apply(const In&, TState& s) {
    for (auto& n : s.names) s.out->tenants.push_back(std::move(n));
    s.names.clear();
  }
};
template <> struct action<t::entity_decl> {
  template <typename In> static void apply(const In& in, TState& s) {
    testfile::EntityDecl d;
    d.type = std::move(s.names.front());
    d.names.assign(std::make_move_iterator(s.names.begin() + 1), std::make_move_iterator(s.names.end()));
    d.span = s.span(in);
    s.names.clear();
    s.out->entities.push_back(std::move(d));
  }
};
template <> struct action<t::user_name> {
  template <typename In> static void apply(const In&, TState& s) { s.user.name = s.pop(); }
};
template <typename In>
void add_membership(TState& s) {
  testfile::Membership m;
  m.tenant = std::move(s.names.front());
  m.roles.assign(std::make_move_iterator(s.names.begin() + 1), std::make_move_iterator(s.names.end()));
  s.names.clear();
  s.user.memberships.push_back(std::move(m));
}
template <> struct action<t::first_membership> {
  template <typename In> static void apply(const In&, TState& s) { add_membership<In>(s); }
};
template <> struct action<t::next_membership> {
  template <typename In> static void apply(const In&, TState& s) { add_membership<In>(s); }
};
template <> struct action<t::user_decl> {
  template <typename In> static void apply(const In& in, TState& s) {
    s.user.span = s.span(in);
    s.out->users.push_back(std::move(s.user));
  }
};
template <> struct action<t::custom_name> {
  template <typename In> static void apply(const In&, TState& s) { s.custom.name = s.pop(); }
};
template <> struct action<t::catalog_ref> {
  template <typename In> static void apply(const In&, TState& s) { s.custom.catalog = s.pop(); }
};
template <typename In>
void add_permission(TState& s) {
  testfile::Name res = s.pop();
  testfile::Name act = s.pop();
  s.custom.permissions.emplace_back(std::move(act), std::move(res));
}
template <> struct action<t::permission> {
  template <typename In> static void apply(const In&, TState& s) { add_permission<In>(s); }
};
template <> struct action<t::next_perm> {
  template <typename In> static void apply(const In&, TState& s) { add_permission<In>(s); }
};
template <> struct action<t::custom_decl> {
  template <typename In> static void apply(const In& in, TState& s) {
    s.custom.span = s.span(in);
    s.out->custom_roles.push_back(std::move(s.custom));
  }
};

// Cases.
template <> struct action<t::case_label> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.label = s.string_value; }
};
template <> struct action<t::effect_allow> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.allow = true; }
};
template <> struct action<t::subject> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.user = s.pop(); }
};
template <> struct action<t::acting_tenant> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.acting_tenant = s.pop(); }
};
template <> struct action<t::case_action> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.action = s.pop(); }
};
template <> struct action<t::case_type> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.resource_type = s.pop(); }
};
template <> struct action<t::resource_tenant> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.resource_tenant = s.pop(); }
};
void add_obligation(TState& s) {
  testfile::Obligation o;
  // Not a search for `(` in the matched text: that text ends in the separators
  // after the name, and a comment there may hold a `(` (fuzz/regressions/testfile_fuzzer).
  if (std::exchange(s.obligation_arg, false)) o.arg = s.pop();
  o.name = s.pop();
  s.kase.obligations.push_back(std::move(o));
}
template <> struct action<t::obl_arg> {
  template <typename In> static void apply(const In&, TState& s) { s.obligation_arg = true; }
};
template <> struct action<t::obligation_t> {
  template <typename In> static void apply(const In&, TState& s) { add_obligation(s); }
};
template <> struct action<t::next_obl> {
  template <typename In> static void apply(const In&, TState& s) { add_obligation(s); }
};
template <> struct action<t::with_part> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.has_with = true; }
};
template <> struct action<t::by_rule> {
  template <typename In> static void apply(const In&, TState& s) { s.kase.by = s.pop(); }
};
template <> struct action<t::case_decl> {
  template <typename In> static void apply(const In& in, TState& s) {
    s.kase.span = s.span(in);
    s.kase.resource_attrs = std::move(s.resource_attrs);
    s.kase.context = std::move(s.context);
    s.out->cases.push_back({s.loops, std::move(s.kase)});
  }
};
template <> struct action<t::loop_var> {
  template <typename In> static void apply(const In&, TState& s) {
    s.loops.push_back({s.pop(), {}});
  }
};
template <> struct action<t::loop_items> {
  template <typename In> static void apply(const In&, TState& s) {
    // loop_items is its own rule, so list_value's action did not close the level
    // list_open opened: its values are the loop's.
    s.loops.back().items = std::move(s.value_stack.back());
    s.value_stack.pop_back();
  }
};

template <typename Rule>
using control = pg::must_if<t::error>::control<Rule>;

}  // namespace

testfile::File parse_test_file(const SourceMap& sources, FileId id, Diagnostics& diags) {
  testfile::File result;
  result.file = id;
  const std::string_view text = sources.file(id).text();
  if (!check_bytes(sources, id, diags)) return result;
  TState s;
  s.text = text.data();
  s.file = id;
  s.out = &result;
  size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  const size_t errors_before = diags.error_count();
  while (true) {
    s.reset();
    pg::memory_input<pg::tracking_mode::lazy> in(text.data() + pos, text.data() + text.size(), sources.file(id).name());
    try {
      (void)pg::parse<seps, action, control>(in, s);
      pos = static_cast<size_t>(in.current() - text.data());
      if (pos >= text.size()) break;
      s.reset();
      pg::memory_input<pg::tracking_mode::lazy> decl_in(text.data() + pos, text.data() + text.size(),
                                                         sources.file(id).name());
      (void)pg::parse<t::test_decl, action, control>(decl_in, s);
      pos = static_cast<size_t>(decl_in.current() - text.data());
    } catch (const pg::parse_error& e) {
      const auto at = static_cast<uint32_t>(pos + e.positions().front().byte);
      report_syntax_error(std::string(e.message()), at, s.last_token_end, s.string_open, s.comment_open, id, diags);
      if (diags.error_count() - errors_before >= 50) break;
      static constexpr std::string_view kStarters[] = {"policy", "tenant", "entity", "user",
                                                      "custom", "for",    "allow",  "deny"};
      const size_t next = resync(text, at, kStarters);
      pos = next > pos ? next : pos + 1;
      if (pos >= text.size()) break;
    }
  }
  return result;
}

}  // namespace edict::grammar
