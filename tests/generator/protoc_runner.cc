#include "protoc_runner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cppgateway::testing {
// Single quotes, so paths with spaces or quotes pass through unchanged.
std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string GeneratorTestDir() { return CPPGATEWAY_GENERATOR_TEST_DIR; }

ProtocResult RunProtoc(const std::vector<std::string>& protos, const std::string& out_dir,
                       const std::string& parameter) {
  std::string stderr_path = out_dir + "/protoc.stderr";
  std::string command =
      ShellQuote(CPPGATEWAY_PROTOC) + " -I" + ShellQuote(GeneratorTestDir()) + " -I" +
      ShellQuote(CPPGATEWAY_PROTO_DIR) + " -I" + ShellQuote(CPPGATEWAY_WKT_PROTO_DIR) +
      " --plugin=protoc-gen-cppgateway=" + ShellQuote(CPPGATEWAY_PLUGIN) +
      " --cppgateway_out=" + ShellQuote(parameter.empty() ? out_dir : parameter + ":" + out_dir);
  for (const std::string& proto : protos) command += " " + ShellQuote(proto);
  // protoc resolves the proto names against the import paths from the working directory.
  command =
      "cd " + ShellQuote(GeneratorTestDir()) + " && " + command + " 2>" + ShellQuote(stderr_path);

  ProtocResult result;
  int status = std::system(command.c_str());
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.error_output = ReadFile(stderr_path);
  std::filesystem::remove(stderr_path);
  return result;
}

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "cppgateway_generator_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool FileExists(const std::string& path) { return std::filesystem::exists(path); }

std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(GeneratorTestDir() + "/" + dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cppgateway::testing
