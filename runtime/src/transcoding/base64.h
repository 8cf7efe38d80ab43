// Base64 both ways: proto3 JSON's bytes, binary metadata in HTTP headers (`-Bin`).
#pragma once

#include <string>
#include <string_view>

namespace cppgateway {

// Standard base64 with padding, as proto3 JSON prints bytes.
std::string EncodeBase64(std::string_view bytes);

// Standard or URL-safe base64 (not both in one text), with or without padding. Returns false for
// anything else.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace cppgateway
