#include "gateway/metadata.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <utility>

#include "gateway/server_context_access.h"
#include "transcoding/base64.h"

namespace cppgateway {
namespace {

constexpr std::string_view kMetadataHeaderPrefix = "grpc-metadata-";
constexpr std::string_view kPermanentHeaderPrefix = "grpcgateway-";

// The HTTP headers grpc-gateway forwards as `grpcgateway-<name>` (its isPermanentHTTPHeader; Host
// is left out, as Go's server takes it out of the headers: it becomes x-forwarded-host).
constexpr std::string_view kPermanentHeaders[] = {
    "accept",
    "accept-charset",
    "accept-language",
    "accept-ranges",
    "authorization",
    "cache-control",
    "content-type",
    "cookie",
    "date",
    "expect",
    "from",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-schedule-tag-match",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "referer",
    "user-agent",
    "via",
    "warning",
};

// Keys that gRPC or HTTP/2 use for themselves: a request must not be able to set them.
constexpr std::string_view kReservedKeys[] = {
    "connection", "content-type",      "host",    "keep-alive", "proxy-connection",
    "te",         "transfer-encoding", "upgrade", "user-agent",
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// gRPC's rule for metadata keys: lower-case letters, digits, `-`, `_` and `.`.
bool IsValidKey(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// gRPC's rule for text metadata values: printable ASCII.
bool IsValidTextValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool IsReserved(std::string_view key) {
  if (StartsWith(key, "grpc-")) return true;
  return std::find(std::begin(kReservedKeys), std::end(kReservedKeys), key) !=
         std::end(kReservedKeys);
}

// "500m", "10S", "1H": gRPC's timeout syntax (at most 8 digits and a unit).
bool ParseGrpcTimeout(std::string_view text, std::chrono::nanoseconds* timeout) {
  if (text.size() < 2 || text.size() > 9) return false;
  int64_t amount = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size() - 1, amount);
  if (error != std::errc() || end != text.data() + text.size() - 1 || amount < 0) return false;
  switch (text.back()) {
    case 'H':
      *timeout = std::chrono::hours(amount);
      return true;
    case 'M':
      *timeout = std::chrono::minutes(amount);
      return true;
    case 'S':
      *timeout = std::chrono::seconds(amount);
      return true;
    case 'm':
      *timeout = std::chrono::milliseconds(amount);
      return true;
    case 'u':
      *timeout = std::chrono::microseconds(amount);
      return true;
    case 'n':
      *timeout = std::chrono::nanoseconds(amount);
      return true;
    default:
      return false;
  }
}

// "203.0.113.7:54321" or "[2001:db8::1]:54321" -> the address without the port.
std::string_view HostOf(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    std::size_t bracket = peer.find(']');
    return bracket == std::string_view::npos ? peer : peer.substr(1, bracket - 1);
  }
  return peer.substr(0, peer.rfind(':'));
}

grpc::Status InvalidArgument(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

// Adds one pair to `*metadata`, decoding a `-bin` value and checking what gRPC would refuse.
grpc::Status AddPair(const std::string& header, std::string key, std::string_view value,
                     HttpHeaders* metadata) {
  key = Lower(key);
  if (!IsValidKey(key) || IsReserved(key)) {
    return InvalidArgument("header " + header + " cannot be sent as gRPC metadata \"" + key + "\"");
  }
  std::string decoded;
  if (EndsWith(key, "-bin")) {
    if (!DecodeBase64(value, &decoded)) {
      return InvalidArgument("header " + header + " ends in -Bin but its value is not base64");
    }
  } else if (!IsValidTextValue(value)) {
    return InvalidArgument("header " + header +
                           " has a value that cannot be gRPC metadata (printable ASCII only)");
  } else {
    decoded = std::string(value);
  }
  metadata->emplace_back(std::move(key), std::move(decoded));
  return grpc::Status::OK;
}

// Header metadata key -> "Grpc-Metadata-<key>" (and the trailer form), grpc-gateway's defaults.
std::optional<std::string> DefaultOutgoing(std::string_view key, std::string_view prefix) {
  return std::string(prefix) + std::string(key);
}

void AddAnswerHeader(const HeaderMatcher& matcher, std::string_view prefix, std::string_view key,
                     std::string_view value, HttpHeaders* headers) {
  std::optional<std::string> name = matcher ? matcher(key) : DefaultOutgoing(key, prefix);
  if (!name) return;
  // Binary metadata has no place in an HTTP header as it is: base64, as gRPC-Web sends it.
  headers->emplace_back(std::move(*name),
                        EndsWith(key, "-bin") ? EncodeBase64(value) : std::string(value));
}

}  // namespace

std::optional<std::string> DefaultIncomingHeaderMatcher(std::string_view header) {
  std::string lower = Lower(header);
  if (StartsWith(lower, kMetadataHeaderPrefix)) return lower.substr(kMetadataHeaderPrefix.size());
  if (std::find(std::begin(kPermanentHeaders), std::end(kPermanentHeaders), lower) !=
      std::end(kPermanentHeaders)) {
    return std::string(kPermanentHeaderPrefix) + lower;
  }
  return std::nullopt;
}

grpc::Status ReadCallSetup(const HttpExchange& exchange, const ServerOptions& options,
                           CallSetup* setup) {
  const HttpRequestHead& request = exchange.request();
  const MetadataOptions& matchers = options.metadata;
  HttpHeaders& metadata = setup->metadata;
  std::optional<std::chrono::nanoseconds>& timeout = setup->timeout;
  if (options.default_deadline.count() > 0) timeout = options.default_deadline;
  const std::string* forwarded_for = nullptr;
  const std::string* forwarded_host = nullptr;
  const std::string* host = nullptr;

  for (const auto& [name, value] : request.headers) {
    std::string lower = Lower(name);
    if (lower == "grpc-timeout") {
      std::chrono::nanoseconds parsed;
      if (!ParseGrpcTimeout(value, &parsed)) {
        return InvalidArgument("invalid grpc-timeout: \"" + value + "\"");
      }
      timeout = parsed;
      continue;
    }
    if (lower == "x-forwarded-for") forwarded_for = &value;
    if (lower == "x-forwarded-host") forwarded_host = &value;
    if (lower == "host") host = &value;
    if (lower == "authorization") {
      grpc::Status status = AddPair(name, "authorization", value, &metadata);
      if (!status.ok()) return status;
    }
    std::optional<std::string> key =
        matchers.incoming ? matchers.incoming(name) : DefaultIncomingHeaderMatcher(name);
    if (!key) continue;
    grpc::Status status = AddPair(name, std::move(*key), value, &metadata);
    if (!status.ok()) return status;
  }

  // Where the request came from, for a service behind the gateway.
  std::string client = std::string(HostOf(exchange.peer()));
  if (!client.empty()) {
    metadata.emplace_back("x-forwarded-for",
                          forwarded_for != nullptr ? *forwarded_for + ", " + client : client);
  }
  if (forwarded_host != nullptr) {
    metadata.emplace_back("x-forwarded-host", *forwarded_host);
  } else if (host != nullptr) {
    metadata.emplace_back("x-forwarded-host", *host);
  }
  if (matchers.from_request) {
    HttpHeaders extra;
    matchers.from_request(request, &extra);
    for (auto& [key, value] : extra) {
      grpc::Status status = AddPair(key, key, value, &metadata);
      if (!status.ok()) return status;
    }
  }

  std::size_t bytes = 0;
  for (const auto& [key, value] : metadata) bytes += key.size() + value.size();
  if (bytes > matchers.max_bytes) {
    return InvalidArgument("the headers forwarded as gRPC metadata take " + std::to_string(bytes) +
                           " bytes, more than " + std::to_string(matchers.max_bytes));
  }
  for (const auto& [key, value] : metadata) {
    if (!IsValidTextValue(value) && !EndsWith(key, "-bin")) {
      return InvalidArgument("metadata \"" + key + "\" has a value that is not printable ASCII");
    }
  }
  return grpc::Status::OK;
}

void ApplyCallSetup(const CallSetup& setup, grpc::ClientContext* context) {
  for (const auto& [key, value] : setup.metadata) context->AddMetadata(key, value);
  if (setup.timeout) context->set_deadline(std::chrono::system_clock::now() + *setup.timeout);
}

void ClientContextMetadata::ForEachHeader(const Visitor& visit) const {
  for (const auto& [key, value] : context_.GetServerInitialMetadata()) {
    visit(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()));
  }
}

void ClientContextMetadata::ForEachTrailer(const Visitor& visit) const {
  for (const auto& [key, value] : context_.GetServerTrailingMetadata()) {
    visit(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()));
  }
}

void ServerContextMetadata::ForEachHeader(const Visitor& visit) const {
  for (const auto& [key, value] : ServerContextAccess::InitialMetadata(context_)) {
    visit(key, value);
  }
}

void ServerContextMetadata::ForEachTrailer(const Visitor& visit) const {
  for (const auto& [key, value] : ServerContextAccess::TrailingMetadata(context_)) {
    visit(key, value);
  }
}

void CollectHeaderMetadata(const ServerMetadata& call, const MetadataOptions& options,
                           AnswerMetadata* answer) {
  call.ForEachHeader([&](std::string_view name, std::string_view value) {
    if (name == "x-http-code") {
      int code = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), code);
      if (error == std::errc() && end == value.data() + value.size() && code >= 200 &&
          code <= 599) {
        answer->http_status = code;
      }
      return;  // the status, not a header
    }
    if (name == "www-authenticate") answer->www_authenticate = std::string(value);
    AddAnswerHeader(options.outgoing, "Grpc-Metadata-", name, value, &answer->headers);
  });
}

void CollectTrailerMetadata(const ServerMetadata& call, const MetadataOptions& options,
                            AnswerMetadata* answer) {
  call.ForEachTrailer([&](std::string_view name, std::string_view value) {
    // The status details come with the error body already.
    if (name == "grpc-status-details-bin") return;
    if (name == "www-authenticate") answer->www_authenticate = std::string(value);
    AddAnswerHeader(options.outgoing_trailer, "Grpc-Trailer-", name, value, &answer->trailers);
  });
}

}  // namespace cppgateway
