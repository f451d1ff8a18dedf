// Open-addressing hash indexes for the graph's per-reply lookups (address to
// vertex, (src, dst) to edge). They avoid std::unordered_map's node per entry
// and keep slots at 8 bytes: the edge index of a 10M-reply build has ~8M slots.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace pathmap::graph::detail {

inline uint64_t mix64(uint64_t k) noexcept
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

// Slots of (32-bit tag, 32-bit value), linear probing. A key wider than the
// tag is confirmed by `same(value)`, which compares the full key where the
// value points; growing asks `rehash(value)` for each entry's hash again.
class TaggedSlots {
public:
    static constexpr uint32_t kAbsent = 0xffffffffu;

    template <class Same>
    uint32_t find(uint64_t hash, uint32_t tag, Same same) const noexcept
    {
        if (slots_.empty()) return kAbsent;
        size_t mask = slots_.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            const Slot &s = slots_[i];
            if (s.value == kAbsent) return kAbsent;
            if (s.tag == tag && same(s.value)) return s.value;
        }
    }

    // Returns the stored value; inserts `value` when no slot matches.
    template <class Same, class Rehash>
    uint32_t insert(uint64_t hash, uint32_t tag, uint32_t value, Same same, Rehash rehash)
    {
        if ((size_ + 1) * 10 > slots_.size() * 7) grow(rehash);
        size_t mask = slots_.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            Slot &s = slots_[i];
            if (s.value == kAbsent) {
                s = {tag, value};
                ++size_;
                return value;
            }
            if (s.tag == tag && same(s.value)) return s.value;
        }
    }

    template <class Rehash>
    void reserve(size_t n, Rehash rehash)
    {
        while (n * 10 > slots_.size() * 7) grow(rehash);
    }
    size_t size() const noexcept { return size_; }
    // Starts loading the slot a lookup of `hash` begins at.
    void prefetch(uint64_t hash) const noexcept
    {
        if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    }

private:
    struct Slot {
        uint32_t tag = 0;
        uint32_t value = kAbsent;
    };
    template <class Rehash>
    void grow(Rehash rehash)
    {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        size_t mask = slots_.size() - 1;
        for (const Slot &s : old) {
            if (s.value == kAbsent) continue;
            size_t i = rehash(s) & mask;
            while (slots_[i].value != kAbsent) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }
    std::vector<Slot> slots_;
    size_t size_ = 0;
};

// 32-bit key (an IPv4 address) to a 32-bit value; the tag is the key.
class FlatIndex {
public:
    static constexpr uint32_t kAbsent = TaggedSlots::kAbsent;
    uint32_t find(uint32_t key) const noexcept
    {
        return slots_.find(mix64(key), key, [](uint32_t) { return true; });
    }
    uint32_t insert(uint32_t key, uint32_t value)
    {
        return slots_.insert(mix64(key), key, value, [](uint32_t) { return true; }, rehash);
    }
    void reserve(size_t n) { slots_.reserve(n, rehash); }
    void prefetch(uint32_t key) const noexcept { slots_.prefetch(mix64(key)); }
    size_t size() const noexcept { return slots_.size(); }

private:
    static constexpr auto rehash = [](const auto &slot) { return mix64(slot.tag); };
    TaggedSlots slots_;
};

// (src, dst) to an edge number; the full key is checked with `ends_of(edge)`,
// which returns the stored edge's (src, dst).
class EdgeIndex {
public:
    static constexpr uint32_t kAbsent = TaggedSlots::kAbsent;
    static uint64_t hash(uint32_t src, uint32_t dst) noexcept { return mix64((uint64_t{src} << 32) | dst); }

    template <class EndsOf>
    uint32_t find(uint32_t src, uint32_t dst, EndsOf ends_of) const noexcept
    {
        uint64_t h = hash(src, dst);
        return slots_.find(h, tag_of(h), [&](uint32_t e) { return ends_of(e) == std::pair{src, dst}; });
    }
    // Returns the existing edge's number, or `next` after recording it; the
    // caller then stores the new edge (only existing entries are read).
    template <class EndsOf>
    uint32_t insert(uint32_t src, uint32_t dst, uint32_t next, EndsOf ends_of)
    {
        uint64_t h = hash(src, dst);
        return slots_.insert(
            h, tag_of(h), next, [&](uint32_t e) { return ends_of(e) == std::pair{src, dst}; },
            [&](const auto &slot) { return rehash(slot.value, ends_of); });
    }
    template <class EndsOf>
    void reserve(size_t n, EndsOf ends_of)
    {
        slots_.reserve(n, [&](const auto &slot) { return rehash(slot.value, ends_of); });
    }
    void prefetch(uint32_t src, uint32_t dst) const noexcept { slots_.prefetch(hash(src, dst)); }
    // The first entry whose tag matches, without reading any edge (a guess for prefetching).
    uint32_t probe(uint32_t src, uint32_t dst) const noexcept
    {
        uint64_t h = hash(src, dst);
        return slots_.find(h, tag_of(h), [](uint32_t) { return true; });
    }

private:
    template <class EndsOf>
    static uint64_t rehash(uint32_t e, EndsOf ends_of)
    {
        auto [s, d] = ends_of(e);
        return hash(s, d);
    }
    static uint32_t tag_of(uint64_t h) noexcept { return static_cast<uint32_t>(h >> 32); }
    TaggedSlots slots_;
};

} // namespace pathmap::graph::detail
