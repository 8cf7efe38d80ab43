// The example server: gRPC and REST/JSON for metrics.v3.MetricsService on one port.
//
//   metrics_server [address]     (default 127.0.0.1:8080; port 0 picks a free one)
//
// Prints "listening on <port>" once it serves, and stops cleanly on SIGINT or SIGTERM.
#include <cppgateway/server.h>
#include <google/protobuf/util/time_util.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

#include "metrics/v3/metrics.grpc.pb.h"
#include "metrics/v3/metrics.gw.h"

namespace {

using google::protobuf::util::TimeUtil;

// Answers every query with a few made-up samples, one per 30 minutes of the requested range.
class MetricsService final : public metrics::v3::MetricsService::Service {
 public:
  grpc::Status Query(grpc::ServerContext*, const metrics::v3::QueryRequest* request,
                     metrics::v3::QueryResponse* response) override {
    std::string metric = request->query();
    int hours = 1;
    if (size_t open = metric.find('['); open != std::string::npos) {
      if (metric.back() != ']' || std::sscanf(metric.c_str() + open + 1, "%dh", &hours) != 1 ||
          hours <= 0 || hours > 24 * 31) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "range must look like [2h], 1 to 744 hours: " + request->query());
      }
      metric.resize(open);
    }
    if (metric.empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "query names no metric");
    }
    const auto end = request->has_time() ? request->time() : TimeUtil::GetCurrentTime();
    response->set_query(request->query());
    metrics::v3::Series* series = response->add_series();
    series->set_metric(metric);
    (*series->mutable_labels())["host"] = "example-1";
    for (int i = hours * 2; i >= 0; --i) {
      metrics::v3::Sample* sample = series->add_samples();
      *sample->mutable_time() = end - TimeUtil::MinutesToDuration(30 * i);
      sample->set_value(40.0 + (i % 5) * 7.5);
    }
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::string address = argc > 1 ? argv[1] : "127.0.0.1:8080";

  // Block the stop signals here so that only the waiting thread below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  MetricsService service;
  cppgateway::Server server;
  server.AddService(&service);
  server.AddGateway(&metrics::v3::RegisterMetricsServiceHandlers);
  try {
    int port = server.Start(address);
    std::printf("listening on %d\n", port);
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metrics_server: %s\n", e.what());
    return 1;
  }

  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.Shutdown();
  });
  server.Wait();
  stopper.join();
  return 0;
}
