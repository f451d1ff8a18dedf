// Probe frame encoder/decoder. Header fields are written and read through a
// big-endian byte cursor (never type-punned pointers), and checksums are
// summed from the field values we write, so the encoder never re-reads the
// frame. The zero tail of a long payload adds nothing to any checksum.
#include "userspace/engine/probe/probe_encoder.h"

#include <arpa/inet.h>
#include <time.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "userspace/engine/probe/checksum.h"

namespace pathmap::probe {
namespace {

constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr size_t kL4Offset = kEthHeaderLen + kIpHeaderLen;
constexpr size_t kIcmpHeaderLen = 8, kUdpHeaderLen = 8, kTcpHeaderLen = 20;
constexpr uint8_t kIcmpEchoRequest = 8;
constexpr uint8_t kTcpSyn = 0x02;
constexpr uint16_t kTcpWindow = 64240;

inline void put16(uint8_t *p, uint16_t v) noexcept
{
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t *p, uint32_t v) noexcept
{
    put16(p, static_cast<uint16_t>(v >> 16));
    put16(p + 2, static_cast<uint16_t>(v));
}
inline uint16_t get16(const uint8_t *p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t *p) noexcept { return uint32_t{get16(p)} << 16 | get16(p + 2); }
inline uint32_t sum32(uint32_t v) noexcept { return (v >> 16) + (v & 0xffff); }

size_t l4_header_len(Proto p) noexcept
{
    switch (p) {
    case Proto::icmp: return kIcmpHeaderLen;
    case Proto::udp: return kUdpHeaderLen;
    case Proto::tcp: return kTcpHeaderLen;
    }
    return 0;
}

size_t payload_len(const FrameTemplate &t) noexcept
{
    if (t.proto == Proto::tcp) return 0;
    return t.payload_len < sizeof(pm_probe_payload) ? sizeof(pm_probe_payload) : t.payload_len;
}

uint16_t flow_field(const FrameTemplate &t, uint32_t dst, uint16_t flow_id) noexcept
{
    return static_cast<uint16_t>(pm_flow_tag(htonl(dst), t.run_id) ^ flow_id);
}

// The Paris-constant ICMP checksum of a flow: the checksum its echo request
// would have with every per-probe field (seq, ttl, time, fix) zero. It only
// depends on the echo id (so on dst and flow) and the run id.
uint16_t icmp_flow_checksum(uint16_t echo_id, uint32_t run_id) noexcept
{
    return checksum_finish((uint32_t{kIcmpEchoRequest} << 8) + echo_id + sum32(run_id));
}

// Writes every field that is not constant for the template (or all header
// fields: cheap enough) plus the checksums. `f` holds frame_size bytes.
void write_probe(const FrameTemplate &t, const ProbeSpec &s, uint32_t ts24, uint8_t *f, size_t frame_len) noexcept
{
    ts24 &= PM_TS_MASK;
    const size_t l4_len = frame_len - kL4Offset;
    const uint8_t proto = static_cast<uint8_t>(t.proto);
    if (t.proto == Proto::udp && (ts24 & 0xffff) == 0) ts24 = (ts24 + 1) & PM_TS_MASK; // checksum 0 means "none"
    const uint16_t ip_id = pm_ip_id(ts24, s.ttl);
    const uint16_t flow = flow_field(t, s.dst, s.flow_id);
    const uint16_t dport = effective_dport(t);

    // IPv4 header, no options, DF clear (traceroute probes may be fragmented).
    uint8_t *ip = f + kEthHeaderLen;
    const uint16_t total_len = static_cast<uint16_t>(kIpHeaderLen + l4_len);
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, total_len);
    put16(ip + 4, ip_id);
    put16(ip + 6, 0);
    ip[8] = s.ttl;
    ip[9] = proto;
    put32(ip + 12, t.src_ip);
    put32(ip + 16, s.dst);
    const uint32_t ip_sum = 0x4500u + total_len + ip_id + (uint32_t{s.ttl} << 8 | proto) + sum32(t.src_ip) + sum32(s.dst);
    put16(ip + 10, checksum_finish(ip_sum));

    uint8_t *l4 = f + kL4Offset;
    const uint32_t pseudo = sum32(t.src_ip) + sum32(s.dst) + proto + static_cast<uint32_t>(l4_len);
    if (t.proto == Proto::tcp) {
        const uint32_t seq = pm_tcp_seq(ts24, s.ttl);
        put16(l4, flow);
        put16(l4 + 2, dport);
        put32(l4 + 4, seq);
        put32(l4 + 8, 0);
        l4[12] = static_cast<uint8_t>((kTcpHeaderLen / 4) << 4);
        l4[13] = kTcpSyn;
        put16(l4 + 14, kTcpWindow);
        put16(l4 + 18, 0);
        const uint32_t sum = pseudo + flow + dport + sum32(seq) + (uint32_t{l4[12]} << 8 | kTcpSyn) + kTcpWindow;
        put16(l4 + 16, checksum_finish(sum));
        return;
    }

    // ICMP/UDP: the payload starts with struct pm_probe_payload; its `fix`
    // word makes the L4 checksum come out at the value wire.h prescribes.
    const size_t hdr = l4_header_len(t.proto);
    uint8_t *pl = l4 + hdr;
    pl[offsetof(pm_probe_payload, ttl)] = s.ttl;
    pl[offsetof(pm_probe_payload, ts_hi)] = static_cast<uint8_t>(ts24 >> 16);
    put32(pl + offsetof(pm_probe_payload, run_id), t.run_id);
    const uint32_t payload_sum = (uint32_t{s.ttl} << 8 | (ts24 >> 16)) + sum32(t.run_id); // fix = 0, tail zero
    const uint16_t ts_lo = static_cast<uint16_t>(ts24 & 0xffff);

    uint16_t wanted; // checksum field value
    uint32_t sum;    // everything covered by the checksum except `fix`, with the checksum field = wanted
    if (t.proto == Proto::icmp) {
        wanted = icmp_flow_checksum(flow, t.run_id);
        l4[0] = kIcmpEchoRequest;
        l4[1] = 0;
        put16(l4 + 4, flow);
        put16(l4 + 6, ts_lo);
        sum = (uint32_t{kIcmpEchoRequest} << 8) + wanted + flow + ts_lo + payload_sum;
    } else {
        wanted = ts_lo;
        put16(l4, flow);
        put16(l4 + 2, dport);
        put16(l4 + 4, static_cast<uint16_t>(l4_len));
        sum = pseudo + flow + dport + static_cast<uint32_t>(l4_len) + wanted + payload_sum;
    }
    put16(l4 + 2 + (t.proto == Proto::udp ? 4 : 0), wanted);
    // A valid message sums to 0xffff (one's complement); fix supplies the rest.
    put16(pl + offsetof(pm_probe_payload, fix), checksum_finish(sum));
}

} // namespace

uint16_t effective_dport(const FrameTemplate &t) noexcept
{
    if (t.dport != 0) return t.dport;
    return t.proto == Proto::tcp ? PM_DEFAULT_TCP_DPORT : t.proto == Proto::udp ? PM_DEFAULT_UDP_DPORT : 0;
}

size_t frame_size(const FrameTemplate &t) noexcept
{
    return kL4Offset + l4_header_len(t.proto) + payload_len(t);
}

void validate(const FrameTemplate &t)
{
    if (t.proto != Proto::icmp && t.proto != Proto::udp && t.proto != Proto::tcp)
        throw std::invalid_argument("probe template: unknown protocol " + std::to_string(static_cast<int>(t.proto)));
    if (t.proto != Proto::tcp && t.payload_len < sizeof(pm_probe_payload))
        throw std::invalid_argument("probe template: payload length " + std::to_string(t.payload_len) +
                                    " is below the 8 bytes the probe payload needs");
    if (frame_size(t) > kMaxFrameLen)
        throw std::invalid_argument("probe template: payload length " + std::to_string(t.payload_len) +
                                    " makes a frame longer than " + std::to_string(kMaxFrameLen) + " bytes");
}

size_t reencode_probe(const FrameTemplate &t, const ProbeSpec &s, uint32_t ts24, std::span<uint8_t> out) noexcept
{
    const size_t len = frame_size(t);
    if (out.size() < len || len > kMaxFrameLen) return 0;
    write_probe(t, s, ts24, out.data(), len);
    return len;
}

size_t encode_probe(const FrameTemplate &t, const ProbeSpec &s, uint32_t ts24, std::span<uint8_t> out) noexcept
{
    const size_t len = frame_size(t);
    if (out.size() < len || len > kMaxFrameLen) return 0;
    uint8_t *f = out.data();
    std::memcpy(f, t.dst_mac.data(), 6);
    std::memcpy(f + 6, t.src_mac.data(), 6);
    put16(f + 12, kEthertypeIpv4);
    std::memset(f + kL4Offset, 0, len - kL4Offset); // zero payload tail, TCP ack/urgent
    write_probe(t, s, ts24, f, len);
    return len;
}

std::optional<DecodedProbe> decode_probe(std::span<const uint8_t> frame, uint32_t run_id) noexcept
{
    const uint8_t *f = frame.data();
    if (frame.size() < kL4Offset + kIcmpHeaderLen || get16(f + 12) != kEthertypeIpv4) return std::nullopt;
    const uint8_t *ip = f + kEthHeaderLen;
    const size_t ihl = size_t{ip[0] & 0x0fu} * 4;
    const size_t total_len = get16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < kIpHeaderLen || total_len < ihl || kEthHeaderLen + total_len > frame.size())
        return std::nullopt;
    const auto proto = static_cast<Proto>(ip[9]);
    if (proto != Proto::icmp && proto != Proto::udp && proto != Proto::tcp) return std::nullopt;
    const size_t l4_len = total_len - ihl;
    const uint8_t *l4 = ip + ihl;
    if (l4_len < l4_header_len(proto)) return std::nullopt;

    DecodedProbe d;
    d.proto = proto;
    d.spec.dst = get32(ip + 16);
    d.spec.ttl = ip[8];
    const uint32_t src = get32(ip + 12);
    const uint16_t ip_id = get16(ip + 4);
    const uint16_t tag = pm_flow_tag(htonl(d.spec.dst), run_id);
    bool consistent = (ip_id >> 8) == d.spec.ttl;
    bool ok = checksum_fold(checksum_partial({ip, ihl})) == 0xffff;
    const uint32_t pseudo = sum32(src) + sum32(d.spec.dst) + ip[9] + static_cast<uint32_t>(l4_len);

    if (proto == Proto::tcp) {
        if ((l4[13] & 0x3f) != kTcpSyn) return std::nullopt;
        d.sport = get16(l4);
        d.dport = get16(l4 + 2);
        const uint32_t seq = get32(l4 + 4);
        d.ts24 = seq >> 8;
        consistent = consistent && (seq & 0xff) == d.spec.ttl && (ip_id & 0xff) == ((d.ts24 >> 16) & 0xff);
        ok = ok && checksum_fold(checksum_partial({l4, l4_len}, pseudo)) == 0xffff;
        d.spec.flow_id = static_cast<uint16_t>(d.sport ^ tag);
    } else {
        const size_t hdr = l4_header_len(proto);
        if (l4_len < hdr + sizeof(pm_probe_payload)) return std::nullopt;
        const uint8_t *pl = l4 + hdr;
        if (get32(pl + offsetof(pm_probe_payload, run_id)) != run_id) return std::nullopt;
        uint16_t ts_lo;
        if (proto == Proto::icmp) {
            if (l4[0] != kIcmpEchoRequest || l4[1] != 0) return std::nullopt;
            d.sport = get16(l4 + 4);
            d.dport = get16(l4 + 6);
            ts_lo = d.dport;
            ok = ok && checksum_fold(checksum_partial({l4, l4_len})) == 0xffff &&
                 get16(l4 + 2) == icmp_flow_checksum(d.sport, run_id);
        } else {
            d.sport = get16(l4);
            d.dport = get16(l4 + 2);
            ts_lo = get16(l4 + 6);
            ok = ok && ts_lo != 0 && get16(l4 + 4) == l4_len &&
                 checksum_fold(checksum_partial({l4, l4_len}, pseudo)) == 0xffff;
        }
        d.ts24 = uint32_t{pl[offsetof(pm_probe_payload, ts_hi)]} << 16 | ts_lo;
        consistent = consistent && pl[offsetof(pm_probe_payload, ttl)] == d.spec.ttl &&
                     (ip_id & 0xff) == pl[offsetof(pm_probe_payload, ts_hi)];
        d.spec.flow_id = static_cast<uint16_t>(d.sport ^ tag);
    }
    d.checksums_ok = ok && consistent;
    return d;
}

uint32_t now_ts24() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts24_from_ns(static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec));
}

} // namespace pathmap::probe
