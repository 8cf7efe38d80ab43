// The OpenAPI 3.1 document of one or more proto files' HTTP APIs, built from the model: one
// operation per binding, with its path and query parameters, request body and responses as the
// runtime serves them, and component schemas for the messages and enums.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api_model.h"
#include "openapi_schemas.h"
#include "plugin_options.h"

namespace cppgateway::plugin {

// The document of `files`: one file's, or every file of a run under openapi_merge. `title` is
// the document's title (the proto file's name, or the merge name).
//
// Paths: a variable over several segments is written out, its literals in the path and one
// parameter per wildcard (`/v1/{name=shelves/*}` -> `/v1/shelves/{name}`), as grpc-gateway's v3
// generator does, so that a client built from the document sends what the router matches.
// Operations: operationId <Service>_<Method>, then <Service>_<Method>2, 3, ... for the further
// bindings (a service named like another of the document is qualified: foo_v1_Service);
// tagged with the service; summary and description from the method's comment. Responses: the
// method's success code with the response (or response_body field) as JSON, a server stream as
// NDJSON and server-sent events, google.api.HttpBody as raw bytes; `default`: google.rpc.Status.
//
// Two bindings of the same method and path in different files of a merge cannot both be in one
// document (nor on one gateway): returns nullopt with `*error` naming both.
std::optional<Json> BuildOpenApiDocument(const std::vector<const ApiFile*>& files,
                                         const std::string& title, const PluginOptions& options,
                                         std::string* error);

}  // namespace cppgateway::plugin
