// StopSignal and its loop-side listener; see stop_state.hpp.
#include <algorithm>
#include <memory>

#include "driver/stop_state.hpp"

namespace uvscrape {

StopSignal::StopSignal() : state_(std::make_shared<detail::StopState>()) {}

namespace {

void wake_listeners(detail::StopState& state) noexcept {
  std::lock_guard<std::mutex> lock(state.mutex);
  for (uv_async_t* async : state.listeners) uv_async_send(async);
}

// Raises the request count to at least `level` (1 graceful, 2 immediate), or
// by one when `level` is 0; it saturates at 2.
void raise_stop_level(detail::StopState& state, unsigned level) noexcept {
  unsigned seen = state.requests.load(std::memory_order_acquire);
  for (;;) {
    const unsigned next = level ? std::max(seen, level) : std::min(seen + 1, 2u);
    if (next == seen || state.requests.compare_exchange_weak(seen, next, std::memory_order_acq_rel))
      break;
  }
  wake_listeners(state);
}

}  // namespace

void StopSignal::request_stop() const noexcept {
  raise_stop_level(*state_, 0);
}

void StopSignal::request_immediate_stop() const noexcept {
  raise_stop_level(*state_, 2);
}

bool StopSignal::stop_requested() const noexcept {
  return state_->requests.load(std::memory_order_acquire) >= 1;
}

bool StopSignal::immediate_stop_requested() const noexcept {
  return state_->requests.load(std::memory_order_acquire) >= 2;
}

void StopSignal::reset() const noexcept {
  state_->requests.store(0, std::memory_order_release);
}

}  // namespace uvscrape

namespace uvscrape::driver {

StopListener::StopListener(uv_loop_t* loop, StopSignal signal, std::function<void()> on_stop)
    : signal_(std::move(signal)), on_stop_(std::move(on_stop)), handle_(new Handle{}) {
  handle_->owner = this;
  uv_async_init(loop, &handle_->async, &StopListener::on_async);
  handle_->async.data = handle_;
  std::lock_guard<std::mutex> lock(signal_.state_->mutex);
  signal_.state_->listeners.push_back(&handle_->async);
}

StopListener::~StopListener() {
  close();
}

void StopListener::on_async(uv_async_t* async) {
  StopListener* self = static_cast<Handle*>(async->data)->owner;
  if (self && self->on_stop_ && self->stop_requested()) self->on_stop_();
}

void StopListener::close(std::function<void()> on_closed) noexcept {
  if (!handle_) {
    if (on_closed) on_closed();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(signal_.state_->mutex);
    auto& listeners = signal_.state_->listeners;
    listeners.erase(std::remove(listeners.begin(), listeners.end(), &handle_->async),
                    listeners.end());
  }
  handle_->owner = nullptr;
  handle_->on_closed = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->async), [](uv_handle_t* h) {
    std::unique_ptr<Handle> handle(static_cast<Handle*>(h->data));
    if (handle->on_closed) handle->on_closed();
  });
  handle_ = nullptr;
}

}  // namespace uvscrape::driver
