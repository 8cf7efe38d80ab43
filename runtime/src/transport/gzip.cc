#include "transport/gzip.h"

namespace cppgateway {
namespace {

// zlib's windowBits for the gzip wrapper (15 plus 16), and its default memory level.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemoryLevel = 8;
constexpr std::size_t kOutputStep = 16 * 1024;

Bytef* In(std::string_view bytes) {
  return reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
}

}  // namespace

GzipEncoder::GzipEncoder(int level) {
  deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, kMemoryLevel, Z_DEFAULT_STRATEGY);
}

GzipEncoder::~GzipEncoder() { deflateEnd(&stream_); }

void GzipEncoder::Write(std::string_view bytes, std::string* out) {
  Deflate(bytes, Z_SYNC_FLUSH, out);
}

void GzipEncoder::Finish(std::string* out) { Deflate({}, Z_FINISH, out); }

void GzipEncoder::Deflate(std::string_view bytes, int flush, std::string* out) {
  stream_.next_in = In(bytes);
  stream_.avail_in = static_cast<uInt>(bytes.size());
  for (;;) {
    std::size_t before = out->size();
    out->resize(before + kOutputStep);
    stream_.next_out = reinterpret_cast<Bytef*>(out->data() + before);
    stream_.avail_out = static_cast<uInt>(kOutputStep);
    int result = deflate(&stream_, flush);
    out->resize(before + kOutputStep - stream_.avail_out);
    // Done when zlib had room to spare: everything is out (Z_STREAM_END for Z_FINISH).
    if (result == Z_STREAM_END || (stream_.avail_out != 0 && stream_.avail_in == 0)) return;
    if (result != Z_OK && result != Z_BUF_ERROR) return;
  }
}

GzipDecoder::GzipDecoder() { inflateInit2(&stream_, kGzipWindowBits); }

GzipDecoder::~GzipDecoder() { inflateEnd(&stream_); }

void GzipDecoder::Feed(std::string_view bytes) {
  if (offset_ > 0 && offset_ == input_.size()) {
    input_.clear();
    offset_ = 0;
  }
  input_.append(bytes);
}

bool GzipDecoder::Decode(std::size_t max_bytes, std::string* out) {
  out->clear();
  if (!HasInput()) return true;
  if (done_) return false;  // bytes after the end of the gzip stream
  out->resize(max_bytes);
  stream_.next_in = In(std::string_view(input_).substr(offset_));
  stream_.avail_in = static_cast<uInt>(input_.size() - offset_);
  stream_.next_out = reinterpret_cast<Bytef*>(out->data());
  stream_.avail_out = static_cast<uInt>(max_bytes);
  int result = inflate(&stream_, Z_NO_FLUSH);
  offset_ = input_.size() - stream_.avail_in;
  out->resize(max_bytes - stream_.avail_out);
  if (result == Z_STREAM_END) {
    done_ = true;
    return !HasInput();
  }
  return result == Z_OK || result == Z_BUF_ERROR;
}

}  // namespace cppgateway
