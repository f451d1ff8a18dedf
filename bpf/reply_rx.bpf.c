// SPDX-License-Identifier: GPL-2.0
/* reply_rx: XDP program that recognises replies to this run's probes.
 *
 * ICMP Time Exceeded / Destination Unreachable (quoting our probe), ICMP
 * Echo Reply and TCP SYN-ACK / RST-ACK from a target are validated against
 * the flow tag of wire.h, stamped, written as one fixed-size record into a
 * ring buffer and dropped (or passed with cfg.pass_replies; SYN-ACKs are
 * always passed, see the end of reply_rx). Everything else
 * is passed to the kernel untouched. Every packet bumps exactly one counter.
 *
 * L4 checksums are not verified: kernel SYN-ACKs cross veth with partial
 * checksums, and the flow tag already rejects foreign traffic.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define PM_PARSE_NOW_NS() bpf_ktime_get_ns()
#include "reply_parse.h"

const volatile struct pm_rx_config cfg = {};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, PM_RX_COUNTER_MAX);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

/* 16 MiB = ~300k records = 150 ms of replies at 2M/s between consumer
 * polls. Charged to the memory cgroup, not RLIMIT_MEMLOCK, on 5.11+. */
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 24);
} replies SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *c = bpf_map_lookup_elem(&counters, &slot);
    if (c) *c += 1;
}

SEC("xdp")
int reply_rx(struct xdp_md *ctx)
{
    struct parse_state s = {
        .pkt = {.data = (const __u8 *)(long)ctx->data, .end = (const __u8 *)(long)ctx->data_end},
        .cfg = &cfg,
    };
    struct pm_reply_record rec;
    __builtin_memset(&rec, 0, sizeof(rec));

    __u32 slot = parse(&s, &rec);
    if (slot < PM_RX_TIME_EXCEEDED || slot > PM_RX_TCP_RST) {
        count(slot);
        return XDP_PASS;
    }
    struct pm_reply_record *out = bpf_ringbuf_reserve(&replies, sizeof(*out), 0);
    if (!out) {
        count(PM_RX_RINGBUF_FULL);
    } else {
        rec.rx_ns = bpf_ktime_get_ns();
        __builtin_memcpy(out, &rec, sizeof(rec));
        bpf_ringbuf_submit(out, BPF_RB_NO_WAKEUP);
        count(s.bad_ext ? PM_RX_BAD_EXTENSION : slot);
    }
    /* A SYN-ACK always goes on to the kernel too: it has no socket for it and
     * answers with a RST, which ends the target's half-open connection. Left
     * half-open, the target answers our next SYN on that flow (another TTL)
     * with a bare ACK instead of a SYN-ACK, and the trace ends one hop late. */
    if (slot == PM_RX_TCP_SYNACK) return XDP_PASS;
    return cfg.pass_replies ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
