// Each proto in bad/ gets one google.api.http rule wrong: protoc must fail, and its message must
// name the file, the method and the problem.
#include <cppgateway/path_template.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "protoc_runner.h"

namespace cppgateway::testing {
namespace {

// The messages all bad protos bind to; valid on its own.
constexpr char kSharedMessages[] = "things.proto";

// The must-fail protos, bad/<name>.proto, by name.
std::vector<std::string> MustFailNames() {
  std::vector<std::string> names;
  for (const std::string& file : ListFiles("bad", ".proto")) {
    if (file != kSharedMessages) names.push_back(file.substr(0, file.size() - 6));
  }
  return names;
}

// What protoc must report for bad/<name>.proto after "<file>: <method>: ", by name.
std::map<std::string, std::string> ExpectedProblems() {
  std::string parse_error;
  EXPECT_FALSE(PathTemplate::Parse("/v1/things/{id", &parse_error));
  const std::string kStepsOnlyThroughMessages =
      "; a field path steps only through singular message fields";
  const std::string kBindsOnlyText =
      "; a path variable binds a singular scalar, enum or well-known type field";
  return {
      {"template_does_not_parse",
       "GET \"/v1/things/{id\": the path template does not parse: " + parse_error},
      {"path_variable_unknown",
       "GET \"/v1/things/{name}\": path variable \"name\": \"name\" is not a field of "
       "bad.v1.Thing"},
      {"path_variable_through_scalar",
       "GET \"/v1/things/{id.value}\": path variable \"id.value\": \"id\" is a string field" +
           kStepsOnlyThroughMessages},
      {"path_variable_repeated",
       "GET \"/v1/things/{tags}\": path variable \"tags\" is a repeated field" + kBindsOnlyText},
      {"path_variable_through_repeated",
       "GET \"/v1/things/{children.id}\": path variable \"children.id\": \"children\" is a "
       "repeated field" +
           kStepsOnlyThroughMessages},
      {"path_variable_map",
       "GET \"/v1/things/{labels}\": path variable \"labels\" is a map field" + kBindsOnlyText},
      {"path_variable_message",
       "GET \"/v1/things/{parent}\": path variable \"parent\" is a message field (bad.v1.Thing)" +
           kBindsOnlyText},
      {"body_unknown",
       "POST \"/v1/things\": body \"thing\": \"thing\" is not a field of bad.v1.Thing"},
      {"body_through_scalar", "POST \"/v1/things\": body \"id.value\": \"id\" is a string field" +
                                  kStepsOnlyThroughMessages},
      {"response_body_unknown",
       "GET \"/v1/things/{id}\": response_body \"name\": \"name\" is not a field of bad.v1.Thing"},
      {"body_on_get",
       "GET \"/v1/things/{id}\": body \"*\" is not allowed: a GET request carries no body"},
      {"nested_additional_bindings",
       "additional_bindings[0]: has additional_bindings of its own; they do not nest"},
      {"additional_binding_unknown_field",
       "additional_bindings[0]: GET \"/v1/things/{uuid}\": path variable \"uuid\": \"uuid\" is "
       "not a field of bad.v1.Thing"},
      {"custom_empty_kind", "custom pattern with path \"/v1/things/{id}\" has an empty kind"},
      {"custom_empty_path", "custom pattern \"HEAD\" has an empty path"},
      {"no_pattern", "the rule has no pattern (get, put, post, delete, patch or custom)"},
      // Streamed requests: every request message comes from one line of the body.
      {"client_streaming_path_variable",
       "POST \"/v1/things/{id}\": path variable \"id\" is not allowed: each request message of a "
       "client-streaming method comes from one line of the body"},
      {"bidi_streaming_path_variable",
       "POST \"/v1/things/{parent.id}:sync\": path variable \"parent.id\" is not allowed: each "
       "request message of a bidi-streaming method comes from one line of the body"},
      {"client_streaming_without_body",
       "POST \"/v1/things:import\": a client-streaming method needs a body: each line of it fills "
       "one request message (body: \"*\" or a request field)"},
      {"bidi_streaming_get",
       "GET \"/v1/things:sync\": a bidi-streaming method needs a body: each line of it fills one "
       "request message, and a GET request carries no body"},
      {"client_streaming_get_with_body",
       "GET \"/v1/things:import\": body \"*\" is not allowed: a GET request carries no body"},
  };
}

class MustFailTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_FALSE(out_dir_.empty()); }
  void TearDown() override { std::filesystem::remove_all(out_dir_); }

  const std::string out_dir_ = MakeTempDir();
};

TEST_P(MustFailTest, ProtocFailsNamingFileMethodAndProblem) {
  std::map<std::string, std::string> problems = ExpectedProblems();
  ASSERT_EQ(problems.count(GetParam()), 1u) << "no expected problem for " << GetParam();
  const std::string& problem = problems[GetParam()];
  std::string proto = "bad/" + GetParam() + ".proto";

  ProtocResult result = RunProtoc({proto}, out_dir_);

  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.error_output.find(proto + ": bad.v1.BadService.GetThing: " + problem + "\n"),
            std::string::npos)
      << result.error_output;
  EXPECT_FALSE(FileExists(out_dir_ + "/bad/" + GetParam() + ".gw.h"));
  EXPECT_FALSE(FileExists(out_dir_ + "/bad/" + GetParam() + ".gw.cc"));
}

INSTANTIATE_TEST_SUITE_P(Bad, MustFailTest, ::testing::ValuesIn(MustFailNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// The failures come from the rules, not from the messages they bind to.
TEST(MustFailFilesTest, SharedMessagesAreValid) {
  std::string out_dir = MakeTempDir();
  ProtocResult result = RunProtoc({std::string("bad/") + kSharedMessages}, out_dir);
  EXPECT_EQ(result.exit_code, 0) << result.error_output;
  std::filesystem::remove_all(out_dir);
}

TEST(MustFailFilesTest, EveryExpectedProblemHasItsProto) {
  for (const auto& [name, problem] : ExpectedProblems()) {
    EXPECT_TRUE(FileExists(GeneratorTestDir() + "/bad/" + name + ".proto")) << name;
  }
}

}  // namespace
}  // namespace cppgateway::testing
