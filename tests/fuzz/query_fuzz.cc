// Query binding (ApplyQueryParameters) of any query string into an Everything, the test message
// with every field kind (tests/proto/cppgateway/test/v1/test.proto).
//
// Checks, beyond no crash, with three bindings of the same query (no bound paths; `str` and
// `nested.child` bound by the path; the same rejecting unknown parameters):
// - each either succeeds or answers INVALID_ARGUMENT with a message, never another code, and its
//   error answer (ErrorBody) is valid JSON;
// - a query accepted without bound paths is accepted with them (skipping parameters cannot add an
//   error), and one accepted while rejecting unknown parameters is accepted, with the same
//   result, when they are ignored;
// - bound paths win: `str` and `nested.child` stay unset;
// - what a query sets is a message a gRPC server takes: it serializes and parses back to the same
//   bytes (strings valid UTF-8, ...), and prints as JSON.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/json.h"
#include "cppgateway/query.h"
#include "cppgateway/status.h"
#include "cppgateway/test/v1/test.pb.h"
#include "fuzz_check.h"
#include "message_bytes.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using fuzz::DeterministicBytes;

struct Binding {
  grpc::Status status;
  Everything message;
};

Binding Bind(std::string_view query, const std::vector<std::vector<std::string>>& bound,
             bool reject_unknown, const std::string& context) {
  Binding binding;
  QueryOptions options;
  options.reject_unknown_parameters = reject_unknown;
  binding.status = ApplyQueryParameters(query, bound, options, &binding.message);
  if (binding.status.ok()) return binding;
  FUZZ_CHECK(binding.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
             context + ": code " + std::to_string(binding.status.error_code()) + " " +
                 binding.status.error_message());
  FUZZ_CHECK(!binding.status.error_message().empty(), context);
  const nlohmann::json body =
      nlohmann::json::parse(ErrorBody(binding.status), nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(body.is_object() && body["code"] == 3,
             context + ": error body " + fuzz::Escape(ErrorBody(binding.status)));
  return binding;
}

void CheckAcceptable(const Everything& message, const std::string& context) {
  const std::string bytes = DeterministicBytes(message);
  Everything parsed;
  FUZZ_CHECK(parsed.ParseFromString(bytes), context + ": the bound message does not parse back");
  FUZZ_CHECK(DeterministicBytes(parsed) == bytes, context + ": the bound message changes");
  std::string json;
  const grpc::Status printed = MessageToJson(message, JsonOptions(), &json);
  FUZZ_CHECK(printed.ok(),
             context + ": the bound message does not print as JSON: " + printed.error_message());
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  const std::string context = "query " + fuzz::Escape(query);
  const std::vector<std::vector<std::string>> bound = {{"str"}, {"nested", "child"}};

  const Binding free = Bind(query, {}, false, context);
  const Binding bound_lenient = Bind(query, bound, false, context);
  const Binding bound_strict = Bind(query, bound, true, context);

  FUZZ_CHECK(!free.status.ok() || bound_lenient.status.ok(),
             context + ": refused with bound paths only: " + bound_lenient.status.error_message());
  if (bound_strict.status.ok()) {
    FUZZ_CHECK(bound_lenient.status.ok() && DeterministicBytes(bound_lenient.message) ==
                                                DeterministicBytes(bound_strict.message),
               context + ": rejecting unknown parameters changed what was bound");
  }
  if (bound_lenient.status.ok()) {
    FUZZ_CHECK(bound_lenient.message.str().empty() && !bound_lenient.message.nested().has_child(),
               context + ": a parameter overrode a bound path");
    CheckAcceptable(bound_lenient.message, context);
  }
  if (free.status.ok()) CheckAcceptable(free.message, context);
  return 0;
}
