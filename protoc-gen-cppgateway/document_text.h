// An OpenAPI document as the text of its file: JSON (two-space indented) or YAML (block style,
// keys in the document's order).
#pragma once

#include <string>

#include "openapi_schemas.h"

namespace cppgateway::plugin {

// `document` as JSON, or as YAML when `yaml`; ends with a newline.
std::string DocumentText(const Json& document, bool yaml);

}  // namespace cppgateway::plugin
