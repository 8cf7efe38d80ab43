#include "transport/protocol_sniffer.h"

#include <algorithm>

namespace cppgateway {

SniffedProtocol SniffProtocol(std::string_view first_bytes) {
  const std::size_t compared = std::min(first_bytes.size(), kHttp2Preface.size());
  if (first_bytes.substr(0, compared) != kHttp2Preface.substr(0, compared)) {
    return SniffedProtocol::kHttp1;
  }
  return compared == kHttp2Preface.size() ? SniffedProtocol::kHttp2 : SniffedProtocol::kNeedMore;
}

}  // namespace cppgateway
