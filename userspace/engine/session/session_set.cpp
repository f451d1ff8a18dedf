// SessionSet: route groups to sessions, and the send/drain loops over them.
#include "userspace/engine/session/session_set.h"

#include <time.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/log.h"

namespace pathmap::session {

SessionSet::SessionSet(const SessionConfig &cfg, std::span<const uint32_t> targets, rx::ReplySink sink, void *sink_ctx)
    : pacer_(tx::PacerConfig{.rate_pps = cfg.rate_pps})
{
    if (targets.empty()) throw std::invalid_argument("SessionSet needs at least one target");
    {
        tx::RouteLookup routes(cfg.iface);
        const auto longer = routes.routes_longer_than(24);
        groups_ = RouteGroups::plan(targets, [&](uint32_t dst) { return routes.route(dst); }, longer);
    }
    SessionConfig each = cfg;
    if (each.run_id == 0) each.run_id = random_run_id();
    for (const RouteGroup &g : groups_.groups()) {
        each.route_dst = g.first_target;
        each.next_hop = tx::resolve_next_hop(g.first_target, cfg.iface);
        sessions_.push_back(std::make_unique<ProbeSession>(each, sink, sink_ctx));
    }
    if (sessions_.size() > 1)
        for (size_t i = 0; i < sessions_.size(); ++i)
            log::info("route group {}: {} targets out of {}", i, groups_[i].targets, sessions_[i]->next_hop().iface);
}

SessionSet::~SessionSet() = default;

void SessionSet::poll_all(void *self) noexcept
{
    for (auto &s : static_cast<SessionSet *>(self)->sessions_) s->poll();
}

size_t SessionSet::send(std::span<const probe::ProbeSpec> probes, const std::atomic<bool> *stop) noexcept
{
    if (sessions_.size() == 1) return sessions_.front()->send(probes, stop);
    const SendHooks hooks{.pacer = &pacer_, .poll_others = &SessionSet::poll_all, .ctx = this};
    size_t done = 0;
    while (done < probes.size()) {
        const uint16_t g = groups_.group_of(probes[done].dst);
        size_t end = done + 1;
        while (end < probes.size() && groups_.group_of(probes[end].dst) == g) ++end;
        const size_t n = end - done;
        const size_t sent = sessions_[g]->send(probes.subspan(done, n), stop, hooks);
        done += sent;
        if (sent < n) break;
    }
    return done;
}

void SessionSet::drain_until(uint64_t deadline_ns, const std::atomic<bool> *stop) noexcept
{
    if (sessions_.size() == 1) return sessions_.front()->drain_until(deadline_ns, stop);
    pacer_.pause(tx::monotonic_ns());
    for (;;) {
        uint32_t interval_us = 200;
        for (auto &s : sessions_) {
            s->drain_until(0); // flush its sender, read its ring once
            interval_us = std::min(interval_us, s->config().consume_interval_us);
        }
        const uint64_t now = tx::monotonic_ns();
        if (now >= deadline_ns || (stop && stop->load(std::memory_order_relaxed))) break;
        const uint64_t ns = std::min<uint64_t>(deadline_ns - now, uint64_t{interval_us} * 1000);
        timespec ts{.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull), .tv_nsec = static_cast<long>(ns % 1'000'000'000ull)};
        nanosleep(&ts, nullptr);
    }
}

tx::TxStats SessionSet::tx_stats() const noexcept
{
    tx::TxStats sum;
    for (const auto &s : sessions_) {
        const auto &t = s->tx_stats();
        sum.sent += t.sent;
        sum.backpressure += t.backpressure;
        sum.errors += t.errors;
    }
    return sum;
}

rx::RxCounters SessionSet::rx_counters() const
{
    rx::RxCounters sum{};
    for (const auto &s : sessions_) {
        const rx::RxCounters c = s->rx_counters();
        for (size_t i = 0; i < sum.size(); ++i) sum[i] += c[i];
    }
    return sum;
}

uint64_t SessionSet::ring_malformed() const noexcept
{
    uint64_t n = 0;
    for (const auto &s : sessions_) n += s->ring_malformed();
    return n;
}

uint64_t SessionSet::pacer_lost() const noexcept
{
    if (sessions_.size() == 1) return sessions_.front()->pacer_lost();
    return pacer_lost_before_ + pacer_.lost();
}

std::string SessionSet::describe() const
{
    std::string out;
    for (const auto &s : sessions_) {
        if (!out.empty()) out += " | ";
        out += s->describe();
    }
    return out;
}

void SessionSet::set_rate(uint64_t pps) noexcept
{
    if (sessions_.size() == 1) return sessions_.front()->set_rate(pps);
    pacer_lost_before_ += pacer_.lost();
    pacer_ = tx::Pacer(tx::PacerConfig{.rate_pps = pps});
}

} // namespace pathmap::session
