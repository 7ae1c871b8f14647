// A program outside the uvscrape build: it sees only what `meson install` put
// in place, found through `pkg-config --cflags --libs uvscrape`.
#include <uv.h>

#include <cstdio>
#include <string>
#include <uvscrape/errors.hpp>

int main() {
  uvscrape::RequestTimeoutException e("http://example.test/", 30.0);
  const std::string expected = "Request to http://example.test/ timed out after 30.0s";
  if (e.what() != expected) {
    std::fprintf(stderr, "unexpected message: %s\n", e.what());
    return 1;
  }
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0 || uv_run(&loop, UV_RUN_DEFAULT) != 0 || uv_loop_close(&loop) != 0)
    return 1;
  std::puts("consumer: ok");
  return 0;
}
