// fuzz/table_fuzzer.cc: bytes -> runtime::Table::load -> evaluate and explain.
//
// Trust boundary: a .edictc file from disk or the network. The loader must
// reject every bad image with an error; an image it accepts must be safe to
// evaluate with any request (that is the loader's contract: runtime/table.h),
// and explain(), the names and the custom-role builder must be safe on it too.
//
// A mutated image almost never keeps a valid CRC-32, which would stop the
// fuzzer at the checksum test. So each input is loaded as given (covering the
// checksum test) and, when only the checksum is wrong, again with its checksum
// recomputed (covering everything the verifier checks after it).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "runtime/custom_roles.h"
#include "runtime/eval.h"
#include "runtime/format/checksum.h"
#include "runtime/request.h"
#include "runtime/table.h"

namespace {

using namespace edict;
namespace tf = runtime::format;
using runtime::Value;
using runtime::ValueKind;

void fix_checksum(std::vector<std::byte>& image) {
  if (image.size() < sizeof(tf::Header)) return;
  tf::Header h;
  std::memcpy(&h, image.data(), sizeof h);
  const size_t size = std::min<size_t>(h.file_size, image.size());
  if (size < tf::kChecksumOffset + 4) return;
  tf::store_checksum(std::span(image).first(size));
}

// A value for an attribute slot: the declared kind (variant 0, 1), absent (2),
// or another kind (3).
Value value_for(const tf::Attr& a, uint32_t variant, const std::vector<int64_t>& ids,
                const std::vector<std::string_view>& strings) {
  if (variant % 4 == 2) return Value{};
  const bool wrong = variant % 4 == 3;
  if (a.set != 0 && !wrong) {
    return a.kind == static_cast<uint8_t>(tf::AttrKind::kString) ? Value::string_set(strings) : Value::id_set(ids);
  }
  const int64_t small = variant % 2;
  switch (static_cast<tf::AttrKind>(a.kind)) {
    case tf::AttrKind::kBool: return wrong ? Value::string("x") : Value::boolean(small != 0);
    case tf::AttrKind::kInt: return wrong ? Value::boolean(true) : Value::integer(small - 1);
    case tf::AttrKind::kString: return wrong ? Value::integer(3) : Value::string(small ? "a" : "");
    case tf::AttrKind::kEnum: return wrong ? Value::role(0) : Value::enum_value(static_cast<uint32_t>(small));
    case tf::AttrKind::kEntity: return wrong ? Value::id_set(ids) : Value::entity(small + 1);
    case tf::AttrKind::kRole: return wrong ? Value::enum_value(0) : Value::role(static_cast<uint32_t>(small));
    case tf::AttrKind::kTenant: return wrong ? Value::string("t") : Value::entity(7);
  }
  return Value::of(static_cast<ValueKind>(variant % 9), static_cast<int64_t>(variant));
}

void exercise(const std::shared_ptr<const runtime::Table>& table) {
  const runtime::Table& t = *table;
  // Names and debug information.
  for (uint32_t r = 0; r < t.role_count(); ++r) (void)t.role_name(r);
  for (uint32_t a = 0; a < t.action_count(); ++a) (void)t.action_name(a);
  for (uint32_t r = 0; r < t.resource_count(); ++r) (void)t.resource_name(r);
  for (uint32_t r = 0; r < t.rule_count(); ++r) {
    (void)t.rule_name(r);
    (void)t.debug_rule(r);
  }
  (void)t.find_role("admin");
  (void)t.find_action("view");
  // A custom role per catalog, with every pair it lists (through names, as tools add them).
  auto custom = std::make_shared<runtime::CustomRoles>(table);
  for (uint32_t k = 0; k < t.catalogs().size() && k < 4; ++k) {
    const tf::Catalog& c = t.catalogs()[k];
    runtime::CustomRoleSpec spec{"fuzz" + std::to_string(k), std::string(t.string(c.name)), {}};
    for (uint32_t e = 0; e < c.entry_count && e < 16; ++e) {
      const tf::CatalogEntry& entry = t.catalog_entries()[c.entry_first + e];
      spec.permissions.emplace_back(t.action_name(entry.action), t.resource_name(entry.resource));
    }
    (void)custom->add(spec);
  }

  const std::vector<int64_t> ids = {0, 1, 2, 7};
  const std::vector<std::string_view> strings = {"", "a"};
  std::vector<uint32_t> roles;
  for (uint32_t r = 0; r < t.role_count() && r < 8; ++r) roles.push_back(r);
  std::vector<uint32_t> custom_ids;
  for (uint32_t c = 0; c < custom->size(); ++c) custom_ids.push_back(c);
  std::vector<Value> attrs[3];
  uint32_t evaluations = 0;
  for (uint32_t a = 0; a < t.action_count() && a < 8; ++a) {
    for (uint32_t type = 0; type < t.resource_count() && type < 8; ++type) {
      for (uint32_t variant = 0; variant < 4; ++variant) {
        for (uint32_t root = 0; root < 3; ++root) {
          const auto r = static_cast<tf::Root>(root);
          attrs[root].clear();
          for (uint32_t s = 0; s < t.attr_count(r) && s < 64; ++s) {
            attrs[root].push_back(value_for(t.attr(r, s), variant + s, ids, strings));
          }
        }
        runtime::Request req;
        req.action = a;
        req.resource_type = type;
        req.principal = 1;
        req.principal_tenant = req.resource_tenant = 7;
        req.roles = std::span<const uint32_t>(roles).first(std::min<size_t>(roles.size(), variant * 3));
        req.custom_roles = variant == 1 ? std::span<const uint32_t>(custom_ids) : std::span<const uint32_t>();
        req.principal_attrs = attrs[0];
        req.resource_attrs = attrs[1];
        req.context_attrs = attrs[2];
        const runtime::Decision d = runtime::evaluate(t, req, custom.get());
        if (evaluations++ % 16 == 0) {
          const runtime::Explanation e = runtime::explain(t, req, custom.get());
          if (e.decision.effect != d.effect) fuzz::fail("explain() and evaluate() decide differently");
        }
        if (d.allowed() && d.obligations != 0) {
          for (uint32_t bit = 0; bit < 64; ++bit) {
            if ((d.obligations >> bit) & 1) (void)t.obligation_text(bit);
          }
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024 * 1024) return -1;
  std::vector<std::byte> image(size);
  if (size > 0) std::memcpy(image.data(), data, size);
  auto table = runtime::Table::load(image);
  if (!table && table.error().code == runtime::LoadErrorCode::kChecksum) {
    fix_checksum(image);
    table = runtime::Table::load(image);
  }
  if (table) exercise(*table);
  return 0;
}
