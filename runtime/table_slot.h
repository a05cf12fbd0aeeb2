// runtime/table_slot.h: a shared_ptr<const Table> that one thread may replace
// while others copy it (Engine, and the C ABI's edict_engine).
//
// This is std::atomic<std::shared_ptr<const Table>> done by hand. libstdc++ 12's
// implementation (bits/shared_ptr_atomic.h) takes the same kind of lock bit, but
// load() releases it with memory_order_relaxed, so the read of the pointer is not
// ordered before a later store's write: ThreadSanitizer reports the race, and on a
// weakly ordered CPU a reader could pair the new pointer with the old reference
// count. Here the lock is released with memory_order_release.
//
// Cost of load(): an uncontended test-and-set, one reference-count increment and
// a release store, on one shared cache line (and a decrement when the copy dies).
// No allocation, no system call. The lock is held only for the copy or the swap;
// the old table is destroyed after it is released.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "runtime/table.h"

namespace edict::runtime {

class TableSlot {
 public:
  TableSlot() = default;
  explicit TableSlot(std::shared_ptr<const Table> table) : ptr_(std::move(table)) {}
  TableSlot(const TableSlot&) = delete;
  TableSlot& operator=(const TableSlot&) = delete;

  std::shared_ptr<const Table> load() const noexcept {
    lock();
    std::shared_ptr<const Table> copy = ptr_;
    unlock();
    return copy;
  }
  void store(std::shared_ptr<const Table> table) noexcept {
    lock();
    ptr_.swap(table);
    unlock();
  }  // `table`, now the old one, is released here, outside the lock

 private:
  void lock() const noexcept {
    for (unsigned spins = 0; busy_.test_and_set(std::memory_order_acquire);) {
      while (busy_.test(std::memory_order_relaxed)) {
        if (++spins % 64 == 0) std::this_thread::yield();  // the holder may have been preempted
      }
    }
  }
  void unlock() const noexcept { busy_.clear(std::memory_order_release); }

  mutable std::atomic_flag busy_;  // clear (C++20)
  std::shared_ptr<const Table> ptr_;
};

}  // namespace edict::runtime
