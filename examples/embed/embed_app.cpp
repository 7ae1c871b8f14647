#include "embed_app.hpp"

#include <iostream>

namespace embed {

namespace {

template <class Handle>
void close_and_free(Handle*& handle) {
  if (handle == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
  handle = nullptr;
}

}  // namespace

EmbedApp::EmbedApp(uv_loop_t* loop, EmbedOptions options)
    : loop_(loop),
      options_(std::move(options)),
      scraper_(options_.base_url),
      endpoint_(loop, options_.status_host, options_.status_port,
                [this] { return status_json(); }) {
  uvscrape::DriverOptions driver_options;
  driver_options.num_workers = options_.workers;
  driver_options.storage_dir = options_.storage_dir;
  driver_options.seed_params = options_.seed;
  driver_options.stop_signal = stop_;  // shared: SIGINT below requests the stop
  driver_ = std::make_unique<uvscrape::Driver>(scraper_, driver_options);

  if (!options_.out.empty()) out_.open(options_.out, std::ios::trunc);
  driver_->on_data = [this](const uvscrape::Json& item) {
    ++items_;
    if (out_.is_open()) out_ << item.dump() << "\n";
  };
  // A long-running program keeps going past a bad page or a failed request.
  // (The driver counts them; progress() reports the total.)
  driver_->on_structural_error = [](const uvscrape::ScraperAssumptionException&) { return true; };
  driver_->on_transient_exception = [](const uvscrape::TransientException&) { return true; };
  driver_->on_invalid_data = [](const uvscrape::DeferredItem&) {};
}

EmbedApp::~EmbedApp() {
  // Handles still open here would be freed while the loop references them.
  close_and_free(heartbeat_);
  close_and_free(sigint_);
}

void EmbedApp::start() {
  heartbeat_ = new uv_timer_t;
  uv_timer_init(loop_, heartbeat_);
  heartbeat_->data = this;
  uv_timer_start(
      heartbeat_, [](uv_timer_t* t) { ++static_cast<EmbedApp*>(t->data)->heartbeats_; },
      options_.heartbeat_ms, options_.heartbeat_ms);

  sigint_ = new uv_signal_t;
  uv_signal_init(loop_, sigint_);
  sigint_->data = this;
  uv_signal_start(
      sigint_,
      [](uv_signal_t* s, int) {
        auto* app = static_cast<EmbedApp*>(s->data);
        if (app->crawl_running_) {
          app->stop_.request_stop();  // graceful: in-flight requests finish
          app->options_.exit_when_done = true;
        } else {
          app->shutdown();
        }
      },
      SIGINT);

  crawl_running_ = true;
  driver_->start(loop_, [this](const uvscrape::RunResult& result) { crawl_finished(result); });
}

void EmbedApp::crawl_finished(const uvscrape::RunResult& result) {
  crawl_running_ = false;
  result_ = result;
  if (out_.is_open()) out_.flush();
  if (on_crawl_done) on_crawl_done(result);
  if (options_.exit_when_done) shutdown();
}

void EmbedApp::shutdown() {
  if (crawl_running_) {
    options_.exit_when_done = true;
    stop_.request_stop();
    return;  // crawl_finished() comes back here
  }
  if (shutting_down_) return;
  shutting_down_ = true;
  close_and_free(heartbeat_);
  close_and_free(sigint_);
  endpoint_.close();
}

std::string EmbedApp::status_json() const {
  uvscrape::DriverProgress p = driver_->progress();
  std::string state = crawl_running_ ? "running"
                      : result_      ? uvscrape::to_string(result_->status)
                                     : "not started";
  uvscrape::Json status = {{"heartbeats", heartbeats_},
                           {"crawl",
                            {{"state", state},
                             {"requests_completed", p.requests_completed},
                             {"requests_queued", p.requests_queued},
                             {"requests_in_flight", p.requests_in_flight},
                             {"items", items_},
                             {"errors", p.errors},
                             {"files_archived", p.files_archived},
                             {"bytes_received", p.bytes_received}}}};
  return status.dump();
}

}  // namespace embed
