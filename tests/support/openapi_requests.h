// HTTP requests built from an OpenAPI document alone, as a client generated from it would build
// them: for each operation its path with the path parameters filled in, query parameters and a
// body, all with example values drawn from their schemas. And a check of a JSON value against a
// schema of the document, for the answers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cppgateway::testing {

using Json = nlohmann::ordered_json;

// One request for one operation.
struct DocumentRequest {
  std::string name;          // "<operationId>", plus the query parameter it carries when alone
  std::string method;        // "GET", "HEAD", ... (a path item's field, upper case)
  std::string target;        // path and query string, percent-encoded
  std::string content_type;  // of the body; empty without one
  std::string body;
  const Json* operation = nullptr;  // the operation object, in the document
};

enum class QueryParameters {
  kAll,         // one request per operation, with every query parameter
  kOneAtATime,  // one request without query parameters, then one per parameter (a oneof's
                // members cannot all be set at once)
};

// The requests for every operation of `document` (which must outlive them), in document order.
std::vector<DocumentRequest> RequestsFromDocument(const Json& document, QueryParameters query);

// The operations of `document`, counted: the fields of its path items that are HTTP methods,
// and those under x-cppgateway-operations.
int CountOperations(const Json& document);

// Whether `value` matches `schema` (resolving `$ref`s in `document`): type, enum, properties,
// additionalProperties, items, oneOf, allOf, required and the `false` schema. Formats and
// patterns are not checked. On a mismatch returns false with `*why` saying where.
bool MatchesSchema(const Json& value, const Json& schema, const Json& document, std::string* why);

}  // namespace cppgateway::testing
