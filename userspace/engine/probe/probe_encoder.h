// Probe frames: encoding and decoding of complete Ethernet/IPv4 probe frames
// (ICMP echo, UDP, TCP SYN) per the encoding documented in
// include/pathmap/wire.h. Pure: no I/O, no allocation, testable without root.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "pathmap/wire.h"

namespace pathmap::probe {

enum class Proto : uint8_t { icmp = PM_PROTO_ICMP, udp = PM_PROTO_UDP, tcp = PM_PROTO_TCP };

struct ProbeSpec {
    uint32_t dst = 0; // host order
    uint8_t ttl = 0;
    uint16_t flow_id = 0;
};

// Everything that stays fixed for a run.
struct FrameTemplate {
    std::array<uint8_t, 6> src_mac{}, dst_mac{};
    uint32_t src_ip = 0; // host order
    Proto proto = Proto::icmp;
    uint16_t dport = 0; // 0 = protocol default (33434 UDP, 80 TCP)
    uint32_t run_id = 0;
    uint16_t payload_len = sizeof(pm_probe_payload); // ICMP/UDP payload bytes, >= 8; TCP SYNs carry none
};

inline constexpr size_t kEthHeaderLen = 14;
inline constexpr size_t kIpHeaderLen = 20;
// Largest frame encode_probe will build (payload_len is clamped to this).
inline constexpr size_t kMaxFrameLen = 1514;

// Destination port actually used (resolves 0 to the protocol default).
uint16_t effective_dport(const FrameTemplate &) noexcept;
// Length of every frame of this template.
size_t frame_size(const FrameTemplate &) noexcept;
// Checks the template (payload_len >= 8, frame fits kMaxFrameLen); throws
// std::invalid_argument with a readable message otherwise.
void validate(const FrameTemplate &);

// One complete Ethernet frame with every checksum; returns its length, 0 if
// `out` is too small. ts24 is the send time (PM_TS_UNIT_NS units, masked).
size_t encode_probe(const FrameTemplate &, const ProbeSpec &, uint32_t ts24, std::span<uint8_t> out) noexcept;

// Fast path for senders: `out` already holds encode_probe() output for the
// same template (any spec/ts), only the per-probe fields and checksums are
// rewritten. Returns the frame length, 0 if `out` is too small.
size_t reencode_probe(const FrameTemplate &, const ProbeSpec &, uint32_t ts24, std::span<uint8_t> out) noexcept;

struct DecodedProbe {
    ProbeSpec spec;
    uint32_t ts24 = 0;
    Proto proto = Proto::icmp;
    uint16_t sport = 0, dport = 0; // ICMP: sport = echo id, dport = echo seq
    bool checksums_ok = false;     // IP + L4 checksums valid and the Paris/time fields consistent
};

// Parses a frame built by encode_probe for `run_id`; nullopt when it is not
// one (wrong ethertype/protocol/length, foreign run id).
std::optional<DecodedProbe> decode_probe(std::span<const uint8_t> frame, uint32_t run_id) noexcept;

// CLOCK_MONOTONIC / PM_TS_UNIT_NS & PM_TS_MASK.
uint32_t now_ts24() noexcept;
// Same conversion from a CLOCK_MONOTONIC nanosecond value.
constexpr uint32_t ts24_from_ns(uint64_t mono_ns) noexcept
{
    return static_cast<uint32_t>((mono_ns / PM_TS_UNIT_NS) & PM_TS_MASK);
}

// The full CLOCK_MONOTONIC send time of a probe whose 24-bit stamp came back
// in a reply received at rx_ns: the latest time with that stamp at or before
// the arrival (the stamp wraps every 167.8 s), in the middle of its 10 us
// unit. 0 when no such time exists: in the first 167.8 s after boot a stamp
// larger than the arrival's cannot be one of this boot's probes (a garbled or
// foreign reply), and an unguarded subtraction made its RTT 0. The one place
// sweep and MTR turn stamps into times.
constexpr uint64_t send_ns_from_ts24(uint32_t ts24, uint64_t rx_ns) noexcept
{
    const uint64_t rx_units = rx_ns / PM_TS_UNIT_NS;
    const uint64_t age_units = (static_cast<uint32_t>(rx_units) - ts24) & PM_TS_MASK;
    if (age_units > rx_units) return 0;
    return (rx_units - age_units) * PM_TS_UNIT_NS + PM_TS_UNIT_NS / 2;
}

} // namespace pathmap::probe
