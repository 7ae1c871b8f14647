// The dashboard's one page: HTML with its CSS and script inline (no external
// assets), which polls /api/snapshot and draws the throughput chart in SVG.
#pragma once

#include <string_view>

namespace uvscrape::dashboard {

std::string_view dashboard_page() noexcept;

}  // namespace uvscrape::dashboard
