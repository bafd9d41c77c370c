#pragma once
// What the fuzz targets share: reading typed values off the fuzzer's bytes, a scratch file for the readers that
// take a path, and the failure of a checked property.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace trackkit::fuzz {

/// A property the code under test promises does not hold: print it and abort, which libFuzzer records as a crash
/// (keeping the input that caused it).
[[noreturn]] inline void violated(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz: property violated: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

/// Checks a property; `detail`, a callable returning the case's description, runs only when it fails.
template <typename Detail>
void require(bool holds, const char* what, Detail&& detail) {
  if (!holds) violated(what, detail());
}
inline void require(bool holds, const char* what) {
  if (!holds) violated(what);
}

/// Consumes the fuzzer's bytes front to back as typed values; once they run out every value reads as zero, so a
/// short input is still a complete (if dull) case.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  template <typename T>
  T take() {
    T value{};
    const size_t n = size_ - at_ < sizeof(T) ? size_ - at_ : sizeof(T);
    std::memcpy(&value, data_ + at_, n);
    at_ += n;
    return value;
  }
  uint8_t byte() { return take<uint8_t>(); }
  bool flag() { return (byte() & 1) != 0; }
  bool empty() const { return at_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

/// A file made once per process, rewritten with each input, removed at exit: in $TMPDIR if set, else /dev/shm
/// (memory) where it exists, else /tmp.
class ScratchFile {
 public:
  explicit ScratchFile(const char* tag) {
    const char* dir = std::getenv("TMPDIR");
    if (dir == nullptr || *dir == '\0') dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    path_ = std::string(dir) + "/trackkit-fuzz-" + tag + "-XXXXXX";
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) violated("cannot make a scratch file", path_);
    ::close(fd);
  }
  ~ScratchFile() { ::unlink(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& path() const { return path_; }

  /// Replaces the file with one of size bytes of data. A new file rather than a truncated one: ext4 flushes a file
  /// truncated and rewritten to disk when it is closed, which would make every input wait for the disk.
  void write(const uint8_t* data, size_t size) const {
    ::unlink(path_.c_str());
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) violated("cannot make the scratch file", path_);
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::write(fd, data + done, size - done);
      if (n <= 0) violated("cannot write the scratch file", path_);
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  }

 private:
  std::string path_;
};

} // namespace trackkit::fuzz
