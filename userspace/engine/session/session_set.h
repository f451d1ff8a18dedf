// SessionSet: a run's ProbeSessions, one per route group (session/
// route_groups.h), behind the interface one ProbeSession had. Every session
// shares the run id and the reply sink, so replies from any interface reach
// the one matcher; one pacer holds the run's rate across all of them. With
// one group (the common single-homed host) it is that one session, with its
// own pacer, exactly as before. Used by `pathmap sweep` and `pathmap mtr`.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "userspace/engine/session/probe_session.h"
#include "userspace/engine/session/route_groups.h"

namespace pathmap::session {

class SessionSet {
public:
    // Groups the targets by their kernel routes (cfg.iface, when set, is the
    // one interface they must all leave through), resolves each group's next
    // hop and opens its session. cfg.route_dst is ignored. Throws
    // std::runtime_error with one actionable line.
    SessionSet(const SessionConfig &cfg, std::span<const uint32_t> targets, rx::ReplySink sink, void *sink_ctx);
    ~SessionSet();
    SessionSet(const SessionSet &) = delete;
    SessionSet &operator=(const SessionSet &) = delete;

    // Sends in order, each run of consecutive probes of one group through that
    // group's session (order_by_group() first makes the runs long). Returns
    // how many went: probes [0, n) were sent, the rest were not. noexcept.
    size_t send(std::span<const probe::ProbeSpec> probes, const std::atomic<bool> *stop = nullptr) noexcept;
    void drain_until(uint64_t deadline_ns, const std::atomic<bool> *stop = nullptr) noexcept;
    void order_by_group(std::vector<probe::ProbeSpec> &probes) const { groups_.order_by_group(probes); }

    size_t size() const noexcept { return sessions_.size(); }
    const ProbeSession &session(size_t i) const noexcept { return *sessions_[i]; }
    const RouteGroups &groups() const noexcept { return groups_; }
    uint32_t run_id() const noexcept { return sessions_.front()->run_id(); }

    // Summed over the sessions.
    tx::TxStats tx_stats() const noexcept;
    rx::RxCounters rx_counters() const; // throws if a map cannot be read
    uint64_t ring_malformed() const noexcept;
    uint64_t pacer_lost() const noexcept;
    // "AF_XDP copy mode on eth0 queue 0; XDP replies in native mode", one per
    // session joined with " | ".
    std::string describe() const;
    void set_rate(uint64_t pps) noexcept;

private:
    static void poll_all(void *self) noexcept;

    RouteGroups groups_;
    std::vector<std::unique_ptr<ProbeSession>> sessions_;
    tx::Pacer pacer_; // the run's rate when there is more than one session
    uint64_t pacer_lost_before_ = 0;
};

} // namespace pathmap::session
