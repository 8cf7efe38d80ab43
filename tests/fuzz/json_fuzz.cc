// JSON into an Everything (JsonToMessage), the test message with every field kind
// (tests/proto/cppgateway/test/v1/test.proto), and back out (MessageToJson).
//
// Checks, beyond no crash:
// - parsing either succeeds or answers INVALID_ARGUMENT with a message and a cleared message;
//   JSON accepted while refusing unknown fields is accepted, with the same result, when they are
//   ignored;
// - JSON that parses into a message prints back to JSON, with the default options and with every
//   option turned the other way (proto names, 64-bit integers as numbers, enums as numbers,
//   unpopulated fields left out), and each printed JSON parses again to an equal message (equal
//   deterministic bytes, so NaN equals NaN).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cppgateway/json.h"
#include "cppgateway/test/v1/test.pb.h"
#include "fuzz_check.h"
#include "message_bytes.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using fuzz::DeterministicBytes;

grpc::Status Parse(std::string_view json, const JsonOptions& options, Everything* message,
                   const std::string& context) {
  const grpc::Status status = JsonToMessage(json, options, message);
  if (!status.ok()) {
    FUZZ_CHECK(
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
        context + ": code " + std::to_string(status.error_code()) + " " + status.error_message());
    FUZZ_CHECK(!status.error_message().empty(), context);
    FUZZ_CHECK(message->ByteSizeLong() == 0, context + ": the message is not cleared");
  }
  return status;
}

void CheckRoundTrip(const Everything& message, const JsonOptions& print_options,
                    const std::string& options_name, const std::string& context) {
  std::string printed;
  const grpc::Status status = MessageToJson(message, print_options, &printed);
  FUZZ_CHECK(status.ok(),
             context + ": does not print back (" + options_name + "): " + status.error_message());
  Everything reparsed;
  const grpc::Status reparse = JsonToMessage(printed, JsonOptions(), &reparsed);
  FUZZ_CHECK(reparse.ok(), context + ": printed back (" + options_name + ") as " +
                               fuzz::Escape(printed) +
                               ", which does not parse: " + reparse.error_message());
  FUZZ_CHECK(DeterministicBytes(reparsed) == DeterministicBytes(message),
             context + ": printed back (" + options_name + ") as " + fuzz::Escape(printed) +
                 ", which parses to another message");
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const std::string context = "JSON " + fuzz::Escape(json);

  Everything message;
  const grpc::Status parsed = Parse(json, JsonOptions(), &message, context);
  JsonOptions strict;
  strict.ignore_unknown_fields = false;
  Everything strict_message;
  if (Parse(json, strict, &strict_message, context).ok()) {
    FUZZ_CHECK(parsed.ok() && DeterministicBytes(strict_message) == DeterministicBytes(message),
               context + ": refusing unknown fields changed the result");
  }
  if (!parsed.ok()) return 0;

  CheckRoundTrip(message, JsonOptions(), "default options", context);
  JsonOptions other;
  other.use_proto_names = true;
  other.emit_unpopulated = false;
  other.int64_as_strings = false;
  other.enums_as_ints = true;
  CheckRoundTrip(message, other, "every option turned", context);
  return 0;
}
