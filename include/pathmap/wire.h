/* The one header shared by the XDP program (bpf/) and userspace.
 *
 * It holds the layout of every struct that crosses the kernel boundary
 * (ring-buffer records, read-only config, counter indices) and the pure
 * functions both sides must compute identically (the flow tag that makes a
 * probe recognisable from its reply alone).
 *
 * Rules: fixed-width __u* types, explicit padding, no bool, no pointers.
 * The byte order of every field is noted beside it. The user side
 * static_asserts sizes and offsets at the bottom of this file, so the two
 * sides cannot drift.
 */
#ifndef PATHMAP_WIRE_H
#define PATHMAP_WIRE_H

#include <linux/types.h>

#define PM_MAX_MPLS_LABELS 4
#define PM_DEFAULT_UDP_DPORT 33434
#define PM_DEFAULT_TCP_DPORT 80

/* Send time is carried in 24 bits of 10 microsecond units (wraps after
 * 167 s, far beyond any reply wait). Both clocks are CLOCK_MONOTONIC:
 * bpf_ktime_get_ns() in the kernel, clock_gettime() in userspace. */
#define PM_TS_UNIT_NS 10000ULL
#define PM_TS_MASK 0xffffffU

enum pm_probe_proto {
    PM_PROTO_ICMP = 1, /* echo request, Paris: type/code/checksum/id fixed per flow */
    PM_PROTO_UDP = 17, /* Paris: ports fixed per flow, checksum carries the time */
    PM_PROTO_TCP = 6,  /* SYN, ports fixed per flow, seq carries time and TTL */
};

/* What kind of reply a record describes. */
enum pm_reply_kind {
    PM_REPLY_TIME_EXCEEDED = 1, /* ICMP 11: a router on the path */
    PM_REPLY_DEST_UNREACH = 2,  /* ICMP 3: port unreachable = target reached for UDP */
    PM_REPLY_ECHO_REPLY = 3,    /* ICMP 0: target reached for ICMP probes */
    PM_REPLY_TCP_SYNACK = 4,    /* target reached, port open */
    PM_REPLY_TCP_RST = 5,       /* target reached, port closed */
};

/* Per-CPU counter slots of the XDP program, one per outcome. Every packet
 * the program sees bumps exactly one of them. The slots PM_RX_TIME_EXCEEDED
 * ..PM_RX_TCP_RST are the ones reply_rx records (bpf/reply_rx.bpf.c tests
 * that range), so every recorded outcome sits inside it. */
enum pm_rx_counter {
    PM_RX_PASS_NOT_IPV4 = 0,     /* ARP, IPv6, ...: XDP_PASS */
    PM_RX_PASS_NOT_OURS,         /* IPv4 but not a reply to this run: XDP_PASS */
    PM_RX_BAD_IP_HEADER,         /* truncated or bad IHL/length outer header */
    PM_RX_BAD_ICMP,              /* truncated ICMP header */
    PM_RX_BAD_QUOTE,             /* truncated or malformed quoted IP/L4 header */
    PM_RX_BAD_EXTENSION,         /* RFC 4884 extension with bogus lengths (record kept, labels dropped) */
    PM_RX_FOREIGN_TAG,           /* looked like a reply but the flow tag does not match this run */
    PM_RX_TIME_EXCEEDED,         /* recorded */
    PM_RX_DEST_UNREACH,          /* recorded */
    PM_RX_EXT_SKIPPED,           /* recorded (Time Exceeded or Dest Unreachable, kind in the record):
                                    its RFC 4884 extension held an object of a class not read
                                    (RFC 5837 interface information, ...), skipped; labels kept */
    PM_RX_ECHO_REPLY,            /* recorded */
    PM_RX_TCP_SYNACK,            /* recorded */
    PM_RX_TCP_RST,               /* recorded */
    PM_RX_RINGBUF_FULL,          /* bpf_ringbuf_reserve failed: a reply lost */
    PM_RX_BAD_TCP,               /* truncated TCP header (fewer than 20 bytes) */
    PM_RX_COUNTER_MAX,
};

/* Read-only run settings, written into .rodata between __open() and
 * __load() so the verifier sees them as constants. */
struct pm_rx_config {
    __u32 run_id;        /* host order: mixed into every flow tag */
    __u32 local_addr;    /* network order: our probe source address, 0 = any */
    __u16 num_flows;     /* host order: flow ids are 0..num_flows-1 */
    __u16 udp_dport;     /* host order: destination port of UDP probes */
    __u16 tcp_dport;     /* host order: destination port of TCP probes */
    __u8 pass_replies;   /* 1: XDP_PASS our replies too (kernel sees them) */
    __u8 max_ttl;        /* a TCP reply is ours only if its probe TTL is 1..max_ttl; 0 = any */
    __u32 tcp_max_age;   /* host order, PM_TS_UNIT_NS units: ... and its decoded send time at most
                            this long before arrival; 0 = no check. A host's own connection on
                            the probe port then keeps its SYN-ACKs (passed, not taken). */
};

/* One reply, as written into the ring buffer. Fixed size. */
struct pm_reply_record {
    __u64 rx_ns;          /* host order: bpf_ktime_get_ns() on arrival */
    __u32 reply_src;      /* network order: address that sent the reply */
    __u32 probe_dst;      /* network order: the probe's destination (target) */
    __u32 probe_ts;       /* host order: 24-bit send time, PM_TS_UNIT_NS units */
    __u16 flow_id;        /* host order */
    __u16 reply_ip_id;    /* host order: IP ID of the reply (alias evidence) */
    __u8 kind;            /* enum pm_reply_kind */
    __u8 proto;           /* enum pm_probe_proto of the probe */
    __u8 probe_ttl;       /* TTL the probe was sent with */
    __u8 reply_ttl;       /* IP TTL of the reply as it arrived */
    __u8 quoted_ttl;      /* TTL in the quoted header (0 when nothing quoted) */
    __u8 icmp_type;       /* raw ICMP type (0 for TCP replies) */
    __u8 icmp_code;       /* raw ICMP code */
    __u8 mpls_count;      /* labels valid in mpls[] */
    __u32 mpls[PM_MAX_MPLS_LABELS]; /* host order: raw RFC 4950 label stack entries */
};

/* Probe encoding, all three protocols (userspace encodes, XDP decodes):
 *   IP ID            = pm_ip_id(ts24, ttl)           (quoted by every router)
 *   ICMP echo        id = pm_flow_tag(dst, run) ^ flow_id, seq = ts24 & 0xffff,
 *                    checksum held constant per (dst, flow) by payload.fix (Paris);
 *                    payload starts with struct pm_probe_payload, echoed whole in
 *                    Echo Replies, where no IP header is quoted.
 *   UDP              sport = pm_flow_tag(dst, run) ^ flow_id, dport = cfg.udp_dport,
 *                    checksum = ts24 & 0xffff (forced by payload.fix; a time whose low
 *                    16 bits are 0 is sent as ts24 + 1, since checksum 0 means none)
 *   TCP SYN          sport = pm_flow_tag(dst, run) ^ flow_id, dport = cfg.tcp_dport,
 *                    seq = pm_tcp_seq(ts24, ttl); SYN-ACK/RST echo it as ack - 1.
 * A reply is this run's when (port or id) ^ pm_flow_tag(target, run) < num_flows. */
struct pm_probe_payload {
    __u8 ttl;         /* probe TTL */
    __u8 ts_hi;       /* bits 16..23 of ts24 */
    __u16 fix;        /* network order: checksum adjustment word */
    __u32 run_id;     /* network order */
};

/* The flow tag: 16 bits derived from the target and the run id. A probe
 * carries tag ^ flow_id in a field routers quote and hash for ECMP (ICMP
 * id, UDP/TCP source port), so a reply alone proves it answers this run's
 * probe to that target, and yields the flow id. Cheap enough for XDP. */
static inline __u16 pm_flow_tag(__u32 dst_be, __u32 run_id)
{
    __u32 h = dst_be ^ (run_id * 0x9e3779b1U);
    h ^= h >> 16;
    h *= 0x85ebca6bU;
    h ^= h >> 13;
    h *= 0xc2b2ae35U;
    h ^= h >> 16;
    __u16 tag = (__u16)(h ^ (h >> 16));
    /* Keep ports out of the well-known range and never zero. */
    return (__u16)(tag | 0x8000);
}

/* TCP probes: the 32-bit sequence number carries time and TTL, echoed by
 * the target as ack-1 in SYN-ACK and RST. */
static inline __u32 pm_tcp_seq(__u32 ts24, __u8 ttl) { return (ts24 << 8) | ttl; }

/* ICMP and UDP probes: the IP ID carries the TTL and the top 8 bits of the
 * 24-bit time; the low 16 bits go in the ICMP sequence / UDP checksum. */
static inline __u16 pm_ip_id(__u32 ts24, __u8 ttl) { return (__u16)((ttl << 8) | ((ts24 >> 16) & 0xff)); }

#ifdef __cplusplus
#include <cstddef>
static_assert(sizeof(pm_rx_config) == 20, "pm_rx_config layout changed");
static_assert(offsetof(pm_rx_config, max_ttl) == 15);
static_assert(offsetof(pm_rx_config, tcp_max_age) == 16);
static_assert(offsetof(pm_rx_config, local_addr) == 4);
static_assert(offsetof(pm_rx_config, num_flows) == 8);
static_assert(offsetof(pm_rx_config, pass_replies) == 14);
static_assert(PM_RX_COUNTER_MAX == 15, "counter slots changed: update rx::counter_name");
static_assert(PM_RX_EXT_SKIPPED > PM_RX_TIME_EXCEEDED && PM_RX_EXT_SKIPPED < PM_RX_TCP_RST,
              "recorded outcomes must lie in TIME_EXCEEDED..TCP_RST, the range reply_rx records");
static_assert(sizeof(pm_probe_payload) == 8);
static_assert(offsetof(pm_probe_payload, fix) == 2);
static_assert(sizeof(pm_reply_record) == 48, "pm_reply_record layout changed");
static_assert(offsetof(pm_reply_record, reply_src) == 8);
static_assert(offsetof(pm_reply_record, probe_dst) == 12);
static_assert(offsetof(pm_reply_record, probe_ts) == 16);
static_assert(offsetof(pm_reply_record, flow_id) == 20);
static_assert(offsetof(pm_reply_record, kind) == 24);
static_assert(offsetof(pm_reply_record, mpls_count) == 31);
static_assert(offsetof(pm_reply_record, mpls) == 32);
#endif

#endif
