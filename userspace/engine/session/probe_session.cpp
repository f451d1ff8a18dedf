// ProbeSession: next hop, XDP reply program, ring buffer and sender on one
// interface, with a paced send loop that drains replies on a timer.
#include "userspace/engine/session/probe_session.h"

#include <arpa/inet.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"

namespace pathmap::session {
namespace {

void sleep_ns(uint64_t ns) noexcept
{
    timespec ts{.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull), .tv_nsec = static_cast<long>(ns % 1'000'000'000ull)};
    nanosleep(&ts, nullptr);
}

const char *mode_name(rx::XdpMode m) noexcept
{
    switch (m) {
    case rx::XdpMode::native: return "native";
    case rx::XdpMode::generic: return "generic";
    case rx::XdpMode::automatic: return "automatic";
    }
    return "?";
}

} // namespace

uint32_t random_run_id()
{
    uint32_t id = 0;
    while (id == 0) {
        if (getrandom(&id, sizeof(id), 0) != static_cast<ssize_t>(sizeof(id))) {
            throw std::runtime_error(fmt::format("getrandom failed: errno {}", errno));
        }
    }
    return id;
}

ProbeSession::ProbeSession(const SessionConfig &cfg, rx::ReplySink sink, void *sink_ctx)
    : cfg_(cfg), pacer_(tx::PacerConfig{.rate_pps = cfg.rate_pps})
{
    if (cfg_.route_dst == 0 && !cfg_.next_hop)
        throw std::invalid_argument("ProbeSession needs route_dst (a destination to route) or a next hop");
    if (cfg_.num_flows == 0) cfg_.num_flows = 1;
    if (cfg_.run_id == 0) cfg_.run_id = random_run_id();
    hop_ = cfg_.next_hop ? *cfg_.next_hop : tx::resolve_next_hop(cfg_.route_dst, cfg_.iface);
    if (hop_.src_ip == 0) {
        throw std::runtime_error(fmt::format("interface {} has no IPv4 address to send probes from", hop_.iface));
    }
    cfg_.iface = hop_.iface;

    const probe::FrameTemplate frame{
        .src_mac = hop_.src_mac,
        .dst_mac = hop_.dst_mac,
        .src_ip = hop_.src_ip,
        .proto = cfg_.proto,
        .dport = cfg_.dport,
        .run_id = cfg_.run_id,
    };
    // The XDP program goes first: replies to the first probes must not reach
    // the kernel alone before it is there (the kernel still sees SYN-ACKs,
    // and its RSTs close the targets' half-open connections).
    const rx::RxConfig rx_cfg{
        .run_id = cfg_.run_id,
        .local_addr_be = htonl(hop_.src_ip),
        .num_flows = cfg_.num_flows,
        .udp_dport = cfg_.proto == probe::Proto::udp ? probe::effective_dport(frame) : uint16_t{PM_DEFAULT_UDP_DPORT},
        .tcp_dport = cfg_.proto == probe::Proto::tcp ? probe::effective_dport(frame) : uint16_t{PM_DEFAULT_TCP_DPORT},
        .pass_replies = cfg_.pass_replies,
        .max_ttl = cfg_.max_ttl,
        .tcp_max_age_ms = cfg_.reply_wait_ms ? cfg_.reply_wait_ms + 1000 : 0,
    };
    if (cfg_.rx_path != rx::RxPath::packet) {
        rx_ = std::make_unique<rx::ReplyRxProgram>(rx_cfg);
        try {
            rx_->attach(hop_.ifindex, cfg_.xdp_mode);
        } catch (const rx::XdpHookBusy &e) {
            // A second run on this interface (or the host's own XDP program):
            // it passes what is not its own, and the socket sees that.
            if (cfg_.rx_path == rx::RxPath::xdp) throw;
            // A program left behind is worth a warning (it stays until
            // someone removes it); another live run is the normal case.
            if (e.left_behind)
                log::warn("the XDP hook of {} is taken, so replies come through an AF_PACKET socket: {}", hop_.iface,
                          e.what());
            else
                log::info("the XDP hook of {} is taken, so replies come through an AF_PACKET socket ({})",
                          hop_.iface, e.what());
            rx_.reset();
        }
    }
    if (rx_) ring_ = std::make_unique<rx::ReplyRing>(rx_->ring_fd(), sink, sink_ctx);
    else packet_rx_ = std::make_unique<rx::PacketRx>(hop_.ifindex, rx_cfg, sink, sink_ctx);
    sender_ = tx::make_sender(tx::SenderConfig{
        .iface = hop_.iface,
        .kind = cfg_.tx,
        .frame = frame,
        .batch = cfg_.batch,
        .allow_fallback = cfg_.allow_fallback,
        .num_queues = cfg_.tx_queues,
        .zerocopy = cfg_.zerocopy,
    });
    log::info("probe session on {}: src {} next hop {} run id {:#010x}, {}", hop_.iface, format_ipv4(hop_.src_ip),
              hop_.gateway ? format_ipv4(hop_.gateway) : std::string("on-link"), cfg_.run_id, describe());
}

ProbeSession::~ProbeSession()
{
    // Sender first (stops TX), then the ring, then detach the program.
    sender_.reset();
    ring_.reset();
    packet_rx_.reset();
    rx_.reset();
}

int ProbeSession::poll() noexcept
{
    next_consume_ns_ = tx::monotonic_ns() + uint64_t{cfg_.consume_interval_us} * 1000;
    return ring_ ? ring_->consume() : packet_rx_->consume();
}

size_t ProbeSession::send(std::span<const probe::ProbeSpec> probes, const std::atomic<bool> *stop,
                          const SendHooks &hooks) noexcept
{
    tx::Pacer &pacer = hooks.pacer ? *hooks.pacer : pacer_;
    size_t done = 0;
    uint32_t stalls = 0;
    const uint64_t batch = std::max<uint32_t>(1, cfg_.batch);
    while (done < probes.size()) {
        if (stop && stop->load(std::memory_order_relaxed)) break;
        uint64_t now = tx::monotonic_ns();
        if (now >= next_consume_ns_) {
            poll();
            if (hooks.poll_others) hooks.poll_others(hooks.ctx);
        }
        const uint64_t want = std::min<uint64_t>(batch, probes.size() - done);
        const uint64_t allowed = pacer.allowance(now, want);
        if (allowed == 0) {
            const uint64_t wait = pacer.wait_ns(now);
            // Short waits spin (nanosleep overshoots by ~50 us), long ones sleep.
            if (wait > 60'000) sleep_ns(std::min<uint64_t>(wait - 50'000, uint64_t{cfg_.consume_interval_us} * 1000));
            continue;
        }
        const size_t sent = sender_->send(probes.subspan(done, allowed));
        pacer.consume(sent);
        done += sent;
        if (sent == 0) {
            sender_->flush();
            // Persistent back-pressure or a dead device: give up after ~1 s.
            if (++stalls > 20000) break;
            sleep_ns(50'000);
        } else {
            stalls = 0;
        }
    }
    sender_->flush();
    return done;
}

void ProbeSession::drain_until(uint64_t deadline_ns, const std::atomic<bool> *stop) noexcept
{
    pacer_.pause(tx::monotonic_ns()); // not sending: no catch-up burst for the idle time
    for (;;) {
        sender_->flush();
        poll();
        const uint64_t now = tx::monotonic_ns();
        if (now >= deadline_ns || (stop && stop->load(std::memory_order_relaxed))) break;
        sleep_ns(std::min<uint64_t>(deadline_ns - now, uint64_t{cfg_.consume_interval_us} * 1000));
    }
}

const tx::TxStats &ProbeSession::tx_stats() const noexcept { return sender_->stats(); }

rx::RxCounters ProbeSession::rx_counters() const { return rx_ ? rx_->counters() : packet_rx_->counters(); }

uint64_t ProbeSession::ring_malformed() const noexcept { return ring_ ? ring_->malformed() : 0; }

std::string ProbeSession::describe() const
{
    const std::string tx = sender_ ? sender_->describe() : std::string("no sender");
    if (!rx_) return fmt::format("{}; replies through AF_PACKET on {}", tx, hop_.iface);
    return fmt::format("{}; XDP replies in {} mode", tx, mode_name(rx_->attached_mode()));
}

void ProbeSession::set_rate(uint64_t pps) noexcept
{
    cfg_.rate_pps = pps;
    pacer_lost_before_ += pacer_.lost();
    pacer_ = tx::Pacer(tx::PacerConfig{.rate_pps = pps});
}

} // namespace pathmap::session
