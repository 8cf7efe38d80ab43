#include "comments.h"

#include <google/protobuf/descriptor.pb.h>

#include <vector>

namespace cppgateway::plugin {

std::string CleanComment(const std::string& raw) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin <= raw.size()) {
    std::size_t end = raw.find('\n', begin);
    if (end == std::string::npos) end = raw.size();
    std::string line = raw.substr(begin, end - begin);
    begin = end + 1;
    if (!line.empty() && line[0] == ' ') line.erase(0, 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.pop_back();
    }
    lines.push_back(std::move(line));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  std::string text;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (i > first) text += '\n';
    text += lines[i];
  }
  return text;
}

std::string FileComment(const google::protobuf::FileDescriptor& file) {
  // SourceCodeInfo path [12] is the file's `syntax` statement (FileDescriptorProto.syntax).
  google::protobuf::FileDescriptorProto proto;
  file.CopySourceCodeInfoTo(&proto);
  for (const auto& location : proto.source_code_info().location()) {
    if (location.path_size() == 1 && location.path(0) == 12) {
      return CleanComment(location.leading_comments());
    }
  }
  return "";
}

}  // namespace cppgateway::plugin
