// scamper's binary .warts files (graph/warts_format.h): the decoder, bytes to
// the records sc_warts2json prints (list, cycle and trace records here,
// tracelb in warts_tracelb.cpp, the shared field readers in
// graph/detail/warts_fields.h), and parse_warts, records to Traces through
// the mapping the scamper JSON reader uses (graph/scamper_records.h). What a
// field means and when sc_warts2json prints it follows scamper 20211212, the
// version Debian ships; each rule below names the scamper behaviour it keeps.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include "graph/detail/warts_fields.h"
#include "graph/input_formats.h"
#include "graph/warts_format.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

using namespace warts;

namespace
{

void read_list(Cursor &c, WartsState &s)
{
    if (c.u32("the list id") != s.lists) bad("list id out of sequence");
    c.u32("the list number");
    c.text("the list name");
    Params p = read_params(c, 2);
    for (int id : p.ids) p.values.text(id == 1 ? "the list description" : "the list monitor");
    ++s.lists;
}

void read_cycle(Cursor &c, WartsState &s)
{
    if (c.u32("the cycle id") != s.cycle_open.size()) bad("cycle id out of sequence");
    check_list(s, c.u32("the cycle's list id"));
    c.u32("the cycle number");
    c.u32("the cycle start time");
    Params p = read_params(c, 2);
    for (int id : p.ids)
        if (id == 1)
            p.values.u32("the cycle stop time");
        else
            p.values.text("the cycle hostname");
    s.cycle_open.push_back(true);
}

void read_cycle_stop(Cursor &c, WartsState &s)
{
    const uint32_t id = c.u32("the cycle id");
    if (id == 0) bad("cycle stop for no cycle");
    check_cycle(s, id);
    c.u32("the cycle stop time");
    s.cycle_open[id] = false;
}

void read_global_address(Cursor &c, WartsState &s)
{
    // id modulo 255, the type, the address
    if (c.u8("the address id") != s.global_addrs.size() % 255) bad("address id out of sequence");
    const uint8_t type = c.u8("the address type");
    s.global_addrs.push_back(addr_bytes(c, static_cast<uint8_t>(c.left()), type));
}

// A trace hop as scamper holds it, before sc_warts2json's choices.
struct RawHop {
    std::optional<WartsAddr> addr;
    uint8_t probe_ttl = 0, reply_ttl = 0, flags = 0, icmp_type = 0, icmp_code = 0, q_ttl = 0;
    uint32_t rtt_us = 0;
    std::string name;
    std::vector<uint32_t> labels;
    bool has_q_ttl = false;
};

// scamper_trace_hop flags: the reply was TCP or UDP; otherwise ICMP.
constexpr uint8_t kHopTcp = 0x20, kHopUdp = 0x40;
constexpr uint32_t kTraceRxErr = 0x80; // probed through the socket error queue: no quote fields

bool hop_is_icmp(const RawHop &h) { return (h.flags & (kHopTcp | kHopUdp)) == 0; }
// SCAMPER_TRACE_HOP_IS_ICMP_Q: a Time Exceeded or Unreachable quoting the probe.
bool hop_is_icmp_q(const RawHop &h)
{
    if (!hop_is_icmp(h)) return false;
    if (h.addr->type == 1) return h.icmp_type == 3 || h.icmp_type == 11;
    if (h.addr->type == 2) return h.icmp_type >= 1 && h.icmp_type <= 3;
    return false;
}

RawHop read_trace_hop(Cursor &c, AddrTable &table)
{
    RawHop h;
    Params p = read_params(c, 20);
    Cursor &v = p.values;
    for (int id : p.ids) {
        switch (id) {
        case 1: h.addr = table.read_global(v); break;
        case 2: h.probe_ttl = v.u8(); break;
        case 3: h.reply_ttl = v.u8(); break;
        case 4: h.flags = v.u8(); break;
        case 5: v.u8(); break; // probe id
        case 6: h.rtt_us = v.u32(); break;
        case 7:
            h.icmp_type = v.u8();
            h.icmp_code = v.u8();
            break;
        case 8: case 9: case 10: case 12: case 13: v.u16(); break; // sizes, ipid, nhmtu, quoted length
        case 11: case 15: case 16: v.u8(); break;                  // tos, tcp flags, quoted tos
        case 14:
            h.q_ttl = v.u8();
            h.has_q_ttl = true;
            break;
        case 17: h.labels = read_icmpext_labels(v); break;
        case 18: h.addr = table.read(v); break;
        case 19: v.bytes(8, "the hop's transmit time"); break;
        case 20: h.name = v.text("the hop's name"); break;
        }
    }
    if (!h.addr) bad("trace hop without an address");
    if (h.probe_ttl == 0) bad("trace hop without a probe TTL");
    // scamper leaves the quoted TTL out of the file when it is 1.
    if (hop_is_icmp_q(h) && !h.has_q_ttl) h.q_ttl = 1;
    return h;
}

std::string trace_stop_name(uint8_t r)
{
    static const char *const names[] = {"NONE", "COMPLETED", "UNREACH", "ICMP",  "LOOP",
                                        "GAPLIMIT", "ERROR", "HOPLIMIT", "GSS", "HALTED"};
    return r < std::size(names) ? names[r] : std::to_string(r);
}

ScamperTrace read_trace(Cursor &c, const WartsState &s)
{
    AddrTable table{s, {}};
    std::optional<WartsAddr> dst;
    uint8_t firsthop = 0, stop = 0, flags8 = 0;
    uint16_t hop_count = 0;
    uint32_t flags = 0;
    Params p = read_params(c, 32);
    Cursor &v = p.values;
    for (int id : p.ids) {
        switch (id) {
        case 1: check_list(s, v.u32()); break;
        case 2: check_cycle(s, v.u32()); break;
        case 3: table.read_global(v); break;
        case 4: dst = table.read_global(v); break;
        case 5: v.bytes(8, "the start time"); break;
        case 6: stop = v.u8(); break;
        case 8: flags8 = v.u8(); break;
        case 12: case 13: case 14: case 23: case 29: v.u16(); break;
        case 15: firsthop = v.u8(); break;
        case 19: hop_count = v.u16(); break;
        case 26: table.read(v); break;
        case 27: dst = table.read(v); break;
        case 28: v.u32(); break;
        case 30: AddrTable::read_static(v); break;
        case 32: flags = v.u32(); break;
        default: v.u8(); break; // the one-byte fields: stop data, attempts, hoplimit, type, tos, ...
        }
    }
    if (!dst) bad("trace without a destination");
    if (!p.has(32) && p.has(8)) flags = flags8;
    ScamperTrace t{.dst = addr_text(*dst), .firsthop = firsthop ? firsthop : 1, .stop_reason = trace_stop_name(stop)};
    const uint16_t count = c.u16("the hop count");
    std::vector<RawHop> hops;
    hops.reserve(std::min<size_t>(count, c.left()));
    int max_ttl = 0;
    for (uint16_t i = 0; i < count; ++i) {
        hops.push_back(read_trace_hop(c, table));
        max_ttl = std::max<int>(max_ttl, hops.back().probe_ttl);
    }
    if (hop_count != 0 && hop_count < max_ttl) bad("hop_count below a hop's probe TTL");
    if (hop_count > 255) bad("hop_count above 255");
    t.hop_count = hop_count ? hop_count : max_ttl;
    // PMTUD, last-ditch and Doubletree sections: sc_warts2json prints none of
    // their hops; each is skipped by its 12-bit length, up to the end mark.
    for (;;) {
        const uint16_t attr = c.u16("the trace's end mark");
        if (attr == 0) break;
        c.bytes(attr & 0x0fff, "a trace section");
    }
    // scamper strings each TTL's hops together as they come; a TTL that comes
    // back after another starts over (the earlier ones are lost), and it
    // prints TTLs from firsthop to hop_count.
    std::vector<std::vector<const RawHop *>> by_ttl(256);
    for (size_t i = 0; i < hops.size(); ++i) {
        if (i == 0 || hops[i].probe_ttl != hops[i - 1].probe_ttl) by_ttl[hops[i].probe_ttl].clear();
        by_ttl[hops[i].probe_ttl].push_back(&hops[i]);
    }
    for (long long ttl = t.firsthop; ttl <= t.hop_count; ++ttl)
        for (const RawHop *h : by_ttl[static_cast<size_t>(ttl)]) {
            ScamperTraceHop o{.probe_ttl = h->probe_ttl, .addr = addr_text(*h->addr), .name = h->name,
                              .rtt_ms = h->rtt_us / 1000.0, .reply_ttl = h->reply_ttl, .mpls_labels = h->labels};
            if (hop_is_icmp(*h)) {
                o.icmp_type = h->icmp_type;
                o.icmp_code = h->icmp_code;
                if (hop_is_icmp_q(*h) && !(flags & kTraceRxErr)) o.quoted_ttl = h->q_ttl;
            }
            t.hops.push_back(std::move(o));
        }
    return t;
}

} // namespace

bool looks_like_warts(std::string_view head)
{
    return head.size() >= 4 && static_cast<uint8_t>(head[0]) == (kWartsMagic >> 8) &&
           static_cast<uint8_t>(head[1]) == (kWartsMagic & 0xff) && (head[2] != 0 || head[3] != 0);
}

WartsContents decode_warts(std::string_view bytes, const std::string &name)
{
    WartsContents out;
    WartsState state;
    const auto *data = reinterpret_cast<const uint8_t *>(bytes.data());
    size_t off = 0, n = 0;
    while (off < bytes.size()) {
        ++n;
        unsigned type = 0;
        auto where = [&] {
            return name + ": warts record " + std::to_string(n) + (type ? " (type " + std::to_string(type) + ")" : "") +
                   " at byte " + std::to_string(off) + ": ";
        };
        try {
            Cursor head(data + off, bytes.size() - off);
            const uint16_t magic = head.u16("the record header");
            type = head.u16("the record header");
            const uint32_t len = head.u32("the record header");
            if (magic != kWartsMagic) bad("no warts magic (0x1205); not a warts file or damaged here");
            if (type == 0) bad("record type 0");
            Cursor c = head.sub(len, "the record");
            switch (type) {
            case kList: read_list(c, state); break;
            case kCycleStart:
            case kCycleDef: read_cycle(c, state); break;
            case kCycleStop: read_cycle_stop(c, state); break;
            case kAddress: read_global_address(c, state); break;
            case kTrace: out.records.emplace_back(read_trace(c, state)); break;
            case kTracelb: out.records.emplace_back(read_tracelb(c, state)); break;
            default: ++out.skipped[type]; break;
            }
            off += 8 + size_t{len};
        } catch (const WartsError &e) {
            throw InputError(where() + e.what);
        }
    }
    return out;
}

std::vector<Trace> parse_warts(std::string_view bytes, const std::string &name)
{
    const WartsContents w = decode_warts(bytes, name);
    std::vector<Trace> out;
    ScamperRecordTally tally;
    for (const auto &rec : w.records) {
        if (const auto *t = std::get_if<ScamperTrace>(&rec)) {
            const std::string dst = tally.destination("trace", t->dst, name);
            if (!dst.empty()) scamper_trace_to_traces(*t, dst, name, out);
        } else {
            const auto &lb = std::get<ScamperTracelb>(rec);
            const std::string dst = tally.destination("tracelb", lb.dst, name);
            if (!dst.empty()) scamper_tracelb_to_traces(lb, dst, name, out);
        }
    }
    tally.log(name);
    size_t skipped = 0;
    std::string types;
    for (const auto &[type, count] : w.skipped) {
        skipped += count;
        types += (types.empty() ? "" : ", ") + std::to_string(count) + " of type " + std::to_string(type);
    }
    if (skipped) log::info("{}: skipped {} warts records pathmap does not map (ping, dealias, ...): {}", name, skipped, types);
    return out;
}

} // namespace pathmap::graph