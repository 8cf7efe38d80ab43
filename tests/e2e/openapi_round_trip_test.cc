// The example's OpenAPI document against the running example: examples/metrics' metrics_server,
// started as a user starts it, answers every operation of the document that cppgateway_generate
// (... OPENAPI) wrote, with requests built from the document alone (path, query, body), with the
// documented status, content type and schema: JSON for a unary method, NDJSON lines and
// server-sent events for a server stream. The document is the one the server serves at
// GET /openapi.json, and that is the one written at build time.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "openapi_requests.h"

namespace cppgateway::testing {
namespace {

// The example server as a child process, on a port of its choosing.
class ExampleServer {
 public:
  ExampleServer() {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execl(CPPGATEWAY_METRICS_SERVER, CPPGATEWAY_METRICS_SERVER, "127.0.0.1:0", nullptr);
      _exit(127);
    }
    close(out[1]);
    // It prints "listening on <port>" once it serves.
    FILE* lines = fdopen(out[0], "r");
    char line[128];
    if (lines != nullptr && std::fgets(line, sizeof line, lines) != nullptr) {
      std::sscanf(line, "listening on %d", &port_);
    }
    if (lines != nullptr) std::fclose(lines);
  }
  ~ExampleServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);  // it shuts down cleanly on SIGTERM
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// The document the example serves, when it is the one cppgateway_generate wrote.
Json ServedDocument(int port) {
  std::ifstream in(CPPGATEWAY_METRICS_DOCUMENT);
  EXPECT_TRUE(in) << "no document at " << CPPGATEWAY_METRICS_DOCUMENT;
  std::ostringstream written;
  written << in.rdbuf();
  httplib::Client client("127.0.0.1", port);
  httplib::Result served = client.Get("/openapi.json");
  EXPECT_TRUE(served) << "GET /openapi.json: " << httplib::to_string(served.error());
  if (!served || !in) return Json(Json::value_t::discarded);
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(served->body, written.str()) << "the served document is not the one written";
  return Json::parse(served->body, nullptr, false);
}

// The one success response the operation documents: its status and object.
std::pair<int, const Json*> SuccessResponse(const Json& operation) {
  for (const auto& [code, response] : operation["responses"].items()) {
    if (code != "default") return {std::stoi(code), &response};
  }
  return {0, nullptr};
}

// The lines of an NDJSON body, or the data of each event of an SSE body.
std::vector<std::string> Frames(const std::string& body, bool events) {
  std::vector<std::string> frames;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (events) {
      if (line.rfind("data: ", 0) == 0) frames.push_back(line.substr(6));
    } else if (!line.empty()) {
      frames.push_back(line);
    }
  }
  return frames;
}

class OpenApiRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(document_.is_discarded());
    ASSERT_NE(server_.port(), 0) << "metrics_server did not start";
  }

  // Sends `request`, with `accept` when given; checks the answer against the operation's
  // success response for `media_type`, frame by frame for a stream.
  void Check(const DocumentRequest& request, const std::string& media_type) {
    SCOPED_TRACE(request.method + " " + request.target + " (" + media_type + ")");
    auto [status, response] = SuccessResponse(*request.operation);
    ASSERT_NE(response, nullptr);
    ASSERT_TRUE((*response)["content"].contains(media_type));
    const Json& schema = (*response)["content"][media_type]["schema"];

    httplib::Client client("127.0.0.1", server_.port());
    client.set_read_timeout(10, 0);
    httplib::Request http;
    http.method = request.method;
    http.path = request.target;
    http.body = request.body;
    if (!request.content_type.empty()) http.set_header("Content-Type", request.content_type);
    http.set_header("Accept", media_type);
    httplib::Result answer = client.send(http);
    ASSERT_TRUE(answer) << httplib::to_string(answer.error());
    EXPECT_EQ(answer->status, status) << answer->body;
    EXPECT_EQ(answer->get_header_value("Content-Type"), media_type);

    std::string why;
    if (media_type == "application/json") {
      Json body = Json::parse(answer->body, nullptr, false);
      EXPECT_TRUE(MatchesSchema(body, schema, document_, &why)) << why;
      return;
    }
    // A stream: each NDJSON line matches the line schema ({"result": ...}); each event's data
    // is one message, the schema of the line's result.
    const bool events = media_type == "text/event-stream";
    const Json& line_schema = (*response)["content"]["application/x-ndjson"]["schema"];
    const Json& frame_schema = events ? line_schema["properties"]["result"] : line_schema;
    std::vector<std::string> frames = Frames(answer->body, events);
    EXPECT_FALSE(frames.empty()) << answer->body;
    for (const std::string& frame : frames) {
      Json value = Json::parse(frame, nullptr, false);
      EXPECT_TRUE(MatchesSchema(value, frame_schema, document_, &why)) << why << "\n" << frame;
    }
  }

  ExampleServer server_;
  const Json document_ = ServedDocument(server_.port());
};

TEST_F(OpenApiRoundTripTest, EveryOperationOfTheDocumentAnswersAsDocumented) {
  std::vector<DocumentRequest> requests = RequestsFromDocument(document_, QueryParameters::kAll);
  // The example's two methods: Query (unary) and Watch (server streaming).
  ASSERT_EQ(requests.size(), 2u);
  for (const DocumentRequest& request : requests) {
    const Json* response = SuccessResponse(*request.operation).second;
    ASSERT_NE(response, nullptr) << request.name;
    for (const auto& [media_type, content] : (*response)["content"].items()) {
      Check(request, media_type);
    }
  }
}

}  // namespace
}  // namespace cppgateway::testing
