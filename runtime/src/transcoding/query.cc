#include "cppgateway/query.h"

#include <google/protobuf/descriptor.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cppgateway/field_path.h"
#include "cppgateway/percent_encoding.h"

namespace cppgateway {
namespace {

using google::protobuf::FieldDescriptor;

// A decoded query key: the dotted field path and, for `m[key]`, the map key.
struct QueryKey {
  std::vector<std::string> path;
  bool has_map_key = false;
  std::string map_key;
};

QueryKey ParseQueryKey(const std::string& key) {
  QueryKey parsed;
  std::string_view field_text = key;
  // Field names never hold '[', so the first one opens the map key, which may hold any character.
  const std::size_t open = key.find('[');
  if (open != std::string::npos && key.back() == ']') {
    field_text = std::string_view(key).substr(0, open);
    parsed.has_map_key = true;
    parsed.map_key = key.substr(open + 1, key.size() - open - 2);
  }
  parsed.path = SplitFieldPath(field_text);
  return parsed;
}

// Whether `fields` lies at or under one of `bound_paths`, whose steps may be proto or json names.
bool IsBound(const std::vector<const FieldDescriptor*>& fields,
             const std::vector<std::vector<std::string>>& bound_paths) {
  for (const std::vector<std::string>& bound : bound_paths) {
    if (bound.empty() || bound.size() > fields.size()) continue;
    bool prefix = true;
    for (std::size_t i = 0; i < bound.size() && prefix; ++i) {
      prefix = bound[i] == fields[i]->name() || bound[i] == fields[i]->json_name();
    }
    if (prefix) return true;
  }
  return false;
}

// The field's identity whatever names the parameter used (`displayName` and `display_name` are one
// field), so that setting it twice is caught.
std::string CanonicalName(const std::vector<const FieldDescriptor*>& fields, const QueryKey& key) {
  std::string name;
  for (const FieldDescriptor* field : fields) {
    if (!name.empty()) name.push_back('.');
    name += field->name();
  }
  if (key.has_map_key) name += "[" + key.map_key + "]";
  return name;
}

grpc::Status InvalidArgument(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace

grpc::Status ApplyQueryParameters(std::string_view query,
                                  const std::vector<std::vector<std::string>>& bound_paths,
                                  const QueryOptions& options, google::protobuf::Message* message) {
  std::set<std::string> set_once;  // the non-repeated fields and map entries set so far
  std::string key;
  std::string value;
  std::size_t begin = 0;
  while (begin < query.size()) {
    std::size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view parameter = query.substr(begin, end - begin);
    begin = end + 1;
    if (parameter.empty()) continue;

    const std::size_t equals = parameter.find('=');
    const std::string_view raw_key = parameter.substr(0, equals);
    const std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : parameter.substr(equals + 1);
    if (!PercentDecode(raw_key, PercentDecodeMode::kQueryComponent, &key) ||
        !PercentDecode(raw_value, PercentDecodeMode::kQueryComponent, &value)) {
      return InvalidArgument("malformed percent-encoding in query parameter \"" +
                             std::string(parameter) + "\"");
    }

    const QueryKey parsed = ParseQueryKey(key);
    const std::vector<const FieldDescriptor*> fields =
        key.empty() ? std::vector<const FieldDescriptor*>()
                    : ResolveFieldPath(message->GetDescriptor(), parsed.path);
    if (fields.empty()) {
      if (!options.reject_unknown_parameters) continue;
      return InvalidArgument("unknown query parameter \"" + key + "\" for " +
                             message->GetTypeName());
    }
    // The path variables and the body were bound already and win.
    if (IsBound(fields, bound_paths)) continue;

    if (parsed.has_map_key || !fields.back()->is_repeated()) {
      if (!set_once.insert(CanonicalName(fields, parsed)).second) {
        return InvalidArgument("query parameter \"" + key +
                               "\" is given more than once, but the field takes one value");
      }
    }
    grpc::Status status = SetFieldFromText(message, parsed.path, value,
                                           parsed.has_map_key ? &parsed.map_key : nullptr);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace cppgateway
