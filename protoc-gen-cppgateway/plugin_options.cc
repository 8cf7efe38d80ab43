#include "plugin_options.h"

#include <functional>
#include <set>
#include <vector>

namespace cppgateway::plugin {
namespace {

// One known option: how its value is read into PluginOptions. `value` is nullopt for a bare
// `name`; the reader returns the problem with the value, or "" when it takes it.
struct OptionReader {
  const char* name;
  std::function<std::string(const std::optional<std::string>& value, PluginOptions* options)> read;
};

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// A boolean option: bare (true), =true or =false.
OptionReader Flag(const char* name, bool PluginOptions::*member) {
  return {name, [member](const std::optional<std::string>& value, PluginOptions* options) {
            if (!value || *value == "true") {
              options->*member = true;
            } else if (*value == "false") {
              options->*member = false;
            } else {
              return std::string("takes true or false");
            }
            return std::string();
          }};
}

// An option whose value is a non-empty text.
OptionReader Text(const char* name, std::string PluginOptions::*member) {
  return {name, [name, member](const std::optional<std::string>& value, PluginOptions* options) {
            if (!value || value->empty()) return "needs a value: " + std::string(name) + "=...";
            options->*member = *value;
            return std::string();
          }};
}

const std::vector<OptionReader>& KnownOptions() {
  static const std::vector<OptionReader> options = {
      Flag("openapi", &PluginOptions::openapi),
      Text("openapi_merge", &PluginOptions::openapi_merge),
      {"openapi_format",
       [](const std::optional<std::string>& value, PluginOptions* options) {
         if (value == "json" || value == "yaml") {
           options->openapi_yaml = *value == "yaml";
           return std::string();
         }
         return std::string("takes json or yaml");
       }},
      {"openapi_naming_strategy",
       [](const std::optional<std::string>& value, PluginOptions* options) {
         if (value == "fqn") {
           options->naming_strategy = NamingStrategy::kFqn;
         } else if (value == "simple") {
           options->naming_strategy = NamingStrategy::kSimple;
         } else if (value == "package") {
           options->naming_strategy = NamingStrategy::kPackage;
         } else if (value == "legacy") {
           options->naming_strategy = NamingStrategy::kLegacy;
         } else {
           return std::string("takes fqn, simple, package or legacy");
         }
         return std::string();
       }},
      Flag("json_names_for_fields", &PluginOptions::json_names_for_fields),
      Text("grpc_api_configuration", &PluginOptions::grpc_api_configuration),
      Flag("generate_unbound_methods", &PluginOptions::generate_unbound_methods),
      Flag("allow_repeated_fields_in_body", &PluginOptions::allow_repeated_fields_in_body),
  };
  return options;
}

std::string KnownOptionNames() {
  std::string names;
  for (const OptionReader& option : KnownOptions()) {
    if (!names.empty()) names += ", ";
    names += option.name;
  }
  return names;
}

}  // namespace

std::string PluginOptions::OpenApiFileName(std::string_view stem) const {
  return std::string(stem) + (openapi_yaml ? ".openapi.yaml" : ".openapi.json");
}

std::optional<PluginOptions> ParsePluginOptions(std::string_view parameter, std::string* error) {
  PluginOptions options;
  std::set<std::string> seen;
  std::size_t begin = 0;
  while (begin < parameter.size()) {
    std::size_t end = parameter.find(',', begin);
    if (end == std::string_view::npos) end = parameter.size();
    std::string_view item = parameter.substr(begin, end - begin);
    begin = end + 1;
    if (item.empty()) continue;  // "a,,b" and a trailing comma, as protoc's own options allow
    const std::size_t equals = item.find('=');
    const std::string name(item.substr(0, equals));
    std::optional<std::string> value;
    if (equals != std::string_view::npos) value = std::string(item.substr(equals + 1));

    const OptionReader* reader = nullptr;
    for (const OptionReader& known : KnownOptions()) {
      if (name == known.name) reader = &known;
    }
    if (reader == nullptr) {
      *error = "unknown option " + Quote(name) + "; the known options are " + KnownOptionNames();
      return std::nullopt;
    }
    if (!seen.insert(name).second) {
      *error = "option " + Quote(name) + " is given twice";
      return std::nullopt;
    }
    std::string problem = reader->read(value, &options);
    if (!problem.empty()) {
      *error = "option " + Quote(std::string(item)) + ": " + name + " " + problem;
      return std::nullopt;
    }
  }
  if (!options.openapi_merge.empty()) options.openapi = true;
  return options;
}

}  // namespace cppgateway::plugin
