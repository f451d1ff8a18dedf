// Open-addressing hash index from a 64-bit key to a 32-bit value. The graph's
// address and edge lookups run once per reply, so they avoid the node
// allocation of std::unordered_map.
#pragma once

#include <cstdint>
#include <vector>

namespace pathmap::graph::detail {

class FlatIndex {
public:
    static constexpr uint32_t kAbsent = 0xffffffffu;

    uint32_t find(uint64_t key) const noexcept
    {
        if (slots_.empty()) return kAbsent;
        size_t mask = slots_.size() - 1;
        for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
            const Slot &s = slots_[i];
            if (s.value == kAbsent) return kAbsent;
            if (s.key == key) return s.value;
        }
    }

    // Returns the stored value; inserts `value` when the key is new.
    uint32_t insert(uint64_t key, uint32_t value)
    {
        if ((size_ + 1) * 10 > slots_.size() * 7) grow();
        size_t mask = slots_.size() - 1;
        for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
            Slot &s = slots_[i];
            if (s.value == kAbsent) {
                s = {key, value};
                ++size_;
                return value;
            }
            if (s.key == key) return s.value;
        }
    }

    void reserve(size_t n)
    {
        while (n * 10 > slots_.size() * 7) grow();
    }
    size_t size() const noexcept { return size_; }

private:
    struct Slot {
        uint64_t key = 0;
        uint32_t value = kAbsent;
    };
    static size_t hash(uint64_t k) noexcept
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return static_cast<size_t>(k);
    }
    void grow()
    {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        size_ = 0;
        for (const Slot &s : old)
            if (s.value != kAbsent) insert(s.key, s.value);
    }
    std::vector<Slot> slots_;
    size_t size_ = 0;
};

} // namespace pathmap::graph::detail
