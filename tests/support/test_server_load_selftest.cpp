// The test server on a caller's loop, driven by libuv clients: it serves 2,000
// keep-alive requests from 64 concurrent connections with bodies up to 1 MiB,
// byte-exact (compared byte for byte), and leaves nothing behind on the loop.
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "test_server.hpp"

namespace uvscrape::testing {
namespace {

struct Load {
  std::vector<std::shared_ptr<const std::string>> bodies;
  int to_start = 0;
  int done = 0;
  int mismatches = 0;
  int failures = 0;
  uint16_t port = 0;
  int clients = 64;
  int clients_closed = 0;
  std::function<void()> on_all_closed;
};

// One keep-alive client connection: GET, read head + Content-Length body, repeat.
class LoadClient {
 public:
  LoadClient(uv_loop_t* loop, Load& load) : load_(load) {
    uv_tcp_init(loop, &tcp_);
    tcp_.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", load.port, &addr);
    connect_.data = this;
    uv_tcp_connect(&connect_, &tcp_, reinterpret_cast<const sockaddr*>(&addr),
                   [](uv_connect_t* c, int st) {
                     auto* self = static_cast<LoadClient*>(c->data);
                     if (st != 0) return self->fail();
                     uv_read_start(
                         reinterpret_cast<uv_stream_t*>(&self->tcp_),
                         [](uv_handle_t* h, size_t, uv_buf_t* b) {
                           auto* s = static_cast<LoadClient*>(h->data);
                           *b = uv_buf_init(s->buf_, sizeof s->buf_);
                         },
                         [](uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
                           auto* self2 = static_cast<LoadClient*>(s->data);
                           if (n < 0) return self2->fail();
                           self2->on_bytes(b->base, static_cast<size_t>(n));
                         });
                     self->next();
                   });
  }
  void close() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr);
    if (++load_.clients_closed == load_.clients && load_.on_all_closed) load_.on_all_closed();
  }

 private:
  void next() {
    if (load_.to_start == 0) return close();
    --load_.to_start;
    which_ = static_cast<size_t>(load_.to_start) % load_.bodies.size();
    request_ = "GET /body/" + std::to_string(which_) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    uv_buf_t b = uv_buf_init(request_.data(), static_cast<unsigned>(request_.size()));
    write_.data = this;
    uv_write(&write_, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, [](uv_write_t* w, int st) {
      if (st != 0) static_cast<LoadClient*>(w->data)->fail();
    });
    head_.clear();
    in_body_ = false;
    mismatch_ = false;
  }
  void on_bytes(const char* data, size_t n) {
    if (!in_body_) {
      head_.append(data, n);
      const size_t end = head_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      const size_t cl = head_.find("Content-Length: ");
      left_ = cl < end ? std::stoul(head_.substr(cl + 16)) : 0;
      in_body_ = true;
      got_ = 0;
      body_start_ = head_.substr(end + 4);  // body bytes that came with the head
      return consume(body_start_.data(), body_start_.size());
    }
    consume(data, n);
  }
  void consume(const char* data, size_t n) {
    const size_t take = std::min(n, left_);
    const std::string& expected = *load_.bodies[which_];
    if (got_ + take > expected.size() || std::memcmp(expected.data() + got_, data, take) != 0)
      mismatch_ = true;
    left_ -= take;
    got_ += take;
    if (left_ > 0) return;
    if (got_ != expected.size() || mismatch_) ++load_.mismatches;
    ++load_.done;
    next();
  }
  void fail() {
    ++load_.failures;
    close();
  }

  Load& load_;
  uv_tcp_t tcp_{};
  uv_connect_t connect_{};
  uv_write_t write_{};
  std::string request_, head_, body_start_;
  bool in_body_ = false;
  size_t left_ = 0, got_ = 0, which_ = 0;
  bool mismatch_ = false;
  char buf_[64 * 1024];
};

TEST(TestServerOnCallerLoop, ServesTwoThousandRequestsFrom64ClientsByteExact) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  Load load;
  {
    TestServer server(&loop);
    load.port = server.port();
    uint32_t seed = 7;
    for (int i = 0; i < 16; ++i) {
      // Sizes spread from 0 B to 1 MiB.
      auto body = std::make_shared<std::string>(i == 0 ? 0 : (i * (1u << 20)) / 15, '\0');
      for (char& ch : *body) ch = static_cast<char>((seed = seed * 1664525u + 1013904223u) >> 24);
      ServerResponse r;
      r.shared_body = body;
      server.respond("GET", "/body/" + std::to_string(i), std::move(r));
      load.bodies.push_back(std::move(body));
    }
    load.to_start = 2000;

    std::vector<std::unique_ptr<LoadClient>> clients;
    for (int i = 0; i < load.clients; ++i)
      clients.push_back(std::make_unique<LoadClient>(&loop, load));

    uv_timer_t deadline;
    uv_timer_init(&loop, &deadline);
    deadline.data = &clients;
    uv_timer_start(
        &deadline,
        [](uv_timer_t* t) {
          ADD_FAILURE() << "deadline passed";
          for (auto& c : *static_cast<std::vector<std::unique_ptr<LoadClient>>*>(t->data))
            c->close();
        },
        60'000, 0);
    load.on_all_closed = [&] {
      uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
      server.close();
    };

    const auto t0 = std::chrono::steady_clock::now();
    uv_run(&loop, UV_RUN_DEFAULT);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    std::printf("2000 requests, 64 connections, 0..1 MiB bodies: %lld ms\n",
                static_cast<long long>(ms.count()));

    EXPECT_EQ(load.done, 2000);
    EXPECT_EQ(load.mismatches, 0);
    EXPECT_EQ(load.failures, 0);
    EXPECT_EQ(server.connections_accepted(), 64u);
    EXPECT_EQ(server.responses_completed(), 2000u);
    EXPECT_EQ(server.request_count(), 2000u);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace uvscrape::testing
