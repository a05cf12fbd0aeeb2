// runtime/table.cc: loading and verifying a .edictc table.
//
// verify() is the only code that reads an unverified byte. It checks, in order:
// header, checksum, section table, every section's size against its element
// count, the meta counts against the sections, and then every index of every
// record, including a static stack check of each condition program. After it
// returns no error, the evaluator may index without bounds checks.
#include "runtime/table.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/format/checksum.h"

namespace edict::runtime {
namespace {

namespace f = format;

template <typename T>
std::span<const T> view(std::span<const std::byte> bytes, const f::SectionEntry& s) {
  return {reinterpret_cast<const T*>(bytes.data() + s.offset), s.count};
}

LoadError err(LoadErrorCode code, uint64_t offset, std::string message) {
  return {code, offset, std::move(message)};
}

// Element size of each section kind, for the size == count * element check.
size_t element_size(f::SectionKind k) {
  switch (k) {
    case f::SectionKind::kMeta: return sizeof(f::Meta);
    case f::SectionKind::kStringIndex: return 2 * sizeof(uint32_t);
    case f::SectionKind::kStringData: return 1;
    case f::SectionKind::kRoles: return sizeof(f::Role);
    case f::SectionKind::kActions:
    case f::SectionKind::kResources: return sizeof(f::Name);
    case f::SectionKind::kAttrs: return sizeof(f::Attr);
    case f::SectionKind::kEnums: return sizeof(f::Enum);
    case f::SectionKind::kEnumValues: return sizeof(uint32_t);
    case f::SectionKind::kCells: return sizeof(f::Cell);
    case f::SectionKind::kBitsets: return sizeof(uint64_t);
    case f::SectionKind::kRoleRules: return sizeof(f::RoleRule);
    case f::SectionKind::kCondRules: return sizeof(f::CondRule);
    case f::SectionKind::kCode: return sizeof(f::Instr);
    case f::SectionKind::kPool: return sizeof(int64_t);
    case f::SectionKind::kRules: return sizeof(f::Rule);
    case f::SectionKind::kObligations: return sizeof(f::Obligation);
    case f::SectionKind::kCatalogs: return sizeof(f::Catalog);
    case f::SectionKind::kCatalogEntries: return sizeof(f::CatalogEntry);
    case f::SectionKind::kDebugRules: return sizeof(f::DebugRule);
    case f::SectionKind::kDebugInstrs: return sizeof(uint32_t);
  }
  return 0;
}

bool range_ok(uint64_t first, uint64_t count, uint64_t size) { return first <= size && count <= size - first; }

}  // namespace

const char* to_string(LoadErrorCode c) {
  switch (c) {
    case LoadErrorCode::kTruncated: return "truncated";
    case LoadErrorCode::kBadMagic: return "not an Edict table";
    case LoadErrorCode::kVersion: return "unsupported format version";
    case LoadErrorCode::kChecksum: return "checksum mismatch";
    case LoadErrorCode::kBadSection: return "bad section";
    case LoadErrorCode::kBadIndex: return "index out of range";
    case LoadErrorCode::kBadProgram: return "malformed condition program";
    case LoadErrorCode::kTooLarge: return "table too large";
    case LoadErrorCode::kIo: return "cannot read";
  }
  return "unknown";
}

Result<std::shared_ptr<const Table>, LoadError> Table::load(std::span<const std::byte> bytes) noexcept {
  try {
    if (bytes.size() > f::kMaxTableBytes) {
      return Unexpected(err(LoadErrorCode::kTooLarge, 0, "larger than the 256 MiB a table may be"));
    }
    std::shared_ptr<Table> t(new Table());
    // Copied into 8-aligned storage so every record can be read in place.
    t->aligned_.resize((bytes.size() + 7) / 8);
    if (!bytes.empty()) std::memcpy(t->aligned_.data(), bytes.data(), bytes.size());
    t->bytes_ = std::span<const std::byte>(reinterpret_cast<const std::byte*>(t->aligned_.data()), bytes.size());
    if (auto e = t->verify()) return Unexpected(std::move(*e));
    t->steps_ = decode_steps(*t);
    t->index_cells();
    return std::shared_ptr<const Table>(std::move(t));
  } catch (const std::bad_alloc&) {
    return Unexpected(err(LoadErrorCode::kTooLarge, 0, "out of memory"));
  } catch (...) {
    return Unexpected(err(LoadErrorCode::kBadSection, 0, "unexpected error while loading"));
  }
}

Result<std::shared_ptr<const Table>, LoadError> Table::load_file(const std::string& path) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unexpected(err(LoadErrorCode::kIo, 0, "cannot open `" + path + "`"));
    // Read at most one byte past the limit: a device such as /dev/zero, or a file
    // that keeps growing, must end in kTooLarge, not in exhausting memory.
    std::string data;
    char chunk[1 << 16];
    while (data.size() <= f::kMaxTableBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
      data.append(chunk, static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) return Unexpected(err(LoadErrorCode::kIo, 0, "cannot read `" + path + "`"));
    if (data.size() > f::kMaxTableBytes) {
      return Unexpected(err(LoadErrorCode::kTooLarge, 0, "larger than the 256 MiB a table may be"));
    }
    return load(std::as_bytes(std::span<const char>(data.data(), data.size())));
  } catch (...) {
    return Unexpected(err(LoadErrorCode::kIo, 0, "cannot read `" + path + "`"));
  }
}

void Table::index_cells() {
  implied_.resize(roles_.size());
  for (size_t r = 0; r < roles_.size(); ++r) {
    ImpliedRoles& x = implied_[r];
    x.bits = bits(roles_[r].implied);
    for (uint32_t w = 0; w < words(); ++w) {
      if (x.bits[w] == 0) continue;
      if (x.words == 0) x.first = w;
      x.words = w + 1 - x.first;
      // The rank a principal holding only this role has (eval.cc's principal_rank).
      for (uint64_t m = x.bits[w]; m != 0; m &= m - 1) {
        const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(m));
        const uint32_t rank = roles_[role].rank;
        if (rank != f::kNone && (x.top_ranked == f::kNone || rank > roles_[x.top_ranked].rank)) x.top_ranked = role;
      }
    }
  }
  // The one word bitset `bitset` has bits in (mask in it), kMultiWord if several,
  // word 0 and mask 0 if none.
  auto one_word = [&](uint32_t bitset, uint64_t& mask) {
    uint32_t word = 0;
    mask = 0;
    for (uint32_t w = 0; w < words(); ++w) {
      if (bits(bitset)[w] == 0) continue;
      if (mask != 0) return kMultiWord;
      word = w;
      mask = bits(bitset)[w];
    }
    return word;
  };
  // Groups a cell's role rules by (rule, word) into rule_roles_, sorted by rule.
  auto group = [&](uint32_t first, uint32_t count, uint32_t bitset) {
    RuleRolesRange range;
    if (count > kMaxScannedRoleRules) {
      range.first = first;
      range.count = count;
      range.word = kSearched;
      range.bitset = bitset;
      return range;
    }
    range.first = static_cast<uint32_t>(rule_roles_.size());
    for (const f::RoleRule& rr : role_rules_.subspan(first, count)) {
      const uint32_t word = rr.role / 64;
      const uint64_t bit = uint64_t{1} << (rr.role % 64);
      auto it = std::find_if(rule_roles_.begin() + range.first, rule_roles_.end(),
                             [&](const RuleRoles& x) { return x.rule == rr.rule && x.word == word; });
      if (it != rule_roles_.end()) {
        it->mask |= bit;
      } else {
        rule_roles_.push_back({bit, word, rr.rule});
      }
    }
    std::sort(rule_roles_.begin() + range.first, rule_roles_.end(),
              [](const RuleRoles& x, const RuleRoles& y) { return std::pair{x.rule, x.word} < std::pair{y.rule, y.word}; });
    range.count = static_cast<uint32_t>(rule_roles_.size()) - range.first;
    for (const RuleRoles& x : rule_roles(range)) {
      if (range.any != 0 && x.word != range.word) {
        range.word = kMultiWord;
        range.any = 0;
        break;
      }
      range.word = x.word;
      range.any |= x.mask;
    }
    return range;
  };
  // A rule's program is shared by every cell the rule covers: compiled once.
  branches_.reserve(steps_.size());  // about one node per leaf: rarely regrown
  BranchCompiler compiler(steps_, branches_);
  // Programs are cached by first instruction (verified: < code size when count > 0).
  struct Compiled {
    uint32_t count = 0;  // of the program from this instruction compiled last (0: none)
    uint32_t root = 0;
    RoleExceptions except;  // of a rule's condition
    NodeRange nodes;        // where its nodes are in branches_
  };
  std::vector<Compiled> compiled_entries(code_.size()), compiled_rules(code_.size());
  const Compiled always{0, compiler.compile(0, 0), {}, {}};  // the empty program
  auto compile_entry = [&](uint32_t first, uint32_t count) -> const Compiled& {
    if (count == 0) return always;
    Compiled& c = compiled_entries[first];
    if (c.count != count) c = {count, compiler.compile(first, count), {}, {}};
    return c;
  };
  auto compile_rule = [&](uint32_t first, uint32_t count) -> const Compiled& {
    if (count == 0) return always;
    Compiled& c = compiled_rules[first];
    if (c.count != count) {
      const auto before = static_cast<uint32_t>(branches_.size());
      c.count = count;
      c.root = compiler.compile_rule(first, count, c.except);
      c.nodes = {before, static_cast<uint32_t>(branches_.size())};
    }
    return c;
  };
  cond_refs_.reserve(cond_rules_.size());
  std::vector<NodeRange> rule_nodes;  // per conditional rule, as cond_refs_
  rule_nodes.reserve(cond_rules_.size());
  for (const f::CondRule& cr : cond_rules_) {
    const Compiled& c = compile_rule(cr.code_first, cr.code_count);
    rule_nodes.push_back(c.nodes);
    CondRef ref{c.root,
                cr.rule,
                steps_.data() + cr.code_first,
                cr.code_count,
                kAllRoles,
                0,
                cr.obligations,
                cr.role_bits,
                kAllRoles,
                c.except.word,
                kNoChain,
                c.except.mask};
    if (cr.all_roles == 0) ref.roles_word = one_word(cr.role_bits, ref.mask);
    ref.word = ref.except_mask != 0 ? kExcepting : ref.roles_word;
    cond_refs_.push_back(ref);
  }
  catalog_branches_.reserve(catalog_entries_.size());
  for (const f::CatalogEntry& e : catalog_entries_) {
    catalog_branches_.push_back(compile_entry(e.code_first, e.code_count).root);
  }
  // Each catalog's entries are sorted by (action, resource) (verify() checked):
  // runs of one cell are adjacent.
  std::vector<std::pair<uint32_t, CatalogRun>> runs;
  auto cell_of = [&](uint32_t entry) {
    return catalog_entries_[entry].action * resource_count() + catalog_entries_[entry].resource;
  };
  for (uint32_t c = 0; c < catalogs_.size(); ++c) {
    const uint32_t end = catalogs_[c].entry_first + catalogs_[c].entry_count;
    for (uint32_t k = catalogs_[c].entry_first; k < end;) {
      uint32_t next = k + 1;
      while (next < end && cell_of(next) == cell_of(k)) ++next;
      runs.push_back({cell_of(k), {c, k, next - k}});
      k = next;
    }
  }
  std::stable_sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  catalog_runs_first_.assign(cells_.size() + 1, 0);
  for (const auto& [cell, run] : runs) {
    ++catalog_runs_first_[cell + 1];
    catalog_runs_.push_back(run);
  }
  for (size_t i = 1; i < catalog_runs_first_.size(); ++i) catalog_runs_first_[i] += catalog_runs_first_[i - 1];
  hot_cells_.resize(cells_.size());
  for (size_t i = 0; i < cells_.size(); ++i) {
    const f::Cell& cell = cells_[i];
    HotCell& x = hot_cells_[i];
    x.grants = group(cell.grant_first, cell.grant_count, cell.grant_bits);
    x.forbids = group(cell.forbid_first, cell.forbid_count, cell.forbid_bits);
    x.forbid_all_rule = cell.forbid_all_rule;
    x.conds = cell.cond_first;
    // verify() checked that a cell's conditional rules are its forbids, then its grants.
    while (x.cond_forbids < cell.cond_count && cond_rules_[cell.cond_first + x.cond_forbids].effect == 0) ++x.cond_forbids;
    x.cond_grants = cell.cond_count - x.cond_forbids;
  }
  chain_forbids(compiler);
  plan_single_roles(rule_nodes);
  // Without the dense array, one row of kNoPlan that every cell reads (Table::dense_plan).
  if (dense_stride_ == 0) dense_plans_.assign(std::max<size_t>(roles_.size(), 1), kNoPlan);
  // Grown with room to spare while the plans were built (regrowing them was a
  // tenth of the work); the table keeps them as they are for its lifetime.
  // (The entries' tests too, in plan_single_roles(): the entries hold their
  // addresses.)
  branches_.shrink_to_fit();
  outcomes_.shrink_to_fit();
}

void Table::chain_forbids(BranchCompiler& compiler) {
  // A forbid can join a chain if it is for everyone, has no role exceptions and
  // has a branching program (so its condition compiles into one).
  auto chainable = [&](const CondRef& cr) {
    return cr.word == kAllRoles && cr.branches != kNoBranches;
  };
  // Chains are compiled once per sequence of (rule, condition): the forbids for
  // everyone of a policy are in every cell, the same ones.
  std::map<std::vector<uint32_t>, CondRef> chains;
  std::vector<uint32_t> key;
  std::vector<std::pair<uint32_t, uint32_t>> conditions;
  // Chained cells get their own copy of their CondRefs, at most twice as many as
  // there are conditional rules (a crafted table's cells may all share one long
  // range); cells past that keep their forbids one by one.
  const size_t max_refs = 3 * cond_refs_.size() + 1024;
  // Compiling a chain rebuilds its forbids' programs: the instructions built for
  // chains stay within a few times the table's code, however many distinct
  // chains a crafted table makes (a program can fold to a constant, emitting no
  // nodes, so the node budget alone would not bound this).
  size_t work_left = 4 * code_.size() + 4096;
  std::vector<CondRef> cell_forbids;  // a cell's forbids, with its chains
  for (HotCell& x : hot_cells_) {
    const uint32_t first = x.conds, forbids = x.cond_forbids;
    bool any = false;
    for (uint32_t k = first; k + 1 < first + forbids && !any; ++k) {
      any = chainable(cond_refs_[k]) && chainable(cond_refs_[k + 1]);
    }
    if (!any || cond_refs_.size() + x.cond_forbids + x.cond_grants > max_refs) continue;
    cell_forbids.clear();
    bool chained = false;
    for (uint32_t k = first; k < first + forbids;) {
      uint32_t end = k;
      while (end < first + forbids && end - k < kMaxChain && chainable(cond_refs_[end])) ++end;
      if (end - k < 2) {
        cell_forbids.push_back(cond_refs_[k++]);
        continue;
      }
      key.clear();
      conditions.clear();
      for (uint32_t j = k; j < end; ++j) {
        const CondRef& cr = cond_refs_[j];
        const auto code_first = static_cast<uint32_t>(cr.code - steps_.data());
        key.insert(key.end(), {cr.rule, code_first, cr.count});
        conditions.emplace_back(code_first, cr.count);
      }
      auto [it, added] = chains.try_emplace(key, cond_refs_[k]);
      CondRef& chain = it->second;
      if (added) {
        size_t work = 0;
        for (const auto& [code_first, count] : conditions) work += count;
        chain.branches = work <= work_left ? compiler.compile_chain(conditions) : kNoBranches;
        work_left -= std::min(work, work_left);
        chain.chain = static_cast<uint32_t>(chain_rules_.size());
        chain.code = nullptr;
        chain.count = 0;
        if (chain.branches != kNoBranches) {
          for (uint32_t j = k; j < end; ++j) chain_rules_.push_back(cond_refs_[j].rule);
        }
      }
      if (chain.branches == kNoBranches) {  // past a budget: the forbids one by one
        cell_forbids.insert(cell_forbids.end(), cond_refs_.begin() + k, cond_refs_.begin() + end);
      } else {
        cell_forbids.push_back(chain);
        chained = true;
      }
      k = end;
    }
    if (!chained) continue;  // the cell keeps its records as they are
    // Its own copy: its chained forbids, then its grants as they are.
    const auto conds = static_cast<uint32_t>(cond_refs_.size());
    cond_refs_.insert(cond_refs_.end(), cell_forbids.begin(), cell_forbids.end());
    for (uint32_t k = first + forbids; k < first + forbids + x.cond_grants; ++k) {
      const CondRef grant = cond_refs_[k];  // copied first: push_back may reallocate
      cond_refs_.push_back(grant);
    }
    x.conds = conds;
    x.cond_forbids = static_cast<uint32_t>(cell_forbids.size());
  }
}

std::optional<LoadError> Table::verify() {
  using K = LoadErrorCode;
  const auto size = bytes_.size();
  if (size < sizeof(f::Header)) return err(K::kTruncated, size, "shorter than the table header");
  const f::Header& h = header();
  if (std::memcmp(h.magic, f::kMagic, sizeof h.magic) != 0) return err(K::kBadMagic, 0, "bad magic number");
  if (h.major != f::kFormatMajor) {
    return err(K::kVersion, 8, "format version " + std::to_string(h.major) + " (this reader reads version 1)");
  }
  if (h.header_size != sizeof(f::Header)) return err(K::kBadSection, 12, "bad header size");
  if ((h.flags & ~uint32_t{1}) != 0) return err(K::kBadSection, 40, "unknown header flags");
  if (h.file_size > size) return err(K::kTruncated, size, "file is shorter than its header says");
  if (h.file_size < size) return err(K::kBadSection, h.file_size, "bytes after the end of the table");
  if (f::image_checksum(bytes_) != h.checksum) {
    return err(K::kChecksum, f::kChecksumOffset, "checksum mismatch: the table is corrupt");
  }
  if (h.section_count > 64 || h.section_table % 8 != 0 ||
      !range_ok(h.section_table, uint64_t{h.section_count} * sizeof(f::SectionEntry), size) ||
      h.section_table < sizeof(f::Header)) {
    return err(K::kBadSection, 28, "bad section table");
  }
  std::array<const f::SectionEntry*, f::kSectionKindCount + 1> found{};
  const auto* entries = reinterpret_cast<const f::SectionEntry*>(bytes_.data() + h.section_table);
  const uint64_t data_start = h.section_table + uint64_t{h.section_count} * sizeof(f::SectionEntry);
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  for (uint32_t i = 0; i < h.section_count; ++i) {
    const f::SectionEntry& s = entries[i];
    const uint64_t at = h.section_table + i * sizeof(f::SectionEntry);
    if (s.kind == 0 || s.kind > f::kSectionKindCount) return err(K::kBadSection, at, "unknown section kind");
    if (found[s.kind] != nullptr) return err(K::kBadSection, at, "section appears twice");
    if (s.offset % 8 != 0 || s.offset < data_start || !range_ok(s.offset, s.size, size)) {
      return err(K::kBadSection, at, "section outside the file or misaligned");
    }
    if (uint64_t{s.count} * element_size(static_cast<f::SectionKind>(s.kind)) != s.size) {
      return err(K::kBadSection, at, "section size does not match its element count");
    }
    extents.emplace_back(s.offset, s.offset + s.size);
    found[s.kind] = &s;
  }
  std::sort(extents.begin(), extents.end());
  for (size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].first < extents[i - 1].second) return err(K::kBadSection, extents[i].first, "sections overlap");
  }
  using SK = f::SectionKind;
  for (uint32_t k = 1; k <= static_cast<uint32_t>(SK::kCatalogEntries); ++k) {
    if (found[k] == nullptr) return err(K::kBadSection, 0, "a required section is missing");
  }
  const bool debug = found[static_cast<uint32_t>(SK::kDebugRules)] != nullptr;
  if (debug != ((h.flags & 1u) != 0)) return err(K::kBadSection, 40, "the debug flag does not match the sections");
  if (debug != (found[static_cast<uint32_t>(SK::kDebugInstrs)] != nullptr)) {
    return err(K::kBadSection, 0, "half of the debug sections is missing");
  }
  auto sec = [&](SK k) -> const f::SectionEntry& { return *found[static_cast<uint32_t>(k)]; };
  if (sec(SK::kMeta).count != 1) return err(K::kBadSection, sec(SK::kMeta).offset, "bad meta section");

  // A copy, held in the Table itself: the decision path reads its counts without
  // first loading a pointer to them.
  std::memcpy(&meta_, bytes_.data() + sec(SK::kMeta).offset, sizeof meta_);
  attr_counts_ = meta_.principal_attrs | uint64_t{meta_.resource_attrs} << 32;
  cell_counts_ = meta_.action_count | uint64_t{meta_.resource_count} << 32;
  auto idx = view<uint32_t>(bytes_, sec(SK::kStringIndex));
  string_index_ = {idx.data(), static_cast<size_t>(sec(SK::kStringIndex).count) * 2};
  string_data_ = view<char>(bytes_, sec(SK::kStringData));
  roles_ = view<f::Role>(bytes_, sec(SK::kRoles));
  actions_ = view<f::Name>(bytes_, sec(SK::kActions));
  resources_ = view<f::Name>(bytes_, sec(SK::kResources));
  attrs_ = view<f::Attr>(bytes_, sec(SK::kAttrs));
  enums_ = view<f::Enum>(bytes_, sec(SK::kEnums));
  enum_values_ = view<uint32_t>(bytes_, sec(SK::kEnumValues));
  cells_ = view<f::Cell>(bytes_, sec(SK::kCells));
  bitsets_ = view<uint64_t>(bytes_, sec(SK::kBitsets));
  role_rules_ = view<f::RoleRule>(bytes_, sec(SK::kRoleRules));
  cond_rules_ = view<f::CondRule>(bytes_, sec(SK::kCondRules));
  code_ = view<f::Instr>(bytes_, sec(SK::kCode));
  pool_ = view<int64_t>(bytes_, sec(SK::kPool));
  rules_ = view<f::Rule>(bytes_, sec(SK::kRules));
  obligations_ = view<f::Obligation>(bytes_, sec(SK::kObligations));
  catalogs_ = view<f::Catalog>(bytes_, sec(SK::kCatalogs));
  catalog_entries_ = view<f::CatalogEntry>(bytes_, sec(SK::kCatalogEntries));
  if (debug) {
    debug_rules_ = view<f::DebugRule>(bytes_, sec(SK::kDebugRules));
    debug_instrs_ = view<uint32_t>(bytes_, sec(SK::kDebugInstrs));
  }

  const f::Meta& m = meta_;
  const uint64_t meta_at = sec(SK::kMeta).offset;
  auto bad = [&](uint64_t at, std::string what) { return err(K::kBadIndex, at, std::move(what)); };
  const uint64_t words = std::max<uint64_t>(1, (uint64_t{m.role_count} + 63) / 64);
  if (m.role_count > f::kMaxRoles) return bad(meta_at, "too many roles");
  if (m.words != words) return bad(meta_at, "role bitset width does not match the role count");
  if (roles_.size() != m.role_count || actions_.size() != m.action_count || resources_.size() != m.resource_count ||
      cells_.size() != uint64_t{m.action_count} * m.resource_count || enums_.size() != m.enum_count ||
      rules_.size() != m.rule_count || obligations_.size() != m.obligation_count ||
      catalogs_.size() != m.catalog_count ||
      attrs_.size() != uint64_t{m.principal_attrs} + m.resource_attrs + m.context_attrs ||
      (debug && (debug_rules_.size() != m.rule_count || debug_instrs_.size() != code_.size()))) {
    return bad(meta_at, "section sizes do not match the table's counts");
  }
  if (m.obligation_count > f::kMaxObligationInstances) return bad(meta_at, "too many obligation instances");
  if (m.principal_attrs < 2 || m.resource_attrs < 1) return bad(meta_at, "built-in attributes are missing");
  if (m.superadmin != f::kNone && m.superadmin >= m.role_count) return bad(meta_at, "bad super-administrator role");
  if (bitsets_.empty() || bitsets_.size() % words != 0) return bad(sec(SK::kBitsets).offset, "bad bitset section");
  const uint64_t bitset_count = bitsets_.size() / words;
  // A bit at or past role_count would name a role that does not exist, and the
  // evaluator indexes the roles by the bits it finds (ranks, the search of large
  // cells): the last word of every bitset holds only the roles there are.
  const uint64_t last_word_roles = m.role_count - (words - 1) * 64;  // 0..64
  const uint64_t past_roles = last_word_roles == 64 ? 0 : ~uint64_t{0} << last_word_roles;
  for (uint64_t k = 0; k < bitset_count; ++k) {
    if ((bitsets_[(k + 1) * words - 1] & past_roles) != 0) {
      const uint64_t where = sec(SK::kBitsets).offset + ((k + 1) * words - 1) * 8;
      return err(K::kBadIndex, where, "a role bitset names a role past the last");
    }
  }
  const uint64_t string_count = string_index_.size() / 2;

  // Where a record sits, for error offsets.
  auto at = [&](SK k, size_t i, size_t elem) { return uint64_t{sec(k).offset} + i * elem; };
  auto str_ok = [&](uint32_t id) { return id < string_count; };
  for (uint64_t i = 0; i < string_count; ++i) {
    if (!range_ok(string_index_[2 * i], string_index_[2 * i + 1], string_data_.size())) {
      return bad(at(SK::kStringIndex, i, 8), "string outside the string data");
    }
  }
  const uint64_t obligation_mask = m.obligation_count == 64 ? ~uint64_t{0} : (uint64_t{1} << m.obligation_count) - 1;
  for (size_t i = 0; i < roles_.size(); ++i) {
    const f::Role& r = roles_[i];
    if (!str_ok(r.name) || (r.rank != f::kNone && r.rank >= m.role_count) || r.implied >= bitset_count || r.flags > 1) {
      return bad(at(SK::kRoles, i, sizeof r), "bad role record");
    }
  }
  for (size_t i = 0; i < actions_.size(); ++i) {
    if (!str_ok(actions_[i].name)) return bad(at(SK::kActions, i, 4), "bad action name");
  }
  for (size_t i = 0; i < resources_.size(); ++i) {
    if (!str_ok(resources_[i].name)) return bad(at(SK::kResources, i, 4), "bad resource type name");
  }
  for (size_t i = 0; i < attrs_.size(); ++i) {
    const f::Attr& a = attrs_[i];
    const auto root = i < m.principal_attrs ? f::Root::kPrincipal
                      : i < uint64_t{m.principal_attrs} + m.resource_attrs ? f::Root::kResource
                                                                          : f::Root::kContext;
    const bool enum_kind = a.kind == static_cast<uint8_t>(f::AttrKind::kEnum);
    if (!str_ok(a.name) || a.root != static_cast<uint8_t>(root) || a.kind < 1 ||
        a.kind > static_cast<uint8_t>(f::AttrKind::kTenant) || a.set > 1 ||
        (enum_kind ? a.enum_id >= m.enum_count : a.enum_id != f::kNone)) {
      return bad(at(SK::kAttrs, i, sizeof a), "bad attribute record");
    }
  }
  const auto& p0 = attrs_[f::kPrincipalTenantSlot];
  const auto& p1 = attrs_[f::kPrincipalRankSlot];
  const auto& r0 = attrs_[m.principal_attrs + f::kResourceTenantSlot];
  if (p0.kind != static_cast<uint8_t>(f::AttrKind::kTenant) || p0.set || p1.kind != static_cast<uint8_t>(f::AttrKind::kRole) ||
      p1.set || r0.kind != static_cast<uint8_t>(f::AttrKind::kTenant) || r0.set) {
    return bad(sec(SK::kAttrs).offset, "bad built-in attributes");
  }
  for (size_t i = 0; i < enums_.size(); ++i) {
    const f::Enum& e = enums_[i];
    if (!str_ok(e.name) || !range_ok(e.first_value, e.value_count, enum_values_.size())) {
      return bad(at(SK::kEnums, i, sizeof e), "bad enum record");
    }
  }
  for (size_t i = 0; i < enum_values_.size(); ++i) {
    if (!str_ok(enum_values_[i])) return bad(at(SK::kEnumValues, i, 4), "bad enum value name");
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    const f::Rule& r = rules_[i];
    if (!str_ok(r.name) || r.effect > 1 || (r.obligations & ~obligation_mask) != 0) {
      return bad(at(SK::kRules, i, sizeof r), "bad rule record");
    }
  }
  for (size_t i = 0; i < obligations_.size(); ++i) {
    const f::Obligation& o = obligations_[i];
    if (!str_ok(o.name) || (o.arg != f::kNone && !str_ok(o.arg))) {
      return bad(at(SK::kObligations, i, sizeof o), "bad obligation record");
    }
  }

  // Condition programs: every operand in range, and the stack discipline.
  auto attr_slot_ok = [&](uint8_t root, uint32_t slot) { return root <= 2 && slot < attr_count(static_cast<f::Root>(root)); };
  for (size_t i = 0; i < code_.size(); ++i) {
    const f::Instr& in = code_[i];
    const uint64_t where = at(SK::kCode, i, sizeof in);
    if (in.op >= static_cast<uint8_t>(f::Op::kCount) || in.cmp > static_cast<uint8_t>(f::Cmp::kGe)) {
      return err(K::kBadProgram, where, "unknown instruction");
    }
    auto attr_is_string = [&](uint8_t root, uint32_t slot) {
      return attr(static_cast<f::Root>(root), slot).kind == static_cast<uint8_t>(f::AttrKind::kString);
    };
    bool ok = true;
    switch (static_cast<f::Op>(in.op)) {
      case f::Op::kConst: ok = in.a <= 1; break;
      case f::Op::kHas:
      case f::Op::kTruthy: ok = attr_slot_ok(in.root_a, in.a); break;
      case f::Op::kCmpConst:
        ok = attr_slot_ok(in.root_a, in.a) && (!attr_is_string(in.root_a, in.a) || str_ok(in.b));
        break;
      case f::Op::kCmpAttr:
      case f::Op::kInAttr: ok = attr_slot_ok(in.root_a, in.a) && attr_slot_ok(in.root_b, in.b); break;
      case f::Op::kCmpPrincipal: ok = attr_slot_ok(in.root_a, in.a); break;
      case f::Op::kInConst:
        ok = attr_slot_ok(in.root_a, in.a) && range_ok(in.b, in.c, pool_.size());
        if (ok && attr_is_string(in.root_a, in.a)) {
          for (uint32_t k = 0; k < in.c; ++k) {
            const int64_t v = pool_[in.b + k];
            ok = ok && v >= 0 && static_cast<uint64_t>(v) < string_count;
          }
        }
        break;
      case f::Op::kPrincipalIn: ok = attr_slot_ok(in.root_b, in.b); break;
      case f::Op::kConstIn:
        ok = attr_slot_ok(in.root_a, in.a) && (!attr_is_string(in.root_a, in.a) || str_ok(in.b));
        break;
      case f::Op::kIsRole: ok = in.a < m.role_count; break;
      case f::Op::kIsRoleAttr: ok = attr_slot_ok(in.root_a, in.a) && in.b < m.role_count; break;
      case f::Op::kIsType: ok = range_ok(in.b, in.c, pool_.size()); break;
      case f::Op::kNot:
      case f::Op::kAnd:
      case f::Op::kOr:
      case f::Op::kEqual:
      case f::Op::kNotEqual: break;
      case f::Op::kCount: ok = false; break;
    }
    if (!ok) return err(K::kBadProgram, where, std::string("bad operand in `") + f::op_name(static_cast<f::Op>(in.op)) + "`");
    if (debug && debug_instrs_[i] != f::kNone && !str_ok(debug_instrs_[i])) {
      return bad(at(SK::kDebugInstrs, i, 4), "bad instruction text");
    }
  }
  // Records and programs may be referenced from several places (a rule's program
  // from every cell it covers), and each reference is checked. A table built to
  // multiply that work (long ranges referenced over and over) could keep a load
  // busy for hours, so past a budget linear in the table's size it is refused.
  // The compiler's tables stay far below it: cells' ranges are disjoint, and each
  // distinct program is checked once.
  uint64_t work = 0;
  const uint64_t work_budget = 4 * uint64_t{size} + (uint64_t{1} << 20);
  auto spend = [&](uint64_t n) { return (work += n) <= work_budget; };
  auto too_much = [&] {
    return err(K::kTooLarge, 0, "its records are referenced so often that checking them would take too long");
  };
  // checked[k] = n: the program of n instructions from k passed (0: none yet).
  std::vector<uint32_t> checked(code_.size(), 0);
  bool over_budget = false;
  auto program_ok = [&](uint32_t first, uint32_t count) {
    if (!range_ok(first, count, code_.size())) return false;
    if (count == 0 || checked[first] == count) return true;
    if (!spend(count)) {
      over_budget = true;
      return false;
    }
    uint32_t depth = 0;
    for (uint32_t k = first; k < first + count; ++k) {
      switch (static_cast<f::Op>(code_[k].op)) {
        case f::Op::kNot: if (depth < 1) return false; break;
        case f::Op::kAnd:
        case f::Op::kOr:
        case f::Op::kEqual:
        case f::Op::kNotEqual: if (depth < 2) return false; --depth; break;
        default: if (++depth > f::kMaxStack) return false;
      }
    }
    if (depth != 1) return false;
    checked[first] = count;
    return true;
  };

  for (size_t i = 0; i < cells_.size(); ++i) {
    const f::Cell& c = cells_[i];
    const uint64_t where = at(SK::kCells, i, sizeof c);
    if (c.grant_bits >= bitset_count || c.forbid_bits >= bitset_count ||
        !range_ok(c.grant_first, c.grant_count, role_rules_.size()) ||
        !range_ok(c.forbid_first, c.forbid_count, role_rules_.size()) ||
        !range_ok(c.cond_first, c.cond_count, cond_rules_.size()) ||
        (c.forbid_all_rule != f::kNone && c.forbid_all_rule >= m.rule_count)) {
      return bad(where, "bad cell record");
    }
    if (!spend(uint64_t{c.grant_count} + c.forbid_count + c.cond_count)) return too_much();
    // Role rules sorted by role (binary search), conditional rules forbids first,
    // each by ascending rule id (the lowest applicable rule decides).
    for (auto [first, count] : {std::pair{c.grant_first, c.grant_count}, std::pair{c.forbid_first, c.forbid_count}}) {
      for (uint32_t k = first; k < first + count; ++k) {
        const f::RoleRule& rr = role_rules_[k];
        if (rr.role >= m.role_count || rr.rule >= m.rule_count || (k > first && role_rules_[k - 1].role >= rr.role)) {
          return bad(at(SK::kRoleRules, k, sizeof rr), "bad role rule");
        }
      }
    }
    for (uint32_t k = c.cond_first; k < c.cond_first + c.cond_count; ++k) {
      const f::CondRule& cr = cond_rules_[k];
      const bool ordered = k == c.cond_first || cond_rules_[k - 1].effect < cr.effect ||
                           (cond_rules_[k - 1].effect == cr.effect && cond_rules_[k - 1].rule < cr.rule);
      if (cr.rule >= m.rule_count || cr.effect > 1 || cr.all_roles > 1 || cr.role_bits >= bitset_count ||
          (cr.obligations & ~obligation_mask) != 0 || !ordered) {
        return bad(at(SK::kCondRules, k, sizeof cr), "bad conditional rule");
      }
      if (!program_ok(cr.code_first, cr.code_count)) {
        if (over_budget) return too_much();
        return err(K::kBadProgram, at(SK::kCondRules, k, sizeof cr), "condition program is malformed");
      }
    }
  }
  for (size_t i = 0; i < catalogs_.size(); ++i) {
    const f::Catalog& c = catalogs_[i];
    if (!str_ok(c.name) || c.holder_bits >= bitset_count || !range_ok(c.entry_first, c.entry_count, catalog_entries_.size())) {
      return bad(at(SK::kCatalogs, i, sizeof c), "bad catalog record");
    }
  }
  for (size_t i = 0; i < catalog_entries_.size(); ++i) {
    const f::CatalogEntry& e = catalog_entries_[i];
    if (e.action >= m.action_count || e.resource >= m.resource_count || !program_ok(e.code_first, e.code_count)) {
      if (over_budget) return too_much();
      return bad(at(SK::kCatalogEntries, i, sizeof e), "bad catalog entry");
    }
  }
  // Each catalog's entries are sorted by (action, resource): the evaluator
  // binary-searches them.
  for (const f::Catalog& c : catalogs_) {
    for (uint32_t k = c.entry_first + 1; k < c.entry_first + c.entry_count; ++k) {
      const f::CatalogEntry& x = catalog_entries_[k - 1];
      const f::CatalogEntry& y = catalog_entries_[k];
      if (std::pair{x.action, x.resource} > std::pair{y.action, y.resource}) {
        return bad(at(SK::kCatalogEntries, k, sizeof y), "catalog entries are not sorted");
      }
    }
  }
  // Every record, reachable from a cell or not, is in range.
  for (size_t k = 0; k < role_rules_.size(); ++k) {
    if (role_rules_[k].role >= m.role_count || role_rules_[k].rule >= m.rule_count) {
      return bad(at(SK::kRoleRules, k, sizeof(f::RoleRule)), "bad role rule");
    }
  }
  for (size_t k = 0; k < cond_rules_.size(); ++k) {
    const f::CondRule& cr = cond_rules_[k];
    if (cr.rule >= m.rule_count || cr.effect > 1 || cr.all_roles > 1 || cr.role_bits >= bitset_count ||
        !program_ok(cr.code_first, cr.code_count)) {
      if (over_budget) return too_much();
      return bad(at(SK::kCondRules, k, sizeof cr), "bad conditional rule");
    }
  }
  for (size_t i = 0; i < debug_rules_.size(); ++i) {
    const f::DebugRule& d = debug_rules_[i];
    if (!str_ok(d.file) || !str_ok(d.text)) return bad(at(SK::kDebugRules, i, sizeof d), "bad debug record");
  }
  return std::nullopt;
}

std::string_view Table::string(uint32_t id) const {
  if (id >= string_index_.size() / 2) return {};
  return {string_data_.data() + string_index_[2 * size_t{id}], string_index_[2 * size_t{id} + 1]};
}

std::string_view Table::obligation_text(uint32_t instance) const {
  // Built on demand and cached per table; explanations only.
  if (instance >= obligations_.size()) return {};
  std::lock_guard lock(obligation_text_mutex_);
  if (obligation_texts_.empty()) {
    for (const auto& o : obligations_) {
      std::string t(string(o.name));
      if (o.arg != format::kNone) t += "(" + std::string(string(o.arg)) + ")";
      obligation_texts_.push_back(std::move(t));
    }
  }
  return obligation_texts_[instance];
}

namespace {
template <typename Records>
std::optional<uint32_t> find_by_name(const Table& t, Records records, std::string_view name) {
  for (uint32_t i = 0; i < records.size(); ++i) {
    if (t.string(records[i].name) == name) return i;
  }
  return std::nullopt;
}
}  // namespace

std::optional<uint32_t> Table::find_role(std::string_view name) const { return find_by_name(*this, roles_, name); }
std::optional<uint32_t> Table::find_action(std::string_view name) const { return find_by_name(*this, actions_, name); }
std::optional<uint32_t> Table::find_resource(std::string_view name) const {
  return find_by_name(*this, resources_, name);
}
std::optional<uint32_t> Table::find_catalog(std::string_view name) const {
  return find_by_name(*this, catalogs_, name);
}

uint32_t Table::attr_count(format::Root root) const {
  switch (root) {
    case format::Root::kPrincipal: return meta_.principal_attrs;
    case format::Root::kResource: return meta_.resource_attrs;
    case format::Root::kContext: return meta_.context_attrs;
  }
  return 0;
}

const format::Attr& Table::attr(format::Root root, uint32_t slot) const {
  const uint32_t base = root == format::Root::kPrincipal ? 0
                        : root == format::Root::kResource ? meta_.principal_attrs
                                                          : meta_.principal_attrs + meta_.resource_attrs;
  return attrs_[base + slot];
}

std::optional<uint32_t> Table::find_attr(format::Root root, std::string_view name) const {
  for (uint32_t i = 0; i < attr_count(root); ++i) {
    if (string(attr(root, i).name) == name) return i;
  }
  return std::nullopt;
}

std::optional<uint32_t> Table::find_enum_value(uint32_t enum_id, std::string_view name) const {
  if (enum_id >= enums_.size()) return std::nullopt;
  const format::Enum& e = enums_[enum_id];
  for (uint32_t i = 0; i < e.value_count; ++i) {
    if (string(enum_values_[e.first_value + i]) == name) return i;
  }
  return std::nullopt;
}

std::string_view Table::enum_value_name(uint32_t enum_id, uint32_t value) const {
  if (enum_id >= enums_.size() || value >= enums_[enum_id].value_count) return {};
  return string(enum_values_[enums_[enum_id].first_value + value]);
}

const format::DebugRule* Table::debug_rule(uint32_t rule) const {
  return rule < debug_rules_.size() ? &debug_rules_[rule] : nullptr;
}

std::string_view Table::instr_text(uint32_t instr) const {
  if (instr >= debug_instrs_.size() || debug_instrs_[instr] == format::kNone) return {};
  return string(debug_instrs_[instr]);
}

}  // namespace edict::runtime
