// support/result.h: Result<T, E>, a small value-or-error type shaped like C++23's
// std::expected, so it can be swapped for it once the toolchain has one.
//
// Errors cross module boundaries as values: a function that can fail returns a
// Result and the caller must look at it ([[nodiscard]]). Accessing the wrong
// alternative is a programming error and is checked by assert in debug builds.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace edict {

// Wraps an error value so that Result's constructors can tell it from a T.
// (A constructor rather than an aggregate: clang before 16 has no parenthesized
// aggregate initialization, and the fuzz build uses clang 14.)
template <typename E>
struct Unexpected {
  explicit Unexpected(E e) : error(std::move(e)) {}
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

// The error of a compiler pass whose details are already in a Diagnostics list.
struct SeeDiagnostics {};

template <typename T, typename E = SeeDiagnostics>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <typename G, typename = std::enable_if_t<std::is_convertible_v<G, E>>>
  Result(Unexpected<G> err) : v_(std::in_place_index<1>, E(std::move(err.error))) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace edict
