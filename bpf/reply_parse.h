/* The reply parser of reply_rx, shared by the XDP program and userspace.
 *
 * parse() recognises a reply to this run's probes in one Ethernet frame and
 * fills a pm_reply_record; it returns the counter slot the frame belongs
 * to. It is plain C over bounds-checked reads (pkt_cursor.h), so the same
 * code runs in the kernel (bpf/reply_rx.bpf.c) and in userspace, where
 * rx/packet_rx.cpp uses it on frames from an AF_PACKET socket when another
 * program holds the interface's XDP hook. One parser: the two paths cannot
 * disagree on what a reply is (tests/bpf runs every test frame through
 * both).
 *
 * The includer defines PM_PARSE_NOW_NS() (CLOCK_MONOTONIC nanoseconds):
 * bpf_ktime_get_ns() in BPF.
 */
#ifndef PATHMAP_BPF_REPLY_PARSE_H
#define PATHMAP_BPF_REPLY_PARSE_H

#include "pathmap/wire.h"
#include "pkt_cursor.h"

#ifndef PM_PARSE_NOW_NS
#error "define PM_PARSE_NOW_NS() before including reply_parse.h"
#endif

#define PM_ETH_HLEN 14
#define PM_ETH_P_IP 0x0800
#define PM_IPPROTO_ICMP 1
#define PM_IPPROTO_TCP 6
#define PM_IPPROTO_UDP 17
#define ICMP_ECHOREPLY_T 0
#define ICMP_DEST_UNREACH_T 3
#define ICMP_ECHO_T 8
#define ICMP_TIME_EXCEEDED_T 11
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
/* RFC 4884 extension objects we look at before giving up (MPLS is the
 * first in practice; interface information objects follow). */
#define PM_MAX_EXT_OBJECTS 4
#define ICMP_EXT_CLASS_MPLS 1
#define ICMP_EXT_CTYPE_MPLS_STACK 1
/* RFC 4884 section 5: a sender that predates it leaves the length byte 0,
 * pads the original datagram to 128 bytes and appends the extension. */
#define PM_EXT_COMPAT_OFFSET 128
/* The compatibility rule needs the extension's checksum, a loop over it.
 * 512 bytes bound the loop for the verifier; an ICMP error is meant to fit
 * in 576 bytes (RFC 1812 4.3.2.3), which leaves at most 420 for it. */
#define PM_EXT_CSUM_MAX_WORDS 128

struct parse_state {
    struct pm_pkt pkt;
    const volatile struct pm_rx_config *cfg;
    __u32 l4;         /* offset of the outer L4 header */
    __u32 ip_end;     /* offset one past the outer IP datagram (tot_len) */
    __u8 bad_ext;     /* RFC 4884 extension present but malformed */
    __u8 ext_skipped; /* ... or it held objects of a class not read */
};

static __always_inline int tag_matches(const struct parse_state *s, __u16 field, __u32 target_be, __u16 *flow_id)
{
    __u16 flow = field ^ pm_flow_tag(target_be, s->cfg->run_id);
    *flow_id = flow;
    return flow < s->cfg->num_flows;
}

/* IPv4 header length when a well-formed header (version 4, IHL >= 5) is
 * wholly inside the packet at `off`, else 0. Options are skipped, not read. */
static __always_inline __u32 ipv4_header_len(const struct pm_pkt *p, __u32 off)
{
    const __u8 *ip = pm_pull(p, off, 20);
    if (!ip || (ip[0] >> 4) != 4) return 0;
    __u32 ihl = (__u32)(ip[0] & 0xf) * 4;
    if (ihl < 20 || !pm_pull(p, off + ihl - 1, 1)) return 0;
    return ihl;
}

static __always_inline void drop_labels(struct pm_reply_record *r)
{
    for (int j = 0; j < PM_MAX_MPLS_LABELS; j++)
        r->mpls[j] = 0;
    r->mpls_count = 0;
}

/* The Internet checksum of [off, end) is valid. False when the span is
 * longer than PM_EXT_CSUM_MAX_WORDS words, not whole words, or cut short. */
static __always_inline int ext_checksum_ok(const struct pm_pkt *p, __u32 off, __u32 end)
{
    __u32 sum = 0;
    for (int i = 0; i < PM_EXT_CSUM_MAX_WORDS; i++) {
        if (off >= end) break;
        pm_opaque(off);
        const __u8 *w = pm_pull(p, off, 4);
        if (!w) return 0;
        sum += pm_be16(w) + pm_be16(w + 2);
        off += 4;
    }
    if (off != end) return 0;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

/* Start of the extension structure RFC 4884 section 5's compatibility
 * rule finds, or 0 when there is none: at offset 128 of the ICMP payload,
 * room for the header and an object, version 2, and a valid checksum over
 * everything to the end of the datagram. Version and checksum tell an
 * extension from zero padding or a long quote's own bytes. */
static __always_inline __u32 compat_extension(const struct parse_state *s)
{
    __u32 ext = s->l4 + 8 + PM_EXT_COMPAT_OFFSET;
    if (ext + 8 > s->ip_end) return 0;
    const __u8 *hdr = pm_pull(&s->pkt, ext, 4);
    if (!hdr || (hdr[0] >> 4) != 2) return 0;
    if (!ext_checksum_ok(&s->pkt, ext, s->ip_end)) return 0;
    return ext;
}

/* The objects of an extension structure, from `obj` to the end of the
 * datagram: the first RFC 4950 MPLS label stack gives the labels; objects
 * of other classes (RFC 5837 interface information, ...) and objects past
 * the PM_MAX_EXT_OBJECTS we walk are skipped and set ext_skipped. A bad
 * object length sets bad_ext and drops the labels. */
static __always_inline void parse_ext_objects(struct parse_state *s, __u32 obj, struct pm_reply_record *r)
{
    __u8 have_mpls = 0;
    for (int i = 0; i < PM_MAX_EXT_OBJECTS; i++) {
        if (obj >= s->ip_end) return;
        const __u8 *o = pm_pull(&s->pkt, obj, 4);
        if (!o) goto bad;
        __u32 olen = pm_be16(o);
        if (olen < 4 || obj + olen > s->ip_end || (olen & 3)) goto bad;
        if (o[2] == ICMP_EXT_CLASS_MPLS && o[3] == ICMP_EXT_CTYPE_MPLS_STACK && !have_mpls) {
            __u32 n = (olen - 4) / 4;
            __u8 kept = 0;
            for (int j = 0; j < PM_MAX_MPLS_LABELS; j++) {
                if ((__u32)j >= n) break;
                const __u8 *lse = pm_pull(&s->pkt, obj + 4 + 4 * j, 4);
                if (!lse) break;
                r->mpls[j] = pm_be32(lse);
                kept++;
            }
            r->mpls_count = kept;
            have_mpls = 1;
        } else {
            s->ext_skipped = 1;
        }
        obj += olen;
    }
    if (obj < s->ip_end) s->ext_skipped = 1;
    return;
bad:
    s->bad_ext = 1;
    drop_labels(r);
}

/* RFC 4884 extension after the original datagram, RFC 4950 MPLS label
 * stack inside it. The length byte places it; when that byte is 0, or
 * cannot be right (past the end, shorter than the quote, no version 2
 * header where it points), the compatibility rule looks at offset 128: some
 * routers put other data in that byte (one in the shared captures repeats
 * the quoted IP ID there) and still append the extension at 128, which is
 * where tcpdump finds it. A wrong length byte with no valid
 * extension at 128 sets bad_ext and leaves no labels. */
static __always_inline void parse_extension(struct parse_state *s, const __u8 *icmp, __u32 quote_hdr_len,
                                            struct pm_reply_record *r)
{
    __u32 orig_len = (__u32)icmp[5] * 4;
    __u32 ext = s->l4 + 8 + orig_len;
    if (orig_len) {
        if (orig_len >= quote_hdr_len + 8 && ext <= s->ip_end) {
            if (ext == s->ip_end) return; /* length given, no extension structure follows */
            const __u8 *hdr = pm_pull(&s->pkt, ext, 4);
            if (hdr && ext + 4 <= s->ip_end && (hdr[0] >> 4) == 2) {
                parse_ext_objects(s, ext + 4, r);
                return;
            }
        }
    }
    ext = compat_extension(s);
    if (ext) {
        parse_ext_objects(s, ext + 4, r);
        return;
    }
    if (orig_len) s->bad_ext = 1;
}

/* ICMP Time Exceeded / Destination Unreachable: identify the quoted probe. */
static __always_inline __u32 parse_icmp_error(struct parse_state *s, const __u8 *outer, const __u8 *icmp,
                                              struct pm_reply_record *r)
{
    __u32 q = s->l4 + 8;
    __u32 qihl = ipv4_header_len(&s->pkt, q);
    if (!qihl || q + qihl + 8 > s->ip_end) return PM_RX_BAD_QUOTE;
    const __u8 *qip = pm_pull(&s->pkt, q, 20);
    const __u8 *ql4 = pm_pull(&s->pkt, q + qihl, 8);
    if (!qip || !ql4) return PM_RX_BAD_QUOTE;
    if (s->cfg->local_addr && (pm_raw32(outer + 16) != s->cfg->local_addr || pm_raw32(qip + 12) != s->cfg->local_addr))
        return PM_RX_PASS_NOT_OURS;

    __u32 target = pm_raw32(qip + 16);
    __u16 ip_id = pm_be16(qip + 4);
    __u8 proto = qip[9];
    __u16 field;
    if (proto == PM_IPPROTO_ICMP) {
        if (ql4[0] != ICMP_ECHO_T) return PM_RX_PASS_NOT_OURS;
        field = pm_be16(ql4 + 4);
        r->probe_ts = ((__u32)(ip_id & 0xff) << 16) | pm_be16(ql4 + 6);
        r->probe_ttl = ip_id >> 8;
    } else if (proto == PM_IPPROTO_UDP) {
        if (pm_be16(ql4 + 2) != s->cfg->udp_dport) return PM_RX_PASS_NOT_OURS;
        field = pm_be16(ql4);
        r->probe_ts = ((__u32)(ip_id & 0xff) << 16) | pm_be16(ql4 + 6);
        r->probe_ttl = ip_id >> 8;
    } else if (proto == PM_IPPROTO_TCP) {
        if (pm_be16(ql4 + 2) != s->cfg->tcp_dport) return PM_RX_PASS_NOT_OURS;
        field = pm_be16(ql4);
        __u32 seq = pm_be32(ql4 + 4);
        r->probe_ts = seq >> 8;
        r->probe_ttl = seq & 0xff;
    } else {
        return PM_RX_PASS_NOT_OURS;
    }
    if (!tag_matches(s, field, target, &r->flow_id)) return PM_RX_FOREIGN_TAG;

    r->probe_dst = target;
    r->proto = proto;
    r->quoted_ttl = qip[8];
    parse_extension(s, icmp, qihl, r);
    r->kind = icmp[0] == ICMP_TIME_EXCEEDED_T ? PM_REPLY_TIME_EXCEEDED : PM_REPLY_DEST_UNREACH;
    if (s->ext_skipped) return PM_RX_EXT_SKIPPED;
    return icmp[0] == ICMP_TIME_EXCEEDED_T ? PM_RX_TIME_EXCEEDED : PM_RX_DEST_UNREACH;
}

/* ICMP Echo Reply: no quote; the target echoes our pm_probe_payload. */
static __always_inline __u32 parse_echo_reply(struct parse_state *s, const __u8 *outer, const __u8 *icmp,
                                              struct pm_reply_record *r)
{
    if (s->cfg->local_addr && pm_raw32(outer + 16) != s->cfg->local_addr) return PM_RX_PASS_NOT_OURS;
    __u32 target = pm_raw32(outer + 12);
    if (!tag_matches(s, pm_be16(icmp + 4), target, &r->flow_id)) return PM_RX_FOREIGN_TAG;
    const __u8 *pl = pm_pull(&s->pkt, s->l4 + 8, sizeof(struct pm_probe_payload));
    if (!pl || s->l4 + 8 + sizeof(struct pm_probe_payload) > s->ip_end) return PM_RX_BAD_QUOTE;
    if (pm_be32(pl + 4) != s->cfg->run_id) return PM_RX_FOREIGN_TAG;
    r->probe_ttl = pl[0];
    r->probe_ts = ((__u32)pl[1] << 16) | pm_be16(icmp + 6);
    r->probe_dst = target;
    r->proto = PM_PROTO_ICMP;
    r->kind = PM_REPLY_ECHO_REPLY;
    return PM_RX_ECHO_REPLY;
}

static __always_inline __u32 parse_icmp(struct parse_state *s, const __u8 *outer, struct pm_reply_record *r)
{
    const __u8 *icmp = pm_pull(&s->pkt, s->l4, 8);
    if (!icmp || s->l4 + 8 > s->ip_end) return PM_RX_BAD_ICMP;
    r->icmp_type = icmp[0];
    r->icmp_code = icmp[1];
    if (icmp[0] == ICMP_TIME_EXCEEDED_T || icmp[0] == ICMP_DEST_UNREACH_T)
        return parse_icmp_error(s, outer, icmp, r);
    if (icmp[0] == ICMP_ECHOREPLY_T) return parse_echo_reply(s, outer, icmp, r);
    return PM_RX_PASS_NOT_OURS;
}

/* TCP SYN-ACK or RST-ACK from a target: ack - 1 is our SYN's sequence. */
static __always_inline __u32 parse_tcp(struct parse_state *s, const __u8 *outer, struct pm_reply_record *r)
{
    const __u8 *tcp = pm_pull(&s->pkt, s->l4, 20);
    if (!tcp || s->l4 + 20 > s->ip_end) return PM_RX_BAD_TCP;
    if (pm_be16(tcp) != s->cfg->tcp_dport) return PM_RX_PASS_NOT_OURS;
    __u8 flags = tcp[13];
    __u32 kind_counter;
    if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == (TCP_FLAG_SYN | TCP_FLAG_ACK)) {
        r->kind = PM_REPLY_TCP_SYNACK;
        kind_counter = PM_RX_TCP_SYNACK;
    } else if ((flags & (TCP_FLAG_RST | TCP_FLAG_ACK)) == (TCP_FLAG_RST | TCP_FLAG_ACK)) {
        r->kind = PM_REPLY_TCP_RST;
        kind_counter = PM_RX_TCP_RST;
    } else {
        return PM_RX_PASS_NOT_OURS; /* a bare RST carries no ack to read our SYN from */
    }
    if (s->cfg->local_addr && pm_raw32(outer + 16) != s->cfg->local_addr) return PM_RX_PASS_NOT_OURS;
    __u32 target = pm_raw32(outer + 12);
    if (!tag_matches(s, pm_be16(tcp + 2), target, &r->flow_id)) return PM_RX_FOREIGN_TAG;
    __u32 seq = pm_be32(tcp + 8) - 1;
    r->probe_ts = seq >> 8;
    r->probe_ttl = seq & 0xff;
    /* The port tag matches 1 in 65536/num_flows of the host's own connections
     * to the probe port: theirs decode to a random TTL and send time. Pass
     * those to the kernel rather than take the host's SYN-ACK away. */
    if (s->cfg->max_ttl && (r->probe_ttl == 0 || r->probe_ttl > s->cfg->max_ttl)) return PM_RX_PASS_NOT_OURS;
    if (s->cfg->tcp_max_age) {
        __u32 now24 = (__u32)(PM_PARSE_NOW_NS() / PM_TS_UNIT_NS) & PM_TS_MASK;
        if (((now24 - r->probe_ts) & PM_TS_MASK) > s->cfg->tcp_max_age) return PM_RX_PASS_NOT_OURS;
    }
    r->probe_dst = target;
    r->proto = PM_PROTO_TCP;
    return kind_counter;
}

/* Returns the counter slot for this packet; the record is filled when the
 * slot is one of the recorded kinds. */
static __always_inline __u32 parse(struct parse_state *s, struct pm_reply_record *r)
{
    __u32 l3 = PM_ETH_HLEN;
    const __u8 *eth = pm_pull(&s->pkt, 0, PM_ETH_HLEN);
    if (!eth) return PM_RX_PASS_NOT_IPV4;
    __u16 ethertype = pm_be16(eth + 12);
    /* Up to two tags: 802.1Q, or 802.1ad QinQ (an S-tag, then a C-tag). */
    for (int i = 0; i < 2; i++) {
        if (ethertype != ETH_P_8021Q_ && ethertype != ETH_P_8021AD_) break;
        const __u8 *vlan = pm_pull(&s->pkt, l3, 4);
        if (!vlan) return PM_RX_PASS_NOT_IPV4;
        ethertype = pm_be16(vlan + 2);
        l3 += 4;
    }
    if (ethertype != PM_ETH_P_IP) return PM_RX_PASS_NOT_IPV4;

    __u32 ihl = ipv4_header_len(&s->pkt, l3);
    const __u8 *ip = pm_pull(&s->pkt, l3, 20);
    if (!ihl || !ip) return PM_RX_BAD_IP_HEADER;
    __u32 tot_len = pm_be16(ip + 2);
    /* tot_len must cover the header and fit the frame (Ethernet may pad). */
    if (tot_len < ihl || !pm_pull(&s->pkt, l3 + tot_len - 1, 1)) return PM_RX_BAD_IP_HEADER;
    if (pm_be16(ip + 6) & 0x1fff) return PM_RX_PASS_NOT_OURS; /* a non-first fragment has no L4 header */
    s->l4 = l3 + ihl;
    s->ip_end = l3 + tot_len;

    r->reply_src = pm_raw32(ip + 12);
    r->reply_ip_id = pm_be16(ip + 4);
    r->reply_ttl = ip[8];
    if (ip[9] == PM_IPPROTO_ICMP) return parse_icmp(s, ip, r);
    if (ip[9] == PM_IPPROTO_TCP) return parse_tcp(s, ip, r);
    return PM_RX_PASS_NOT_OURS;
}

#endif
