// The FailureKind of a typed error (uvscrape/failure.hpp).
#pragma once

#include <exception>
#include <string_view>

#include "uvscrape/failure.hpp"

namespace uvscrape::driver {

// The kind of the error `error` holds (FailureKind::other for a type of no
// kind of its own).
FailureKind failure_kind(const std::exception_ptr& error) noexcept;

// The kind whose to_string() is `name` (FailureKind::other for none).
FailureKind failure_kind_named(std::string_view name) noexcept;

}  // namespace uvscrape::driver
