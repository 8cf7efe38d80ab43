// The reflection writer against protobuf's printer: the same text for every message it writes,
// under every option, and protobuf's for what it declines.

#include "transcoding/json_writer.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cppgateway/test/v1/test.pb.h"
#include "transcoding/json_protobuf.h"
#include "transcoding/utf8.h"

namespace cppgateway {
namespace {

using cppgateway::test::v1::Everything;
using cppgateway::test::v1::Nested;

std::vector<JsonOptions> EveryPrintOption() {
  std::vector<JsonOptions> all;
  for (int bits = 0; bits < 8; ++bits) {
    JsonOptions options;
    options.use_proto_names = bits & 1;
    options.emit_unpopulated = bits & 2;
    options.enums_as_ints = bits & 4;
    all.push_back(options);
  }
  return all;
}

std::string Describe(const JsonOptions& options) {
  return std::string("use_proto_names=") + (options.use_proto_names ? "1" : "0") +
         " emit_unpopulated=" + (options.emit_unpopulated ? "1" : "0") +
         " enums_as_ints=" + (options.enums_as_ints ? "1" : "0");
}

// Writes `message` both ways: true when the writer took it (and then the texts must be equal).
bool WritesAsProtobuf(const google::protobuf::Message& message, const JsonOptions& options) {
  std::string expected;
  const grpc::Status printed = ProtobufMessageToJson(message, options, &expected);
  std::string written = "prefix:";
  if (!WriteJson(message, options, &written)) {
    EXPECT_EQ(written, "prefix:") << "a declined write must leave the output as it was";
    return false;
  }
  EXPECT_TRUE(printed.ok()) << "the writer wrote what protobuf refuses: " << written << "\n"
                            << message.ShortDebugString();
  EXPECT_EQ(written, "prefix:" + expected) << Describe(options) << "\n"
                                           << message.ShortDebugString();
  return true;
}

// Text with every kind of character protobuf escapes or keeps: ASCII controls, quotes, < > and
// DEL, C1 controls, the invisible format characters, and characters beyond the BMP.
std::string RandomText(std::mt19937_64& random) {
  static const std::vector<std::uint32_t> kCodePoints = {
      0x0,    0x1f,   '"',    '\\',    '/',     '<',     '>',     '&',      0x7f,    'a',
      'Z',    ' ',    '\n',   '\t',    0x80,    0x9f,    0xa0,    0xad,     0xe9,    0x600,
      0x6dd,  0x70f,  0x17b4, 0x200b,  0x2028,  0x202e,  0x2060,  0x206f,   0xfeff,  0xfffb,
      0xfffd, 0x4e2d, 0xffff, 0x1f600, 0x1d173, 0xe0001, 0xe007f, 0x10ffff, 0x10000, 0x2029};
  std::string text;
  const int length = static_cast<int>(random() % 6);
  for (int i = 0; i < length; ++i) {
    AppendUtf8(kCodePoints[random() % kCodePoints.size()], &text);
  }
  return text;
}

std::int64_t RandomInteger(std::mt19937_64& random) {
  switch (random() % 5) {
    case 0:
      return 0;
    case 1:
      return std::numeric_limits<std::int64_t>::min();
    case 2:
      return std::numeric_limits<std::int64_t>::max();
    case 3:
      return static_cast<std::int64_t>(random() % 2000) - 1000;
    default:
      return static_cast<std::int64_t>(random());
  }
}

double RandomDouble(std::mt19937_64& random) {
  static const double kSpecial[] = {0.0,
                                    -0.0,
                                    1.0,
                                    0.1,
                                    1.0 / 3,
                                    1e21,
                                    1e-7,
                                    5e-324,
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    std::numeric_limits<double>::quiet_NaN(),
                                    123456789012345678.0,
                                    1e15};
  if (random() % 2 == 0) return kSpecial[random() % std::size(kSpecial)];
  const std::uint64_t bits = random();
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

void FillNested(std::mt19937_64& random, Nested* nested, int depth) {
  if (random() % 2) nested->set_name(RandomText(random));
  if (random() % 2) nested->set_value(RandomInteger(random));
  if (random() % 2) nested->set_color(static_cast<cppgateway::test::v1::Color>(random() % 4));
  if (depth < 2 && random() % 3 == 0) FillNested(random, nested->mutable_child(), depth + 1);
}

void FillValue(std::mt19937_64& random, google::protobuf::Value* value, int depth) {
  switch (random() % (depth < 2 ? 6 : 4)) {
    case 0:
      value->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case 1: {
      const double number = RandomDouble(random);
      value->set_number_value(std::isfinite(number) ? number : 2.5);
      break;
    }
    case 2:
      value->set_string_value(RandomText(random));
      break;
    case 3:
      value->set_bool_value(random() % 2);
      break;
    case 4:
      for (int i = static_cast<int>(random() % 3); i > 0; --i) {
        FillValue(random, value->mutable_list_value()->add_values(), depth + 1);
      }
      value->mutable_list_value();
      break;
    default:
      for (int i = static_cast<int>(random() % 3); i > 0; --i) {
        FillValue(random, &(*value->mutable_struct_value()->mutable_fields())[RandomText(random)],
                  depth + 1);
      }
      value->mutable_struct_value();
      break;
  }
}

// A message with a random subset of fields set, every value drawn from the edges.
Everything RandomEverything(std::mt19937_64& random) {
  Everything m;
  const auto maybe = [&] { return random() % 2 == 0; };
  if (maybe()) m.set_i64(RandomInteger(random));
  if (maybe()) m.set_u64(static_cast<std::uint64_t>(RandomInteger(random)));
  if (maybe()) m.set_i32(static_cast<std::int32_t>(RandomInteger(random)));
  if (maybe()) m.set_s64(RandomInteger(random));
  if (maybe()) m.set_f64(static_cast<std::uint64_t>(RandomInteger(random)));
  if (maybe()) m.set_dbl(RandomDouble(random));
  if (maybe()) m.set_flt(static_cast<float>(RandomDouble(random)));
  if (maybe()) m.set_flag(maybe());
  if (maybe()) m.set_str(RandomText(random));
  if (maybe()) m.set_data(RandomText(random));
  if (maybe()) m.set_color(static_cast<cppgateway::test::v1::Color>(random() % 4));
  for (int i = static_cast<int>(random() % 4); i > 0; --i) m.add_nums(RandomInteger(random));
  for (int i = static_cast<int>(random() % 4); i > 0; --i) m.add_words(RandomText(random));
  for (int i = static_cast<int>(random() % 6); i > 0; --i) {
    (*m.mutable_counts())[RandomText(random)] = RandomInteger(random);
  }
  for (int i = static_cast<int>(random() % 6); i > 0; --i) {
    (*m.mutable_names())[static_cast<std::int32_t>(RandomInteger(random))] = RandomText(random);
  }
  if (maybe()) FillNested(random, m.mutable_nested(), 0);
  for (int i = static_cast<int>(random() % 3); i > 0; --i) {
    FillNested(random, m.add_nested_list(), 0);
  }
  if (maybe()) {
    // 0001-01-01 to 9999-12-31, nanos of every precision.
    m.mutable_ts()->set_seconds(-62135596800 +
                                static_cast<std::int64_t>(random() % 315537897600ULL));
    static const std::int32_t kNanos[] = {0, 1, 1000, 1000000, 500000000, 999999999, 123456789};
    m.mutable_ts()->set_nanos(kNanos[random() % std::size(kNanos)]);
  }
  if (maybe()) {
    const std::int64_t seconds = static_cast<std::int64_t>(random() % 315576000001ULL);
    const std::int32_t nanos = static_cast<std::int32_t>(random() % 1000000000);
    const std::int32_t rounded = random() % 2 ? nanos : nanos / 1000000 * 1000000;
    const bool negative = maybe();
    m.mutable_dur()->set_seconds(negative ? -seconds : seconds);
    m.mutable_dur()->set_nanos(negative ? -rounded : rounded);
  }
  switch (random() % 3) {
    case 0:
      m.set_choice_str(RandomText(random));
      break;
    case 1:
      m.set_choice_num(RandomInteger(random));
      break;
    default:
      break;
  }
  for (int i = static_cast<int>(random() % 4); i > 0; --i) {
    m.add_colors(static_cast<cppgateway::test::v1::Color>(random() % 4));
  }
  if (maybe()) m.set_snake_case_field(RandomText(random));
  if (maybe()) m.set_u32(static_cast<std::uint32_t>(random()));
  if (maybe()) m.mutable_wrapped_i64()->set_value(RandomInteger(random));
  if (maybe()) m.mutable_wrapped_str()->set_value(RandomText(random));
  if (maybe()) m.mutable_wrapped_bool()->set_value(maybe());
  if (maybe()) {
    static const char* kPaths[] = {"a", "user.display_name", "tags", "a1.b2_c", "x_y_z"};
    for (int i = static_cast<int>(random() % 3); i > 0; --i) {
      m.mutable_mask()->add_paths(kPaths[random() % std::size(kPaths)]);
    }
  }
  if (maybe()) {
    for (int i = static_cast<int>(random() % 4); i > 0; --i) {
      FillValue(random, &(*m.mutable_attrs()->mutable_fields())[RandomText(random)], 0);
    }
    m.mutable_attrs();
  }
  for (int i = static_cast<int>(random() % 3); i > 0; --i) {
    FillNested(random, &(*m.mutable_nested_map())[RandomText(random)], 0);
  }
  if (maybe()) m.set_sf32(static_cast<std::int32_t>(RandomInteger(random)));
  if (maybe()) m.set_custom_json(static_cast<std::int32_t>(RandomInteger(random)));
  return m;
}

TEST(JsonWriterTest, WritesRandomMessagesAsProtobufDoes) {
  std::mt19937_64 random(20261129);
  int written = 0;
  const std::vector<JsonOptions> options = EveryPrintOption();
  for (int i = 0; i < 1500; ++i) {
    const Everything message = RandomEverything(random);
    for (const JsonOptions& option : options) written += WritesAsProtobuf(message, option);
    if (::testing::Test::HasFailure()) break;
  }
  // Only what the contract lists is declined: here, strings that are not UTF-8 (bytes of text
  // cut short are not generated) and nothing else, so nearly every message is written.
  EXPECT_EQ(written, 1500 * 8);
}

TEST(JsonWriterTest, WritesEmptyMessagesAndEveryWellKnownForm) {
  for (const JsonOptions& option : EveryPrintOption()) {
    EXPECT_TRUE(WritesAsProtobuf(Everything(), option));
    Everything message;
    message.mutable_nested();
    message.mutable_ts();
    message.mutable_dur();
    message.mutable_mask();
    message.mutable_attrs();
    message.mutable_wrapped_str();
    (*message.mutable_nested_map())[""];
    EXPECT_TRUE(WritesAsProtobuf(message, option));
    google::protobuf::Struct top;
    (*top.mutable_fields())["list"].mutable_list_value()->add_values()->set_bool_value(true);
    EXPECT_TRUE(WritesAsProtobuf(top, option));
    google::protobuf::Value text;
    text.set_string_value("top");
    EXPECT_TRUE(WritesAsProtobuf(text, option));
  }
}

TEST(JsonWriterTest, DeclinesWhatProtobufPrintsItsOwnWay) {
  const JsonOptions options;
  std::string out;
  Everything message;
  message.set_str("\xff not UTF-8");
  EXPECT_FALSE(WriteJson(message, options, &out));
  message.Clear();
  message.set_color(static_cast<cppgateway::test::v1::Color>(99));  // no name
  EXPECT_FALSE(WriteJson(message, options, &out));
  JsonOptions as_ints;
  as_ints.enums_as_ints = true;
  EXPECT_TRUE(WritesAsProtobuf(message, as_ints));
  for (const char* path : {"camelCase", "a__b", "_a", "a_", "a..b", "a_1"}) {
    message.Clear();
    message.mutable_mask()->add_paths(path);
    EXPECT_FALSE(WriteJson(message, options, &out)) << path;
  }
  message.Clear();
  message.mutable_ts()->set_seconds(253402300800);  // year 10000
  EXPECT_FALSE(WriteJson(message, options, &out));
  message.Clear();
  message.mutable_dur()->set_seconds(1);
  message.mutable_dur()->set_nanos(-1);  // mixed signs
  EXPECT_FALSE(WriteJson(message, options, &out));
  message.Clear();
  (*message.mutable_attrs()->mutable_fields())["unset"];
  EXPECT_FALSE(WriteJson(message, options, &out));
  google::protobuf::Any any;
  any.PackFrom(Nested());
  EXPECT_FALSE(WriteJson(any, options, &out));
  JsonOptions numbers;
  numbers.int64_as_strings = false;
  EXPECT_FALSE(WriteJson(Everything(), numbers, &out));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace cppgateway
