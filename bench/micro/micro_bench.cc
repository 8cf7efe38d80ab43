// Micro benchmarks (Google Benchmark) of the per-request steps that are not I/O: route matching,
// query binding and JSON both ways, on the messages of bench.v1 (the API bench/run.sh loads).
// They say where a REST call's CPU goes before and after the socket:
//
//   build-bench/bench/micro/micro_bench [--benchmark_filter=Json]
#include <benchmark/benchmark.h>
#include <cppgateway/json.h>
#include <cppgateway/options.h>
#include <cppgateway/path_template.h>
#include <cppgateway/query.h>
#include <cppgateway/router.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "bench/v1/bench.pb.h"

namespace {

using cppgateway::JsonOptions;
using cppgateway::PathTemplate;
using cppgateway::Router;

PathTemplate MustParse(const std::string& text) {
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
  if (!parsed) throw std::invalid_argument(text + ": " + error);
  return *std::move(parsed);
}

// bench.v1's eight routes among 184 of a larger API, so that matching is not a toy.
Router MakeRouter() {
  Router router;
  Router::RouteId id = 0;
  const std::vector<std::pair<std::string, std::string>> bench_routes = {
      {"GET", "/v1/users/{user.id}"}, {"GET", "/v1/orgs/{org}/users/{user.id}"},
      {"POST", "/v1/users"},          {"PATCH", "/v1/users/{user.id}"},
      {"DELETE", "/v1/users/{id}"},   {"GET", "/v1/metrics:query"},
      {"POST", "/v1/fail/{code}"},    {"POST", "/v1/echo"},
  };
  for (const auto& [method, text] : bench_routes) router.Add(method, MustParse(text), id++);
  for (int i = 0; i < 92; ++i) {
    const std::string resource = "/v1/resource" + std::to_string(i);
    router.Add("GET", MustParse(resource + "/{name=items/*}"), id++);
    router.Add("POST", MustParse(resource + "/{parent=items/*}/children:batchCreate"), id++);
  }
  return router;
}

void BM_RouteMatch(benchmark::State& state) {
  const Router router = MakeRouter();
  for (auto _ : state) {
    Router::Match match = router.Lookup("GET", "/v1/users/42");
    benchmark::DoNotOptimize(match);
  }
}
BENCHMARK(BM_RouteMatch);

void BM_RouteMatchVerbAndMultiSegment(benchmark::State& state) {
  const Router router = MakeRouter();
  for (auto _ : state) {
    Router::Match match = router.Lookup("POST", "/v1/resource91/items/7:batchCreate");
    benchmark::DoNotOptimize(match);
  }
}
BENCHMARK(BM_RouteMatchVerbAndMultiSegment);

void BM_QueryBinding(benchmark::State& state) {
  const std::string query =
      "name=cpu&labels=host&labels=zone&range.start_unix=1700000000&range.end_unix=1700003600"
      "&limit=100&color=COLOR_BLUE&ids=1&ids=2&ids=3";
  const std::vector<std::vector<std::string>> bound;
  const cppgateway::QueryOptions options;
  bench::v1::MetricsQuery message;
  for (auto _ : state) {
    message.Clear();
    grpc::Status status = cppgateway::ApplyQueryParameters(query, bound, options, &message);
    if (!status.ok()) state.SkipWithError(status.error_message().c_str());
  }
}
BENCHMARK(BM_QueryBinding);

bench::v1::User SomeUser() {
  bench::v1::User user;
  user.set_id("42");
  user.set_display_name("user-42");
  user.set_age(42);
  user.set_favorite_color(bench::v1::COLOR_BLUE);
  user.add_tags("a");
  user.add_tags("b");
  return user;
}

// The large message of POST /v1/echo: every kind of field.
bench::v1::Everything SomeEverything() {
  bench::v1::Everything message;
  message.set_i64(-1234567890123);
  message.set_u64(1234567890123);
  message.set_i32(-42);
  message.set_s64(-7);
  message.set_f64(99);
  message.set_dbl(3.25);
  message.set_flt(1.5f);
  message.set_flag(true);
  message.set_str("a string with some length to it");
  message.set_data(std::string(64, '\x7f'));
  message.set_color(bench::v1::COLOR_GREEN);
  for (int i = 0; i < 10; ++i) {
    message.add_nums(i * 1000);
    message.add_words("word" + std::to_string(i));
    (*message.mutable_counts())["key" + std::to_string(i)] = i;
    (*message.mutable_names())[i] = "name" + std::to_string(i);
    bench::v1::Nested* nested = message.add_nested_list();
    nested->set_name("nested" + std::to_string(i));
    nested->set_value(i);
  }
  message.mutable_nested()->set_name("inner");
  message.mutable_ts()->set_seconds(1700000000);
  message.mutable_dur()->set_seconds(90);
  message.set_choice_str("chosen");
  message.add_colors(bench::v1::COLOR_RED);
  message.set_snake_case_field("snake");
  message.set_u32(7);
  return message;
}

template <typename Message>
void PrintJson(benchmark::State& state, const Message& message) {
  const JsonOptions options;
  std::string out;
  for (auto _ : state) {
    out.clear();
    grpc::Status status = cppgateway::MessageToJson(message, options, &out);
    if (!status.ok()) state.SkipWithError(status.error_message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

template <typename Message>
void ParseJson(benchmark::State& state, const Message& prototype) {
  const JsonOptions options;
  std::string json;
  if (!cppgateway::MessageToJson(prototype, options, &json).ok()) state.SkipWithError("print");
  Message message;
  for (auto _ : state) {
    // What a request costs: the shape check before the parse, then the parse.
    grpc::Status status = cppgateway::CheckJsonShape(json, options);
    if (status.ok()) status = cppgateway::JsonToMessage(json, options, &message);
    if (!status.ok()) state.SkipWithError(status.error_message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_JsonPrintUser(benchmark::State& state) { PrintJson(state, SomeUser()); }
BENCHMARK(BM_JsonPrintUser);
void BM_JsonParseUser(benchmark::State& state) { ParseJson(state, SomeUser()); }
BENCHMARK(BM_JsonParseUser);
void BM_JsonPrintEverything(benchmark::State& state) { PrintJson(state, SomeEverything()); }
BENCHMARK(BM_JsonPrintEverything);
void BM_JsonParseEverything(benchmark::State& state) { ParseJson(state, SomeEverything()); }
BENCHMARK(BM_JsonParseEverything);

}  // namespace

BENCHMARK_MAIN();
