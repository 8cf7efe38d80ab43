#include "schema_names.h"

#include <algorithm>
#include <cctype>

namespace cppgateway::plugin {
namespace {

std::vector<std::string> Split(const std::string& text, std::size_t begin, std::size_t end) {
  std::vector<std::string> parts;
  while (begin < end) {
    std::size_t dot = std::min(text.find('.', begin), end);
    parts.push_back(text.substr(begin, dot - begin));
    begin = dot + 1;
  }
  return parts;
}

// The components a name is made of, outermost first. Under kPackage the type's package-scoped
// name is one component ("foo", "v1", "Shelf.Kind"): by the convention that package names are
// lower case and type names capitalized, it starts at the first capitalized component.
std::vector<std::string> Components(const std::string& full_name, NamingStrategy strategy) {
  if (strategy == NamingStrategy::kPackage) {
    for (std::size_t i = 0; i < full_name.size(); ++i) {
      const bool component_start = i == 0 || full_name[i - 1] == '.';
      if (component_start && std::isupper(static_cast<unsigned char>(full_name[i]))) {
        std::vector<std::string> parts = Split(full_name, 0, i == 0 ? 0 : i - 1);
        parts.push_back(full_name.substr(i));
        return parts;
      }
    }
  }
  return Split(full_name, 0, full_name.size());
}

// The last `count` components joined: the key under which suffixes are compared.
std::string Suffix(const std::vector<std::string>& components, std::size_t count) {
  std::string suffix;
  for (std::size_t i = components.size() - count; i < components.size(); ++i) {
    suffix += components[i];
    suffix += '\x1f';  // no proto name holds it
  }
  return suffix;
}

}  // namespace

std::map<std::string, std::string> SchemaNames(const std::vector<std::string>& full_names,
                                               NamingStrategy strategy) {
  std::map<std::string, std::string> names;
  if (strategy == NamingStrategy::kFqn) {
    for (const std::string& full_name : full_names) names[full_name] = full_name;
    return names;
  }
  std::map<std::string, int> suffix_counts;
  std::map<std::string, std::vector<std::string>> components;
  for (const std::string& full_name : full_names) {
    std::vector<std::string>& parts = components[full_name] = Components(full_name, strategy);
    for (std::size_t count = 1; count <= parts.size(); ++count) {
      ++suffix_counts[Suffix(parts, count)];
    }
  }
  for (const std::string& full_name : full_names) {
    const std::vector<std::string>& parts = components[full_name];
    // The fewest last components that no other name ends with.
    std::size_t count = 1;
    while (count < parts.size() && suffix_counts[Suffix(parts, count)] > 1) ++count;
    if (strategy == NamingStrategy::kLegacy) {
      // One component more, joined without dots, package components capitalized after the
      // first: "foo.v1.Book" -> "v1Book", "google.rpc.Status" -> "rpcStatus".
      count = std::min(count + 1, parts.size());
      std::string name;
      for (std::size_t i = parts.size() - count; i < parts.size(); ++i) {
        std::string part = parts[i];
        const bool lower = std::none_of(part.begin(), part.end(), [](char c) {
          return std::isupper(static_cast<unsigned char>(c));
        });
        if (!name.empty() && lower && !part.empty()) {
          part[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(part[0])));
        }
        name += part;
      }
      names[full_name] = name;
      continue;
    }
    std::string name;
    for (std::size_t i = parts.size() - count; i < parts.size(); ++i) {
      if (!name.empty()) name += '.';
      name += parts[i];
    }
    names[full_name] = name;
  }
  return names;
}

}  // namespace cppgateway::plugin
