// A minimal C++20 generator: a coroutine that `co_yield`s values of T.
// An exception thrown inside the coroutine is rethrown to whoever advances it.
#pragma once

#include <concepts>
#include <coroutine>
#include <exception>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

namespace uvscrape {

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
