#include "crawl_report.hpp"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace bug_court {

std::string error_type_name(const std::exception& error) {
  const char* mangled = typeid(error).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string name = status == 0 && demangled ? demangled.get() : mangled;
  auto colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

std::string error_type_name(const std::exception_ptr& error) {
  if (!error) return "none";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return error_type_name(e);
  } catch (...) {
    return "unknown";
  }
}

std::uint64_t CrawlTally::error_count() const {
  std::uint64_t total = 0;
  for (const auto& [type, count] : errors_by_type) total += count;
  return total;
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buf;
}

namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

std::string progress_line(const uvscrape::DriverProgress& p,
                          std::chrono::steady_clock::duration elapsed) {
  double secs = seconds(elapsed);
  double rate = secs > 0 ? static_cast<double>(p.requests_completed) / secs : 0.0;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "requests %llu done, %llu queued, %llu in flight | items %llu | errors %llu | "
                "%.1f req/s | %.1fs",
                static_cast<unsigned long long>(p.requests_completed),
                static_cast<unsigned long long>(p.requests_queued),
                static_cast<unsigned long long>(p.requests_in_flight),
                static_cast<unsigned long long>(p.items_emitted),
                static_cast<unsigned long long>(p.errors), rate, secs);
  return buf;
}

std::string summary_text(const uvscrape::RunResult& result, const uvscrape::DriverProgress& p,
                         const CrawlTally& tally, std::chrono::steady_clock::duration elapsed) {
  double secs = seconds(elapsed);
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "Crawl %s in %.2fs: %llu requests (%.1f/s), %llu items\n",
                uvscrape::to_string(result.status), secs,
                static_cast<unsigned long long>(result.requests_completed),
                secs > 0 ? static_cast<double>(result.requests_completed) / secs : 0.0,
                static_cast<unsigned long long>(result.items_emitted));
  out += buf;
  out += "  items by type:";
  if (tally.items_by_type.empty()) out += " none";
  out += "\n";
  for (const auto& [type, count] : tally.items_by_type)
    out += "    " + type + ": " + std::to_string(count) + "\n";
  out += "  errors by type:";
  if (tally.errors_by_type.empty()) out += " none";
  out += "\n";
  for (const auto& [type, count] : tally.errors_by_type)
    out += "    " + type + ": " + std::to_string(count) + "\n";
  out += "  files archived: " + std::to_string(p.files_archived) + "\n";
  out += "  bytes received: " + human_bytes(p.bytes_received) + " (" +
         std::to_string(p.bytes_received) + ")\n";
  if (p.duplicates_dropped > 0)
    out += "  duplicate requests skipped: " + std::to_string(p.duplicates_dropped) + "\n";
  if (result.requests_discarded > 0)
    out += "  requests discarded by the stop: " + std::to_string(result.requests_discarded) + "\n";
  if (result.error) {
    try {
      std::rethrow_exception(result.error);
    } catch (const std::exception& e) {
      out += "  run error (" + error_type_name(e) + "): " + e.what() + "\n";
    } catch (...) {
      out += "  run error: unknown\n";
    }
  }
  return out;
}

}  // namespace bug_court
