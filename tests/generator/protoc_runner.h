// Runs protoc with the freshly built protoc-gen-cppgateway, the way cppgateway_generate does, so
// the tests see exactly what protoc writes and prints.
#pragma once

#include <string>
#include <vector>

namespace cppgateway::testing {

struct ProtocResult {
  int exit_code = -1;
  std::string error_output;  // what protoc printed on stderr
};

// Runs protoc with --cppgateway_out=`out_dir` on `protos`, named relative to tests/generator
// ("golden/library.proto"), from tests/generator with the plugin's `parameter` ("openapi,..."; a
// file it names is relative to tests/generator too). Import paths: tests/generator, our
// google/api, google/rpc and cppgateway protos, the well-known types.
ProtocResult RunProtoc(const std::vector<std::string>& protos, const std::string& out_dir,
                       const std::string& parameter = "");

// `text` quoted for /bin/sh.
std::string ShellQuote(const std::string& text);

// The directory of the generator tests' sources.
std::string GeneratorTestDir();

// A new, empty directory under the test's temporary directory.
std::string MakeTempDir();

// The whole content of `path`; empty when it cannot be read.
std::string ReadFile(const std::string& path);

// Whether `path` exists.
bool FileExists(const std::string& path);

// The files of `dir` (relative to tests/generator) whose names end with `suffix`, sorted.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);

}  // namespace cppgateway::testing
