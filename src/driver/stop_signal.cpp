// StopSignal and its loop-side listener; see stop_state.hpp.
#include <algorithm>
#include <memory>

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

void StopSignal::reset() const noexcept {
  state_->requested.store(false, std::memory_order_release);
}

}  // namespace uvscrape

namespace uvscrape::driver {

StopListener::StopListener(uv_loop_t* loop, StopSignal signal, std::function<void()> on_stop)
    : signal_(std::move(signal)), on_stop_(std::move(on_stop)), handle_(new Handle{}) {
  handle_->owner = this;
  uv_async_init(loop, &handle_->async, &StopListener::on_async);
  handle_->async.data = handle_;
  std::lock_guard<std::mutex> lock(signal_.state()->mutex);
  signal_.state()->listeners.push_back(&handle_->async);
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
    std::lock_guard<std::mutex> lock(signal_.state()->mutex);
    auto& listeners = signal_.state()->listeners;
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
