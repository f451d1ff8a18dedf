// The pieces of the warts decoder (graph/warts_reader.cpp and
// graph/warts_tracelb.cpp) share: a bounded cursor over a record, scamper
// addresses and the per-record address table, the flags-and-parameters
// blocks every structure uses, ICMP extensions, and the file-wide list,
// cycle and address state. Internal to the decoder.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "graph/scamper_records.h"

namespace pathmap::graph::warts
{

// What went wrong inside a record; decode_warts adds where.
struct WartsError {
    std::string what;
};

[[noreturn]] inline void bad(std::string what) { throw WartsError{std::move(what)}; }

enum : unsigned {
    kList = 1,
    kCycleStart = 2,
    kCycleDef = 3,
    kCycleStop = 4,
    kAddress = 5, // the deprecated global address table
    kTrace = 6,
    kTracelb = 8,
};

// A bounded reader over one record's payload: every read checks the end.
class Cursor
{
  public:
    Cursor(const uint8_t *p, size_t end) : p_(p), end_(end) {}
    size_t off() const { return off_; }
    size_t left() const { return end_ - off_; }
    void need(size_t n, const char *what) const
    {
        if (left() < n) bad(std::string(what) + " runs past the end of the record");
    }
    uint8_t u8(const char *what = "a field")
    {
        need(1, what);
        return p_[off_++];
    }
    uint16_t u16(const char *what = "a field")
    {
        need(2, what);
        const uint16_t v = static_cast<uint16_t>(p_[off_] << 8 | p_[off_ + 1]);
        off_ += 2;
        return v;
    }
    uint32_t u32(const char *what = "a field")
    {
        need(4, what);
        const uint32_t v = uint32_t{p_[off_]} << 24 | uint32_t{p_[off_ + 1]} << 16 | uint32_t{p_[off_ + 2]} << 8 |
                           p_[off_ + 3];
        off_ += 4;
        return v;
    }
    const uint8_t *bytes(size_t n, const char *what)
    {
        need(n, what);
        const uint8_t *b = p_ + off_;
        off_ += n;
        return b;
    }
    std::string text(const char *what)
    {
        const void *nul = std::memchr(p_ + off_, 0, left());
        if (!nul) bad(std::string(what) + " has no terminating NUL");
        const size_t n = static_cast<size_t>(static_cast<const uint8_t *>(nul) - (p_ + off_));
        std::string s(reinterpret_cast<const char *>(p_ + off_), n);
        off_ += n + 1;
        return s;
    }
    // A cursor over the next n bytes, which this one skips.
    Cursor sub(size_t n, const char *what)
    {
        need(n, what);
        Cursor c(p_ + off_, n);
        off_ += n;
        return c;
    }

  private:
    const uint8_t *p_;
    size_t end_;
    size_t off_ = 0;
};

// A scamper address: type 1 IPv4, 2 IPv6, 3 Ethernet, 4 FireWire.
struct WartsAddr {
    uint8_t type = 0;
    std::array<uint8_t, 16> b{};
    bool operator==(const WartsAddr &o) const { return type == o.type && b == o.b; }
};

inline size_t addr_size(uint8_t type)
{
    switch (type) {
    case 1: return 4;
    case 2: return 16;
    case 3: return 6;
    case 4: return 8;
    }
    return 0;
}

// IPv4 and IPv4-mapped IPv6 as scamper_addr_tostr prints them ("::ffff:a.b.c.d",
// which the mapping reads as IPv4); other IPv6 in full, uncompressed, form,
// enough to tell it is IPv6 (the mapping skips those records); hardware
// addresses as colon-separated hex.
inline std::string addr_text(const WartsAddr &a)
{
    auto dotted = [&](size_t at) {
        return std::to_string(a.b[at]) + "." + std::to_string(a.b[at + 1]) + "." + std::to_string(a.b[at + 2]) + "." +
               std::to_string(a.b[at + 3]);
    };
    if (a.type == 1) return dotted(0);
    char buf[8];
    std::string s;
    if (a.type == 2) {
        static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(a.b.data(), kMapped, sizeof kMapped) == 0) return "::ffff:" + dotted(12);
        for (size_t i = 0; i < 16; i += 2) {
            std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", unsigned{a.b[i]} << 8 | a.b[i + 1]);
            s += buf;
        }
        return s;
    }
    for (size_t i = 0; i < addr_size(a.type); ++i) {
        std::snprintf(buf, sizeof buf, "%s%02x", i ? ":" : "", a.b[i]);
        s += buf;
    }
    return s;
}

// scamper_addr_cmp's order on a little-endian host (Debian amd64, where
// sc_warts2json runs): the type, then the address in 32-bit words taken in
// host byte order. sc_warts2json lists a probeset's addresses in this order.
inline std::array<uint32_t, 5> scamper_order(const WartsAddr &a)
{
    std::array<uint32_t, 5> k{a.type, 0, 0, 0, 0};
    for (size_t w = 0; w < 4; ++w)
        k[w + 1] = uint32_t{a.b[w * 4]} | uint32_t{a.b[w * 4 + 1]} << 8 | uint32_t{a.b[w * 4 + 2]} << 16 |
                   uint32_t{a.b[w * 4 + 3]} << 24;
    return k;
}

inline WartsAddr addr_bytes(Cursor &c, uint8_t size, uint8_t type)
{
    if (addr_size(type) == 0) bad("address of unknown type " + std::to_string(type));
    if (size != addr_size(type))
        bad("address of type " + std::to_string(type) + " with " + std::to_string(size) + " bytes");
    WartsAddr a{.type = type};
    std::memcpy(a.b.data(), c.bytes(size, "an address"), size);
    return a;
}

// The file-wide state later records refer to (scamper's warts_state_t).
struct WartsState {
    uint32_t lists = 1;            // id 0 is "no list"
    std::vector<bool> cycle_open{true}; // id 0 is "no cycle"
    std::vector<WartsAddr> global_addrs{WartsAddr{}}; // deprecated table; id 0 is none
};

// One record's own address table: addresses written in full are numbered in
// order, and a later field may name one by that number.
struct AddrTable {
    const WartsState &state;
    std::vector<WartsAddr> defined;

    WartsAddr read(Cursor &c)
    {
        const uint8_t size = c.u8("an address");
        if (size == 0) {
            const uint32_t id = c.u32("an address reference");
            if (id >= defined.size()) bad("address reference " + std::to_string(id) + " to no address");
            return defined[id];
        }
        const uint8_t type = c.u8("an address");
        defined.push_back(addr_bytes(c, size, type));
        return defined.back();
    }
    static WartsAddr read_static(Cursor &c)
    {
        const uint8_t size = c.u8("an address");
        const uint8_t type = c.u8("an address");
        return addr_bytes(c, size, type);
    }
    WartsAddr read_global(Cursor &c) const
    {
        const uint32_t id = c.u32("an address id");
        if (id == 0 || id >= state.global_addrs.size()) bad("address id " + std::to_string(id) + " was never defined");
        return state.global_addrs[id];
    }
};

// The optional fields of a structure: which are present (1-based ids, in
// order, those past `known` dropped) and the bytes that hold them.
struct Params {
    std::vector<int> ids;
    Cursor values{nullptr, 0};
    bool has(int id) const { return std::find(ids.begin(), ids.end(), id) != ids.end(); }
};

inline Params read_params(Cursor &c, int known)
{
    Params p;
    std::vector<uint8_t> flags;
    do {
        flags.push_back(c.u8("the flags"));
    } while (flags.back() & 0x80);
    if (flags.size() == 1 && flags[0] == 0) return p; // nothing present, and no length field
    const uint16_t len = c.u16("the parameter length");
    p.values = c.sub(len, "the parameters");
    for (size_t i = 0; i < flags.size(); ++i)
        for (int j = 0; j < 7; ++j)
            if (flags[i] & (1u << j)) {
                const int id = static_cast<int>(i) * 7 + j + 1;
                if (id > known) return p; // a newer field: its bytes are skipped with the rest
                p.ids.push_back(id);
            }
    return p;
}

inline std::vector<uint32_t> read_icmpext_labels(Cursor &c)
{
    uint16_t total = c.u16("the ICMP extensions");
    if (total == 0) bad("empty ICMP extension block");
    Cursor ext = c.sub(total, "the ICMP extensions");
    std::vector<uint32_t> labels;
    while (ext.left() >= 4) {
        const uint16_t dl = ext.u16();
        const uint8_t cn = ext.u8(), ct = ext.u8();
        const uint8_t *d = ext.bytes(dl, "an ICMP extension object");
        if (cn == 1 && ct == 1) // MPLS label stack (RFC 4950): 4 bytes an entry, the label its top 20 bits
            for (size_t i = 0; i + 4 <= dl; i += 4)
                labels.push_back(uint32_t{d[i]} << 12 | uint32_t{d[i + 1]} << 4 | uint32_t{d[i + 2]} >> 4);
    }
    if (ext.left() != 0) bad("ICMP extension block with a partial object");
    return labels;
}

inline void check_list(const WartsState &s, uint32_t id)
{
    if (id >= s.lists) bad("list id " + std::to_string(id) + " was never defined");
}
inline void check_cycle(const WartsState &s, uint32_t id)
{
    if (id >= s.cycle_open.size() || !s.cycle_open[id]) bad("cycle id " + std::to_string(id) + " is not open");
}

// tracelb records (graph/warts_tracelb.cpp): what sc_warts2json prints of one.
ScamperTracelb read_tracelb(Cursor &c, const WartsState &s);

} // namespace pathmap::graph::warts
