// runtime/request_builder.h: build a Request from names and strings.
//
// For tools, tests, the C ABI and services: names (actions, roles, attributes,
// enum values) are resolved against the table, entity ids given as strings are
// interned to dense ids local to this builder (so equal strings compare equal),
// and values are checked against each attribute's declared type. A name the
// table does not know marks the request (Request::error) so that evaluating it
// denies with a reason; error_message() says which name. Allocates; not for the
// hot path (callers there fill a Request directly).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/request.h"
#include "runtime/table.h"

namespace edict::runtime {

class CustomRoles;

class RequestBuilder {
 public:
  explicit RequestBuilder(const Table& table, const CustomRoles* custom = nullptr);

  RequestBuilder& action(std::string_view name);
  RequestBuilder& resource_type(std::string_view name);
  RequestBuilder& principal(std::string_view id, std::string_view tenant);
  RequestBuilder& resource_tenant(std::string_view tenant);
  RequestBuilder& role(std::string_view name);
  RequestBuilder& custom_role(std::string_view name);

  // Attribute values, by attribute name. The textual forms:
  //   bool: true/false; int: decimal; string: any; enum: a value name;
  //   entity and tenant: any id string; Role: a role name; sets: several items.
  RequestBuilder& attr(format::Root root, std::string_view name, std::string_view value);
  RequestBuilder& attr_set(format::Root root, std::string_view name, const std::vector<std::string>& items);
  RequestBuilder& attr_bool(format::Root root, std::string_view name, bool value);
  RequestBuilder& attr_int(format::Root root, std::string_view name, int64_t value);

  // The request, valid while this builder lives and is not modified.
  const Request& build();
  const std::string& error_message() const { return error_message_; }

  // The string an interned entity id stands for ("g7"), for explanations.
  std::string entity_name(int64_t id) const;
  int64_t intern(std::string_view entity);

 private:
  void fail(RequestError e, std::string message);
  Value* slot(format::Root root, std::string_view name, const format::Attr** attr);

  const Table& table_;
  const CustomRoles* custom_;
  Request request_;
  std::vector<uint32_t> roles_, custom_roles_;
  std::vector<Value> principal_attrs_, resource_attrs_, context_attrs_;
  std::map<std::string, int64_t, std::less<>> interned_;
  std::vector<std::string> names_;                // id -> string
  std::deque<std::string> strings_;               // stable storage for string values
  std::deque<std::vector<int64_t>> id_sets_;
  std::deque<std::vector<std::string_view>> string_sets_;
  std::string error_message_;
};

}  // namespace edict::runtime
