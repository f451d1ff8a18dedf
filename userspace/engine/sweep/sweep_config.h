// Settings of one `pathmap sweep`, with the defaults the CLI shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/rx/reply_rx_program.h"
#include "userspace/engine/tx/sender.h"

namespace pathmap::sweep {

// `--mda` (sweep/mda_phase.h): after the sweep, every next hop behind each
// hop toward a few representative destinations, by varying the flow id
// until the MDA's stopping rule holds at `confidence` per hop. Bounded in
// flows, destinations, probes, rounds and time; each bound is counted.
struct MdaSettings {
    bool enabled = false;
    double confidence = 0.95;           // per hop: 1 - eps of Diamond-Miner's n_k
    uint16_t max_flows = 128;           // flow ids per destination (and so per TTL)
    uint32_t max_targets = 64;          // destinations enumerated: all when no more, else one per last hop
    uint64_t max_probes = 100000;       // the phase's probes at most
    uint32_t max_rounds = 48;           // rounds of the phase; each waits for its answers (>= 50 ms)
    uint32_t time_limit_ms = 60000;
    probe::Proto proto = probe::Proto::udp; // Linux's L4 ECMP hash and most routers' ignore ICMP echo ids
};

struct SweepConfig {
    std::vector<uint32_t> targets; // host order, sorted, unique (sched::select_targets)
    probe::Proto proto = probe::Proto::icmp;
    uint16_t dport = 0;             // 0 = protocol default
    uint64_t rate_pps = 10000;
    uint8_t max_ttl = 32;
    uint32_t wait_ms = 2000;        // replies later than this are late; drain time at the end
    uint16_t flows = 1;             // Paris flow ids per target, each its own trace
    std::string iface;              // "" = each target where the kernel routes it (session/route_groups.h)
    tx::TxKind tx = tx::TxKind::afxdp;
    rx::RxPath rx = rx::RxPath::automatic; // XDP, or AF_PACKET when the XDP hook is taken
    bool pass_replies = false;
    bool quiet = false;             // no status line
    uint64_t seed = 0;              // permutation seed (0 = from the run id)
    uint32_t batch = 64;
    uint32_t tx_queues = 1;         // AF_XDP sockets, one queue each; 0 = all (tx/sender.h)
    bool zerocopy = false;          // AF_XDP zero-copy: opt-in (tx/sender.h says why)
    // Redundancy cuts (Doubletree / FlashRoute).
    bool preprobe = true;           // learn hop distance with one probe at max_ttl
    uint8_t default_split = 16;     // split TTL when no distance is known (FlashRoute's default)
    uint8_t gap_limit = 3;
    bool stop_set = true;           // false: complete traces down to TTL 1
    uint8_t discoverers = 8;        // traces that go on below a stop-set interface: 3 missed an ECMP branch in 5 of 8 default-testbed sweeps (docs/SWEEP.md)
    // Per-/24 knowledge (sched/prefix_knowledge.h): the first prefix_scouts
    // addresses of each /24 are traced in full; once they agree the others
    // send what can differ. 0 = every address traced on its own. Off with
    // complete traces, without the preprobe and with several flows.
    uint8_t prefix_scouts = 3;
    uint32_t prefix_sample = 16;    // 1 in N followers of a reached /24 still probe in full (0 = none)
    unsigned hole_passes = 3;       // most re-ask passes for rate-limited holes (fewer once one finds nothing new)
    uint32_t hole_pass_gap_ms = 1000; // Linux refills one ICMP error token per second per host
    MdaSettings mda;
};

} // namespace pathmap::sweep
