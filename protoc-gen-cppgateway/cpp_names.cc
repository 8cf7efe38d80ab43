#include "cpp_names.h"

#include <algorithm>
#include <iterator>

namespace cppgateway::plugin {
namespace {

// The words protoc's C++ generator renames by appending "_", sorted.
constexpr std::string_view kCppKeywords[] = {
    "NULL",          "alignas",      "alignof",    "and",       "and_eq",
    "asm",           "auto",         "bitand",     "bitor",     "bool",
    "break",         "case",         "catch",      "char",      "class",
    "compl",         "const",        "const_cast", "constexpr", "continue",
    "decltype",      "default",      "delete",     "do",        "double",
    "dynamic_cast",  "else",         "enum",       "explicit",  "export",
    "extern",        "false",        "float",      "for",       "friend",
    "goto",          "if",           "inline",     "int",       "long",
    "mutable",       "namespace",    "new",        "noexcept",  "not",
    "not_eq",        "nullptr",      "operator",   "or",        "or_eq",
    "private",       "protected",    "public",     "register",  "reinterpret_cast",
    "return",        "short",        "signed",     "sizeof",    "static",
    "static_assert", "static_cast",  "struct",     "switch",    "template",
    "this",          "thread_local", "throw",      "true",      "try",
    "typedef",       "typeid",       "typename",   "union",     "unsigned",
    "using",         "virtual",      "void",       "volatile",  "wchar_t",
    "while",         "xor",          "xor_eq",
};

bool IsCppKeyword(std::string_view name) {
  return std::binary_search(std::begin(kCppKeywords), std::end(kCppKeywords), name);
}

}  // namespace

std::string CppNamespace(std::string_view package) {
  std::string cpp_namespace;
  for (char c : package) {
    if (c == '.') {
      cpp_namespace += "::";
    } else {
      cpp_namespace += c;
    }
  }
  return cpp_namespace;
}

std::string CppClassName(const google::protobuf::Descriptor& message) {
  std::string name = message.name();
  for (const google::protobuf::Descriptor* outer = message.containing_type(); outer != nullptr;
       outer = outer->containing_type()) {
    name = outer->name() + "_" + name;
  }
  if (IsCppKeyword(name)) name += "_";
  return name;
}

std::string CppTypeName(const google::protobuf::Descriptor& message, std::string_view package) {
  std::string class_name = CppClassName(message);
  bool hidden_by_a_parameter = class_name == "gateway" || class_name == "channel";
  if (message.file()->package() == package && !hidden_by_a_parameter) return class_name;
  std::string cpp_namespace = CppNamespace(message.file()->package());
  return "::" + (cpp_namespace.empty() ? "" : cpp_namespace + "::") + class_name;
}

std::string ProtoStem(std::string_view proto_name) {
  constexpr std::string_view kSuffix = ".proto";
  if (proto_name.size() > kSuffix.size() &&
      proto_name.substr(proto_name.size() - kSuffix.size()) == kSuffix) {
    proto_name.remove_suffix(kSuffix.size());
  }
  return std::string(proto_name);
}

}  // namespace cppgateway::plugin
