// See redis_uv_adapter.hpp. hiredis's event hooks: add/del read/write
// interest, and cleanup when the context goes.
#include "store/redis_uv_adapter.hpp"

#include <hiredis/async.h>

namespace uvscrape::store {
namespace {

struct Events {
  redisAsyncContext* context = nullptr;  // null once hiredis freed it
  uv_poll_t poll{};
  int events = 0;
};

void on_poll(uv_poll_t* poll, int status, int events) {
  auto* e = static_cast<Events*>(poll->data);
  // An error: let hiredis read (or finish connecting) and find it itself.
  if (status < 0) events = e->events | UV_READABLE;
  if (e->context && (events & UV_READABLE)) {
    // Connecting: the write handler checks the connect's result.
    if (!(e->context->c.flags & REDIS_CONNECTED))
      redisAsyncHandleWrite(e->context);
    else
      redisAsyncHandleRead(e->context);
  }
  if (e->context && (events & UV_WRITABLE)) redisAsyncHandleWrite(e->context);
}

void update(Events* e, int events) {
  e->events = events;
  if (events)
    uv_poll_start(&e->poll, events, on_poll);
  else
    uv_poll_stop(&e->poll);
}

void add_read(void* data) {
  auto* e = static_cast<Events*>(data);
  update(e, e->events | UV_READABLE);
}
void del_read(void* data) {
  auto* e = static_cast<Events*>(data);
  update(e, e->events & ~UV_READABLE);
}
void add_write(void* data) {
  auto* e = static_cast<Events*>(data);
  update(e, e->events | UV_WRITABLE);
}
void del_write(void* data) {
  auto* e = static_cast<Events*>(data);
  update(e, e->events & ~UV_WRITABLE);
}
void cleanup(void* data) {
  auto* e = static_cast<Events*>(data);
  e->context = nullptr;
  uv_poll_stop(&e->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&e->poll),
           [](uv_handle_t* h) { delete static_cast<Events*>(h->data); });
}

}  // namespace

bool attach_redis_to_loop(redisAsyncContext* context, uv_loop_t* loop) {
  if (context->ev.data != nullptr) return false;
  auto* e = new Events;
  e->context = context;
  if (uv_poll_init_socket(loop, &e->poll, context->c.fd) != 0) {
    delete e;
    return false;
  }
  e->poll.data = e;
  context->ev.addRead = add_read;
  context->ev.delRead = del_read;
  context->ev.addWrite = add_write;
  context->ev.delWrite = del_write;
  context->ev.cleanup = cleanup;
  context->ev.data = e;
  return true;
}

}  // namespace uvscrape::store
