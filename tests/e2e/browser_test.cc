// The gateway from a real browser: headless Chromium (Debian's chromium) loads a page from one
// origin (http://localhost:<page port>) that calls the gateway on another (http://127.0.0.1:<api
// port>) through CORS: a JSON POST and a GET with an Authorization header (both preflighted), an
// NDJSON stream read with fetch streaming, SSE streams with EventSource, one of them failing in
// the middle. The page (tests/e2e/browser/page.html) posts what it saw to its own origin, and the
// test checks every observation, and what the gateway saw of the browser's calls.
#include <cppgateway/server.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cppgateway/test/v1/stream.gw.h"
#include "cppgateway/test/v1/test.gw.h"
#include "stream_service.h"
#include "test_service.h"

namespace cppgateway {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How long the page may take from Chromium's start to its report: it needs about a second; a
// loaded machine running the sanitized build may need many more.
constexpr auto kReportTimeout = 60s;

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// What the test waits for: the page's report, or Chromium's exit, whichever comes first.
struct Outcome {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::string> report;         // the body the page posted to /results
  std::optional<std::string> chromium_exit;  // how Chromium ended, once it has

  // Waits until the page has reported or Chromium has exited, for up to `timeout`.
  void Wait(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait_for(lock, timeout, [this] { return report || chromium_exit; });
  }
};

// Headless Chromium on one URL, as a child process in a process group of its own, with a fresh
// profile and its output in a log file, both in a temporary directory. The destructor kills the
// whole group and removes the directory, on every path out of the test.
class Chromium {
 public:
  Chromium(const std::string& binary, const std::string& url, Outcome* outcome) {
    std::string pattern = (std::filesystem::temp_directory_path() / "cppgateway-browser-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    directory_ = pattern;
    const std::string profile = directory_ / "profile";
    log_path_ = directory_ / "chromium.log";

    // Everything the child needs is made before fork: after it, in a process with the servers'
    // threads, only async-signal-safe calls are allowed until exec.
    const std::vector<std::string> arguments = {
        binary,
        "--headless",
        "--no-sandbox",  // Chromium's sandbox refuses to run as root, which tests here are
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        // The network is closed here: without these, Chromium's own connections to Google's
        // hosts are refused, many at a time, and fill its log.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        url,
    };
    std::vector<char*> argv;
    for (const std::string& argument : arguments)
      argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || null < 0) throw std::runtime_error("cannot open Chromium's log or /dev/null");

    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test that crashes takes Chromium with it
      dup2(null, STDIN_FILENO);
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      // No descriptor of the test (the servers' sockets) may live on in Chromium.
      syscall(SYS_close_range, 3U, ~0U, 0U);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(log);
    close(null);
    if (pid_ < 0) throw std::runtime_error("fork failed");
    setpgid(pid_, pid_);  // also here, so that the group exists whichever process runs first

    // Tells the test when Chromium exits, if that comes before the page's report. It leaves the
    // process a zombie (WNOWAIT), so that its id, the group's, cannot be reused before the
    // destructor has killed the group.
    watcher_ = std::thread([pid = pid_, outcome] {
      siginfo_t info{};
      while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
      }
      std::lock_guard<std::mutex> lock(outcome->mutex);
      outcome->chromium_exit = info.si_code == CLD_EXITED
                                   ? "exited with status " + std::to_string(info.si_status)
                                   : "was killed by signal " + std::to_string(info.si_status);
      outcome->changed.notify_all();
    });
  }

  ~Chromium() {
    // The browser, its renderers and its network service share the group; its crash handlers
    // (own sessions) leave by themselves once the browser has gone.
    kill(-pid_, SIGKILL);
    watcher_.join();
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    std::error_code error;
    std::filesystem::remove_all(directory_, error);
    if (error) {
      std::cerr << "could not remove " << directory_ << ": " << error.message() << "\n";
    }
  }

  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  // What Chromium has written to stdout and stderr so far.
  std::string Log() const { return ReadFile(log_path_); }

 private:
  std::filesystem::path directory_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::thread watcher_;
};

// Prints Chromium's log when the test has failed, however it leaves.
class LogOnFailure {
 public:
  explicit LogOnFailure(const Chromium& chromium) : chromium_(chromium) {}
  ~LogOnFailure() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "---- Chromium's output ----\n" << chromium_.Log() << "---- end ----\n";
    }
  }

 private:
  const Chromium& chromium_;
};

// The REST calls the gateway started, as "METHOD target Origin", in order.
class CallLog {
 public:
  void Add(const HttpRequestHead& request) {
    const std::string* origin = request.FindHeader("Origin");
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(request.method + " " + request.target + " " + (origin ? *origin : "-"));
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

TEST(BrowserTest, PageOnAnotherOriginCallsTheGatewayStreamsAndReports) {
  const std::string chromium_binary = CPPGATEWAY_CHROMIUM;
  ASSERT_EQ(access(chromium_binary.c_str(), X_OK), 0)
      << "Chromium is not installed: no " << chromium_binary
      << " (scripts/install-deps.sh installs Debian's chromium package)";
  const std::string page = ReadFile(CPPGATEWAY_BROWSER_PAGE);
  ASSERT_FALSE(page.empty()) << "cannot read " << CPPGATEWAY_BROWSER_PAGE;
  const auto start = Clock::now();

  // The page's server first: the gateway allows exactly its origin. localhost and 127.0.0.1 are
  // different origins, so the page's calls to the gateway are cross-origin.
  Outcome outcome;
  Server page_server;
  page_server.HandlePath("GET", "/", ServeContent("text/html; charset=utf-8", page));
  page_server.HandlePath("POST", "/results",
                         [&outcome](const HttpRequestHead&, const Gateway::PathVariables&,
                                    std::string body, std::shared_ptr<HttpExchange> answer) {
                           {
                             std::lock_guard<std::mutex> lock(outcome.mutex);
                             outcome.report = std::move(body);
                             outcome.changed.notify_all();
                           }
                           const std::string thanks = "{}";
                           HttpResponseHead head;
                           head.headers.emplace_back("Content-Type", "application/json");
                           head.content_length = thanks.size();
                           answer->SendHead(std::move(head));
                           answer->SendBody(thanks);
                           answer->End();
                         });
  const int page_port = page_server.Start("127.0.0.1:0");
  const std::string page_origin = "http://localhost:" + std::to_string(page_port);

  CallLog calls;
  ServerOptions options;
  options.cors.allowed_origins = {page_origin};
  options.cors.allowed_headers = {"authorization", "content-type"};
  options.cors.exposed_headers = {"Grpc-Metadata-X-Test-Header"};
  options.metadata.from_request = [&calls](const HttpRequestHead& request, HttpHeaders*) {
    calls.Add(request);
  };
  testing::TestServiceImpl users;  // outlive the server
  testing::StreamServiceImpl streams;
  Server api_server(options);
  api_server.AddService(&users);
  api_server.AddService(&streams);
  api_server.AddGateway(&test::v1::RegisterTestServiceHandlers);
  api_server.AddGateway(&test::v1::RegisterStreamServiceHandlers);
  const int api_port = api_server.Start("127.0.0.1:0");
  const std::string api_origin = "http://127.0.0.1:" + std::to_string(api_port);

  json seen;
  {
    Chromium chromium(chromium_binary, page_origin + "/?api=" + api_origin, &outcome);
    LogOnFailure log_on_failure(chromium);
    outcome.Wait(kReportTimeout);
    std::lock_guard<std::mutex> lock(outcome.mutex);
    ASSERT_TRUE(outcome.report || outcome.chromium_exit)
        << "the page sent no report within " << kReportTimeout.count() << " s";
    ASSERT_TRUE(outcome.report.has_value())
        << "Chromium " << *outcome.chromium_exit << " before the page reported";
    seen = json::parse(*outcome.report, nullptr, false);
    ASSERT_TRUE(seen.is_object()) << "the report is not JSON: " << *outcome.report;
  }
  const auto reported = Clock::now();
  std::cout << "the page reported after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(reported - start).count()
            << " ms: " << seen.dump() << "\n";
  EXPECT_FALSE(seen.contains("exception")) << seen["exception"];
  EXPECT_FALSE(seen.contains("scriptErrors")) << seen["scriptErrors"];
  EXPECT_EQ(seen["origin"], page_origin);

  // a. The preflighted JSON POST.
  const json& create = seen["create"];
  EXPECT_EQ(create["status"], 200) << create;
  EXPECT_EQ(create["body"]["id"], "b1") << create;
  EXPECT_EQ(create["body"]["displayName"], "Browser") << create;
  // The Authorization header reached the service as metadata; the exposed response header
  // could be read, the trailer that is not exposed could not.
  const json& get = seen["get"];
  EXPECT_EQ(get["status"], 200) << get;
  const json& tags = get["body"]["tags"];
  EXPECT_NE(std::find(tags.begin(), tags.end(), "md:authorization=Bearer browser-t0ken"),
            tags.end())
      << get;
  EXPECT_EQ(get["testHeader"], "h1") << get;
  EXPECT_TRUE(get["testTrailer"].is_null()) << get;
  // A header that the gateway does not allow is refused by the browser after the preflight.
  EXPECT_NE(seen["refused"].value("exception", "").find("TypeError"), std::string::npos)
      << seen["refused"];

  // b. NDJSON, read as it arrived.
  const json& ndjson = seen["ndjson"];
  EXPECT_EQ(ndjson["status"], 200) << ndjson;
  EXPECT_EQ(ndjson["contentType"], "application/x-ndjson") << ndjson;
  EXPECT_EQ(ndjson["indexes"], json({1, 2, 3})) << ndjson;
  EXPECT_EQ(ndjson["rest"], "") << ndjson;
  // A stream that never ends by itself: its first line arrived while it was open, and the
  // page's cancel reached the service.
  const json& watch = seen["watch"];
  EXPECT_EQ(watch["status"], 200) << watch;
  ASSERT_TRUE(watch["lines"].is_array()) << watch;
  ASSERT_EQ(watch["lines"].size(), 1u) << watch;
  EXPECT_EQ(watch["lines"][0]["result"]["index"], 1) << watch;
  EXPECT_EQ(watch["cancelled"], true) << watch;
  EXPECT_TRUE(streams.WaitFor([&] { return streams.cancellations() >= 1; }, 20000ms))
      << "the service never saw the Watch call cancelled";

  // c. SSE through EventSource.
  const json& sse = seen["sse"];
  ASSERT_TRUE(sse["messages"].is_array()) << sse;
  std::vector<int> indexes;
  for (const json& message : sse["messages"]) indexes.push_back(message.value("index", -1));
  EXPECT_EQ(indexes, (std::vector<int>{1, 2, 3})) << sse;
  EXPECT_EQ(sse["errors"], json::array()) << sse;
  EXPECT_EQ(sse["connectionErrors"], 0) << sse;

  // d. SSE with an error in the middle: one tick, then the named error event.
  const json& sse_error = seen["sseError"];
  ASSERT_TRUE(sse_error["messages"].is_array()) << sse_error;
  ASSERT_EQ(sse_error["messages"].size(), 1u) << sse_error;
  EXPECT_EQ(sse_error["messages"][0]["index"], 1) << sse_error;
  EXPECT_EQ(sse_error["errors"],
            json::parse(R"([{"code":14,"message":"failed at tick 2","details":[]}])"))
      << sse_error;

  // What the gateway saw: each call once, each from the page's origin; none for the refused one.
  const std::string from = " " + page_origin;
  EXPECT_EQ(calls.calls(), (std::vector<std::string>{
                               "POST /v1/users" + from,
                               "GET /v1/users/b1?verbose=true" + from,
                               "GET /v1/count/3?interval_ms=50" + from,
                               "GET /v1/watch/browser" + from,
                               "GET /v1/count/3?interval_ms=50" + from,
                               "GET /v1/count/3?fail_at=2&fail_code=14" + from,
                           }));
}

}  // namespace
}  // namespace cppgateway
