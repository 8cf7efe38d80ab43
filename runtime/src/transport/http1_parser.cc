#include "transport/http1_parser.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace cppgateway {
namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;
using BeastString = boost::beast::string_view;

std::string_view View(BeastString text) { return {text.data(), text.size()}; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return boost::beast::iequals(BeastString(a.data(), a.size()), BeastString(b.data(), b.size()));
}

// tchar (RFC 9110, 5.6.2).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsControl(char c) {
  auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && c != '\t') || byte == 0x7F;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// How to answer a request that is refused.
struct Refusal {
  int status;
  std::string message;
};

constexpr const char* kBadLineEnding = "malformed line ending (CRLF expected)";

Refusal HeadTooLong(const Http1Parser::Limits& limits) {
  return {431, "request head longer than " + std::to_string(limits.max_header_bytes) + " bytes"};
}

Refusal ChunkLineTooLong(const Http1Parser::Limits& limits) {
  return {431, "chunk size line or trailer section longer than " +
                   std::to_string(limits.max_header_bytes) + " bytes"};
}

Refusal TargetTooLong(const Http1Parser::Limits& limits) {
  return {414, "request target longer than " + std::to_string(limits.max_target_bytes) + " bytes"};
}

// What Beast reports, as an answer: the one place where its error codes become statuses.
Refusal RefusalForBeastError(const error_code& error, const Http1Parser::Limits& limits) {
  if (error.category() != make_error_code(http::error::need_more).category()) {
    return {400, "malformed request"};
  }
  switch (static_cast<http::error>(error.value())) {
    case http::error::header_limit:
      // Also a folded field value longer than Beast's 4 KiB buffer: too long either way.
      return HeadTooLong(limits);
    case http::error::body_limit:  // not set here: the routes enforce their own body limits
      return {413, "request body too large"};
    case http::error::bad_line_ending:
      return {400, kBadLineEnding};
    case http::error::bad_method:
      return {400, "malformed method (a token expected)"};
    case http::error::bad_target:
      return {400, "malformed request target"};
    case http::error::bad_version:
      // Also a request line that does not end in CRLF right after the version.
      return {400, "malformed or unsupported HTTP version (HTTP/1.0 and HTTP/1.1 only)"};
    case http::error::bad_field:
      return {400, "malformed header field name"};
    case http::error::bad_value:
      return {400, "malformed header field value"};
    case http::error::bad_content_length:
      // Beast says so for Content-Length after Transfer-Encoding: chunked too.
      return {400, "invalid Content-Length, or Content-Length with Transfer-Encoding"};
    case http::error::multiple_content_length:
      return {400, "duplicate Content-Length"};
    case http::error::bad_transfer_encoding:
      // Beast's words for Transfer-Encoding after Content-Length or after a chunked one.
      return {400, "Transfer-Encoding given twice, or with Content-Length"};
    case http::error::bad_chunk:
      return {400, "malformed chunk (size line or the CRLF after its data)"};
    case http::error::bad_chunk_extension:
      return {400, "malformed chunk extension"};
    case http::error::bad_obs_fold:
      return {400, "obsolete line folding"};
    default:
      return {400, "malformed request"};
  }
}

// Splits a request target (RFC 9112, 3.2) into the raw path and query of `head`.
std::optional<Refusal> SplitTarget(std::string_view target, HttpRequestHead* head) {
  std::string_view rest;
  if (target == "*") {
    // asterisk-form: the server as a whole, which only OPTIONS can ask about.
    if (head->method != "OPTIONS") return Refusal{400, "request target * is for OPTIONS only"};
    head->path = "*";
    return std::nullopt;
  }
  if (target.front() == '/') {
    rest = target;  // origin-form
  } else {
    // absolute-form, which a server must accept although only proxies are sent it.
    std::string_view after_scheme;
    for (std::string_view scheme : {"http://", "https://"}) {
      if (target.size() >= scheme.size() &&
          EqualsIgnoringCase(target.substr(0, scheme.size()), scheme)) {
        after_scheme = target.substr(scheme.size());
        break;
      }
    }
    std::size_t authority_end = after_scheme.find_first_of("/?");
    if (after_scheme.empty() || authority_end == 0) {
      return Refusal{400, "request target must be /path or http://host/path"};
    }
    rest = authority_end == std::string_view::npos ? std::string_view()
                                                   : after_scheme.substr(authority_end);
  }
  std::size_t question_mark = rest.find('?');
  std::string_view path = rest.substr(0, question_mark);
  head->path = path.empty() ? std::string_view("/") : path;
  if (question_mark != std::string_view::npos) head->query = rest.substr(question_mark + 1);
  return std::nullopt;
}

// Checks one Transfer-Encoding field value. The body's length is known only when chunked is the
// final coding (RFC 9112, 6.3); codings before it would need decoders that the gateway lacks.
std::optional<Refusal> CheckTransferCodings(std::string_view value) {
  int codings = 0;
  bool last_is_chunked = false;
  bool chunked_before_last = false;
  bool other_before_last = false;
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view element = TrimWhitespace(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (element.empty()) continue;  // a list may have empty elements (RFC 9110, 5.6.1)
    std::string_view name = TrimWhitespace(element.substr(0, element.find(';')));
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Refusal{400, "malformed Transfer-Encoding"};
    }
    if (codings > 0) (last_is_chunked ? chunked_before_last : other_before_last) = true;
    ++codings;
    last_is_chunked = EqualsIgnoringCase(element, "chunked");  // chunked has no parameters
  }
  if (!last_is_chunked) {
    return Refusal{400, "Transfer-Encoding whose final coding is not chunked"};
  }
  if (chunked_before_last) return Refusal{400, "Transfer-Encoding with chunked applied twice"};
  if (other_before_last) return Refusal{501, "transfer coding not supported"};
  return std::nullopt;
}

// Whether the header field line that begins with `name` goes on in the next line (obs-fold).
// Beast joins such lines, which RFC 9112, 5.2 allows, but a proxy in front of us may have read
// them differently: refuse instead. When Beast reports a field it has validated its line, so the
// first CR after the name ends the line, and it has seen the LF and one byte after it.
bool IsFolded(BeastString name) {
  const char* p = name.data() + name.size();
  while (*p != '\r') ++p;
  return p[2] == ' ' || p[2] == '\t';
}

}  // namespace

// Beast's parser, with callbacks that build the head and report what each put() reached.
//
// What matters about Beast 1.81 here (impl/basic_parser.ipp):
// - The head is consumed in parts: the request line and each field once complete. But once a put()
//   ended in need_more, Beast waits for the blank line before it parses again, so the caller keeps
//   the rest of the head. header_limit() bounds only those unconsumed bytes: the head's total is
//   counted here (head_bytes). A chunk size line and the trailer section have no limit in Beast
//   1.81 (boostorg/beast#3077 added one later): Parse bounds them like the head.
// - It accepts a Content-Length repeated with the same value and a list ("5, 5"); it refuses
//   different values, Transfer-Encoding after Content-Length and after a chunked
//   Transfer-Encoding, and Content-Length after a chunked one; it takes a Transfer-Encoding that
//   does not end in chunked for no body at all. It unfolds obs-fold. The rest is refused here.
// - With eager(false), put() returns after the head, after each chunk size line and after each
//   piece of the body; the end of the message comes with the head when there is no body and with
//   the last piece of a Content-Length body. put() never consumes bytes after the end of the
//   message, and must not be called again after it (it asserts).
// - Trailer fields come through on_field_impl after the last chunk's on_chunk_header_impl.
class Http1Parser::Beast final : private http::basic_parser<true> {
 public:
  // What one put() reported.
  struct Step {
    std::size_t consumed = 0;
    error_code error;  // need_more included
    bool head = false;
    std::string_view piece;  // a piece of the body, a view into the bytes given
    bool finished = false;   // the end of the request
  };

  Beast(const Limits& limits, HttpRequestHead* head) : limits_(limits), head_(head) {
    eager(false);
    body_limit(boost::none);
    header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  }

  using basic_parser::got_some;
  using basic_parser::is_header_done;

  // Passes `bytes` (not empty) to put().
  Step Put(std::string_view bytes) {
    Step step;
    step_ = &step;
    bool in_head = !is_header_done();
    step.consumed = put(boost::asio::const_buffer(bytes.data(), bytes.size()), step.error);
    step_ = nullptr;
    if (in_head) head_bytes_ += step.consumed;
    return step;
  }

  // Refuses a request target already over its limit in the bytes of an incomplete request line
  // (`unconsumed` begins with it): Beast parses the line only once the whole head is there, and
  // would call an endless target a head over its limit (431), later.
  std::optional<Refusal> CheckPartialRequestLine(std::string_view unconsumed) {
    for (; !line_end_seen_ && line_scanned_ < unconsumed.size(); ++line_scanned_) {
      char c = unconsumed[line_scanned_];
      if (c == '\r' || c == '\n') {
        line_end_seen_ = true;
        if (target_begin_ != 0 && target_end_ == 0) target_end_ = line_scanned_;
      } else if (c == ' ') {
        if (target_begin_ == 0) {
          target_begin_ = line_scanned_ + 1;
        } else if (target_end_ == 0) {
          target_end_ = line_scanned_;
        }
      }
    }
    if (target_begin_ == 0) return std::nullopt;
    std::size_t target_end = target_end_ != 0 ? target_end_ : line_scanned_;
    if (target_end - target_begin_ > limits_.max_target_bytes) return TargetTooLong(limits_);
    return std::nullopt;
  }

  // Refuses a line in the head that does not end in CRLF, looking at the bytes not seen before
  // (`unconsumed` begins where Beast stopped). Beast refuses them when it parses, but once a put()
  // ended in need_more it parses again only after a CRLF CRLF, which a client that ends its lines
  // with a bare LF never sends: it would wait for the read timeout instead.
  std::optional<Refusal> CheckLineEndings(std::string_view unconsumed) {
    for (std::size_t i = checked_bytes_ - head_bytes_; !head_end_seen_ && i < unconsumed.size();
         ++i, ++checked_bytes_) {
      char c = unconsumed[i];
      if ((previous_ == '\r') != (c == '\n')) return Refusal{400, kBadLineEnding};
      if (c == '\n') {
        head_end_seen_ = line_empty_;
        line_empty_ = true;
      } else if (c != '\r') {
        line_empty_ = false;
      }
      previous_ = c;
    }
    return std::nullopt;
  }

  // Whether put() must not see `unconsumed` yet. Beast 1.81 asserts (BOOST_ASSERT(n >= 5) in
  // parse_chunk_header; fixed upstream in boostorg/beast#2861) when a body's first chunk is the
  // last one, "0\r\n" came in a put() of its own and the next put() brings only one more byte.
  // A chunked body that begins with '0' has at least 5 bytes ("0\r\n\r\n"), so waiting for them
  // delays nothing that could be parsed.
  bool HoldsBack(std::string_view unconsumed) const {
    return is_header_done() && chunked() && data_chunks_ == 0 && unconsumed.size() < 5 &&
           unconsumed.front() == '0';
  }

  bool request_line_done() const { return request_line_done_; }
  std::size_t head_bytes() const { return head_bytes_; }
  const std::optional<Refusal>& refusal() const { return refusal_; }

  // The end of the request was reached but not yet returned (kDone follows kHead or kBody).
  bool finish_pending = false;
  // kDone was returned.
  bool complete = false;

 private:
  // Stops Beast with our reason: any error ends put(), and refusal_ says which.
  void Refuse(Refusal refusal, error_code& ec) {
    refusal_ = std::move(refusal);
    ec = http::error::bad_value;
  }

  void on_request_impl(http::verb, BeastString method, BeastString target, int version,
                       error_code& ec) override {
    request_line_done_ = true;
    // Any token is a method (Beast checked it is one): its verb enum knows only some.
    head_->method = View(method);
    head_->target = View(target);
    head_->version = version;  // Beast accepts 10 and 11 only
    if (target.size() > limits_.max_target_bytes) return Refuse(TargetTooLong(limits_), ec);
    if (auto refusal = SplitTarget(head_->target, head_)) return Refuse(std::move(*refusal), ec);
  }

  void on_response_impl(int, BeastString, int, error_code& ec) override {
    ec = http::error::bad_version;  // a request parser never gets here
  }

  void on_field_impl(http::field field, BeastString name, BeastString value,
                     error_code& ec) override {
    // A trailer field (after the last chunk): accepted and ignored, as RFC 9112, 7.1.2 allows.
    if (is_header_done()) return;
    if (++field_count_ > limits_.max_header_count) {
      return Refuse(
          {431, "more than " + std::to_string(limits_.max_header_count) + " header fields"}, ec);
    }
    if (IsFolded(name)) return Refuse({400, "obsolete line folding in a header field"}, ec);
    // The framing headers: what a proxy in front of us and we both read as the body's length must
    // be the same, or the rest of one request is taken for the next (request smuggling, RFC 9112,
    // 11.2). Beast refuses some of the ambiguous cases before it calls here; these are the rest.
    if (field == http::field::content_length) {
      if (content_length_seen_) return Refuse({400, "duplicate Content-Length"}, ec);
      if (transfer_encoding_seen_) {
        return Refuse({400, "Content-Length with Transfer-Encoding"}, ec);
      }
      if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Refuse({400, "invalid Content-Length (one number expected)"}, ec);
      }
      content_length_seen_ = true;
    } else if (field == http::field::transfer_encoding) {
      if (transfer_encoding_seen_) return Refuse({400, "Transfer-Encoding given twice"}, ec);
      if (content_length_seen_) return Refuse({400, "Content-Length with Transfer-Encoding"}, ec);
      // HTTP/1.0 has no transfer codings: its framing is faulty (RFC 9112, 6.1).
      if (head_->version < 11) return Refuse({400, "Transfer-Encoding in an HTTP/1.0 request"}, ec);
      if (auto refusal = CheckTransferCodings(View(value))) return Refuse(std::move(*refusal), ec);
      transfer_encoding_seen_ = true;
    } else if (field == http::field::expect) {
      // An HTTP/1.0 client cannot wait for 100 Continue (RFC 9110, 10.1.1).
      if (head_->version >= 11 && EqualsIgnoringCase(View(value), "100-continue")) {
        head_->expects_continue = true;
      }
    }
    head_->headers.emplace_back(View(name), View(value));
  }

  void on_header_impl(error_code& ec) override {
    // Beast's reading of the framing and ours must agree.
    if (transfer_encoding_seen_ != chunked()) {
      return Refuse({400, "Transfer-Encoding whose final coding is not chunked"}, ec);
    }
    if (content_length_seen_ != content_length().has_value()) {
      return Refuse({400, "invalid Content-Length (one number expected)"}, ec);
    }
    if (content_length()) head_->content_length = *content_length();
    head_->chunked = chunked();
    // keep_alive() reads Connection (and Proxy-Connection) as RFC 9112, 9.3 says, by version.
    head_->wants_close = !keep_alive();
    step_->head = true;
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

  std::size_t on_body_impl(BeastString body, error_code&) override {
    step_->piece = View(body);
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t size, BeastString extensions, error_code& ec) override {
    // Beast lets a quoted extension value hold any byte, a bare LF among them, which a proxy in
    // front may have taken for the end of the line.
    if (std::any_of(extensions.begin(), extensions.end(), IsControl)) {
      return Refuse({400, "control character in a chunk extension"}, ec);
    }
    if (size > 0) ++data_chunks_;
  }

  std::size_t on_chunk_body_impl(std::uint64_t, BeastString body, error_code&) override {
    step_->piece = View(body);
    return body.size();
  }

  void on_finish_impl(error_code&) override { step_->finished = true; }

  const Limits limits_;
  HttpRequestHead* const head_;
  Step* step_ = nullptr;  // the Step of the put() under way
  std::optional<Refusal> refusal_;
  std::size_t head_bytes_ = 0;  // bytes of the head consumed
  bool request_line_done_ = false;
  // Scanning the request line before Beast parses it: offsets into the unconsumed bytes (where a
  // target begins at 1 at least, so 0 says "not found yet").
  std::size_t line_scanned_ = 0;
  std::size_t target_begin_ = 0;
  std::size_t target_end_ = 0;
  bool line_end_seen_ = false;
  // Checking the head's line endings: bytes of the head checked, the last one, and whether the
  // line so far is empty (the request line is not: empty lines before it were skipped).
  std::size_t checked_bytes_ = 0;
  char previous_ = 0;
  bool line_empty_ = false;
  bool head_end_seen_ = false;
  std::size_t field_count_ = 0;
  bool content_length_seen_ = false;
  bool transfer_encoding_seen_ = false;
  std::uint64_t data_chunks_ = 0;
};

Http1Parser::Http1Parser(Limits limits) : limits_(limits) { Reset(); }

Http1Parser::~Http1Parser() = default;

void Http1Parser::Reset() {
  // Beast's parser cannot be reused once it has parsed a message.
  head_ = HttpRequestHead{};
  beast_ = std::make_unique<Beast>(limits_, &head_);
  error_status_ = 0;
  error_message_.clear();
}

bool Http1Parser::InRequest() const { return beast_->got_some() && !beast_->complete; }

Http1Parser::Result Http1Parser::Parse(std::string_view input, std::size_t* consumed,
                                       std::string_view* body) {
  *consumed = 0;
  *body = {};
  if (error_status_ != 0) return Result::kError;
  Beast& beast = *beast_;
  if (beast.complete) return Result::kDone;
  if (beast.finish_pending) {
    beast.finish_pending = false;
    beast.complete = true;
    return Result::kDone;
  }
  auto fail = [this](Refusal refusal) {
    error_status_ = refusal.status;
    error_message_ = std::move(refusal.message);
    return Result::kError;
  };

  std::size_t used = 0;
  if (!beast.got_some()) {
    // Empty lines before a request are ignored (RFC 9112, 2.2): some clients send a CRLF after
    // a body. A lone CR may be the start of one.
    while (input.substr(used, 2) == "\r\n") used += 2;
    *consumed = used;
    if (input.substr(used) == "\r") return Result::kNeedMore;
  }
  for (;;) {
    std::string_view rest = input.substr(used);
    if (!beast.request_line_done()) {
      if (auto refusal = beast.CheckPartialRequestLine(rest)) return fail(std::move(*refusal));
    }
    if (!beast.is_header_done()) {
      if (auto refusal = beast.CheckLineEndings(rest)) return fail(std::move(*refusal));
    }
    if (rest.empty() || beast.HoldsBack(rest)) return Result::kNeedMore;

    Beast::Step step = beast.Put(rest);
    used += step.consumed;
    *consumed = used;
    if (step.error == http::error::need_more) {
      // What waits unconsumed is part of the head, a chunk size line or the trailer section: the
      // caller buffers it, so it is bounded here. Incomplete, it needs one byte more at least:
      // at the limit already, it will be over it (Beast's header_limit counts the same way).
      std::size_t waiting = rest.size() - step.consumed;
      if (!beast.is_header_done()) {
        if (beast.head_bytes() + waiting >= limits_.max_header_bytes) {
          return fail(HeadTooLong(limits_));
        }
      } else if (waiting >= limits_.max_header_bytes) {
        return fail(ChunkLineTooLong(limits_));
      }
      return Result::kNeedMore;
    }
    if (step.error) {
      return fail(beast.refusal() ? *beast.refusal() : RefusalForBeastError(step.error, limits_));
    }
    if (step.head) {
      if (beast.head_bytes() > limits_.max_header_bytes) return fail(HeadTooLong(limits_));
      beast.finish_pending = step.finished;
      return Result::kHead;
    }
    if (!step.piece.empty()) {
      *body = step.piece;
      beast.finish_pending = step.finished;
      return Result::kBody;
    }
    // A chunk size line, or the last one with the trailer section: bounded as when they wait
    // unconsumed above (the same bytes), so that how they arrive does not change the answer.
    if (step.consumed > limits_.max_header_bytes) return fail(ChunkLineTooLong(limits_));
    if (step.finished) {
      beast.complete = true;
      return Result::kDone;
    }
    // Beast returns without an event only after a chunk size line, which it consumed. Guard the
    // loop anyway: no progress would mean waiting forever for bytes that are already here.
    if (step.consumed == 0) return fail({500, "HTTP/1.1 parser made no progress"});
  }
}

}  // namespace cppgateway
