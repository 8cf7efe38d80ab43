#include "document_text.h"

#include <yaml-cpp/yaml.h>

#include <regex>

namespace cppgateway::plugin {
namespace {

// Whether a YAML reader would take `text`, written plain, for something else than that string:
// a number, a boolean, null (YAML 1.1 and 1.2 spellings alike), or nothing at all.
bool ReadsAsNonString(const std::string& text) {
  static const std::regex kNonString(
      "|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|"
      "OFF|y|Y|n|N|[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|"
      "0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+");
  return std::regex_match(text, kNonString);
}

void EmitYaml(const Json& value, YAML::Emitter* out) {
  switch (value.type()) {
    case Json::value_t::object:
      *out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        *out << YAML::Key;
        if (ReadsAsNonString(key)) *out << YAML::DoubleQuoted;
        *out << key << YAML::Value;
        EmitYaml(item, out);
      }
      *out << YAML::EndMap;
      return;
    case Json::value_t::array:
      *out << YAML::BeginSeq;
      for (const Json& item : value) EmitYaml(item, out);
      *out << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      // Descriptions of several lines read best as literal blocks.
      if (text.find('\n') != std::string::npos) {
        *out << YAML::Literal;
      } else if (ReadsAsNonString(text)) {
        *out << YAML::DoubleQuoted;
      }
      *out << text;
      return;
    }
    case Json::value_t::boolean:
      *out << value.get<bool>();
      return;
    case Json::value_t::number_integer:
      *out << value.get<std::int64_t>();
      return;
    case Json::value_t::number_unsigned:
      *out << value.get<std::uint64_t>();
      return;
    case Json::value_t::number_float:
      *out << value.get<double>();
      return;
    default:
      *out << YAML::Null;
      return;
  }
}

}  // namespace

std::string DocumentText(const Json& document, bool yaml) {
  if (!yaml) {
    // Comments are not always valid UTF-8: such bytes are replaced, not fatal.
    return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  YAML::Emitter out;
  out.SetBoolFormat(YAML::TrueFalseBool);
  EmitYaml(document, &out);
  return std::string(out.c_str()) + "\n";
}

}  // namespace cppgateway::plugin
