// Which fault the benchmark's fault site serves for a path: decided by a hash
// of the path alone, so every run, every crawler and the verifier agree on it.
//
// Of 1,000 paths, about:
//   15  answer 503 once, then the page (a retry gets it)
//   10  answer 503 twice, then the page (the third attempt gets it)
//   10  answer 503 for good
//    7  cut the body short (Content-Length promises more; FIN mid-body)
//    7  reset the connection (RST) before answering
//    6  answer a garbage status line
//    5  send chunked framing with a bad chunk-size line
//   10  stall (nothing for `stall` time, then the page, on every attempt)
// so 6% fail on the first attempt, 3.5% never succeed, and 1% are slow.
// A "reliable" path (a list page, whose loss would cut a crawl off from every
// later page) gets only the faults that end: the 503s that pass, and stalls.
#pragma once

#include <string_view>

namespace uvscrape::bench {

enum class Fault {
  none,
  unavailable_then_ok,  // 503 for the first `failures` attempts, then the page
  unavailable,          // 503 on every attempt
  truncated_body,
  connection_reset,
  garbage_status_line,
  bad_chunked_encoding,
  stall,
};

struct PathFault {
  Fault fault = Fault::none;
  // Attempts that fail before one succeeds (unavailable_then_ok only).
  unsigned failures = 0;

  // True when some attempt gets the page: a crawler that retries enough (and
  // waits out stalls) gets it.
  bool servable() const;
  // Whether attempt `n` (1-based) of this path is answered with the fault.
  bool fails_attempt(unsigned n) const;
};

PathFault fault_for(std::string_view path, bool reliable);

// "none", "503-then-ok", "503", "truncated", "reset", "garbage-status",
// "bad-chunk", "stall": the names the plan file and the bench's tables use.
const char* to_string(Fault fault);

}  // namespace uvscrape::bench
