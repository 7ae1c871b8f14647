// StopSignal and its loop-side listener; see stop_state.hpp.
#include <algorithm>

#include "driver/stop_state.hpp"

namespace uvscrape {

StopSignal::StopSignal() : state_(std::make_shared<detail::StopState>()) {}

void StopSignal::request_stop() const noexcept {
  state_->requested.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(state_->mutex);
  for (uv_async_t* async : state_->listeners) uv_async_send(async);
}

bool StopSignal::stop_requested() const noexcept {
  return state_->requested.load(std::memory_order_acquire);
}

void StopSignal::reset() const noexcept { state_->requested.store(false, std::memory_order_release); }

}  // namespace uvscrape

namespace uvscrape::driver {

StopListener::StopListener(uv_loop_t* loop, StopSignal signal, std::function<void()> on_stop)
    : signal_(std::move(signal)), on_stop_(std::move(on_stop)), async_(new uv_async_t) {
  uv_async_init(loop, async_, &StopListener::on_async);
  async_->data = this;
  std::lock_guard<std::mutex> lock(signal_.state()->mutex);
  signal_.state()->listeners.push_back(async_);
}

StopListener::~StopListener() { close(); }

void StopListener::on_async(uv_async_t* handle) {
  auto* self = static_cast<StopListener*>(handle->data);
  if (self && self->on_stop_ && self->stop_requested()) self->on_stop_();
}

void StopListener::close() noexcept {
  if (!async_) return;
  {
    std::lock_guard<std::mutex> lock(signal_.state()->mutex);
    auto& listeners = signal_.state()->listeners;
    listeners.erase(std::remove(listeners.begin(), listeners.end(), async_), listeners.end());
  }
  async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(async_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
  async_ = nullptr;
}

}  // namespace uvscrape::driver
