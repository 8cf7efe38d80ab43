// Raw bytes into the HTTP/1.1 request parser (Http1Parser), as a connection receives them.
//
// Input: two control bytes, then the bytes of the connection. The first byte's low bit picks the
// limits (the defaults, or small ones that short inputs reach: a 32-byte target, a 200-byte head,
// 3 header fields); its other bits and the second byte give the point where the bytes are split
// in two arrivals.
//
// Checks, beyond no crash:
// - every call keeps the parser's contract: `consumed` within the input, a body piece non-empty
//   and a view into the input, no piece with another result, kNeedMore again (consuming nothing)
//   when called again with the same bytes, progress on every call;
// - the events (heads, body bytes, ends, the error) are well-formed: head, body pieces, done, for
//   one request after the other; at most one error, last, with status 400, 414, 431 or 501 and a
//   message; a head has a method, a path that is "*" or starts with '/', and not both a
//   Content-Length and chunked; a Content-Length body is exactly that long;
// - how the bytes arrive does not matter: fed whole, split at the chosen point, and (when short)
//   one byte at a time, they give the same events; where the whole ends in an error, the others
//   give the same events before it and then an error too or wait for more (in pieces, Beast
//   waits for the end of a head before it parses the rest, so it may not have seen the error).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "transport/http1_parser.h"

namespace cppgateway {
namespace {

using Result = Http1Parser::Result;
using Limits = Http1Parser::Limits;

// Feeding one byte at a time costs a parser call per byte: only for inputs up to this size.
constexpr std::size_t kMaxBytewiseSize = 1024;

Limits SmallLimits() {
  Limits limits;
  limits.max_target_bytes = 32;
  limits.max_header_bytes = 200;
  limits.max_header_count = 3;
  return limits;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Feeds `wire` in arrivals of `sizes` bytes (the last size repeats), the bytes not consumed kept
// in front of what arrives next, and returns the events: "head <method> <target>", "body <bytes>"
// (a request's pieces joined), "done", "error <status> <message>", and "need more" when the bytes
// end inside a request.
std::vector<std::string> Feed(std::string_view wire, const std::vector<std::size_t>& sizes,
                              const Limits& limits, const std::string& context) {
  std::vector<std::string> events;
  Http1Parser parser(limits);
  std::string pending;
  std::size_t given = 0;
  std::size_t arrivals = 0;
  std::string body;
  bool in_request = false;
  // The request's Content-Length, or -1 (not a std::optional: gcc 12 warns of it uninitialized).
  std::int64_t content_length = -1;
  auto end_body = [&] {
    if (!body.empty()) events.push_back("body " + body);
    body.clear();
  };
  auto arrive = [&] {
    std::size_t size = sizes[std::min(arrivals++, sizes.size() - 1)];
    size = std::min(std::max<std::size_t>(size, 1), wire.size() - given);
    pending.append(wire.substr(given, size));
    given += size;
  };
  // Every call consumes bytes or reports an event: more calls than this is a loop.
  for (std::size_t calls = 0; calls < 4 * wire.size() + 100; ++calls) {
    std::size_t consumed = 12345;
    std::string_view piece = "junk";
    const Result result = parser.Parse(pending, &consumed, &piece);
    FUZZ_CHECK(consumed <= pending.size(), context);
    FUZZ_CHECK(result == Result::kBody || piece.empty(), context + ": a piece with no body");
    switch (result) {
      case Result::kNeedMore: {
        pending.erase(0, consumed);
        std::size_t again = 1;
        std::string_view no_piece;
        FUZZ_CHECK(parser.Parse(pending, &again, &no_piece) == Result::kNeedMore && again == 0,
                   context + ": kNeedMore, then something else for the same bytes");
        if (given == wire.size()) {
          end_body();
          if (parser.InRequest() || !pending.empty()) events.push_back("need more");
          return events;
        }
        arrive();
        continue;
      }
      case Result::kHead: {
        FUZZ_CHECK(!in_request, context + ": a head inside a request");
        in_request = true;
        const HttpRequestHead& head = parser.head();
        FUZZ_CHECK(!head.method.empty() &&
                       std::all_of(head.method.begin(), head.method.end(), IsTokenChar),
                   context + ": method " + fuzz::Escape(head.method));
        FUZZ_CHECK(head.path == "*" || (!head.path.empty() && head.path[0] == '/'),
                   context + ": path " + fuzz::Escape(head.path));
        FUZZ_CHECK(!(head.chunked && head.content_length.has_value()),
                   context + ": chunked with a Content-Length");
        FUZZ_CHECK(head.version == 10 || head.version == 11, context);
        content_length = head.content_length ? static_cast<std::int64_t>(*head.content_length) : -1;
        events.push_back("head " + head.method + " " + head.target);
        break;
      }
      case Result::kBody:
        FUZZ_CHECK(in_request, context + ": a body piece outside a request");
        FUZZ_CHECK(!piece.empty(), context + ": an empty body piece");
        FUZZ_CHECK(piece.data() >= pending.data() &&
                       piece.data() + piece.size() <= pending.data() + pending.size(),
                   context + ": a body piece outside the input");
        body.append(piece);
        FUZZ_CHECK(content_length < 0 || body.size() <= static_cast<std::uint64_t>(content_length),
                   context + ": more body than Content-Length");
        break;
      case Result::kDone:
        FUZZ_CHECK(in_request, context + ": done outside a request");
        FUZZ_CHECK(content_length < 0 || body.size() == static_cast<std::uint64_t>(content_length),
                   context + ": less body than Content-Length");
        FUZZ_CHECK(!parser.InRequest(), context);
        end_body();
        events.push_back("done");
        in_request = false;
        content_length = -1;
        parser.Reset();
        break;
      case Result::kError: {
        const int status = parser.error_status();
        FUZZ_CHECK(status == 400 || status == 414 || status == 431 || status == 501,
                   context + ": status " + std::to_string(status));
        FUZZ_CHECK(!parser.error_message().empty(), context + ": an error without a message");
        end_body();
        events.push_back("error " + std::to_string(status) + " " + parser.error_message());
        return events;
      }
    }
    FUZZ_CHECK(consumed > 0 || result != Result::kBody, context);
    pending.erase(0, consumed);
  }
  fuzz::Fail(__FILE__, __LINE__, "the parser does not get anywhere", context);
}

std::string Show(const std::vector<std::string>& events) {
  std::string text;
  for (const std::string& event : events) text += "\n    " + fuzz::Escape(event);
  return text;
}

bool IsError(const std::string& event) { return event.rfind("error ", 0) == 0; }

// `other` (fed in pieces) against `whole`.
void CheckSame(const std::vector<std::string>& whole, const std::vector<std::string>& other,
               const std::string& how, const std::string& context) {
  const std::string shown = context + "\n  whole:" + Show(whole) + "\n  " + how + ":" + Show(other);
  if (whole.empty() || !IsError(whole.back())) {
    FUZZ_CHECK(other == whole, shown);
    return;
  }
  FUZZ_CHECK(
      !other.empty() && std::equal(whole.begin(), whole.end() - 1, other.begin(), other.end() - 1),
      shown);
  FUZZ_CHECK(IsError(other.back()) || other.back() == "need more", shown);
}

}  // namespace
}  // namespace cppgateway

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cppgateway;
  if (size < 2) return 0;
  const Limits limits = (data[0] & 1) != 0 ? SmallLimits() : Limits();
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t split =
      ((static_cast<std::size_t>(data[0] >> 1) << 8) | data[1]) % (wire.size() + 1);
  const std::string context = "input " + fuzz::Escape(wire) + " (split at " +
                              std::to_string(split) +
                              ((data[0] & 1) != 0 ? ", small limits)" : ")");

  const std::vector<std::string> whole = Feed(wire, {wire.size()}, limits, context);
  CheckSame(whole, Feed(wire, {split, wire.size()}, limits, context),
            "split at " + std::to_string(split), context);
  if (wire.size() <= kMaxBytewiseSize) {
    CheckSame(whole, Feed(wire, {1}, limits, context), "one byte at a time", context);
  }
  return 0;
}
