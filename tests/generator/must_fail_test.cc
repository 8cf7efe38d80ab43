// Each proto in bad/ gets one google.api.http rule wrong: protoc must fail, and its message must
// name the file, the method and the problem.
#include <cppgateway/path_template.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <ostream>
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
      "; a path variable binds a scalar, enum or well-known type field, or a list of scalars or "
      "enums (comma-separated)";
  std::string verb_error;
  EXPECT_FALSE(PathTemplate::Parse("/v1/things/{id}:a::b", &verb_error));
  std::string star_error;
  EXPECT_FALSE(PathTemplate::Parse("/v1/{id=a/**/*}", &star_error));
  return {
      {"template_does_not_parse",
       "GET \"/v1/things/{id\": the path template does not parse: " + parse_error},
      {"path_variable_unknown",
       "GET \"/v1/things/{name}\": path variable \"name\": \"name\" is not a field of "
       "bad.v1.Thing"},
      {"path_variable_through_scalar",
       "GET \"/v1/things/{id.value}\": path variable \"id.value\": \"id\" is a string field" +
           kStepsOnlyThroughMessages},
      {"path_variable_repeated_message",
       "GET \"/v1/things/{children}\": path variable \"children\" is a repeated message field "
       "(bad.v1.Thing)" +
           kBindsOnlyText},
      {"path_variable_through_repeated",
       "GET \"/v1/things/{children.id}\": path variable \"children.id\": \"children\" is a "
       "repeated message field (bad.v1.Thing)" +
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
      {"bidi_streaming_get",
       "GET \"/v1/things:sync\": a bidi-streaming method needs a body: each line of it fills one "
       "request message, and a GET request carries no body"},
      {"client_streaming_get_with_body",
       "GET \"/v1/things:import\": body \"*\" is not allowed: a GET request carries no body"},
      // What the router would refuse at registration, refused at generation.
      {"duplicate_route",
       "GET \"/v1/things/{parent.id}\": duplicate route: GET /v1/things/{parent.id} has the same "
       "segments and verb as GET /v1/things/{id}, added before"},
      {"verb_empty_part",
       "POST \"/v1/things/{id}:a::b\": the path template does not parse: " + verb_error},
      {"star_after_double_star_in_variable",
       "GET \"/v1/{id=a/**/*}\": the path template does not parse: " + star_error},
      {"success_code_not_2xx",
       "(cppgateway.success_code) 404 is not a success status (200 to 299)"},
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

// A plugin option or an input it names that is wrong: protoc fails, and says what and where. The
// inputs are in bad/options/.
struct OptionCase {
  std::string name;
  std::string parameter;            // the plugin's options
  std::vector<std::string> protos;  // relative to tests/generator
  std::string message;              // what protoc's error output must contain
};

void PrintTo(const OptionCase& option_case, std::ostream* out) { *out << option_case.parameter; }

std::vector<OptionCase> OptionCases() {
  const std::vector<std::string> unannotated = {"bad/options/unannotated.proto"};
  const std::string known =
      "; the known options are openapi, openapi_merge, openapi_format, openapi_naming_strategy, "
      "json_names_for_fields, grpc_api_configuration, generate_unbound_methods, "
      "allow_repeated_fields_in_body\n";
  return {
      {"UnknownOption", "openapi,nonsense=1", unannotated,
       "--cppgateway_out: unknown option \"nonsense\"" + known},
      {"GrpcGatewayOptionWithoutMeaningHere", "register_func_suffix=Handler", unannotated,
       "unknown option \"register_func_suffix\"" + known},
      {"OptionTwice", "openapi,openapi", unannotated, "option \"openapi\" is given twice\n"},
      {"FormatNeitherJsonNorYaml", "openapi_format=xml", unannotated,
       "option \"openapi_format=xml\": openapi_format takes json or yaml\n"},
      {"FlagNeitherTrueNorFalse", "generate_unbound_methods=yes", unannotated,
       "option \"generate_unbound_methods=yes\": generate_unbound_methods takes true or false\n"},
      {"UnknownNamingStrategy", "openapi_naming_strategy=short", unannotated,
       "openapi_naming_strategy takes fqn, simple, package or legacy\n"},
      {"MergeWithoutName", "openapi_merge=", unannotated,
       "option \"openapi_merge=\": openapi_merge needs a value: openapi_merge=...\n"},
      {"ConfigurationMissing", "grpc_api_configuration=bad/options/no_such.yaml", unannotated,
       "bad/options/no_such.yaml: cannot read the gRPC API Configuration\n"},
      {"ConfigurationNotYaml", "grpc_api_configuration=bad/options/config_syntax.yaml", unannotated,
       "bad/options/config_syntax.yaml: yaml-cpp: error at line"},
      {"ConfigurationUnknownKey", "grpc_api_configuration=bad/options/config_unknown_key.yaml",
       unannotated,
       "bad/options/config_unknown_key.yaml:7: unknown key \"bodyy\" in an HTTP rule\n"},
      {"ConfigurationTwoPatterns", "grpc_api_configuration=bad/options/config_two_patterns.yaml",
       unannotated,
       "bad/options/config_two_patterns.yaml:8: a rule has one pattern; \"post\" is a second "
       "one\n"},
      {"ConfigurationWildcardSelector", "grpc_api_configuration=bad/options/config_wildcard.yaml",
       unannotated,
       "bad/options/config_wildcard.yaml:6: selector \"bad.v1.UnannotatedService.*\" must name one "
       "method, without wildcards\n"},
      {"ConfigurationSelectsNoMethod", "grpc_api_configuration=bad/options/config_no_method.yaml",
       unannotated,
       "bad/options/config_no_method.yaml:6: selector \"bad.v1.UnannotatedService.Nope\" names no "
       "method of the protos protoc was given or their imports\n"},
      {"ConfiguredRuleIsWrong", "grpc_api_configuration=bad/options/config_bad_rule.yaml",
       unannotated,
       "bad/options/unannotated.proto: bad.v1.UnannotatedService.GetThing: "
       "bad/options/config_bad_rule.yaml:6: GET \"/v1/things/{nope}\": path variable \"nope\": "
       "\"nope\" is not a field of bad.v1.Thing\n"},
      {"RepeatedBodyNotAllowed",
       "allow_repeated_fields_in_body=false",
       {"bad/options/body_repeated.proto"},
       "bad/options/body_repeated.proto: bad.v1.RepeatedBodyService.SetTags: POST "
       "\"/v1/things/{id}/tags\": body \"tags\" names \"tags\", a repeated field, and "
       "allow_repeated_fields_in_body is false\n"},
      {"MergedDocumentWithOneOperationTwice",
       "openapi_merge=merged",
       {"bad/options/merge_a.proto", "bad/options/merge_b.proto"},
       "bad.merge_b.MergeService.GetThing: GET \"/v1/same/{id}\": the document has get "
       "/v1/same/{id} already, as bad_merge_a_MergeService_GetThing\n"},
  };
}

class OptionMustFailTest : public ::testing::TestWithParam<OptionCase> {
 protected:
  void SetUp() override { ASSERT_FALSE(out_dir_.empty()); }
  void TearDown() override { std::filesystem::remove_all(out_dir_); }

  const std::string out_dir_ = MakeTempDir();
};

TEST_P(OptionMustFailTest, ProtocFailsSayingWhatAndWhere) {
  ProtocResult result = RunProtoc(GetParam().protos, out_dir_, GetParam().parameter);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.error_output.find(GetParam().message), std::string::npos) << result.error_output;
}

INSTANTIATE_TEST_SUITE_P(Options, OptionMustFailTest, ::testing::ValuesIn(OptionCases()),
                         [](const ::testing::TestParamInfo<OptionCase>& info) {
                           return info.param.name;
                         });

// Without the option that each case gets wrong, its inputs generate.
TEST(OptionMustFailFilesTest, InputsAreValidWithoutTheWrongOption) {
  std::string out_dir = MakeTempDir();
  for (const char* proto : {"bad/options/unannotated.proto", "bad/options/body_repeated.proto",
                            "bad/options/merge_a.proto", "bad/options/merge_b.proto"}) {
    ProtocResult result = RunProtoc({proto}, out_dir, "openapi");
    EXPECT_EQ(result.exit_code, 0) << proto << ": " << result.error_output;
  }
  std::filesystem::remove_all(out_dir);
}

}  // namespace
}  // namespace cppgateway::testing
