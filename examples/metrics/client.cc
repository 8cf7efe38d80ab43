// The example's gRPC client: one Query call, printed as text.
//
//   metrics_client <host:port> [query]
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <string>

#include "metrics/v3/metrics.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: metrics_client <host:port> [query]\n");
    return 2;
  }
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  auto stub = metrics::v3::MetricsService::NewStub(channel);
  metrics::v3::QueryRequest request;
  request.set_query(argc > 2 ? argv[2] : "host_cpu_usage_overall[2h]");
  metrics::v3::QueryResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status status = stub->Query(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "gRPC error %d: %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  std::printf("gRPC answer: %s\n", response.ShortDebugString().c_str());
  return 0;
}
