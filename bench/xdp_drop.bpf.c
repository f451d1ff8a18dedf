// Benchmark sink: drops every IPv4 frame at the veth's XDP hook and counts
// it (per CPU); everything else (ARP) passes so next-hop resolution works.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} pm_sink_count SEC(".maps");

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    __u32 key = 0;
    __u64 *n = bpf_map_lookup_elem(&pm_sink_count, &key);
    if (n) *n += 1;
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
