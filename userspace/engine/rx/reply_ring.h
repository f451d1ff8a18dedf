// The reply ring buffer as an RAII consumer. The XDP program submits with
// BPF_RB_NO_WAKEUP, so nothing ever wakes a poller: call consume() on a
// timer (every 0.1..1 ms) to drain what has arrived.
#pragma once

#include <memory>

#include "pathmap/wire.h"

struct ring_buffer;

namespace pathmap::rx
{

// Called once per record, on the consuming thread. Must not throw.
using ReplySink = void (*)(void *ctx, const pm_reply_record &rec) noexcept;

class ReplyRing
{
  public:
    // Throws std::runtime_error if the ring cannot be mapped.
    ReplyRing(int ring_fd, ReplySink sink, void *ctx);
    ~ReplyRing();
    ReplyRing(const ReplyRing &) = delete;
    ReplyRing &operator=(const ReplyRing &) = delete;

    // Drains what is there now; records consumed, or a negative errno.
    int consume() noexcept;
    // Records of the wrong size seen (0 unless wire.h and the program drift).
    uint64_t malformed() const noexcept;

  private:
    struct Sink {
        ReplySink fn;
        void *ctx;
        uint64_t malformed = 0;
    };
    static int on_sample(void *ctx, void *data, size_t size) noexcept;
    std::unique_ptr<Sink> sink_; // stable address for libbpf's callback ctx
    ring_buffer *rb_ = nullptr;
};

} // namespace pathmap::rx
