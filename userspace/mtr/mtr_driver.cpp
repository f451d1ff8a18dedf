// run_mtr: the round loop over a ProbeSession.
#include "userspace/mtr/mtr_driver.h"

#include <algorithm>
#include <memory>

#include "pathmap/log.h"
#include "userspace/mtr/live_view.h"

namespace pathmap::mtr {

namespace {
constexpr uint64_t kMs = 1'000'000;
// How long one drain call may block: the view refresh and the `q` key poll
// happen between calls.
constexpr uint64_t kTickNs = 50 * kMs;
constexpr uint64_t kRedrawNs = 500 * kMs;

void on_reply(void *ctx, const pm_reply_record &rec) noexcept { static_cast<MtrRun *>(ctx)->on_reply(rec); }
} // namespace

MtrDriverResult run_mtr(MtrRun &run, const MtrDriverConfig &cfg, std::atomic<bool> &stop)
{
    session::SessionConfig scfg = cfg.session;
    scfg.num_flows = run.config().flows;
    session::SessionSet session(scfg, run.config().targets, &on_reply, &run);
    MtrDriverResult result;
    result.engine = session.describe();
    log::info("mtr: {}", result.engine);

    std::unique_ptr<LiveView> view;
    if (cfg.live_view) view = std::make_unique<LiveView>();

    const uint64_t interval_ns = uint64_t{run.config().interval_ms} * kMs;
    const uint64_t timeout_ns = uint64_t{run.config().timeout_ms} * kMs;
    const uint64_t t0 = tx::monotonic_ns();
    uint64_t next_round = t0, last_draw = 0, last_end = t0;

    auto header = [&] {
        double el = static_cast<double>(tx::monotonic_ns() - t0) / 1e9;
        const auto &c = run.counters();
        return LiveHeader{.targets_text = cfg.targets_text,
                          .rounds = run.rounds_sent(),
                          .pps_out = el > 0 ? static_cast<double>(c.sent) / el : 0,
                          .pps_in = el > 0 ? static_cast<double>(c.received + c.late) / el : 0,
                          .elapsed_s = el,
                          .proto = cfg.proto_text,
                          .names_status = cfg.names_status ? cfg.names_status() : std::string()};
    };
    auto tick = [&](uint64_t deadline, const std::atomic<bool> *stop_flag) {
        for (;;) {
            uint64_t now = tx::monotonic_ns();
            run.expire(now);
            const bool fresh = cfg.on_tick && cfg.on_tick(run); // names filled in
            if (view) {
                if (view->quit_requested()) stop = true;
                if (fresh || now - last_draw >= kRedrawNs) {
                    view->draw(header(), run, cfg.naming);
                    last_draw = now;
                }
            }
            if (now >= deadline || (stop_flag && stop_flag->load())) return;
            session.drain_until(std::min(deadline, now + kTickNs), stop_flag);
        }
    };

    while (!stop) {
        if (cfg.rounds && run.rounds_sent() >= cfg.rounds) break;
        auto plan = run.plan_round();
        run.round_begin(tx::monotonic_ns());
        size_t sent = session.send(plan, &stop);
        last_end = tx::monotonic_ns();
        run.round_end(last_end, sent);
        if (cfg.on_tick) cfg.on_tick(run);
        if (view) {
            view->draw(header(), run, cfg.naming);
            last_draw = last_end;
        }
        if (cfg.report_every && cfg.periodic_report && run.rounds_sent() % cfg.report_every == 0)
            cfg.periodic_report(run);
        if (cfg.rounds && run.rounds_sent() >= cfg.rounds) break;
        // Fixed cadence; a round that overran does not cause a catch-up burst.
        next_round = std::max(next_round + interval_ns, last_end);
        tick(next_round, &stop);
    }
    result.interrupted = stop.load();
    // Give the last round its full --timeout (shorter after q/Ctrl-C), then
    // whatever is still unanswered is lost.
    uint64_t final_deadline = last_end + timeout_ns;
    if (result.interrupted)
        final_deadline = std::min(final_deadline, tx::monotonic_ns() + uint64_t{cfg.quit_drain_ms} * kMs);
    std::atomic<bool> never{false};
    tick(final_deadline, &never);
    run.expire_all();
    if (view) view->restore();

    result.duration_s = static_cast<double>(tx::monotonic_ns() - t0) / 1e9;
    const auto tx = session.tx_stats();
    result.tx_backpressure = tx.backpressure;
    result.tx_errors = tx.errors;
    result.ring_malformed = session.ring_malformed();
    try {
        auto rx = session.rx_counters();
        result.rx_ringbuf_full = rx[PM_RX_RINGBUF_FULL];
        result.rx_foreign = rx[PM_RX_FOREIGN_TAG];
    } catch (const std::exception &e) {
        log::warn("mtr: cannot read XDP counters: {}", e.what());
    }
    return result;
}

} // namespace pathmap::mtr
