// What a direct call (DirectCall) needs of a grpc::CallbackServerContext that gRPC keeps private:
// the client metadata to fill, the header and trailer metadata the service added, and the
// cancelled mark that IsCancelled() reads. gRPC's own call handlers are friends of the context;
// a context with no grpc_call behind it has no public way in.
//
// The way in: ServerContextBase befriends every specialization of gRPC's CallbackUnaryHandler
// template, and this file specializes it for a type of our own. Explicit specialization of a
// friend class template is standard C++; the members named below are checked by the compiler
// against the installed gRPC (1.51), so a gRPC that renames them fails the build, not a call.
#pragma once

#include <grpcpp/server_context.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppgateway {
struct ServerContextAccessTag;
}

template <>
class grpc::internal::CallbackUnaryHandler<cppgateway::ServerContextAccessTag,
                                           cppgateway::ServerContextAccessTag> {
 public:
  // Gives `context` the client metadata `pairs`, which must outlive it (the context keeps views).
  static void SetClientMetadata(grpc::ServerContextBase& context,
                                const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::multimap<grpc::string_ref, grpc::string_ref>* map = context.client_metadata_.map();
    for (const auto& [key, value] : pairs) {
      map->emplace(grpc::string_ref(key.data(), key.size()),
                   grpc::string_ref(value.data(), value.size()));
    }
  }
  // What IsCancelled() answers from now on.
  static void MarkCancelled(grpc::ServerContextBase& context) {
    context.marked_cancelled_.store(true, std::memory_order_release);
  }
  static const std::multimap<std::string, std::string>& InitialMetadata(
      const grpc::ServerContextBase& context) {
    return context.initial_metadata_;
  }
  static const std::multimap<std::string, std::string>& TrailingMetadata(
      const grpc::ServerContextBase& context) {
    return context.trailing_metadata_;
  }
};

namespace cppgateway {
using ServerContextAccess =
    grpc::internal::CallbackUnaryHandler<ServerContextAccessTag, ServerContextAccessTag>;
}
