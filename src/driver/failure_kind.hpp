// The FailureKind of a typed error (uvscrape/failure.hpp).
#pragma once

#include <exception>

#include "uvscrape/failure.hpp"

namespace uvscrape::driver {

// The kind of the error `error` holds (FailureKind::other for a type of no
// kind of its own).
FailureKind failure_kind(const std::exception_ptr& error) noexcept;

}  // namespace uvscrape::driver
