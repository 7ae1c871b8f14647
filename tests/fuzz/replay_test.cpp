// Replays a fuzz target's committed inputs -- its seed corpus and every input
// a fuzzer once crashed on -- without libFuzzer, so every build (g++ included)
// runs them as a test. A broken property aborts, which fails the test.
//
// Usage: <target>_replay DIR... (the directories the meson test passes).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> g_dirs;

TEST(FuzzReplay, EveryCommittedInputPasses) {
  ASSERT_FALSE(g_dirs.empty()) << "pass the corpus directories as arguments";
  size_t inputs = 0;
  for (const std::string& dir : g_dirs) {
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream file(entry.path(), std::ios::binary);
      ASSERT_TRUE(file) << entry.path();
      const std::string bytes((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
      SCOPED_TRACE(entry.path().string());
      EXPECT_EQ(
          LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0u) << "no committed inputs found";
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  g_dirs.assign(argv + 1, argv + argc);
  return RUN_ALL_TESTS();
}
