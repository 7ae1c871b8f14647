// Streaming bodies to a sink, with backpressure.
#include "client_fixture.hpp"

namespace uvscrape::http::test {
namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// Collects chunks; optionally pauses after each one and resumes from a timer.
class RecordingSink : public BodySink {
 public:
  RecordingSink(uv_loop_t* loop, bool pause)
      : loop_(loop), pause_(pause), timer_(new uv_timer_t{}) {
    uv_timer_init(loop_, timer_);
    timer_->data = this;
  }
  // The timer is freed by its close callback, after this object is gone.
  ~RecordingSink() override {
    timer_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }

  bool on_headers(int status, const Headers&) override {
    status_ = status;
    return accept_;
  }
  bool on_chunk(std::string_view chunk, std::function<void()> resume) override {
    EXPECT_FALSE(paused_) << "a chunk arrived while the sink was paused";
    received_.append(chunk);
    ++chunks_;
    largest_chunk_ = std::max(largest_chunk_, chunk.size());
    if (!pause_) return true;
    paused_ = true;
    ++pauses_;
    resume_ = std::move(resume);
    uv_timer_start(
        timer_,
        [](uv_timer_t* t) {
          auto* self = static_cast<RecordingSink*>(t->data);
          if (self == nullptr) return;
          self->paused_ = false;
          auto resume = std::move(self->resume_);
          resume();
        },
        1, 0);
    return false;
  }

  uv_loop_t* loop_;
  bool pause_;
  uv_timer_t* timer_;
  bool accept_ = true;
  bool paused_ = false;
  int status_ = 0;
  int chunks_ = 0;
  int pauses_ = 0;
  size_t largest_chunk_ = 0;
  std::string received_;
  std::function<void()> resume_;
};

TEST_F(ClientTest, StreamedBodyGoesToTheSinkNotTheResponse) {
  const std::string body = pattern(3 * 1024 * 1024);
  ServerResponse resp = ServerResponse::text("");
  resp.shared_body = std::make_shared<const std::string>(body);
  server().respond("GET", "/file", resp);
  RecordingSink sink(loop(), false);
  HttpRequest r;
  r.url = server().url("/file");
  r.sink = &sink;
  const HttpResponse got = ok(fetch(std::move(r)));
  EXPECT_EQ(got.status, 200);
  EXPECT_TRUE(got.body.empty());
  EXPECT_EQ(sink.status_, 200);
  EXPECT_TRUE(sink.received_ == body);
}

TEST_F(ClientTest, BackpressurePausesReadingUntilTheSinkResumes) {
  const std::string body = pattern(2 * 1024 * 1024);
  for (bool chunked : {false, true}) {
    ServerResponse resp = ServerResponse::text("");
    resp.shared_body = std::make_shared<const std::string>(body);
    resp.chunked = chunked;
    resp.chunk_size = 100'000;
    resp.encoding = chunked ? ContentEncoding::gzip : ContentEncoding::identity;
    server().respond("GET", "/slow-sink", resp);
    RecordingSink sink(loop(), true);
    HttpRequest r;
    r.url = server().url("/slow-sink");
    r.sink = &sink;
    ok(fetch(std::move(r), 20s));
    EXPECT_TRUE(sink.received_ == body) << "chunked " << chunked;
    EXPECT_GT(sink.pauses_, 10);
    // Nothing bigger than what one read (and its decoding) brings in at once.
    EXPECT_LE(sink.largest_chunk_, 1024u * 1024u);
  }
  // The connection survived the pauses and is reused.
  server().respond("GET", "/after", ServerResponse::text("after"));
  EXPECT_EQ(ok(get("/after")).body, "after");
}

TEST_F(ClientTest, PausedSinkHoldsTheServerBack) {
  // With the sink never resuming, the client must stop reading: the server
  // cannot push a large body through and the client's memory stays bounded.
  const std::string body = pattern(64 * 1024 * 1024);
  ServerResponse resp = ServerResponse::text("");
  resp.shared_body = std::make_shared<const std::string>(body);
  server().respond("GET", "/huge", resp);
  struct StuckSink : BodySink {
    size_t bytes = 0;
    std::function<void()> resume;
    bool on_headers(int, const Headers&) override { return true; }
    bool on_chunk(std::string_view chunk, std::function<void()> r) override {
      bytes += chunk.size();
      resume = std::move(r);
      return false;
    }
  } sink;
  Client& c = client();
  HttpRequest r;
  r.url = server().url("/huge");
  r.sink = &sink;
  std::optional<Result> result;
  const RequestId id = c.fetch(std::move(r), [&](Result res) { result = std::move(res); });
  run_for(10s, [&] { return sink.bytes > 0; });
  run_for(
      300ms, [] { return false; }, false);  // time for the server to push more, if it could
  EXPECT_FALSE(result.has_value());
  EXPECT_LT(sink.bytes, 2u * 1024u * 1024u);  // far from the 64 MiB on offer
  c.cancel(id);
  run_for(2s, [&] { return result.has_value(); });
  expect_error<CancelledError>(*result);
  ASSERT_TRUE(sink.resume);
  sink.resume();  // a late resume of a finished transfer is ignored
}

TEST_F(ClientTest, SinkRejectingTheHeadersCancels) {
  server().respond("GET", "/no", ServerResponse::text("nope"));
  RecordingSink sink(loop(), false);
  sink.accept_ = false;
  HttpRequest r;
  r.url = server().url("/no");
  r.sink = &sink;
  expect_error<CancelledError>(fetch(std::move(r)));
}

TEST_F(ClientTest, RedirectsBeforeAStreamedBodyReachOnlyTheFinalResponse) {
  server().respond("GET", "/final", ServerResponse::text("streamed"));
  RecordingSink sink(loop(), false);
  HttpRequest r;
  r.url = server().url(server().redirect_chain("/s", 2, "/final"));
  r.sink = &sink;
  const HttpResponse got = ok(fetch(std::move(r)));
  EXPECT_EQ(sink.received_, "streamed");
  EXPECT_EQ(got.redirect_chain.size(), 2u);
}

}  // namespace
}  // namespace uvscrape::http::test
