// The probe session a sweep's settings give: the sweep's own, and its MDA
// phase's (another protocol and more flow ids, the sweep's run id).
#pragma once

#include <cstdint>

#include "userspace/engine/session/probe_session.h"
#include "userspace/engine/sweep/sweep_config.h"

namespace pathmap::sweep {

// run_id 0: a new random one.
inline session::SessionConfig session_config(const SweepConfig &cfg, probe::Proto proto, uint16_t num_flows,
                                             uint32_t run_id = 0)
{
    return session::SessionConfig{.iface = cfg.iface,
                                  .proto = proto,
                                  .dport = cfg.dport,
                                  .tx = cfg.tx,
                                  .run_id = run_id,
                                  .num_flows = num_flows,
                                  .pass_replies = cfg.pass_replies,
                                  .rate_pps = cfg.rate_pps,
                                  .batch = cfg.batch,
                                  .tx_queues = cfg.tx_queues,
                                  .zerocopy = cfg.zerocopy,
                                  .rx_path = cfg.rx,
                                  .max_ttl = cfg.max_ttl,
                                  .reply_wait_ms = cfg.wait_ms};
}

} // namespace pathmap::sweep
