#include "openapi_requests.h"

#include <cctype>
#include <optional>
#include <set>

namespace cppgateway::testing {
namespace {

constexpr int kMaxDepth = 3;  // how deep example objects go: recursive messages end

// The path item fields that are operations, and their HTTP methods.
const std::pair<const char*, const char*> kOperationFields[] = {
    {"get", "GET"},         {"put", "PUT"},   {"post", "POST"},   {"delete", "DELETE"},
    {"options", "OPTIONS"}, {"head", "HEAD"}, {"patch", "PATCH"}, {"trace", "TRACE"}};

// `schema` with its `$ref` (to #/components/schemas/...) followed.
const Json& Resolve(const Json& schema, const Json& document) {
  if (!schema.is_object() || !schema.contains("$ref")) return schema;
  const std::string ref = schema["$ref"].get<std::string>();
  const std::string prefix = "#/components/schemas/";
  return Resolve(document["components"]["schemas"][ref.substr(prefix.size())], document);
}

// The names a schema's oneOf constraints are about: its oneof members.
std::set<std::string> OneofMembers(const Json& schema) {
  std::set<std::string> members;
  auto collect = [&](const Json& one_of) {
    for (const Json& option : one_of) {
      for (const Json& name : option.value("required", Json::array())) {
        members.insert(name.get<std::string>());
      }
    }
  };
  if (schema.contains("oneOf")) collect(schema["oneOf"]);
  for (const Json& group : schema.value("allOf", Json::array())) {
    if (group.contains("oneOf")) collect(group["oneOf"]);
  }
  return members;
}

// An example value of `schema`; nullopt for what no example can stand for (Any, whose type URL
// the server would resolve).
std::optional<Json> Example(const Json& schema_or_ref, const Json& document, int depth) {
  const Json& schema = Resolve(schema_or_ref, document);
  if (!schema.is_object()) return std::nullopt;  // `false`, or nothing usable
  if (schema.contains("enum")) return schema["enum"][0];
  const std::string type = schema.value("type", "");
  const std::string format = schema.value("format", "");
  if (type == "string") {
    if (format == "date-time") return Json("2024-01-02T03:04:05Z");
    if (format == "int64" || format == "uint64") return Json("1");
    if (format == "byte") return Json("AAE=");
    if (format == "binary") return Json("raw bytes");
    if (schema.contains("pattern")) return Json("1.5s");  // Duration's
    return Json("example");
  }
  if (type == "integer") return Json(1);
  if (type == "number") return Json(1.5);
  if (type == "boolean") return Json(true);
  if (type == "null") return Json(nullptr);
  if (type == "array") {
    Json items = Json::array();
    if (depth < kMaxDepth && schema.contains("items")) {
      if (std::optional<Json> item = Example(schema["items"], document, depth + 1)) {
        items.push_back(std::move(*item));
      }
    }
    return items;
  }
  if (type == "object") {
    const Json properties = schema.value("properties", Json::object());
    if (properties.contains("@type")) return std::nullopt;
    Json object = Json::object();
    if (depth >= kMaxDepth) return object;
    const std::set<std::string> oneof_members = OneofMembers(schema);
    for (const auto& [name, property] : properties.items()) {
      if (oneof_members.count(name) != 0) continue;
      if (std::optional<Json> value = Example(property, document, depth + 1)) {
        object[name] = std::move(*value);
      }
    }
    if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
      const Json names = schema.value("propertyNames", Json::object());
      std::string key = "key";
      if (names.contains("pattern")) key = "1";
      if (names.contains("enum")) key = names["enum"][0].get<std::string>();
      if (std::optional<Json> value =
              Example(schema["additionalProperties"], document, depth + 1)) {
        object[key] = std::move(*value);
      }
    }
    return object;
  }
  return Json("example");  // any JSON value (google.protobuf.Value)
}

// A value as the text of a path segment or query value.
std::string Text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {  // a path parameter's list, `simple` style: "a,b"
    std::string joined;
    for (const Json& item : value) joined += (joined.empty() ? "" : ",") + Text(item);
    return joined;
  }
  if (value.is_null()) return "";
  return value.dump();
}

// Percent-encodes all but unreserved characters (and, in a path, the commas of a list).
std::string Encode(const std::string& text, bool keep_commas) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_commas && c == ',')) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0xF];
    }
  }
  return encoded;
}

// "name=value" pairs of one query parameter with the example value of its schema.
std::vector<std::string> QueryPairs(const Json& parameter, const Json& document) {
  const std::string name = parameter["name"].get<std::string>();
  std::optional<Json> value = Example(parameter["schema"], document, 0);
  std::vector<std::string> pairs;
  if (!value) return pairs;
  if (parameter.value("style", "") == "deepObject") {
    for (const auto& [key, item] : value->items()) {
      pairs.push_back(Encode(name, false) + "[" + Encode(key, false) +
                      "]=" + Encode(Text(item), false));
    }
  } else if (value->is_array()) {  // `form`, exploded: the key repeated
    for (const Json& item : *value)
      pairs.push_back(Encode(name, false) + "=" + Encode(Text(item), false));
  } else {
    pairs.push_back(Encode(name, false) + "=" + Encode(Text(*value), false));
  }
  return pairs;
}

std::string Join(const std::vector<std::string>& pairs) {
  std::string query;
  for (const std::string& pair : pairs) query += (query.empty() ? "?" : "&") + pair;
  return query;
}

}  // namespace

std::vector<DocumentRequest> RequestsFromDocument(const Json& document, QueryParameters query) {
  std::vector<DocumentRequest> requests;
  auto add_operation = [&](const std::string& path, const std::string& method,
                           const Json& operation) {
    DocumentRequest request;
    request.name = operation["operationId"].get<std::string>();
    request.method = method;
    request.operation = &operation;
    std::string target = path;
    std::vector<const Json*> query_parameters;
    static const Json kNone = Json::array();
    const Json& parameters = operation.contains("parameters") ? operation["parameters"] : kNone;
    for (const Json& parameter : parameters) {
      if (parameter["in"] == "query") {
        query_parameters.push_back(&parameter);
        continue;
      }
      const std::string placeholder = "{" + parameter["name"].get<std::string>() + "}";
      std::optional<Json> value = Example(parameter["schema"], document, 0);
      target.replace(target.find(placeholder), placeholder.size(),
                     Encode(value ? Text(*value) : "", true));
    }
    if (operation.contains("requestBody")) {
      const Json& contents = operation["requestBody"]["content"];
      const std::string media_type = contents.begin().key();
      const Json& content = contents.begin().value();
      std::optional<Json> body = Example(content.value("schema", Json::object()), document, 0);
      if (media_type == "*/*") {
        request.content_type = "application/octet-stream";
        request.body = "raw bytes";
      } else {
        request.content_type = media_type;
        request.body = body ? body->dump() : "{}";
        if (media_type == "application/x-ndjson") request.body += "\n";
      }
    }
    request.target = target;
    if (query == QueryParameters::kAll) {
      std::vector<std::string> pairs;
      for (const Json* parameter : query_parameters) {
        for (std::string& pair : QueryPairs(*parameter, document)) pairs.push_back(std::move(pair));
      }
      request.target += Join(pairs);
      requests.push_back(std::move(request));
      return;
    }
    requests.push_back(request);
    for (const Json* parameter : query_parameters) {
      DocumentRequest alone = request;
      alone.name += "_" + (*parameter)["name"].get<std::string>();
      alone.target += Join(QueryPairs(*parameter, document));
      requests.push_back(std::move(alone));
    }
  };
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [field, method] : kOperationFields) {
      if (item.contains(field)) add_operation(path, method, item[field]);
    }
    if (item.contains("x-cppgateway-operations")) {
      for (const auto& [kind, operation] : item["x-cppgateway-operations"].items()) {
        add_operation(path, kind, operation);
      }
    }
  }
  return requests;
}

int CountOperations(const Json& document) {
  int count = 0;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [field, method] : kOperationFields) count += item.contains(field) ? 1 : 0;
    if (item.contains("x-cppgateway-operations")) {
      count += static_cast<int>(item["x-cppgateway-operations"].size());
    }
  }
  return count;
}

bool MatchesSchema(const Json& value, const Json& schema_or_ref, const Json& document,
                   std::string* why) {
  const Json& schema = Resolve(schema_or_ref, document);
  auto fail = [&](const std::string& what) {
    *why = what + ": " + value.dump() + " against " + schema.dump();
    return false;
  };
  if (schema.is_boolean()) return schema.get<bool>() || fail("the schema is false");
  if (schema.contains("enum")) {
    bool listed = false;
    for (const Json& allowed : schema["enum"]) listed = listed || allowed == value;
    if (!listed) return fail("not one of the enum's values");
  }
  const std::string type = schema.value("type", "");
  if (!type.empty()) {
    const bool matches =
        (type == "string" && value.is_string()) || (type == "boolean" && value.is_boolean()) ||
        (type == "integer" && value.is_number_integer()) ||
        (type == "number" && value.is_number()) || (type == "null" && value.is_null()) ||
        (type == "array" && value.is_array()) || (type == "object" && value.is_object());
    if (!matches) return fail("not of type " + type);
  }
  if (value.is_array() && schema.contains("items")) {
    for (const Json& item : value) {
      if (!MatchesSchema(item, schema["items"], document, why)) return false;
    }
  }
  if (value.is_object()) {
    const Json properties = schema.value("properties", Json::object());
    for (const Json& name : schema.value("required", Json::array())) {
      if (!value.contains(name.get<std::string>())) return fail("lacks " + name.dump());
    }
    for (const auto& [name, item] : value.items()) {
      if (properties.contains(name)) {
        if (!MatchesSchema(item, properties[name], document, why)) return false;
      } else if (schema.contains("additionalProperties")) {
        if (!MatchesSchema(item, schema["additionalProperties"], document, why)) return false;
      }
    }
  }
  for (const Json& part : schema.value("allOf", Json::array())) {
    if (!MatchesSchema(value, part, document, why)) return false;
  }
  if (schema.contains("oneOf")) {
    int matching = 0;
    std::string ignored;
    for (const Json& option : schema["oneOf"]) {
      matching += MatchesSchema(value, option, document, &ignored) ? 1 : 0;
    }
    if (matching != 1) return fail(std::to_string(matching) + " of oneOf match, not 1");
  }
  return true;
}

}  // namespace cppgateway::testing
