// Linear probing, power-of-two table kept at most half full.
#include "userspace/engine/sched/stop_set.h"

namespace pathmap::sched {
namespace {

size_t slot_of(uint32_t a, size_t mask) noexcept
{
    uint32_t h = a * 0x9e3779b1u;
    return (h ^ (h >> 15)) & mask;
}

} // namespace

StopSet::StopSet(size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, 0);
}

bool StopSet::contains(uint32_t addr) const noexcept
{
    if (addr == 0) return false;
    const size_t mask = slots_.size() - 1;
    for (size_t i = slot_of(addr, mask);; i = (i + 1) & mask) {
        if (slots_[i] == addr) return true;
        if (slots_[i] == 0) return false;
    }
}

bool StopSet::insert(uint32_t addr)
{
    if (addr == 0) return false;
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = slot_of(addr, mask);; i = (i + 1) & mask) {
        if (slots_[i] == addr) return false;
        if (slots_[i] == 0) {
            slots_[i] = addr;
            ++size_;
            return true;
        }
    }
}

void StopSet::grow()
{
    std::vector<uint32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    size_ = 0;
    for (uint32_t a : old)
        if (a) insert(a);
}

} // namespace pathmap::sched
