#include "openapi_document.h"

#include <cppgateway/field_path.h>
#include <google/protobuf/descriptor.pb.h>

#include <map>
#include <set>
#include <utility>

#include "comments.h"
#include "google/rpc/status.pb.h"

namespace cppgateway::plugin {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr char kStatus[] = "google.rpc.Status";
constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";
constexpr char kEventStream[] = "text/event-stream";

// google.rpc.Status, the error body: the protos' own when they import it (with its comments),
// else the plugin's compiled-in copy.
const Descriptor& StatusDescriptor(const ApiFile& file) {
  const Descriptor* status = file.descriptor->pool()->FindMessageTypeByName(kStatus);
  return status != nullptr ? *status : *google::rpc::Status::descriptor();
}

bool IsHttpBody(const Descriptor* message) {
  return message != nullptr && message->full_name() == "google.api.HttpBody";
}

// Raw bytes: a google.api.HttpBody's data, with its own content type.
Json RawContent() { return {{"*/*", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}; }

// One parameter of an OpenAPI path: a wildcard of a variable, or a bare wildcard.
struct PathParameter {
  std::string name;                   // as it stands between braces in the path
  const FieldChain* field = nullptr;  // the variable's field; null for a bare wildcard
  std::string note;                   // how the parameter makes up the field's value
};

// A binding's template as an OpenAPI path, and its parameters in path order.
struct OpenApiPath {
  std::string path;
  std::vector<PathParameter> parameters;
};

OpenApiPath RenderPath(const Binding& binding) {
  const PathTemplate& path_template = binding.path_template;
  const std::vector<TemplateSegment>& segments = path_template.segments();
  OpenApiPath rendered;
  int bare_wildcards = 0;
  std::size_t next = 0;  // the next segment to write
  auto add_bare = [&](const TemplateSegment& segment) {
    if (segment.kind == TemplateSegment::Kind::kLiteral) {
      rendered.path += "/" + segment.literal;
      return;
    }
    PathParameter parameter;
    parameter.name = "wildcard" + (bare_wildcards > 0 ? "_" + std::to_string(bare_wildcards) : "");
    ++bare_wildcards;
    parameter.note = segment.kind == TemplateSegment::Kind::kMultiWildcard
                         ? "Any one or more segments (`**`), their slashes sent as they are; "
                           "it sets no field."
                         : "Any one segment (`*`); it sets no field.";
    rendered.path += "/{" + parameter.name + "}";
    rendered.parameters.push_back(std::move(parameter));
  };
  const std::vector<TemplateVariable>& variables = path_template.variables();
  for (std::size_t v = 0; v < variables.size(); ++v) {
    const TemplateVariable& variable = variables[v];
    while (next < static_cast<std::size_t>(variable.begin)) add_bare(segments[next++]);
    const std::string field_name = JoinFieldPath(variable.field_path);
    std::string value;  // the field's value, with the parameters in braces
    std::vector<PathParameter> parameters;
    bool spans_segments = false;
    for (; next < static_cast<std::size_t>(variable.end); ++next) {
      const TemplateSegment& segment = segments[next];
      std::string piece = segment.literal;
      if (segment.kind != TemplateSegment::Kind::kLiteral) {
        PathParameter parameter;
        parameter.name =
            field_name + (parameters.empty() ? "" : "_" + std::to_string(parameters.size()));
        parameter.field = &binding.path_fields[v];
        piece = "{" + parameter.name + "}";
        if (segment.kind == TemplateSegment::Kind::kMultiWildcard) {
          spans_segments = true;
          parameter.note = "`" + piece +
                           "` is one or more segments (`**`): send their slashes as they are, "
                           "not percent-encoded.";
        }
        parameters.push_back(std::move(parameter));
      }
      value += (value.empty() ? "" : "/") + piece;
      rendered.path += "/" + piece;
    }
    // A plain `{id}` is the field; anything else builds the field's value from its parts.
    const bool plain =
        variable.end - variable.begin == 1 && parameters.size() == 1 && !spans_segments;
    for (PathParameter& parameter : parameters) {
      if (!plain) {
        parameter.note = "The server sets `" + field_name + "` to `" + value + "`." +
                         (parameter.note.empty() ? "" : " " + parameter.note);
      }
      rendered.parameters.push_back(std::move(parameter));
    }
  }
  while (next < segments.size()) add_bare(segments[next++]);
  if (rendered.path.empty()) rendered.path = "/";
  if (!path_template.verb().empty()) rendered.path += ":" + path_template.verb();
  return rendered;
}

// `text` and `more`, a blank line between them when both are there.
std::string Paragraphs(const std::string& text, const std::string& more) {
  if (text.empty()) return more;
  if (more.empty()) return text;
  return text + "\n\n" + more;
}

// Gives `path` the parameter names of the first path of the same shape in `*names_by_shape` (by
// position), or records its own. OpenAPI takes paths that differ only in their parameters' names
// for the same path ("identical"), which a document may not hold twice; the router serves them,
// by method (GET /v1/books/{book_id} and PATCH /v1/books/{book.id}).
void UseNamesOfTheSameShape(OpenApiPath* path,
                            std::map<std::string, std::vector<std::string>>* names_by_shape) {
  std::string shape;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < path->path.size(); ++i) {
    shape += path->path[i];
    if (path->path[i] != '{') continue;
    const std::size_t close = path->path.find('}', i);
    names.push_back(path->path.substr(i + 1, close - i - 1));
    i = close - 1;
  }
  auto [known, added] = names_by_shape->emplace(shape, names);
  if (added || known->second == names) return;
  path->path.clear();
  std::size_t next = 0;
  for (char c : shape) {
    path->path += c;
    if (c == '{') path->path += known->second[next++];
  }
  for (std::size_t i = 0; i < path->parameters.size(); ++i) {
    PathParameter& parameter = path->parameters[i];
    if (parameter.name == known->second[i]) continue;
    if (parameter.field != nullptr && parameter.note.empty()) {
      parameter.note = "Here it sets `" + FieldChainName(*parameter.field) + "`.";
    }
    parameter.name = known->second[i];
  }
}

// "a.b" in JSON names (or proto names): how a query parameter names a nested field.
std::string QueryName(const FieldChain& chain, const SchemaSet& schemas) {
  std::string name;
  for (const FieldDescriptor* field : chain) {
    if (!name.empty()) name += '.';
    name += schemas.JsonName(*field);
  }
  return name;
}

bool AnyDeprecated(const FieldChain& chain) {
  for (const FieldDescriptor* field : chain) {
    if (field->options().deprecated()) return true;
  }
  return false;
}

Json Parameters(const Binding& binding, const OpenApiPath& path, const SchemaSet& schemas) {
  Json parameters = Json::array();
  for (const PathParameter& parameter : path.parameters) {
    Json entry = {{"name", parameter.name}, {"in", "path"}, {"required", true}};
    const FieldDescriptor* field = parameter.field != nullptr ? parameter.field->back() : nullptr;
    std::string description = Paragraphs(field != nullptr ? CommentOf(*field) : "", parameter.note);
    if (field != nullptr && field->is_repeated()) {
      description = Paragraphs(description, "A comma-separated list.");
    }
    if (!description.empty()) entry["description"] = description;
    if (field != nullptr && AnyDeprecated(*parameter.field)) entry["deprecated"] = true;
    // A repeated field is an array in the `simple` style, the default of a path parameter:
    // "1,2,3", which the runtime splits.
    entry["schema"] = field != nullptr ? schemas.ParameterSchema(*field) : Json{{"type", "string"}};
    parameters.push_back(std::move(entry));
  }
  for (const FieldChain& chain : binding.query_fields) {
    const FieldDescriptor& field = *chain.back();
    Json entry = {{"name", QueryName(chain, schemas)}, {"in", "query"}};
    std::string description = CommentOf(field);
    if (!description.empty()) entry["description"] = description;
    if (AnyDeprecated(chain)) entry["deprecated"] = true;
    // A list repeats its key (`form`, exploded: the default); a map is `m[key]=v`.
    if (field.is_map()) {
      entry["style"] = "deepObject";
      entry["explode"] = true;
    }
    entry["schema"] = schemas.ParameterSchema(field);
    parameters.push_back(std::move(entry));
  }
  return parameters;
}

// Whether what `binding` reads from the body (or writes into the answer) is a google.api.HttpBody.
bool RequestIsRaw(const Method& method, const Binding& binding) {
  if (binding.body == "*") return IsHttpBody(method.descriptor->input_type());
  return !binding.body_field.empty() && IsHttpBody(binding.body_field.back()->message_type());
}

bool ResponseIsRaw(const Method& method, const Binding& binding) {
  if (binding.response_field.empty()) return IsHttpBody(method.descriptor->output_type());
  return IsHttpBody(binding.response_field.back()->message_type());
}

bool StreamsRequests(const Method& method) {
  return method.streaming == Method::Streaming::kClient ||
         method.streaming == Method::Streaming::kBidi;
}

bool StreamsResponses(const Method& method) {
  return method.streaming == Method::Streaming::kServer ||
         method.streaming == Method::Streaming::kBidi;
}

Json RequestBody(const Method& method, const Binding& binding, const SchemaSet& schemas) {
  Json body = Json::object();
  Json schema;
  if (binding.body == "*") {
    schema = schemas.MessageSchema(*method.descriptor->input_type());
  } else {
    schema = schemas.FieldSchema(*binding.body_field.back());
    std::string description = CommentOf(*binding.body_field.back());
    if (!description.empty()) body["description"] = description;
  }
  if (RequestIsRaw(method, binding)) {
    body["content"] = RawContent();
  } else if (StreamsRequests(method)) {
    body["description"] = Paragraphs(body.value("description", ""),
                                     "A stream of requests: one JSON value per line, each read "
                                     "as it arrives.");
    body["content"] = {{kNdjson, {{"schema", std::move(schema)}}}};
  } else {
    body["content"] = {{kJson, {{"schema", std::move(schema)}}}};
  }
  return body;
}

Json Responses(const Method& method, const Binding& binding, const SchemaSet& schemas,
               const Json& status_ref) {
  Json schema = binding.response_field.empty()
                    ? schemas.MessageSchema(*method.descriptor->output_type())
                    : schemas.FieldSchema(*binding.response_field.back());
  Json success = Json::object();
  if (method.success_code == 204) {
    success["description"] = "No content.";
  } else if (ResponseIsRaw(method, binding)) {
    success["description"] = StreamsResponses(method)
                                 ? "The bytes of every message, one after the other."
                                 : "The message's bytes, with its content type.";
    success["content"] = RawContent();
  } else if (StreamsResponses(method)) {
    success["description"] =
        "A stream: one line per message, {\"result\": <message>}; an error after the first "
        "message ends it with a line {\"error\": <google.rpc.Status>}. With Accept: "
        "text/event-stream, one event per message (data: <message>), an error as an `error` "
        "event.";
    Json line = {{"type", "object"},
                 {"properties", {{"result", std::move(schema)}, {"error", status_ref}}}};
    success["content"] = {{kNdjson, {{"schema", std::move(line)}}},
                          {kEventStream, {{"schema", {{"type", "string"}}}}}};
  } else {
    success["description"] = "A successful response.";
    success["content"] = {{kJson, {{"schema", std::move(schema)}}}};
  }
  Json error = {{"description",
                 "An error: the gRPC status, whose code decides the HTTP status (NOT_FOUND 404, "
                 "UNAVAILABLE 503, ...)."},
                {"content", {{kJson, {{"schema", status_ref}}}}}};
  return {{std::to_string(method.success_code), std::move(success)}, {"default", std::move(error)}};
}

// The path item field of an HTTP method, or "" for a kind OpenAPI 3.1 has no field for.
std::string OperationField(const std::string& http_method) {
  static const std::map<std::string, std::string> kFields = {
      {"GET", "get"},     {"PUT", "put"},   {"POST", "post"},       {"DELETE", "delete"},
      {"PATCH", "patch"}, {"HEAD", "head"}, {"OPTIONS", "options"}, {"TRACE", "trace"}};
  auto found = kFields.find(http_method);
  return found == kFields.end() ? "" : found->second;
}

// How operationIds and tags name a service: by its name, or by its full name (dots as
// underscores) when another service of the document has the same name.
std::map<const google::protobuf::ServiceDescriptor*, std::string> ServiceLabels(
    const std::vector<const ApiFile*>& files) {
  std::map<std::string, int> name_counts;
  for (const ApiFile* file : files) {
    for (const Service& service : file->services) ++name_counts[service.descriptor->name()];
  }
  std::map<const google::protobuf::ServiceDescriptor*, std::string> labels;
  for (const ApiFile* file : files) {
    for (const Service& service : file->services) {
      std::string label = service.descriptor->name();
      if (name_counts[label] > 1) {
        label = service.descriptor->full_name();
        for (char& c : label) c = c == '.' ? '_' : c;
      }
      labels[service.descriptor] = label;
    }
  }
  return labels;
}

}  // namespace

std::optional<Json> BuildOpenApiDocument(const std::vector<const ApiFile*>& files,
                                         const std::string& title, const PluginOptions& options,
                                         std::string* error) {
  SchemaSet schemas(options);
  for (const ApiFile* file : files) {
    schemas.AddFile(*file->descriptor);
    for (const Service& service : file->services) {
      for (const Method& method : service.methods) {
        schemas.AddMessage(*method.descriptor->input_type());
        schemas.AddMessage(*method.descriptor->output_type());
      }
    }
  }
  if (!files.empty()) schemas.AddMessage(StatusDescriptor(*files.front()));
  schemas.Freeze();
  const Json status_ref = schemas.Ref(kStatus);

  const auto labels = ServiceLabels(files);
  std::map<std::string, std::vector<std::string>> path_names;
  Json tags = Json::array();
  Json paths = Json::object();
  for (const ApiFile* file : files) {
    for (const Service& service : file->services) {
      const std::string& label = labels.at(service.descriptor);
      Json tag = {{"name", label}};
      if (!service.comment.empty()) tag["description"] = service.comment;
      tags.push_back(std::move(tag));
      for (const Method& method : service.methods) {
        for (const Binding& binding : method.bindings) {
          OpenApiPath path = RenderPath(binding);
          UseNamesOfTheSameShape(&path, &path_names);
          Json operation = {{"tags", {label}}};
          // The comment's first paragraph is the summary (the method's name without a comment),
          // the rest describes.
          const std::size_t blank = method.comment.find("\n\n");
          std::string summary = method.comment.substr(0, blank);
          for (char& c : summary) c = c == '\n' ? ' ' : c;
          operation["summary"] = summary.empty() ? method.descriptor->name() : summary;
          if (blank != std::string::npos)
            operation["description"] = method.comment.substr(blank + 2);
          operation["operationId"] = label + "_" + method.descriptor->name() +
                                     (binding.index > 0 ? std::to_string(binding.index + 1) : "");
          if (method.deprecated) operation["deprecated"] = true;
          Json parameters = Parameters(binding, path, schemas);
          if (!parameters.empty()) operation["parameters"] = std::move(parameters);
          if (!binding.body.empty())
            operation["requestBody"] = RequestBody(method, binding, schemas);
          operation["responses"] = Responses(method, binding, schemas, status_ref);

          // OpenAPI 3.1 has a field for eight methods only; other kinds the router serves are
          // described under an extension, by their kind.
          const std::string field = OperationField(binding.http_method);
          Json& operations =
              field.empty() ? paths[path.path]["x-cppgateway-operations"] : paths[path.path];
          const std::string key = field.empty() ? binding.http_method : field;
          if (operations.contains(key)) {
            *error = method.descriptor->full_name() + ": " + binding.http_method + " \"" +
                     binding.path_template.text() + "\": the document has " + key + " " +
                     path.path + " already, as " +
                     operations[key]["operationId"].get<std::string>();
            return std::nullopt;
          }
          operations[key] = std::move(operation);
        }
      }
    }
  }

  Json info = {{"title", title}};
  if (files.size() == 1) {
    std::string description = FileComment(*files.front()->descriptor);
    if (!description.empty()) info["description"] = description;
  }
  info["version"] = "version not set";
  Json document = {{"openapi", "3.1.0"}, {"info", std::move(info)}};
  if (!tags.empty()) document["tags"] = std::move(tags);
  document["paths"] = std::move(paths);
  document["components"] = {{"schemas", schemas.Components()}};
  return document;
}

}  // namespace cppgateway::plugin
