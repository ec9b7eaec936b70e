// A fixed-size bitset over document numbers, with the word-level operations
// the engine evaluates filters, text and facets with.
//
// Thread-safety: none; immutable instances may be shared.
#ifndef KAARTNET_SEARCH_BITSET_H_
#define KAARTNET_SEARCH_BITSET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kaartnet::search {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(size_t bits, bool value = false)
      : bits_(bits), words_((bits + 63) / 64, value ? ~uint64_t{0} : 0) {
    if (value) ClearTail();
  }

  // Resizes to `bits`, all set to `value`, reusing the storage.
  void Reset(size_t bits, bool value = false) {
    bits_ = bits;
    words_.assign((bits + 63) / 64, value ? ~uint64_t{0} : 0);
    if (value) ClearTail();
  }
  void CopyFrom(const Bitset& other) {
    bits_ = other.bits_;
    words_.assign(other.words_.begin(), other.words_.end());
  }

  size_t size() const { return bits_; }
  bool empty() const { return bits_ == 0; }

  void Set(size_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  void Clear(size_t i) { words_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  bool Test(size_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }

  void SetAll() {
    for (auto& w : words_) w = ~uint64_t{0};
    ClearTail();
  }
  void ClearAll() {
    for (auto& w : words_) w = 0;
  }

  Bitset& operator&=(const Bitset& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
    return *this;
  }
  Bitset& operator|=(const Bitset& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
    return *this;
  }
  // this &= ~other
  Bitset& AndNot(const Bitset& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= ~other.words_[i];
    return *this;
  }

  size_t Count() const {
    size_t n = 0;
    for (uint64_t w : words_) n += __builtin_popcountll(w);
    return n;
  }
  // popcount(this & other) without materialising it.
  size_t CountAnd(const Bitset& other) const {
    size_t n = 0;
    for (size_t i = 0; i < words_.size(); ++i)
      n += __builtin_popcountll(words_[i] & other.words_[i]);
    return n;
  }
  bool Any() const {
    for (uint64_t w : words_) {
      if (w) return true;
    }
    return false;
  }

  // Calls fn(i) for every set bit in increasing order; stops when fn
  // returns false.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t w = 0; w < words_.size(); ++w) {
      uint64_t word = words_[w];
      while (word) {
        const size_t i = (w << 6) + __builtin_ctzll(word);
        if (!fn(i)) return;
        word &= word - 1;
      }
    }
  }

  const std::vector<uint64_t>& words() const { return words_; }
  // A bitset of `bits` bits from its words (words(); false when they do not
  // fit `bits`).
  bool Assign(size_t bits, std::vector<uint64_t> words) {
    if (words.size() != (bits + 63) / 64) return false;
    bits_ = bits;
    words_ = std::move(words);
    ClearTail();
    return true;
  }
  size_t MemoryBytes() const { return words_.capacity() * sizeof(uint64_t); }

 private:
  void ClearTail() {
    if (bits_ % 64 != 0 && !words_.empty()) {
      words_.back() &= (uint64_t{1} << (bits_ % 64)) - 1;
    }
  }

  size_t bits_ = 0;
  std::vector<uint64_t> words_;
};

// A bitset whose storage comes from a per-thread pool and goes back to it,
// so the bitsets of one search cost no allocations once the pool is warm.
class ScratchBitset {
 public:
  explicit ScratchBitset(size_t bits, bool value = false) : bitset_(Take()) {
    bitset_->Reset(bits, value);
  }
  // A copy of `other`.
  explicit ScratchBitset(const Bitset& other) : bitset_(Take()) {
    bitset_->CopyFrom(other);
  }
  ~ScratchBitset() {
    if (Pool().size() < 64) Pool().push_back(std::move(bitset_));
  }
  ScratchBitset(const ScratchBitset&) = delete;
  ScratchBitset& operator=(const ScratchBitset&) = delete;

  Bitset& operator*() { return *bitset_; }
  Bitset* operator->() { return bitset_.get(); }
  const Bitset& operator*() const { return *bitset_; }
  const Bitset* operator->() const { return bitset_.get(); }

 private:
  static std::vector<std::unique_ptr<Bitset>>& Pool() {
    thread_local std::vector<std::unique_ptr<Bitset>> pool;
    return pool;
  }
  static std::unique_ptr<Bitset> Take() {
    auto& pool = Pool();
    if (pool.empty()) return std::make_unique<Bitset>();
    auto b = std::move(pool.back());
    pool.pop_back();
    return b;
  }
  std::unique_ptr<Bitset> bitset_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_BITSET_H_
