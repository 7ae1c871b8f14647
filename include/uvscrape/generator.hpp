// A minimal C++20 generator: a coroutine that `co_yield`s values of T.
// An exception thrown inside the coroutine is rethrown to whoever advances it.
//
// g++ before 14 miscompiles an aggregate initialised inside a co_yield (or
// co_await) expression, `co_yield CaseData{docket, filed}`: it builds the
// members as separate temporaries, never initialises the aggregate itself, and
// destroys both -- a double free. No yield_value can repair that (the object is
// broken before yield_value sees it), so with those compilers yielding an
// rvalue aggregate that owns anything is refused at compile time. Build it in a
// local and yield the local by name (`co_yield item;`, a copy), or wrap the
// moved local in a class that has a constructor (`co_yield ParsedData(std::move(item));`).
// Classes with constructors (Request, Json, ParsedData) are not affected.
// g++ 12 also rejects a braced list inside co_yield with "array used as
// initializer" (`co_yield Json{{"k", v}}`): build such a value in a local first.
#pragma once

#include <concepts>
#include <coroutine>
#include <exception>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace uvscrape {

namespace detail {
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 14
inline constexpr bool compiler_breaks_aggregates_in_co_yield = true;
#else
inline constexpr bool compiler_breaks_aggregates_in_co_yield = false;
#endif

// Whether `co_yield` of an expression of type U (as deduced by a forwarding
// reference) may be an aggregate built in place that this compiler miscompiles.
// An lvalue never is; an rvalue might be (a prvalue and std::move(local) look alike).
template <class U>
inline constexpr bool yield_may_be_miscompiled =
    compiler_breaks_aggregates_in_co_yield && !std::is_lvalue_reference_v<U> &&
    std::is_aggregate_v<std::remove_cvref_t<U>> &&
    !std::is_trivially_destructible_v<std::remove_cvref_t<U>>;
}  // namespace detail

template <class T>
class Generator {
 public:
  struct promise_type {
    std::optional<T> current;
    std::exception_ptr error;

    Generator get_return_object() {
      return Generator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    template <class U>
    requires std::constructible_from<T, U&&> std::suspend_always yield_value(U&& value) {
      static_assert(!detail::yield_may_be_miscompiled<U>,
                    "g++ before 14 destroys an aggregate built inside co_yield twice (a double "
                    "free). Build it in a local and write `co_yield local;` (a copy), or "
                    "`co_yield ParsedData(std::move(local));` -- see uvscrape/generator.hpp");
      current.emplace(std::forward<U>(value));
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(Handle h) : handle_(h) {}
    T& operator*() const { return *handle_.promise().current; }
    iterator& operator++() {
      advance(handle_);
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !handle_ || handle_.done(); }

   private:
    Handle handle_{};
  };

  Generator() = default;
  Generator(Generator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Generator& operator=(Generator&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;
  ~Generator() { reset(); }

  iterator begin() {
    if (handle_ && !started_) {
      started_ = true;
      advance(handle_);
    }
    return iterator(handle_);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

  // Runs the coroutine to its end and returns everything it yielded, in order.
  std::vector<T> collect() {
    std::vector<T> out;
    for (auto it = begin(); it != end(); ++it) out.push_back(std::move(*it));
    return out;
  }

 private:
  explicit Generator(Handle h) : handle_(h) {}

  static void advance(Handle h) {
    h.promise().current.reset();
    h.resume();
    if (h.promise().error) std::rethrow_exception(std::exchange(h.promise().error, nullptr));
  }
  void reset() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }

  Handle handle_{};
  bool started_ = false;
};

}  // namespace uvscrape
