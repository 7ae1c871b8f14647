// A duration as the seconds that timeout errors report (0.15 for 150 ms).
#pragma once

#include <chrono>

namespace uvscrape {

constexpr double seconds(std::chrono::milliseconds ms) noexcept {
  return static_cast<double>(ms.count()) / 1000.0;
}

}  // namespace uvscrape
