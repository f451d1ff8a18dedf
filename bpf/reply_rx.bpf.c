// SPDX-License-Identifier: GPL-2.0
/* reply_rx: XDP program that recognises replies to this run's probes.
 * First cut: counts outcomes and passes everything; the parser lands next. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pathmap/wire.h"

const volatile struct pm_rx_config cfg = {};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, PM_RX_COUNTER_MAX);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 22);
} replies SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *c = bpf_map_lookup_elem(&counters, &slot);
    if (c)
        *c += 1;
}

SEC("xdp")
int reply_rx(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) {
        count(PM_RX_PASS_NOT_IPV4);
        return XDP_PASS;
    }
    count(PM_RX_PASS_NOT_OURS);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
