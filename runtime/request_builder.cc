// runtime/request_builder.cc: names and strings -> Request.
#include "runtime/request_builder.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "runtime/custom_roles.h"
#include "support/suggest.h"

namespace edict::runtime {

namespace f = format;

RequestBuilder::RequestBuilder(const Table& table, const CustomRoles* custom) : table_(table), custom_(custom) {
  principal_attrs_.resize(table.attr_count(f::Root::kPrincipal));
  resource_attrs_.resize(table.attr_count(f::Root::kResource));
  context_attrs_.resize(table.attr_count(f::Root::kContext));
}

void RequestBuilder::fail(RequestError e, std::string message) {
  if (request_.error != RequestError::kNone) return;  // keep the first problem
  request_.error = e;
  error_message_ = std::move(message);
}

int64_t RequestBuilder::intern(std::string_view entity) {
  auto it = interned_.find(entity);
  if (it != interned_.end()) return it->second;
  const auto id = static_cast<int64_t>(names_.size());
  names_.emplace_back(entity);
  interned_.emplace(std::string(entity), id);
  return id;
}

std::string RequestBuilder::entity_name(int64_t id) const {
  return id >= 0 && static_cast<size_t>(id) < names_.size() ? names_[static_cast<size_t>(id)] : "#" + std::to_string(id);
}

RequestBuilder& RequestBuilder::action(std::string_view name) {
  if (auto a = table_.find_action(name)) {
    request_.action = *a;
  } else {
    fail(RequestError::kUnknownAction,
         unknown_name("action", name, table_.action_count(), [&](uint32_t k) { return table_.action_name(k); }));
  }
  return *this;
}

RequestBuilder& RequestBuilder::resource_type(std::string_view name) {
  if (auto r = table_.find_resource(name)) {
    request_.resource_type = *r;
  } else {
    fail(RequestError::kUnknownResourceType,
         unknown_name("resource type", name, table_.resource_count(),
                      [&](uint32_t k) { return table_.resource_name(k); }));
  }
  return *this;
}

RequestBuilder& RequestBuilder::principal(std::string_view id, std::string_view tenant) {
  request_.principal = intern(id);
  request_.principal_tenant = tenant.empty() ? kNoTenant : intern(tenant);
  return *this;
}

RequestBuilder& RequestBuilder::resource_tenant(std::string_view tenant) {
  request_.resource_tenant = tenant.empty() ? kNoTenant : intern(tenant);
  return *this;
}

RequestBuilder& RequestBuilder::role(std::string_view name) {
  if (auto r = table_.find_role(name)) {
    roles_.push_back(*r);
  } else {
    fail(RequestError::kUnknownRole,
         unknown_name("role", name, table_.role_count(), [&](uint32_t k) { return table_.role_name(k); }));
  }
  return *this;
}

RequestBuilder& RequestBuilder::custom_role(std::string_view name) {
  std::optional<uint32_t> idx = custom_ ? custom_->find(name) : std::nullopt;
  if (idx) {
    custom_roles_.push_back(*idx);
  } else {
    const auto count = static_cast<uint32_t>(custom_ ? custom_->size() : 0);
    fail(RequestError::kUnknownCustomRole,
         unknown_name("custom role", name, count, [&](uint32_t k) { return std::string_view(custom_->name(k)); }));
  }
  return *this;
}

Value* RequestBuilder::slot(f::Root root, std::string_view name, const f::Attr** attr) {
  const auto s = table_.find_attr(root, name);
  static constexpr const char* kRoots[] = {"principal", "resource", "context"};
  if (!s) {
    // Suggested among the attributes of its root: `principal.group` -> `groups`.
    fail(RequestError::kUnknownAttribute,
         fmt::format("unknown attribute `{}.{}`{}", kRoots[static_cast<int>(root)], name,
                     suggestion(name, table_.attr_count(root),
                                [&](uint32_t k) { return table_.string(table_.attr(root, k).name); })));
    return nullptr;
  }
  const bool builtin = (root == f::Root::kPrincipal && *s <= f::kPrincipalRankSlot) ||
                       (root == f::Root::kResource && *s == f::kResourceTenantSlot);
  if (builtin) {
    fail(RequestError::kBadValue, "`" + std::string(name) + "` is built in: set it with the principal or resource tenant");
    return nullptr;
  }
  *attr = &table_.attr(root, *s);
  auto& values = root == f::Root::kPrincipal ? principal_attrs_ : root == f::Root::kResource ? resource_attrs_ : context_attrs_;
  return &values[*s];
}

namespace {
// One item of `attr`'s element type from text; false if it does not parse.
bool parse_item(const Table& t, const f::Attr& attr, std::string_view text, int64_t& out,
                RequestBuilder& b) {
  switch (static_cast<f::AttrKind>(attr.kind)) {
    case f::AttrKind::kBool:
      if (text != "true" && text != "false") return false;
      out = text == "true";
      return true;
    case f::AttrKind::kInt: {
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      return ec == std::errc() && p == text.data() + text.size();
    }
    case f::AttrKind::kEnum: {
      auto v = t.find_enum_value(attr.enum_id, text);
      if (v) out = *v;
      return v.has_value();
    }
    case f::AttrKind::kRole: {
      auto r = t.find_role(text);
      if (r) out = *r;
      return r.has_value();
    }
    case f::AttrKind::kEntity:
    case f::AttrKind::kTenant: out = b.intern(text); return true;
    case f::AttrKind::kString: return false;
  }
  return false;
}
}  // namespace

RequestBuilder& RequestBuilder::attr_set(f::Root root, std::string_view name, const std::vector<std::string>& items) {
  const f::Attr* a = nullptr;
  Value* v = slot(root, name, &a);
  if (v == nullptr) return *this;
  if (!a->set) {
    if (items.size() == 1) return attr(root, name, items[0]);
    fail(RequestError::kBadValue, "`" + std::string(name) + "` holds one value, not a set");
    return *this;
  }
  if (a->kind == static_cast<uint8_t>(f::AttrKind::kString)) {
    auto& set = string_sets_.emplace_back();
    for (const std::string& s : items) set.push_back(strings_.emplace_back(s));
    *v = Value::string_set(set);
    return *this;
  }
  auto& ids = id_sets_.emplace_back();
  for (const std::string& s : items) {
    int64_t id = 0;
    if (!parse_item(table_, *a, s, id, *this)) {
      fail(RequestError::kBadValue, "`" + s + "` is not a valid item of `" + std::string(name) + "`");
      return *this;
    }
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  *v = Value::id_set(ids);
  return *this;
}

RequestBuilder& RequestBuilder::attr(f::Root root, std::string_view name, std::string_view text) {
  const f::Attr* a = nullptr;
  Value* v = slot(root, name, &a);
  if (v == nullptr) return *this;
  if (a->set) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = text.find(',', start);
      const std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
      if (!item.empty()) items.emplace_back(item);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return attr_set(root, name, items);
  }
  const auto kind = static_cast<f::AttrKind>(a->kind);
  if (kind == f::AttrKind::kString) {
    *v = Value::string(strings_.emplace_back(text));
    return *this;
  }
  int64_t x = 0;
  if (!parse_item(table_, *a, text, x, *this)) {
    fail(RequestError::kBadValue, "`" + std::string(text) + "` is not a valid value of `" + std::string(name) + "`");
    return *this;
  }
  switch (kind) {
    case f::AttrKind::kBool: *v = Value::boolean(x != 0); break;
    case f::AttrKind::kInt: *v = Value::integer(x); break;
    case f::AttrKind::kEnum: *v = Value::enum_value(static_cast<uint32_t>(x)); break;
    case f::AttrKind::kRole: *v = Value::role(static_cast<uint32_t>(x)); break;
    default: *v = Value::entity(x); break;
  }
  return *this;
}

RequestBuilder& RequestBuilder::attr_bool(f::Root root, std::string_view name, bool value) {
  return attr(root, name, value ? "true" : "false");
}

RequestBuilder& RequestBuilder::attr_int(f::Root root, std::string_view name, int64_t value) {
  return attr(root, name, std::to_string(value));
}

const Request& RequestBuilder::build() {
  request_.roles = roles_;
  request_.custom_roles = custom_roles_;
  request_.principal_attrs = principal_attrs_;
  request_.resource_attrs = resource_attrs_;
  request_.context_attrs = context_attrs_;
  return request_;
}

}  // namespace edict::runtime
