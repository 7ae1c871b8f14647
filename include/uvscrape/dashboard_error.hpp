// The dashboard (DriverOptions::dashboard_port, `uvscrape serve`) cannot
// listen on its address: "dashboard http://<address>:<port>/: <reason>" (the
// port is in use, the address is not this machine's...). Part of the error
// taxonomy of uvscrape/errors.hpp.
#pragma once

#include <cstdint>
#include <string>

#include "uvscrape/errors.hpp"

namespace uvscrape {

class DashboardError : public Error {
 public:
  DashboardError(std::string address, std::uint16_t port, std::string reason);
  const std::string& address() const noexcept { return address_; }
  std::uint16_t port() const noexcept { return port_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string address_;
  std::uint16_t port_;
  std::string reason_;
};

}  // namespace uvscrape
