// ReplyRing: libbpf ring_buffer consumer that hands each record, copied to
// an aligned local, to a plain function pointer (no per-record allocation).
#include "userspace/engine/rx/reply_ring.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <bpf/libbpf.h>
#include <fmt/core.h>

#include "userspace/engine/rx/reply_rx_program.h"

namespace pathmap::rx
{

ReplyRing::ReplyRing(int ring_fd, ReplySink sink, void *ctx) : sink_(std::make_unique<Sink>(Sink{sink, ctx}))
{
    if (!sink) throw std::invalid_argument("ReplyRing: sink must not be null");
    route_libbpf_logs();
    rb_ = ring_buffer__new(ring_fd, &ReplyRing::on_sample, sink_.get(), nullptr);
    if (!rb_) {
        int e = errno;
        throw std::runtime_error(fmt::format("mapping the reply ring buffer failed: {}", std::strerror(e)));
    }
}

ReplyRing::~ReplyRing() { ring_buffer__free(rb_); }

int ReplyRing::on_sample(void *ctx, void *data, size_t size) noexcept
{
    auto *s = static_cast<Sink *>(ctx);
    if (size != sizeof(pm_reply_record)) {
        s->malformed++;
        return 0;
    }
    pm_reply_record rec;
    std::memcpy(&rec, data, sizeof(rec));
    s->fn(s->ctx, rec);
    return 0;
}

int ReplyRing::consume() noexcept { return ring_buffer__consume(rb_); }

uint64_t ReplyRing::malformed() const noexcept { return sink_->malformed; }

} // namespace pathmap::rx
