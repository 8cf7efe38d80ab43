// The plugin's output for the golden protos, byte for byte against the checked-in expectations.
// After an intended change of the output, regenerate them with protoc and review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "protoc_runner.h"

namespace cppgateway::testing {
namespace {

// The golden protos, golden/<stem>.proto, by stem.
std::vector<std::string> GoldenStems() {
  std::vector<std::string> stems;
  for (const std::string& name : ListFiles("golden", ".proto")) {
    stems.push_back(name.substr(0, name.size() - std::string(".proto").size()));
  }
  return stems;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_FALSE(out_dir_.empty()); }
  void TearDown() override { std::filesystem::remove_all(out_dir_); }

  std::string ExpectedPath(const std::string& extension) const {
    return GeneratorTestDir() + "/golden/" + GetParam() + extension + ".expected";
  }

  const std::string out_dir_ = MakeTempDir();
};

TEST_P(GoldenTest, OutputMatchesTheExpectedFiles) {
  ProtocResult result = RunProtoc({"golden/" + GetParam() + ".proto"}, out_dir_);
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  EXPECT_EQ(result.error_output, "");
  for (const std::string extension : {".gw.h", ".gw.cc"}) {
    std::string generated = out_dir_ + "/golden/" + GetParam() + extension;
    ASSERT_TRUE(FileExists(generated)) << generated;
    ASSERT_TRUE(FileExists(ExpectedPath(extension))) << ExpectedPath(extension);
    EXPECT_EQ(ReadFile(generated), ReadFile(ExpectedPath(extension))) << generated;
  }
}

// The generated code is laid out as clang-format lays out the project's code. Includes are grouped
// the house way (standard library first), so include sorting stays off.
TEST_P(GoldenTest, ExpectedFilesAreClangFormatted) {
  if (std::system("clang-format --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "clang-format is not installed";
  }
  for (const std::string extension : {".gw.h", ".gw.cc"}) {
    // Named as a source file of the tree, so clang-format finds the project's .clang-format.
    std::string assumed_name =
        GeneratorTestDir() + "/golden/" + GetParam() + (extension == ".gw.h" ? ".h" : ".cc");
    std::string formatted = out_dir_ + "/formatted" + extension;
    std::string command =
        "clang-format --sort-includes=0 --assume-filename=" + ShellQuote(assumed_name) + " <" +
        ShellQuote(ExpectedPath(extension)) + " >" + ShellQuote(formatted);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    EXPECT_EQ(ReadFile(formatted), ReadFile(ExpectedPath(extension))) << ExpectedPath(extension);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(GoldenStems()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(GoldenFilesTest, TheLibraryProtoIsAmongThem) {
  std::vector<std::string> stems = GoldenStems();
  EXPECT_NE(std::find(stems.begin(), stems.end(), "library"), stems.end());
}

// All golden protos in one protoc run: the plugin keeps no state between files.
TEST(GoldenFilesTest, OneRunForAllFilesWritesTheSameOutput) {
  std::string out_dir = MakeTempDir();
  std::vector<std::string> protos;
  for (const std::string& stem : GoldenStems()) protos.push_back("golden/" + stem + ".proto");
  ProtocResult result = RunProtoc(protos, out_dir);
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  for (const std::string& stem : GoldenStems()) {
    for (const std::string extension : {".gw.h", ".gw.cc"}) {
      std::string golden = "/golden/" + stem + extension;
      EXPECT_EQ(ReadFile(out_dir + golden), ReadFile(GeneratorTestDir() + golden + ".expected"))
          << golden;
    }
  }
  std::filesystem::remove_all(out_dir);
}

}  // namespace
}  // namespace cppgateway::testing
