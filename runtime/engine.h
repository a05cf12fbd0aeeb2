// runtime/engine.h: the table a service evaluates against, replaceable at run time.
//
// Engine holds the current Table in a TableSlot (runtime/table_slot.h: an atomic
// shared pointer, by hand, because libstdc++ 12's std::atomic<shared_ptr> orders
// its load() too weakly). swap() installs
// a new table atomically; evaluations already running keep the table they started
// with (they hold a reference), and the old table is freed when the last of them
// finishes. Readers never block writers and never see a half-installed table.
//
// Cost: each Engine::evaluate() does one slot load (a short spin lock plus a
// reference-count increment). A thread that
// evaluates many requests in a row should take a snapshot() once and call
// runtime::evaluate() on it, which touches no shared state at all.
//
// Ids in a Request (actions, roles, attribute slots) belong to one table; a
// request built for the old table must be rebuilt (RequestBuilder) after a swap
// to a table compiled from a different policy.
#pragma once

#include <memory>

#include "runtime/decision.h"
#include "runtime/eval.h"
#include "runtime/table.h"
#include "runtime/table_slot.h"

namespace edict::runtime {

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Table> table) : table_(std::move(table)) {}

  std::shared_ptr<const Table> snapshot() const { return table_.load(); }
  void swap(std::shared_ptr<const Table> table) { table_.store(std::move(table)); }

  Decision evaluate(const Request& request, const CustomRoles* custom = nullptr) const noexcept {
    const std::shared_ptr<const Table> t = snapshot();
    if (!t) return {};  // no table: default deny
    return runtime::evaluate(*t, request, custom);
  }

 private:
  TableSlot table_;
};

}  // namespace edict::runtime
