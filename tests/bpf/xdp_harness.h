// Runs reply_rx on crafted frames through bpf_prog_test_run_opts and
// collects verdict, counter deltas and the records it wrote (read back
// through ReplyRing, the same path the engine uses).
#pragma once

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "tests/bpf/reply_builder.h"
#include "userspace/engine/rx/reply_parser.h"
#include "userspace/engine/rx/reply_ring.h"
#include "userspace/engine/rx/reply_rx_program.h"

namespace pathmap::bpftest
{

struct XdpRun {
    int err = 0; // negative errno from bpf_prog_test_run_opts
    uint32_t verdict = 0;
    rx::RxCounters delta{};
    std::vector<pm_reply_record> records;

    // The only counter slot that moved (or -1 when none or several did).
    int only_counter() const
    {
        int slot = -1;
        for (int i = 0; i < PM_RX_COUNTER_MAX; ++i) {
            if (delta[i] == 0) continue;
            if (slot != -1 || delta[i] != 1) return -1;
            slot = i;
        }
        return slot;
    }
};

class XdpHarness
{
  public:
    explicit XdpHarness(const rx::RxConfig &cfg)
        : prog_(cfg), ring_(prog_.ring_fd(), &XdpHarness::collect, &records_), parser_(cfg)
    {
    }

    XdpRun run(const Bytes &frame, uint32_t repeat = 1)
    {
        XdpRun r;
        auto before = prog_.counters();
        bpf_test_run_opts opts{};
        opts.sz = sizeof(opts);
        opts.data_in = frame.data();
        opts.data_size_in = static_cast<uint32_t>(frame.size());
        opts.repeat = repeat;
        r.err = bpf_prog_test_run_opts(prog_.prog_fd(), &opts);
        r.verdict = opts.retval;
        records_.clear();
        while (ring_.consume() > 0) {
        }
        r.records = records_;
        auto after = prog_.counters();
        for (int i = 0; i < PM_RX_COUNTER_MAX; ++i)
            r.delta[i] = after[i] - before[i];
        expect_userspace_parser_agrees(frame, r, repeat);
        return r;
    }

    // The same frame through the parser compiled for userspace (the
    // AF_PACKET path, rx/reply_parser.h): the same counter slot, and the same
    // record but for its arrival time.
    void expect_userspace_parser_agrees(const Bytes &frame, const XdpRun &xdp, uint32_t repeat)
    {
        // A full ring is the XDP path's own loss; the parser has no ring.
        if (xdp.err != 0 || repeat == 0 || xdp.delta[PM_RX_RINGBUF_FULL] != 0) return;
        const auto before = parser_.counters();
        pm_reply_record rec{};
        const bool got = parser_.parse(frame.data(), frame.size(), timespec_ns(), &rec);
        const auto after = parser_.counters();
        for (int i = 0; i < PM_RX_COUNTER_MAX; ++i)
            EXPECT_EQ((after[i] - before[i]) * repeat, xdp.delta[i]) << "counter " << rx::counter_name(i);
        EXPECT_EQ(got ? repeat : 0, xdp.records.size());
        if (got && !xdp.records.empty()) {
            pm_reply_record a = rec, b = xdp.records.front();
            a.rx_ns = b.rx_ns = 0;
            EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0) << "userspace and XDP records differ";
        }
    }

    rx::ReplyRxProgram &program() { return prog_; }
    rx::ReplyRing &ring() { return ring_; }

  private:
    static void collect(void *ctx, const pm_reply_record &rec) noexcept
    {
        static_cast<std::vector<pm_reply_record> *>(ctx)->push_back(rec);
    }
    std::vector<pm_reply_record> records_;
    rx::ReplyRxProgram prog_;
    rx::ReplyRing ring_;
    rx::ReplyParser parser_;

    static uint64_t timespec_ns()
    {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
    }
};

// GTEST_SKIP unless we may load BPF programs (root, kernel support).
#define PM_REQUIRE_BPF()                                                                                     \
    do {                                                                                                     \
        if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";                               \
        if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) != 1)                                     \
            GTEST_SKIP() << "kernel cannot load XDP programs";                                               \
    } while (0)

} // namespace pathmap::bpftest
