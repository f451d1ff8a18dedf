// Builds the packets a router or target sends back to pathmap: Ethernet +
// IPv4 replies (Time Exceeded, Destination Unreachable, Echo Reply, TCP
// SYN-ACK/RST) that quote probes encoded exactly as include/pathmap/wire.h
// documents, with optional IP options and RFC 4884/4950 MPLS extensions.
// Header-only: the test glob compiles *_test.cpp files only.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "pathmap/wire.h"

namespace pathmap::bpftest
{

using Bytes = std::vector<uint8_t>;

inline void put8(Bytes &b, uint32_t v) { b.push_back(static_cast<uint8_t>(v)); }
inline void put16(Bytes &b, uint32_t v)
{
    put8(b, v >> 8);
    put8(b, v);
}
inline void put32(Bytes &b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v);
}
inline void put_raw32(Bytes &b, uint32_t network_order)
{
    uint8_t x[4];
    std::memcpy(x, &network_order, 4);
    b.insert(b.end(), x, x + 4);
}
inline void set16(Bytes &b, size_t off, uint32_t v)
{
    b[off] = static_cast<uint8_t>(v >> 8);
    b[off + 1] = static_cast<uint8_t>(v);
}
inline void append(Bytes &b, const Bytes &tail) { b.insert(b.end(), tail.begin(), tail.end()); }

inline uint16_t inet_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t(p[i]) << 8) | p[i + 1];
    if (n & 1) sum += uint32_t(p[n - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

inline uint32_t addr(const char *dotted)
{
    in_addr a{};
    inet_pton(AF_INET, dotted, &a);
    return a.s_addr; // network order
}

struct Ipv4Header {
    uint32_t src_be = 0, dst_be = 0;
    uint8_t proto = 0;
    uint8_t ttl = 64;
    uint16_t id = 0;
    uint16_t frag = 0; // flags + offset, host order
    Bytes options;     // padded to 4 bytes with zeros (EOL)
};

// IPv4 header (with checksum) + payload; tot_len covers both.
inline Bytes ipv4(const Ipv4Header &h, const Bytes &payload)
{
    Bytes opt = h.options;
    while (opt.size() % 4)
        opt.push_back(0);
    size_t ihl = 20 + opt.size();
    Bytes b;
    put8(b, 0x40 | (ihl / 4));
    put8(b, 0);
    put16(b, ihl + payload.size());
    put16(b, h.id);
    put16(b, h.frag);
    put8(b, h.ttl);
    put8(b, h.proto);
    put16(b, 0);
    put_raw32(b, h.src_be);
    put_raw32(b, h.dst_be);
    append(b, opt);
    set16(b, 10, inet_checksum(b.data(), ihl));
    append(b, payload);
    return b;
}

inline Bytes ethernet(uint16_t ethertype, const Bytes &payload)
{
    Bytes b = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
    put16(b, ethertype);
    append(b, payload);
    return b;
}

// A router's record-route style option (type 7), `words` 32-bit words long.
inline Bytes ip_option_nops(size_t words) { return Bytes(words * 4, 0x01); }

// --- probes, per wire.h -------------------------------------------------

struct Probe {
    uint8_t proto = PM_PROTO_ICMP;
    uint32_t src_be = 0, dst_be = 0;
    uint8_t ttl = 1;
    uint32_t ts24 = 0;
    uint16_t flow_id = 0;
    uint32_t run_id = 0;
    uint16_t dport = 0;        // 0: wire.h default for the protocol
    uint8_t ttl_at_router = 1; // the TTL the quoting router sees (quoted_ttl)
    Bytes ip_options;

    uint16_t tag_field() const { return pm_flow_tag(dst_be, run_id) ^ flow_id; }
    uint16_t effective_dport() const
    {
        if (dport) return dport;
        return proto == PM_PROTO_TCP ? PM_DEFAULT_TCP_DPORT : PM_DEFAULT_UDP_DPORT;
    }
};

inline Bytes probe_payload(const Probe &p)
{
    Bytes b;
    put8(b, p.ttl);
    put8(b, (p.ts24 >> 16) & 0xff);
    put16(b, 0); // fix: the sender's Paris adjustment; irrelevant to decoding
    put32(b, p.run_id);
    return b;
}

// The probe's L4 header and payload as sent.
inline Bytes probe_l4(const Probe &p)
{
    Bytes b;
    if (p.proto == PM_PROTO_ICMP) {
        put8(b, 8);
        put8(b, 0);
        put16(b, 0);
        put16(b, p.tag_field());
        put16(b, p.ts24 & 0xffff);
        append(b, probe_payload(p));
        set16(b, 2, inet_checksum(b.data(), b.size()));
    } else if (p.proto == PM_PROTO_UDP) {
        Bytes pl = probe_payload(p);
        put16(b, p.tag_field());
        put16(b, p.effective_dport());
        put16(b, 8 + pl.size());
        put16(b, p.ts24 & 0xffff);
        append(b, pl);
    } else {
        put16(b, p.tag_field());
        put16(b, p.effective_dport());
        put32(b, pm_tcp_seq(p.ts24, p.ttl));
        put32(b, 0);
        put8(b, 5 << 4);
        put8(b, 0x02); // SYN
        put16(b, 65535);
        put16(b, 0);
        put16(b, 0);
    }
    return b;
}

// The probe's IP datagram as the quoting router saw it (TTL decremented).
inline Bytes probe_datagram(const Probe &p)
{
    uint16_t id = p.proto == PM_PROTO_TCP ? 0 : pm_ip_id(p.ts24, p.ttl);
    return ipv4({.src_be = p.src_be,
                 .dst_be = p.dst_be,
                 .proto = p.proto,
                 .ttl = p.ttl_at_router,
                 .id = id,
                 .options = p.ip_options},
                probe_l4(p));
}

// --- replies ------------------------------------------------------------

// RFC 4884 extension structure (version 2) holding one RFC 4950 MPLS label
// stack object; label entries are raw 32-bit LSEs.
inline Bytes mpls_extension(const std::vector<uint32_t> &lses)
{
    Bytes b = {0x20, 0x00, 0x00, 0x00};
    put16(b, 4 + 4 * lses.size());
    put8(b, 1); // class: MPLS label stack
    put8(b, 1); // c-type: incoming stack
    for (uint32_t l : lses)
        put32(b, l);
    set16(b, 2, inet_checksum(b.data(), b.size()));
    return b;
}

inline uint32_t mpls_lse(uint32_t label, uint8_t tc, bool bottom, uint8_t ttl)
{
    return (label << 12) | (uint32_t(tc & 7) << 9) | (bottom ? 0x100u : 0u) | ttl;
}

struct IcmpError {
    uint8_t type = 11, code = 0;
    uint32_t router_be = 0, local_be = 0;
    uint8_t reply_ttl = 250;
    uint16_t reply_id = 0x1234;
    Bytes outer_options;
    Bytes quote;             // the quoted datagram (probe_datagram), possibly cut
    size_t quote_bytes = 28; // how much of `quote` to include (RFC 792: header + 8)
    Bytes extension;         // non-empty: RFC 4884 layout, quote padded to 128
    int length_words = -1;   // RFC 4884 length byte; -1: computed (0 without extension)
};

inline Bytes icmp_error_ip(const IcmpError &e)
{
    Bytes quote(e.quote.begin(), e.quote.begin() + std::min(e.quote_bytes, e.quote.size()));
    int words = e.length_words;
    if (!e.extension.empty()) {
        while (quote.size() < 128)
            quote.push_back(0);
        if (words < 0) words = int(quote.size() / 4);
    }
    if (words < 0) words = 0;
    Bytes icmp = {e.type, e.code, 0, 0, 0, static_cast<uint8_t>(words), 0, 0};
    append(icmp, quote);
    append(icmp, e.extension);
    set16(icmp, 2, inet_checksum(icmp.data(), icmp.size()));
    return ipv4({.src_be = e.router_be,
                 .dst_be = e.local_be,
                 .proto = 1,
                 .ttl = e.reply_ttl,
                 .id = e.reply_id,
                 .options = e.outer_options},
                icmp);
}

inline Bytes icmp_error(const IcmpError &e) { return ethernet(0x0800, icmp_error_ip(e)); }

// Echo Reply from the target: id/seq/payload echoed from the probe.
inline Bytes echo_reply(const Probe &p, uint8_t reply_ttl, uint16_t reply_id, const Bytes &outer_options = {})
{
    Bytes icmp = probe_l4(p);
    icmp[0] = 0;
    set16(icmp, 2, 0);
    set16(icmp, 2, inet_checksum(icmp.data(), icmp.size()));
    return ethernet(0x0800, ipv4({.src_be = p.dst_be,
                                  .dst_be = p.src_be,
                                  .proto = 1,
                                  .ttl = reply_ttl,
                                  .id = reply_id,
                                  .options = outer_options},
                                 icmp));
}

// SYN-ACK (rst = false) or RST-ACK from the target answering a TCP probe.
inline Bytes tcp_reply(const Probe &p, bool rst, uint8_t reply_ttl, uint16_t reply_id)
{
    Bytes t;
    put16(t, p.effective_dport());
    put16(t, p.tag_field());
    put32(t, rst ? 0 : 0x5eed0000);
    put32(t, pm_tcp_seq(p.ts24, p.ttl) + 1);
    put8(t, 5 << 4);
    put8(t, rst ? 0x14 : 0x12);
    put16(t, rst ? 0 : 64240);
    put16(t, 0); // partial checksum, as the kernel leaves it across veth
    put16(t, 0);
    return ethernet(
        0x0800,
        ipv4({.src_be = p.dst_be, .dst_be = p.src_be, .proto = 6, .ttl = reply_ttl, .id = reply_id}, t));
}

} // namespace pathmap::bpftest
