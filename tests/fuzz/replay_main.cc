// Replays a libFuzzer corpus without libFuzzer, for compilers that lack it.
//
// Every seed file is fed as is, then as deterministic mutations (each byte
// flipped, every prefix length, bytes inserted) so that the parsers' error
// paths run in every build, including the sanitizer build. A crash or a
// sanitizer report fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
void Run(const std::vector<uint8_t>& input) {
  LLVMFuzzerTestOneInput(input.data(), input.size());
}

size_t Mutate(const std::vector<uint8_t>& seed) {
  size_t runs = 0;
  Run(seed);
  ++runs;
  // Bounded so that large seeds stay fast.
  size_t limit = seed.size() < 4096 ? seed.size() : 4096;
  for (size_t i = 0; i < limit; ++i) {
    std::vector<uint8_t> m = seed;
    m[i] ^= 0x01;
    Run(m);
    m[i] ^= 0x81;
    Run(m);
    std::vector<uint8_t> prefix(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(i));
    Run(prefix);
    std::vector<uint8_t> ins = seed;
    ins.insert(ins.begin() + static_cast<std::ptrdiff_t>(i), uint8_t{'\n'});
    Run(ins);
    runs += 4;
  }
  return runs;
}
}  // namespace

int main(int argc, char** argv) {
  size_t files = 0, runs = 0;
  for (int a = 1; a < argc; ++a) {
    std::filesystem::path dir(argv[a]);
    if (!std::filesystem::is_directory(dir)) {
      std::fprintf(stderr, "no corpus folder %s\n", argv[a]);
      return 1;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<uint8_t> seed((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
      runs += Mutate(seed);
      ++files;
    }
  }
  if (files == 0) {
    std::fprintf(stderr, "empty corpus\n");
    return 1;
  }
  std::printf("replayed %zu seeds as %zu inputs\n", files, runs);
  return 0;
}
