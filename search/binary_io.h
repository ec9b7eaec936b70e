// Little helpers for the index file (search_index.h): values appended to a
// string, and read back from a view with bounds checks, so a truncated or
// damaged file is an error and never a crash.
//
// Thread-safety: plain values.
#ifndef KAARTNET_SEARCH_BINARY_IO_H_
#define KAARTNET_SEARCH_BINARY_IO_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaartnet::search {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string* out) : out_(out) {}

  template <typename T>
  void Put(T value) {
    static_assert(std::is_arithmetic_v<T>);
    out_->append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  void PutString(absl::string_view s) {
    Put<uint64_t>(s.size());
    out_->append(s.data(), s.size());
  }
  // A vector of numbers (or of structs of numbers without padding).
  template <typename T>
  void PutVector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(v.size());
    if (!v.empty()) {
      out_->append(reinterpret_cast<const char*>(v.data()),
                   v.size() * sizeof(T));
    }
  }

 private:
  std::string* const out_;
};

// Every Get returns false once the input ran out (and from then on).
class BinaryReader {
 public:
  explicit BinaryReader(absl::string_view in) : in_(in) {}

  template <typename T>
  bool Get(T* value) {
    static_assert(std::is_arithmetic_v<T>);
    if (!ok_ || in_.size() < sizeof(T)) return ok_ = false;
    std::memcpy(value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetString(std::string* s) {
    uint64_t n = 0;
    if (!Get(&n) || in_.size() < n) return ok_ = false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  // The next string, as a view into the input (no copy).
  bool GetView(absl::string_view* s) {
    uint64_t n = 0;
    if (!Get(&n) || in_.size() < n) return ok_ = false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  template <typename T>
  bool GetVector(std::vector<T>* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n = 0;
    if (!Get(&n) || n > in_.size() / sizeof(T)) return ok_ = false;
    v->resize(n);
    if (n > 0) std::memcpy(v->data(), in_.data(), n * sizeof(T));
    in_.remove_prefix(n * sizeof(T));
    return true;
  }
  // A count of items each at least `min_bytes` long: false when the rest of
  // the input cannot hold that many (a damaged count never allocates).
  bool GetCount(uint64_t* n, size_t min_bytes) {
    if (!Get(n) || *n > in_.size() / (min_bytes == 0 ? 1 : min_bytes))
      return ok_ = false;
    return true;
  }

  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }

 private:
  absl::string_view in_;
  bool ok_ = true;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_BINARY_IO_H_
