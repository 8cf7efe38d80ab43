#include "api_configuration.h"

#include <yaml-cpp/yaml.h>

#include <utility>

namespace cppgateway::plugin {
namespace {

using google::api::HttpRule;

// Reading stops at the first problem: ReadError carries it out of the recursion.
struct ReadError {
  YAML::Mark mark;
  std::string problem;
};

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

std::string Scalar(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) throw ReadError{node.Mark(), Quote(key) + " must be a string"};
  return node.Scalar();
}

// Sets the pattern of `rule`; a rule has exactly one.
void SetPattern(const YAML::Node& value, const std::string& key, HttpRule* rule) {
  if (rule->pattern_case() != HttpRule::PATTERN_NOT_SET) {
    throw ReadError{value.Mark(), "a rule has one pattern; " + Quote(key) + " is a second one"};
  }
  if (key == "get") rule->set_get(Scalar(value, key));
  if (key == "put") rule->set_put(Scalar(value, key));
  if (key == "post") rule->set_post(Scalar(value, key));
  if (key == "delete") rule->set_delete_(Scalar(value, key));
  if (key == "patch") rule->set_patch(Scalar(value, key));
  if (key == "custom") {
    if (!value.IsMap()) throw ReadError{value.Mark(), "\"custom\" must be a map of kind and path"};
    google::api::CustomHttpPattern* custom = rule->mutable_custom();
    for (const auto& entry : value) {
      const std::string name = entry.first.Scalar();
      if (name == "kind") {
        custom->set_kind(Scalar(entry.second, name));
      } else if (name == "path") {
        custom->set_path(Scalar(entry.second, name));
      } else {
        throw ReadError{entry.first.Mark(), "unknown key " + Quote(name) + " in \"custom\""};
      }
    }
  }
}

// Reads one rule (a YAML map); `top_level` rules have a selector, additional bindings none.
void ReadRule(const YAML::Node& node, bool top_level, std::string* selector, HttpRule* rule) {
  if (!node.IsMap()) throw ReadError{node.Mark(), "a rule must be a map"};
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "selector" && top_level) {
      *selector = Scalar(value, key);
    } else if (key == "get" || key == "put" || key == "post" || key == "delete" || key == "patch" ||
               key == "custom") {
      SetPattern(value, key, rule);
    } else if (key == "body") {
      rule->set_body(Scalar(value, key));
    } else if (key == "response_body") {
      rule->set_response_body(Scalar(value, key));
    } else if (key == "additional_bindings") {
      if (!value.IsSequence()) {
        throw ReadError{value.Mark(), "\"additional_bindings\" must be a list of rules"};
      }
      // Nested additional_bindings are read too, for the model to refuse as it does in protos.
      for (const YAML::Node& additional : value) {
        ReadRule(additional, false, nullptr, rule->add_additional_bindings());
      }
    } else {
      throw ReadError{entry.first.Mark(), "unknown key " + Quote(key) + " in an HTTP rule"};
    }
  }
  if (!top_level) return;
  if (selector->empty()) throw ReadError{node.Mark(), "the rule has no selector"};
  if (selector->find_first_of("*, ") != std::string::npos) {
    throw ReadError{node.Mark(),
                    "selector " + Quote(*selector) + " must name one method, without wildcards"};
  }
}

}  // namespace

std::optional<std::vector<ConfiguredRule>> ReadApiConfiguration(const std::string& path,
                                                                std::string* error) {
  std::vector<ConfiguredRule> rules;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) throw ReadError{root.Mark(), "a gRPC API Configuration is a YAML map"};
    const YAML::Node http = root["http"];
    if (!http) return rules;
    const YAML::Node rule_list = http["rules"];
    if (!rule_list) return rules;
    if (!rule_list.IsSequence()) throw ReadError{rule_list.Mark(), "http.rules must be a list"};
    for (const YAML::Node& node : rule_list) {
      ConfiguredRule rule;
      ReadRule(node, true, &rule.selector, &rule.rule);
      // Selectors are written with or without a leading dot; methods are looked up without.
      if (rule.selector.front() == '.') rule.selector.erase(0, 1);
      rule.where = path + ":" + std::to_string(node.Mark().line + 1);
      rules.push_back(std::move(rule));
    }
  } catch (const ReadError& read_error) {
    *error = path + ":" + std::to_string(read_error.mark.line + 1) + ": " + read_error.problem;
    return std::nullopt;
  } catch (const YAML::BadFile&) {
    *error = path + ": cannot read the gRPC API Configuration";
    return std::nullopt;
  } catch (const YAML::Exception& yaml_error) {
    // A parse error: yaml-cpp's message says where ("yaml-cpp: error at line 3, column 5: ...").
    *error = path + ": " + yaml_error.what();
    return std::nullopt;
  }
  return rules;
}

}  // namespace cppgateway::plugin
