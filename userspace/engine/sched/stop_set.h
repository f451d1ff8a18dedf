// Doubletree's global stop set: interface addresses already discovered.
// Backward probing toward the prober stops at the first hop whose address
// is in it, since the rest of that path has been seen. An open-addressing
// set of non-zero IPv4 addresses: contains() is allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pathmap::sched {

class StopSet {
public:
    explicit StopSet(size_t expected = 1024);
    bool contains(uint32_t addr) const noexcept;
    // True when newly inserted. 0 is never stored (it means "no reply").
    bool insert(uint32_t addr);
    size_t size() const noexcept { return size_; }

private:
    void grow();
    std::vector<uint32_t> slots_;
    size_t size_ = 0;
};

} // namespace pathmap::sched
