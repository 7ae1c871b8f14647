// A replayed request (DriverOptions::replay_from) that failed for good in the
// stored run fails again, with the stored failure's kind and message, rather
// than as a request the stored run has no response for: the replay's
// failures are then the stored run's.
#pragma once

#include <string>

#include "uvscrape/errors.hpp"
#include "uvscrape/failure.hpp"

namespace uvscrape::driver {

class StoredFailureError : public PersistentException {
 public:
  StoredFailureError(FailureKind kind, const std::string& message)
      : PersistentException(message), kind_(kind) {}
  FailureKind kind() const noexcept { return kind_; }

 private:
  FailureKind kind_;
};

}  // namespace uvscrape::driver
