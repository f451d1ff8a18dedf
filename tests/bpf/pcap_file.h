// Reads the packets of a capture file (classic pcap in either byte order,
// micro- or nanosecond, and pcapng) and re-frames each as Ethernet, the only
// link layer reply_rx parses: PPP, raw IP, Linux cooked (v1 and v2) and BSD
// loopback captures become an Ethernet header with the same ethertype.
// Header-only test helper (the test glob compiles *_test.cpp files only).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bpf/reply_builder.h"

namespace pathmap::bpftest
{

struct CapturedPacket {
    size_t number = 0;     // 1-based, as tcpdump --number counts
    uint32_t linktype = 0; // LINKTYPE_* of the interface it was captured on
    Bytes data;            // captured bytes (possibly shorter than on the wire)
};

namespace pcap_detail
{
inline uint32_t rd32(const uint8_t *p, bool swap)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}
inline uint16_t rd16(const uint8_t *p, bool swap)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return swap ? __builtin_bswap16(v) : v;
}

inline std::vector<CapturedPacket> read_classic(const Bytes &f, const std::string &name)
{
    const uint32_t magic = rd32(f.data(), false);
    const bool swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    const uint32_t linktype = rd32(f.data() + 20, swap) & 0xffff; // upper bits: FCS length
    std::vector<CapturedPacket> out;
    for (size_t off = 24; off < f.size();) {
        if (off + 16 > f.size()) throw std::runtime_error(name + ": truncated record header");
        const uint32_t caplen = rd32(f.data() + off + 8, swap);
        if (off + 16 + caplen > f.size()) throw std::runtime_error(name + ": truncated record");
        out.push_back({out.size() + 1, linktype, Bytes(f.begin() + off + 16, f.begin() + off + 16 + caplen)});
        off += 16 + caplen;
    }
    return out;
}

inline std::vector<CapturedPacket> read_pcapng(const Bytes &f, const std::string &name)
{
    std::vector<CapturedPacket> out;
    std::vector<uint32_t> iface_linktype; // per section
    std::vector<uint32_t> iface_snaplen;
    bool swap = false;
    for (size_t off = 0; off + 12 <= f.size();) {
        const uint8_t *b = f.data() + off;
        uint32_t type = rd32(b, swap);
        if (type == 0x0a0d0d0a) { // Section Header: byte order for everything up to the next one
            const uint32_t bom = rd32(b + 8, false);
            if (bom == 0x1a2b3c4d)
                swap = false;
            else if (bom == 0x4d3c2b1a)
                swap = true;
            else
                throw std::runtime_error(name + ": bad pcapng byte-order magic");
            iface_linktype.clear();
            iface_snaplen.clear();
        }
        const uint32_t len = rd32(b + 4, swap);
        if (len < 12 || len % 4 || off + len > f.size())
            throw std::runtime_error(name + ": bad pcapng block");
        auto add = [&](uint32_t iface, size_t data_off, uint32_t caplen) {
            if (iface >= iface_linktype.size())
                throw std::runtime_error(name + ": packet before its interface");
            if (data_off + caplen > len - 4) throw std::runtime_error(name + ": packet past its block");
            out.push_back(
                {out.size() + 1, iface_linktype[iface], Bytes(b + data_off, b + data_off + caplen)});
        };
        if (type == 0x00000001) { // Interface Description
            iface_linktype.push_back(rd16(b + 8, swap));
            iface_snaplen.push_back(rd32(b + 12, swap));
        } else if (type == 0x00000006) { // Enhanced Packet
            add(rd32(b + 8, swap), 28, rd32(b + 20, swap));
        } else if (type == 0x00000003) { // Simple Packet: interface 0, length capped by snaplen
            if (iface_snaplen.empty()) throw std::runtime_error(name + ": packet before its interface");
            uint32_t caplen = rd32(b + 8, swap);
            if (iface_snaplen[0] && caplen > iface_snaplen[0]) caplen = iface_snaplen[0];
            if (caplen > len - 16) caplen = len - 16;
            add(0, 12, caplen);
        } else if (type == 0x00000002) { // obsolete Packet Block
            add(rd16(b + 8, swap), 28, rd32(b + 20, swap));
        }
        off += len;
    }
    return out;
}
} // namespace pcap_detail

// Every packet of `path`; throws when the file is missing or malformed.
inline std::vector<CapturedPacket> read_capture(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    Bytes f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (f.size() < 24) throw std::runtime_error(path + ": too short for a capture");
    const uint32_t magic = pcap_detail::rd32(f.data(), false);
    if (magic == 0x0a0d0d0a) return pcap_detail::read_pcapng(f, path);
    if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1)
        return pcap_detail::read_classic(f, path);
    throw std::runtime_error(path + ": neither pcap nor pcapng");
}

// The packet as an Ethernet frame, or nullopt for a link type we do not
// know how to re-frame. Payloads that are not IP keep their protocol as
// the ethertype (PPP MPLS becomes 0x8847), so the parser sees them as the
// wire had them: not IPv4.
inline std::optional<Bytes> as_ethernet(const CapturedPacket &p)
{
    const Bytes &d = p.data;
    uint16_t ethertype = 0;
    size_t l3 = 0;
    auto by_version = [&](size_t off) -> uint16_t {
        if (off >= d.size()) return 0;
        return (d[off] >> 4) == 4 ? 0x0800 : (d[off] >> 4) == 6 ? 0x86dd : 0;
    };
    switch (p.linktype) {
    case 1: // EN10MB
        return d;
    case 9:    // PPP (RFC 1661), optionally in HDLC-like framing (RFC 1662)
    case 50: { // PPP_HDLC
        size_t off = d.size() >= 2 && d[0] == 0xff && d[1] == 0x03 ? 2 : 0;
        if (off >= d.size()) return std::nullopt;
        uint16_t proto = d[off];
        if (proto & 1) { // protocol field compression: one byte
            off += 1;
        } else {
            if (off + 2 > d.size()) return std::nullopt;
            proto = uint16_t(proto << 8 | d[off + 1]);
            off += 2;
        }
        ethertype = proto == 0x0021 ? 0x0800 : proto == 0x0057 ? 0x86dd : proto == 0x0281 ? 0x8847 : 0xffff;
        l3 = off;
        break;
    }
    case 101: // RAW
    case 228: // IPV4
    case 229: // IPV6
        ethertype = by_version(0);
        break;
    case 0:   // NULL: 4-byte address family in the capturing host's order
    case 108: // LOOP: the same in network order
        if (d.size() < 4) return std::nullopt;
        ethertype = by_version(4);
        l3 = 4;
        break;
    case 113: // LINUX_SLL: protocol at 14
        if (d.size() < 16) return std::nullopt;
        ethertype = uint16_t(d[14] << 8 | d[15]);
        l3 = 16;
        break;
    case 276: // LINUX_SLL2: protocol first, 20-byte header
        if (d.size() < 20) return std::nullopt;
        ethertype = uint16_t(d[0] << 8 | d[1]);
        l3 = 20;
        break;
    default:
        return std::nullopt;
    }
    if (ethertype == 0) ethertype = 0xffff;
    return ethernet(ethertype, Bytes(d.begin() + static_cast<long>(l3), d.end()));
}

// The frame with a QinQ pair of tags (802.1ad S-tag, 802.1Q C-tag) after
// the MAC addresses.
inline Bytes with_qinq(const Bytes &eth, uint16_t s_vid, uint16_t c_vid)
{
    Bytes b(eth.begin(), eth.begin() + 12);
    put16(b, 0x88a8);
    put16(b, s_vid);
    put16(b, 0x8100);
    put16(b, c_vid);
    b.insert(b.end(), eth.begin() + 12, eth.end());
    return b;
}

} // namespace pathmap::bpftest
