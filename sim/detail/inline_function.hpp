// InlineFunction: a move-only `void()` callable stored in a fixed inline buffer.
//
// Why hand-written: the event queue must not allocate per event (DESIGN.md), std::function
// allocates for captures over 16 bytes in libstdc++, and std::move_only_function is C++23.
// A capture that does not fit is a compile-time error, not a silent allocation.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace bootsim::sim::detail {

template <std::size_t Capacity>
class InlineFunction {
 public:
  // Pointer alignment, not max_align_t: keeps a wrapped callback inside another's buffer.
  static constexpr std::size_t kAlign = alignof(void*);
  InlineFunction() = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InlineFunction>>>
  InlineFunction(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    static_assert(sizeof(D) <= Capacity, "callback capture too large for the inline buffer");
    static_assert(alignof(D) <= kAlign, "callback over-aligned");
    static_assert(std::is_nothrow_move_constructible_v<D>, "callback must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  InlineFunction(InlineFunction&& other) noexcept { take(other); }
  InlineFunction& operator=(InlineFunction&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->invoke(storage_); }

  void reset() {
    if (ops_ != nullptr) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    void (*invoke)(void*);
    void (*move_to)(void* from, void* to) noexcept;
    void (*destroy)(void*) noexcept;
  };
  template <class D>
  static constexpr Ops kOps = {
      [](void* p) { (*static_cast<D*>(p))(); },
      [](void* from, void* to) noexcept {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      [](void* p) noexcept { static_cast<D*>(p)->~D(); },
  };

  void take(InlineFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->move_to(other.storage_, storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(kAlign) unsigned char storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace bootsim::sim::detail
