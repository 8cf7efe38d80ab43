// A main for the fuzz targets in a build without libFuzzer (gcc, or clang without
// -fsanitize=fuzzer): runs the target's LLVMFuzzerTestOneInput once on each file named, or on
// each file of each directory named, so that the committed corpora and the crash regression
// inputs are tests in every build (ctest runs them; the ASan+UBSan build with its checks).
//
//   path_template_fuzz_replay tests/fuzz/corpus/path_template [more files or directories]
//
// Exits non-zero when an argument cannot be read or holds no file; a broken invariant aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path argument(argv[i]);
    std::error_code error;
    if (fs::is_directory(argument, error)) {
      std::vector<fs::path> found;
      for (const fs::directory_entry& entry : fs::directory_iterator(argument, error)) {
        if (entry.is_regular_file()) found.push_back(entry.path());
      }
      if (found.empty()) {
        std::fprintf(stderr, "%s: no input files\n", argv[i]);
        return 2;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(argument, error)) {
      files.push_back(argument);
    } else {
      std::fprintf(stderr, "%s: not a file or directory\n", argv[i]);
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: cannot read\n", file.c_str());
      return 2;
    }
    // Named first, so that the input of a failure is the last one printed.
    std::fprintf(stderr, "%s\n", file.c_str());
    // A copy of its own, so that ASan sees a read past its end.
    std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("%zu inputs replayed\n", files.size());
  return 0;
}
