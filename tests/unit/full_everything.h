// The Everything test message with a value in every field, shared by the JSON tests.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "cppgateway/test/v1/test.pb.h"

namespace cppgateway {

// A message with a value in every field, 64-bit ones beyond what a double holds exactly.
inline test::v1::Everything FullEverything() {
  test::v1::Everything message;
  message.set_i64(-9007199254740993);
  message.set_u64(std::numeric_limits<std::uint64_t>::max());
  message.set_i32(-7);
  message.set_s64(-12);
  message.set_f64(12345678901234567);
  message.set_dbl(1.5);
  message.set_flt(0.25f);
  message.set_flag(true);
  message.set_str("héllo \"quoted\"");
  message.set_data(std::string("\x00\xff\x10", 3));
  message.set_color(cppgateway::test::v1::COLOR_GREEN);
  message.add_nums(1);
  message.add_nums(-9223372036854775807 - 1);
  message.add_words("a");
  message.add_words("b");
  (*message.mutable_counts())["big"] = 9223372036854775807;
  (*message.mutable_names())[7] = "seven";
  message.mutable_nested()->set_name("n");
  message.mutable_nested()->set_value(42);
  message.mutable_nested()->mutable_child()->set_value(43);
  message.add_nested_list()->set_value(44);
  message.mutable_ts()->set_seconds(1);
  message.mutable_ts()->set_nanos(500000000);
  message.mutable_dur()->set_seconds(2);
  message.set_choice_num(45);
  message.add_colors(cppgateway::test::v1::COLOR_RED);
  message.add_colors(cppgateway::test::v1::COLOR_BLUE);
  message.set_snake_case_field("snake");
  message.set_u32(4000000000u);
  message.mutable_wrapped_i64()->set_value(-46);
  message.mutable_wrapped_str()->set_value("w");
  message.mutable_wrapped_bool()->set_value(false);
  message.mutable_mask()->add_paths("user.display_name");
  message.mutable_mask()->add_paths("tags");
  (*message.mutable_attrs()->mutable_fields())["k"].set_number_value(3);
  (*message.mutable_nested_map())["m"].set_value(47);
  message.set_sf32(-48);
  message.set_custom_json(49);
  return message;
}

}  // namespace cppgateway
