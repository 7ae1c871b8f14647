// Plain TCP stream over uv_tcp_t; see tcp_stream.hpp for the lifetime model.
#include "net/tcp_stream.hpp"

#include <utility>
#include <vector>

#include "net/uv_util.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net {

namespace {
// One read buffer per connection, reused for every read: reads are sequential
// and the bytes are handed to `on_data` before the next read starts.
constexpr size_t kReadBufferSize = 64 * 1024;
}  // namespace

struct TcpStream::Core {
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  uv_loop_t* loop;
  std::string url;

  std::function<void(int)> on_connect;
  DataCallback on_data;
  EndCallback on_end;
  std::function<void()> on_closed;
  uint64_t callbacks_generation = 0;  // bumped by start_reading
  bool reading = false;
  bool ended = false;
  bool closing = false;
  std::unique_ptr<char[]> read_buffer;
  // Outcomes known before libuv was involved are still reported asynchronously.
  std::unique_ptr<Timer> deferred;
  std::vector<std::function<void()>> deferred_calls;

  struct WriteRequest {
    uv_write_t req{};
    std::string bytes;
    WriteCallback done;
  };

  Core(uv_loop_t* l, std::string u) : loop(l), url(std::move(u)) {
    uv_tcp_init(loop, &tcp);
    tcp.data = this;
  }

  void defer(std::function<void()> call) {
    deferred_calls.push_back(std::move(call));
    if (!deferred) deferred = std::make_unique<Timer>(loop);
    if (deferred->active()) return;
    deferred->start(0, [this] {
      auto calls = std::move(deferred_calls);
      deferred_calls.clear();
      for (auto& call : calls) {
        if (closing) return;
        call();
      }
    });
  }

  void finish(std::exception_ptr error) {
    ended = true;
    reading = false;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    auto end = std::move(on_end);
    on_data = nullptr;
    if (end) end(std::move(error));
  }

  static void on_alloc(uv_handle_t* handle, size_t, uv_buf_t* buf) noexcept {
    auto* core = static_cast<Core*>(handle->data);
    if (!core->read_buffer) core->read_buffer.reset(new char[kReadBufferSize]);
    *buf = uv_buf_init(core->read_buffer.get(), kReadBufferSize);
  }

  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
    auto* core = static_cast<Core*>(stream->data);
    if (core->closing || core->ended) return;
    if (nread > 0) {
      // The callback may replace itself (start_reading) or close the stream,
      // so it runs from a local and is put back only if still current.
      auto on_data = std::move(core->on_data);
      core->on_data = nullptr;
      uint64_t generation = core->callbacks_generation;
      if (on_data) on_data(std::string_view(buf->base, static_cast<size_t>(nread)));
      if (generation == core->callbacks_generation && !core->closing && !core->ended)
        core->on_data = std::move(on_data);
    } else if (nread == UV_EOF) {
      core->finish(nullptr);
    } else if (nread < 0) {
      core->finish(std::make_exception_ptr(
          ConnectionError(core->url, uv_error_text(static_cast<int>(nread)))));
    }
  }

  static void on_connected(uv_connect_t* req, int status) noexcept {
    auto* core = static_cast<Core*>(req->data);
    if (core->closing) return;  // cancelled: uv_close reports UV_ECANCELED here
    if (status == 0) uv_tcp_nodelay(&core->tcp, 1);
    auto done = std::move(core->on_connect);
    core->on_connect = nullptr;
    if (done) done(status);
  }

  static void on_written(uv_write_t* req, int status) noexcept {
    std::unique_ptr<WriteRequest> request(static_cast<WriteRequest*>(req->data));
    auto* core = static_cast<Core*>(req->handle->data);
    if (core->closing || !request->done) return;
    if (status == 0) {
      request->done(nullptr);
    } else {
      request->done(std::make_exception_ptr(ConnectionError(core->url, uv_error_text(status))));
    }
  }

  static void on_handle_closed(uv_handle_t* handle) noexcept {
    std::unique_ptr<Core> core(static_cast<Core*>(handle->data));
    if (core->on_closed) core->on_closed();
  }
};

TcpStream::~TcpStream() {
  close();
}

TcpStream::TcpStream(uv_loop_t* loop, std::string url)
    : core_(new Core(loop, std::move(url))), loop_(loop) {}

void TcpStream::connect(const sockaddr* address, std::function<void(int status)> done) {
  if (closed_) return;
  core_->on_connect = std::move(done);
  core_->connect_req.data = core_;
  int rc = uv_tcp_connect(&core_->connect_req, &core_->tcp, address, &Core::on_connected);
  if (rc != 0) {
    Core* core = core_;
    core->defer([core, rc] {
      auto cb = std::move(core->on_connect);
      core->on_connect = nullptr;
      if (cb) cb(rc);
    });
  }
}

void TcpStream::start_reading(DataCallback on_data, EndCallback on_end) {
  if (closed_) return;
  Core* core = core_;
  if (core->ended) {
    // Reading a stream that already ended fails rather than waiting forever.
    core->defer([core, on_end = std::move(on_end)] {
      if (on_end)
        on_end(std::make_exception_ptr(ConnectionError(core->url, "connection already ended")));
    });
    return;
  }
  core->on_data = std::move(on_data);
  core->on_end = std::move(on_end);
  ++core->callbacks_generation;
  if (core->reading) return;
  int rc =
      uv_read_start(reinterpret_cast<uv_stream_t*>(&core->tcp), &Core::on_alloc, &Core::on_read);
  if (rc == 0) {
    core->reading = true;
    return;
  }
  core->defer([core, rc] {
    if (!core->ended)
      core->finish(std::make_exception_ptr(ConnectionError(core->url, uv_error_text(rc))));
  });
}

void TcpStream::stop_reading() {
  if (closed_ || !core_->reading) return;
  core_->reading = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&core_->tcp));
}

void TcpStream::keep_loop_alive(bool keep) {
  if (closed_) return;
  auto* handle = reinterpret_cast<uv_handle_t*>(&core_->tcp);
  keep ? uv_ref(handle) : uv_unref(handle);
}

void TcpStream::write(std::string bytes, WriteCallback done) {
  if (closed_) return;
  auto request = std::make_unique<Core::WriteRequest>();
  request->bytes = std::move(bytes);
  request->done = std::move(done);
  request->req.data = request.get();
  uv_buf_t buf = uv_buf_init(request->bytes.data(), static_cast<unsigned>(request->bytes.size()));
  int rc = uv_write(&request->req, reinterpret_cast<uv_stream_t*>(&core_->tcp), &buf, 1,
                    &Core::on_written);
  if (rc == 0) {
    request.release();  // on_written frees it
    return;
  }
  Core* core = core_;
  core->defer([core, rc, callback = std::move(request->done)] {
    if (callback) callback(std::make_exception_ptr(ConnectionError(core->url, uv_error_text(rc))));
  });
}

void TcpStream::close(std::function<void()> on_closed) {
  if (closed_) return;
  closed_ = true;
  Core* core = core_;
  core->closing = true;
  core->reading = false;
  core->on_data = nullptr;
  core->on_end = nullptr;
  core->on_connect = nullptr;
  core->on_closed = std::move(on_closed);
  core->deferred.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&core->tcp), &Core::on_handle_closed);
}

}  // namespace uvscrape::net
