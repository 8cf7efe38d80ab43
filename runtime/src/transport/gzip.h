// gzip (RFC 1952) both ways, with zlib, in pieces: answers are compressed as they are written
// (each piece flushed, so that a stream's messages arrive when they are sent), request bodies are
// decompressed as they arrive, a bounded amount at a time.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace cppgateway {

class GzipEncoder {
 public:
  explicit GzipEncoder(int level);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Compresses `bytes` and appends to `*out` what can be sent now: everything so far is flushed.
  void Write(std::string_view bytes, std::string* out);
  // Appends the end of the gzip stream.
  void Finish(std::string* out);

 private:
  void Deflate(std::string_view bytes, int flush, std::string* out);
  z_stream stream_{};
};

class GzipDecoder {
 public:
  GzipDecoder();
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  // Feeds compressed bytes, kept until decoded.
  void Feed(std::string_view bytes);
  // Decodes up to `max_bytes` of what was fed into `*out` (replacing it). Returns false when the
  // input is not gzip or is corrupt.
  bool Decode(std::size_t max_bytes, std::string* out);
  // Whether fed bytes wait to be decoded (Decode returned a full `max_bytes` and may give more).
  bool HasInput() const { return offset_ < input_.size(); }
  // Whether the gzip stream has ended; bytes after it are refused by Decode.
  bool Done() const { return done_; }

 private:
  z_stream stream_{};
  std::string input_;
  std::size_t offset_ = 0;  // input_ bytes already given to zlib
  bool done_ = false;
};

}  // namespace cppgateway
