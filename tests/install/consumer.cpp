// A program outside the uvscrape build: it sees only what `meson install` put
// in place, found through `pkg-config --cflags --libs uvscrape`.
#include <uv.h>

#include <cstdio>
#include <string>
#include <uvscrape/errors.hpp>
#include <uvscrape/uvscrape.hpp>  // the whole public face compiles from installed files

int main() {
  // A setter and its getter share a name.
  const uvscrape::Request request = uvscrape::Request::get("http://example.test/a")
                                        .to("parse")
                                        .accumulated_data(uvscrape::Json{{"k", 1}})
                                        .body(std::string("raw"))
                                        .current_location("http://example.test/");
  if (request.to() != "parse" || request.accumulated_data()["k"] != 1 ||
      std::get<std::string>(request.body()) != "raw" ||
      request.current_location() != "http://example.test/") {
    std::fprintf(stderr, "request accessors disagree\n");
    return 1;
  }
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
