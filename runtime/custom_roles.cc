// runtime/custom_roles.cc: checking custom roles against their catalog.
#include "runtime/custom_roles.h"

#include <algorithm>

#include <fmt/format.h>

#include "support/suggest.h"

namespace edict::runtime {

CustomRoles::CustomRoles(std::shared_ptr<const Table> table) : table_(std::move(table)) {
  role_words_ = table_->words();
  cell_words_ = (uint64_t{table_->action_count()} * table_->resource_count() + 63) / 64;
  usual_stride_ = role_words_ + cell_words_;
}

std::optional<uint32_t> CustomRoles::find(std::string_view name) const {
  for (uint32_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i].name == name) return i;
  }
  return std::nullopt;
}

Result<uint32_t, std::string> CustomRoles::add(const CustomRoleSpec& spec) {
  const Table& t = *table_;
  if (spec.name.empty()) return Unexpected(std::string("a custom role needs a name"));
  if (find(spec.name)) return Unexpected(fmt::format("custom role `{}` already exists", spec.name));
  const auto catalog = t.find_catalog(spec.catalog);
  if (!catalog) {
    return Unexpected(unknown_name("catalog", spec.catalog, static_cast<uint32_t>(t.catalogs().size()),
                                   [&](uint32_t k) { return t.string(t.catalogs()[k].name); }));
  }
  const format::Catalog& cat = t.catalogs()[*catalog];
  const auto entries = t.catalog_entries().subspan(cat.entry_first, cat.entry_count);
  Role role{spec.name, *catalog, t.bits(cat.holder_bits), {}};
  role.cells.assign(cell_words_, 0);
  // Its words of usual_ (usable-by, then always), appended once it is accepted.
  std::vector<uint64_t> usual(usual_stride_, 0);
  uint64_t* const usable_by = usual.data();
  uint64_t* const always = usual.data() + role_words_;
  for (const auto& [action_name, resource_name] : spec.permissions) {
    const auto action = t.find_action(action_name);
    if (!action) {
      return Unexpected(
          unknown_name("action", action_name, t.action_count(), [&](uint32_t k) { return t.action_name(k); }));
    }
    const auto resource = t.find_resource(resource_name);
    if (!resource) {
      return Unexpected(unknown_name("resource type", resource_name, t.resource_count(),
                                     [&](uint32_t k) { return t.resource_name(k); }));
    }
    const bool listed = std::any_of(entries.begin(), entries.end(), [&](const format::CatalogEntry& e) {
      return e.action == *action && e.resource == *resource;
    });
    if (!listed) {
      return Unexpected(fmt::format("custom role `{}` exceeds catalog `{}`: `{}` on `{}` is not grantable", spec.name,
                                    spec.catalog, action_name, resource_name));
    }
    const uint64_t bit = uint64_t{*action} * t.resource_count() + *resource;
    role.cells[bit / 64] |= uint64_t{1} << (bit % 64);
    for (const Table::CatalogRun& run : t.catalog_runs(static_cast<uint32_t>(bit))) {
      if (run.catalog == *catalog && run.entry_count > 0 && t.catalog_entry_branches(run.entry_first) == kBranchResult + 1) {
        always[bit / 64] |= uint64_t{1} << (bit % 64);
      }
    }
  }
  for (uint32_t r = 0; r < t.role_count(); ++r) {
    const Table::ImpliedRoles& implied = t.implied(r);
    for (uint32_t w = implied.first; w < implied.first + implied.words; ++w) {
      if ((implied.bits[w] & role.holders[w]) != 0) {
        usable_by[r / 64] |= uint64_t{1} << (r % 64);
        break;
      }
    }
  }
  usual_.insert(usual_.end(), usual.begin(), usual.end());
  roles_.push_back(std::move(role));
  count_ = roles_.size();
  return static_cast<uint32_t>(roles_.size() - 1);
}

}  // namespace edict::runtime
