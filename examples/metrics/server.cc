// The example server: gRPC and REST/JSON for metrics.v3.MetricsService on one port.
//
//   metrics_server [address]     (default 127.0.0.1:8080; port 0 picks a free one)
//
// Prints "listening on <port>" once it serves, and stops cleanly on SIGINT or SIGTERM.
#include <cppgateway/server.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/alarm.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "metrics/v3/metrics.grpc.pb.h"
#include "metrics/v3/metrics.gw.h"

namespace {

using google::protobuf::util::TimeUtil;

// Streams `count` made-up samples of a metric, one at once and then one every `interval_ms`.
// Between two samples the stream waits on a grpc::Alarm, not on a thread; a client that goes away
// cancels the alarm, and the stream ends at once.
class WatchReactor final : public grpc::ServerWriteReactor<metrics::v3::Sample> {
 public:
  explicit WatchReactor(const metrics::v3::WatchRequest& request)
      : remaining_(request.count() != 0 ? request.count() : 5),
        interval_(request.interval_ms() != 0 ? request.interval_ms() : 200) {
    if (request.metric().empty()) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "watch names no metric"));
    } else if (remaining_ < 1 || remaining_ > 1000 || interval_.count() < 1 ||
               interval_.count() > 60000) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "count must be 1 to 1000 and interval_ms 1 to 60000"));
    } else {
      WriteSample();
    }
  }

 private:
  void WriteSample() {
    *sample_.mutable_time() = TimeUtil::GetCurrentTime();
    sample_.set_value(40.0 + (remaining_ % 5) * 7.5);
    StartWrite(&sample_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok || --remaining_ == 0) {
      Finish(ok ? grpc::Status::OK : grpc::Status::CANCELLED);
      return;
    }
    bool cancelled;
    {
      // OnCancel may run on another thread at the same time: the alarm is set or cancelled, never
      // both at once.
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled = cancelled_;
      if (!cancelled) {
        alarm_.Set(std::chrono::system_clock::now() + interval_, [this](bool fired) {
          if (fired) {
            WriteSample();
          } else {
            Finish(grpc::Status::CANCELLED);
          }
        });
      }
    }
    if (cancelled) Finish(grpc::Status::CANCELLED);
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
    alarm_.Cancel();  // a pending alarm fires at once with fired == false
  }

  void OnDone() override { delete this; }

  int remaining_;
  const std::chrono::milliseconds interval_;
  metrics::v3::Sample sample_;
  std::mutex mutex_;
  bool cancelled_ = false;
  grpc::Alarm alarm_;
};

// Answers every query with a few made-up samples, one per 30 minutes of the requested range. Query
// is a synchronous method, Watch a callback one: the generated service lets each method choose.
class MetricsService final : public metrics::v3::MetricsService::WithCallbackMethod_Watch<
                                 metrics::v3::MetricsService::Service> {
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

  grpc::ServerWriteReactor<metrics::v3::Sample>* Watch(
      grpc::CallbackServerContext*, const metrics::v3::WatchRequest* request) override {
    return new WatchReactor(*request);
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
  // The API as OpenAPI 3.1, for Swagger UI and client generators: the document that
  // cppgateway_generate(... OPENAPI) wrote at build time, served next to the API.
  std::ifstream document(METRICS_OPENAPI_DOCUMENT);
  if (document) {
    std::ostringstream text;
    text << document.rdbuf();
    server.HandlePath("GET", "/openapi.json",
                      cppgateway::ServeContent("application/json", text.str()));
  } else {
    std::fprintf(stderr, "metrics_server: no %s, /openapi.json is not served\n",
                 METRICS_OPENAPI_DOCUMENT);
  }
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
