// The reflection codecs (json_reader, json_writer) against protobuf's converter (json_protobuf),
// on JSON into an Everything, the test message with every field kind.
//
// Checks, beyond no crash:
// - what the reader accepts, protobuf's parser accepts too, into the same message (equal
//   deterministic bytes);
// - a message protobuf's parser makes of the input is written by the writer, under every print
//   option it takes, exactly as protobuf's printer prints it, or declined.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cppgateway/json.h"
#include "cppgateway/test/v1/test.pb.h"
#include "fuzz_check.h"
#include "message_bytes.h"
#include "transcoding/json_protobuf.h"
#include "transcoding/json_reader.h"
#include "transcoding/json_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  using cppgateway::test::v1::Everything;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const std::string context = "JSON " + fuzz::Escape(json);

  // The caller (JsonToMessage) checks the shape first; so does this target.
  const JsonOptions options;
  if (!CheckJsonShape(json, options).ok()) return 0;

  Everything by_protobuf;
  const bool parsed = ProtobufJsonToMessage(json, options, &by_protobuf).ok();
  Everything by_reader;
  if (ReadJson(json, &by_reader)) {
    FUZZ_CHECK(parsed, context + ": the reader accepts what protobuf refuses");
    FUZZ_CHECK(fuzz::DeterministicBytes(by_reader) == fuzz::DeterministicBytes(by_protobuf),
               context + ": the reader reads " + by_reader.ShortDebugString() + ", protobuf " +
                   by_protobuf.ShortDebugString());
  }
  if (!parsed) return 0;

  for (int bits = 0; bits < 8; ++bits) {
    JsonOptions print;
    print.use_proto_names = bits & 1;
    print.emit_unpopulated = bits & 2;
    print.enums_as_ints = bits & 4;
    std::string written;
    if (!WriteJson(by_protobuf, print, &written)) continue;
    std::string printed;
    FUZZ_CHECK(ProtobufMessageToJson(by_protobuf, print, &printed).ok(),
               context + ": the writer writes what protobuf does not print");
    FUZZ_CHECK(written == printed, context + " (options " + std::to_string(bits) +
                                       "): the writer writes " + fuzz::Escape(written) +
                                       ", protobuf prints " + fuzz::Escape(printed));
  }
  return 0;
}
