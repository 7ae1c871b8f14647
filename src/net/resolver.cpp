// Resolver: numeric hosts and localhost only (DNS follows).
#include "net/resolver.hpp"

#include <map>

#include "uvscrape/errors.hpp"

namespace uvscrape::net {

class Resolver::Impl {
 public:
  bool closed = false;
  uint64_t hits = 0;
  std::map<std::string, std::shared_ptr<const AddressList>> pinned;
};

Resolver::Resolver(uv_loop_t*, ResolverOptions) : impl_(std::make_unique<Impl>()) {}
Resolver::~Resolver() = default;

std::function<void()> Resolver::resolve(const std::string& host, const std::string& url,
                                        ResolveCallback done) {
  if (impl_->closed) {
    done(nullptr, std::make_exception_ptr(CancelledError(url, "resolver closed")));
    return [] {};
  }
  auto list = std::make_shared<AddressList>();
  if (auto it = impl_->pinned.find(host); it != impl_->pinned.end()) {
    ++impl_->hits;
    done(it->second, nullptr);
    return [] {};
  }
  if (auto numeric = parse_numeric_host(host)) {
    list->push_back(*numeric);
  } else if (host == "localhost") {
    list->push_back(*parse_numeric_host("127.0.0.1"));
    list->push_back(*parse_numeric_host("::1"));
  } else {
    done(nullptr, std::make_exception_ptr(DnsError(url, host + ": DNS is not available yet")));
    return [] {};
  }
  done(std::move(list), nullptr);
  return [] {};
}

void Resolver::pin(const std::string& host, AddressList addresses) {
  impl_->pinned[host] = std::make_shared<const AddressList>(std::move(addresses));
}

void Resolver::close(std::function<void()> on_closed) {
  impl_->closed = true;
  if (on_closed) on_closed();
}

uint64_t Resolver::cache_hits() const { return impl_->hits; }
uint64_t Resolver::queries_started() const { return 0; }

}  // namespace uvscrape::net
