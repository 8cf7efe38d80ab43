// The comments protoc keeps in the descriptors (SourceCodeInfo): the text of the OpenAPI
// document's descriptions, summaries and tags.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>

namespace cppgateway::plugin {

// `raw` (protoc's comment text: lines without "//", each still starting with its space) as the
// text a reader should see.
std::string CleanComment(const std::string& raw);

// The comment written before `descriptor` (or, when there is none, after it on the same line),
// without comment markers, the one space after them, and leading and trailing blank lines.
// Empty when there is none or the descriptor has no source information (a file compiled into
// the plugin rather than read by protoc).
template <class Descriptor>
std::string CommentOf(const Descriptor& descriptor) {
  google::protobuf::SourceLocation location;
  if (!descriptor.GetSourceLocation(&location)) return "";
  return CleanComment(location.leading_comments.empty() ? location.trailing_comments
                                                        : location.leading_comments);
}

// The comment before the `syntax` line of `file`: what the file says about itself.
std::string FileComment(const google::protobuf::FileDescriptor& file);

}  // namespace cppgateway::plugin
