// The plugin's output for the golden protos, byte for byte against the checked-in expectations:
// routes and OpenAPI documents, with the default options and with the others. After an intended
// change of the output, regenerate them with protoc and review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>
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

// The extensions of the files compared for each golden proto.
const char* const kGoldenExtensions[] = {".gw.h", ".gw.cc", ".openapi.json"};

TEST_P(GoldenTest, OutputMatchesTheExpectedFiles) {
  ProtocResult result = RunProtoc({"golden/" + GetParam() + ".proto"}, out_dir_, "openapi");
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  EXPECT_EQ(result.error_output, "");
  for (const std::string extension : kGoldenExtensions) {
    std::string generated = out_dir_ + "/golden/" + GetParam() + extension;
    ASSERT_TRUE(FileExists(generated)) << generated;
    ASSERT_TRUE(FileExists(ExpectedPath(extension))) << ExpectedPath(extension);
    EXPECT_EQ(ReadFile(generated), ReadFile(ExpectedPath(extension))) << generated;
  }
}

// The generated code is laid out as clang-format lays out the project's code. Includes are grouped
// the house way (standard library first), so include sorting stays off.
TEST_P(GoldenTest, ExpectedFilesAreClangFormatted) {
  ASSERT_EQ(std::system("clang-format --version >/dev/null 2>&1"), 0)
      << "clang-format is not installed (scripts/install-deps.sh installs it)";
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
  ProtocResult result = RunProtoc(protos, out_dir, "openapi");
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  for (const std::string& stem : GoldenStems()) {
    for (const std::string extension : kGoldenExtensions) {
      std::string golden = "/golden/" + stem + extension;
      EXPECT_EQ(ReadFile(out_dir + golden), ReadFile(GeneratorTestDir() + golden + ".expected"))
          << golden;
    }
  }
  std::filesystem::remove_all(out_dir);
}

// The routes without the option are the same: `openapi` only adds the document.
TEST(GoldenFilesTest, RoutesDoNotDependOnTheOpenApiOption) {
  std::string out_dir = MakeTempDir();
  ProtocResult result = RunProtoc({"golden/everything.proto"}, out_dir);
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  EXPECT_EQ(ReadFile(out_dir + "/golden/everything.gw.cc"),
            ReadFile(GeneratorTestDir() + "/golden/everything.gw.cc.expected"));
  EXPECT_FALSE(FileExists(out_dir + "/golden/everything.openapi.json"));
  std::filesystem::remove_all(out_dir);
}

// A run with options other than the default, and the files it must write as expected
// (golden/options/<file>.expected).
struct OptionGolden {
  std::string name;
  std::string parameter;
  std::vector<std::string> protos;
  std::vector<std::string> outputs;  // relative to golden/options
};

void PrintTo(const OptionGolden& golden, std::ostream* out) { *out << golden.parameter; }

std::vector<OptionGolden> OptionGoldens() {
  return {
      // Rules from a gRPC API Configuration and for unbound methods; the document in YAML.
      {"ConfigurationUnboundAndYaml",
       "openapi,openapi_format=yaml,grpc_api_configuration=golden/options/unannotated.yaml,"
       "generate_unbound_methods=true",
       {"golden/options/unannotated.proto"},
       {"unannotated.gw.h", "unannotated.gw.cc", "unannotated.openapi.yaml"}},
      // One document for two files, simple schema names, proto field names.
      {"MergedSimpleNamesProtoNames",
       "openapi_merge=golden/options/merged,openapi_naming_strategy=simple,"
       "json_names_for_fields=false",
       {"golden/options/merge_a.proto", "golden/options/merge_b.proto"},
       {"merged.openapi.json"}},
  };
}

class OptionGoldenTest : public ::testing::TestWithParam<OptionGolden> {};

TEST_P(OptionGoldenTest, OutputMatchesTheExpectedFiles) {
  std::string out_dir = MakeTempDir();
  ProtocResult result = RunProtoc(GetParam().protos, out_dir, GetParam().parameter);
  ASSERT_EQ(result.exit_code, 0) << result.error_output;
  for (const std::string& output : GetParam().outputs) {
    std::string expected = GeneratorTestDir() + "/golden/options/" + output + ".expected";
    ASSERT_TRUE(FileExists(expected)) << expected;
    EXPECT_EQ(ReadFile(out_dir + "/golden/options/" + output), ReadFile(expected)) << output;
  }
  std::filesystem::remove_all(out_dir);
}

INSTANTIATE_TEST_SUITE_P(Options, OptionGoldenTest, ::testing::ValuesIn(OptionGoldens()),
                         [](const ::testing::TestParamInfo<OptionGolden>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace cppgateway::testing
