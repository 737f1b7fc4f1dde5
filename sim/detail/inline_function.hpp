// InlineFunction: a move-only `void()` callable stored in a fixed inline buffer.
//
// Why hand-written: the event queue must not allocate per event (DESIGN.md), std::function
// allocates for captures over 16 bytes in libstdc++, and std::move_only_function is C++23.
// A capture that does not fit is a compile-time error, not a silent allocation.
#pragma once

#include <cstddef>
#include <cstring>
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
    construct<D>(std::forward<F>(f));
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

  // Replaces the callable with `f`, built in place (no temporary InlineFunction to move).
  template <class F, class D = std::decay_t<F>>
  void emplace(F&& f) {
    reset();
    construct<D>(std::forward<F>(f));
  }

  void reset() {
    if (ops_ != nullptr) {
      if (ops_->destroy != nullptr) ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    void (*invoke)(void*);
    void (*move_to)(void* from, void* to) noexcept;
    void (*destroy)(void*) noexcept;
  };
  // A trivially copyable callable (a pointer and an index, the common event) has no move_to
  // and no destroy: it moves as plain bytes and is dropped without an indirect call, which
  // is most of what an event costs the engine besides the queue.
  template <class D>
  static constexpr bool kTrivial =
      std::is_trivially_copyable_v<D>&& std::is_trivially_destructible_v<D>;
  template <class D>
  static constexpr Ops kOps = {
      [](void* p) { (*static_cast<D*>(p))(); },
      kTrivial<D> ? nullptr
                  : +[](void* from, void* to) noexcept {
                      ::new (to) D(std::move(*static_cast<D*>(from)));
                      static_cast<D*>(from)->~D();
                    },
      kTrivial<D> ? nullptr : +[](void* p) noexcept { static_cast<D*>(p)->~D(); },
  };

  template <class D, class F>
  void construct(F&& f) {
    static_assert(sizeof(D) <= Capacity, "callback capture too large for the inline buffer");
    static_assert(alignof(D) <= kAlign, "callback over-aligned");
    static_assert(std::is_nothrow_move_constructible_v<D>, "callback must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  void take(InlineFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      if (other.ops_->move_to != nullptr) {
        other.ops_->move_to(other.storage_, storage_);
      } else {
        std::memcpy(storage_, other.storage_, Capacity);
      }
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(kAlign) unsigned char storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace bootsim::sim::detail
