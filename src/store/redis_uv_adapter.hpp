// Drives a hiredis asynchronous context from a libuv loop (a uv_poll_t on
// its socket), like hiredis/adapters/libuv.h, which Debian 12's hiredis 0.14
// ships with a bug this one avoids: libuv reports a socket error (a refused
// connect, a reset) to the poll callback as a status, and that adapter drops
// it, so hiredis never learns of it and the connection hangs forever.
#pragma once

#include <uv.h>

struct redisAsyncContext;

namespace uvscrape::store {

// Like redisLibuvAttach: the poll handle is closed (and freed) when hiredis
// frees the context. False if the context has an adapter already.
bool attach_redis_to_loop(redisAsyncContext* context, uv_loop_t* loop);

}  // namespace uvscrape::store
