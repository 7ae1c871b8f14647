// Turns a ServerResponse script into the exact bytes to write, grouped into
// segments separated by waits, plus how the connection ends. Pure: no I/O, so
// the framing and every fault can be checked from byte strings.
#pragma once

#include <uv.h>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "http_exchange.hpp"

namespace uvscrape::testing {

struct ResponsePlan {
  struct Segment {
    std::chrono::milliseconds delay_before{0};
    std::vector<uv_buf_t> bufs;  // point into `storage` or `body_owner`; may be empty (a pure wait)
  };
  enum class Finish {
    keep_alive,  // ready for the next request on this connection
    close,       // FIN (graceful), then linger until the client closes
    reset,       // RST
    hang,        // keep the connection open and silent
  };

  // Owned bytes the segments point into. A deque never moves its elements, so
  // pointers taken from earlier strings stay valid while more are added.
  std::deque<std::string> storage;
  std::shared_ptr<const std::string> body_owner;  // a shared body sent without copying

  std::vector<Segment> segments;
  Finish finish = Finish::keep_alive;
  bool complete = true;                        // the response is whole (counts as served)
  bool close_notify = true;                    // TLS: a close sends close_notify first
  std::chrono::milliseconds drip_interval{0};  // > 0: write every byte separately

  // Endless body: after the segments, write `endless_piece` forever.
  bool endless = false;
  std::chrono::milliseconds endless_delay{0};
  std::string endless_piece;

  // The whole response as one string (tests of the plan itself; drip).
  std::string flatten() const;
};

// `last_on_connection`: the server will close after this response (client asked,
// request cap reached); the plan then carries `Connection: close` and ends in close.
ResponsePlan build_response_plan(ServerResponse response, const ServerRequest& request,
                                 bool last_on_connection);

}  // namespace uvscrape::testing
