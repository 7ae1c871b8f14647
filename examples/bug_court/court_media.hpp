// Media files of the demo site, generated locally and deterministically so the
// demo needs no network and tests can compare archived bytes exactly.
#pragma once

#include <string>
#include <string_view>

namespace bug_court {

// A small valid PNG (24x24, RGB) whose colours derive from `key`.
std::string generate_png(std::string_view key);

// A short valid WAV (8 kHz, 8-bit mono PCM, half a second) whose tone derives
// from `key`.
std::string generate_wav(std::string_view key);

}  // namespace bug_court
