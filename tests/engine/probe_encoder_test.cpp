// Probe frames: encode -> decode round trips, checksums checked by an
// independent straightforward RFC 1071 implementation, Paris invariants and
// the wire.h field layout read back byte by byte.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "pathmap/wire.h"
#include "userspace/engine/probe/probe_encoder.h"

using namespace pathmap::probe;

namespace {

// RFC 1071, section 4.1, as written there: no shortcuts.
uint16_t ref_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    while (n > 1) {
        sum += static_cast<uint32_t>(p[0]) * 256 + p[1];
        p += 2;
        n -= 2;
    }
    if (n > 0) sum += static_cast<uint32_t>(p[0]) * 256;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

uint16_t be16(const std::vector<uint8_t> &f, size_t off) { return static_cast<uint16_t>(f[off] << 8 | f[off + 1]); }
uint32_t be32(const std::vector<uint8_t> &f, size_t off) { return uint32_t{be16(f, off)} << 16 | be16(f, off + 2); }

FrameTemplate make_template(Proto p, uint16_t payload_len = 8, uint16_t dport = 0)
{
    return FrameTemplate{.src_mac = {0x02, 0, 0, 0, 0, 1},
                         .dst_mac = {0x02, 0, 0, 0, 0, 2},
                         .src_ip = 0x0a000001, // 10.0.0.1
                         .proto = p,
                         .dport = dport,
                         .run_id = 0xdeadbeef,
                         .payload_len = payload_len};
}

std::vector<uint8_t> encode(const FrameTemplate &t, const ProbeSpec &s, uint32_t ts)
{
    std::vector<uint8_t> f(frame_size(t));
    EXPECT_EQ(encode_probe(t, s, ts, f), f.size());
    return f;
}

// Checks every checksum of a frame with the reference implementation.
void expect_valid_checksums(const std::vector<uint8_t> &f)
{
    const size_t ip = 14;
    ASSERT_GE(f.size(), ip + 20u);
    EXPECT_EQ(ref_checksum(f.data() + ip, 20), 0) << "IP header checksum";
    const size_t l4 = ip + 20;
    const size_t l4_len = be16(f, ip + 2) - 20;
    const uint8_t proto = f[ip + 9];
    if (proto == 1) {
        EXPECT_EQ(ref_checksum(f.data() + l4, l4_len), 0) << "ICMP checksum";
        return;
    }
    std::vector<uint8_t> pseudo(f.begin() + ip + 12, f.begin() + ip + 20);
    pseudo.push_back(0);
    pseudo.push_back(proto);
    pseudo.push_back(static_cast<uint8_t>(l4_len >> 8));
    pseudo.push_back(static_cast<uint8_t>(l4_len));
    pseudo.insert(pseudo.end(), f.begin() + l4, f.begin() + l4 + l4_len);
    EXPECT_EQ(ref_checksum(pseudo.data(), pseudo.size()), 0) << "L4 checksum, proto " << int(proto);
}

struct Rng {
    std::mt19937 g;
    explicit Rng(uint32_t seed) : g(seed) {}
    uint32_t operator()() { return static_cast<uint32_t>(g()); }
};

const Proto kProtos[] = {Proto::icmp, Proto::udp, Proto::tcp};

} // namespace

TEST(ProbeEncoder, FrameSizes)
{
    EXPECT_EQ(frame_size(make_template(Proto::icmp)), 14u + 20 + 8 + 8);
    EXPECT_EQ(frame_size(make_template(Proto::udp, 32)), 14u + 20 + 8 + 32);
    EXPECT_EQ(frame_size(make_template(Proto::tcp, 32)), 14u + 20 + 20); // SYNs carry no payload
    std::array<uint8_t, 40> small{};
    EXPECT_EQ(encode_probe(make_template(Proto::icmp), ProbeSpec{.dst = 1, .ttl = 1}, 0, small), 0u);
    EXPECT_THROW(validate(make_template(Proto::udp, 4)), std::invalid_argument);
    EXPECT_THROW(validate(make_template(Proto::udp, 1500)), std::invalid_argument);
    EXPECT_NO_THROW(validate(make_template(Proto::udp, 1472)));
}

TEST(ProbeEncoder, RoundTripAllProtocolsManyProbes)
{
    Rng rng(42);
    const uint32_t ts_edges[] = {0, 1, 0xffff, 0x10000, 0xff0000, 0xfffffe, 0xffffff};
    const uint8_t ttl_edges[] = {1, 2, 32, 64, 128, 255};
    for (Proto p : kProtos) {
        for (uint16_t plen : {uint16_t{8}, uint16_t{9}, uint16_t{64}}) {
            const FrameTemplate t = make_template(p, plen);
            for (int i = 0; i < 3000; ++i) {
                ProbeSpec s{.dst = rng(), .ttl = static_cast<uint8_t>(1 + rng() % 255),
                            .flow_id = static_cast<uint16_t>(rng() % 64)};
                uint32_t ts = rng() & PM_TS_MASK;
                if (i < 42) {
                    ts = ts_edges[i % 7];
                    s.ttl = ttl_edges[i % 6];
                    s.dst = i % 2 ? 0xffffffffu : 0x01000000u;
                    s.flow_id = i % 3 ? 0 : 0x7fff;
                }
                const auto f = encode(t, s, ts);
                expect_valid_checksums(f);
                const auto d = decode_probe(f, t.run_id);
                ASSERT_TRUE(d.has_value());
                EXPECT_TRUE(d->checksums_ok);
                EXPECT_EQ(d->proto, p);
                EXPECT_EQ(d->spec.dst, s.dst);
                EXPECT_EQ(d->spec.ttl, s.ttl);
                EXPECT_EQ(d->spec.flow_id, s.flow_id);
                uint32_t want_ts = ts;
                if (p == Proto::udp && (ts & 0xffff) == 0) want_ts = ts + 1; // wire.h: checksum 0 means none
                EXPECT_EQ(d->ts24, want_ts) << "proto " << int(p) << " ts " << ts;
                if (HasFailure()) return;
            }
        }
    }
}

TEST(ProbeEncoder, FieldsFollowWireH)
{
    const ProbeSpec s{.dst = 0xc6130203, .ttl = 7, .flow_id = 5}; // 198.19.2.3
    const uint32_t ts = 0xab1234;
    const uint16_t tag = pm_flow_tag(htonl(s.dst), 0xdeadbeef);
    for (Proto p : kProtos) {
        const FrameTemplate t = make_template(p);
        const auto f = encode(t, s, ts);
        // Ethernet
        EXPECT_EQ(f[0], 0x02);
        EXPECT_EQ(f[5], 0x02);
        EXPECT_EQ(f[11], 0x01);
        EXPECT_EQ(be16(f, 12), 0x0800);
        // IPv4
        EXPECT_EQ(f[14], 0x45);
        EXPECT_EQ(be16(f, 16), f.size() - 14);
        EXPECT_EQ(be16(f, 18), pm_ip_id(ts, s.ttl));
        EXPECT_EQ(be16(f, 20), 0); // no DF, no fragment
        EXPECT_EQ(f[22], s.ttl);
        EXPECT_EQ(f[23], static_cast<uint8_t>(p));
        EXPECT_EQ(be32(f, 26), 0x0a000001u);
        EXPECT_EQ(be32(f, 30), s.dst);
        const size_t l4 = 34;
        if (p == Proto::icmp) {
            EXPECT_EQ(f[l4], 8);
            EXPECT_EQ(f[l4 + 1], 0);
            EXPECT_EQ(be16(f, l4 + 4), tag ^ s.flow_id);
            EXPECT_EQ(be16(f, l4 + 6), ts & 0xffff);
        } else {
            EXPECT_EQ(be16(f, l4), tag ^ s.flow_id);
            EXPECT_EQ(be16(f, l4 + 2), p == Proto::udp ? PM_DEFAULT_UDP_DPORT : PM_DEFAULT_TCP_DPORT);
        }
        if (p == Proto::udp) {
            EXPECT_EQ(be16(f, l4 + 6), ts & 0xffff);
        }
        if (p == Proto::tcp) {
            EXPECT_EQ(be32(f, l4 + 4), pm_tcp_seq(ts, s.ttl));
            EXPECT_EQ(be32(f, l4 + 8), 0u);
            EXPECT_EQ(f[l4 + 12], 0x50);
            EXPECT_EQ(f[l4 + 13], 0x02); // SYN only
        }
        if (p != Proto::tcp) {
            const size_t pl = l4 + 8;
            EXPECT_EQ(f[pl], s.ttl);
            EXPECT_EQ(f[pl + 1], ts >> 16);
            EXPECT_EQ(be32(f, pl + 4), 0xdeadbeefu);
        }
    }
}

TEST(ProbeEncoder, ExplicitPortAndUdpZeroTime)
{
    const FrameTemplate t = make_template(Proto::udp, 8, 53);
    const auto f = encode(t, ProbeSpec{.dst = 0x0a000002, .ttl = 3}, 0x120000);
    EXPECT_EQ(be16(f, 36), 53);
    EXPECT_EQ(be16(f, 40), 1); // ts24 + 1: a UDP checksum of 0 would mean "none"
    EXPECT_EQ(be16(f, 18), pm_ip_id(0x120001, 3));
    expect_valid_checksums(f);
}

TEST(ProbeEncoder, ParisFlowFieldsConstantAcrossTtlAndTime)
{
    Rng rng(7);
    for (Proto p : kProtos) {
        const FrameTemplate t = make_template(p, 24);
        for (int target = 0; target < 50; ++target) {
            const uint32_t dst = rng();
            for (uint16_t flow = 0; flow < 4; ++flow) {
                std::vector<uint8_t> first;
                for (int k = 0; k < 40; ++k) {
                    const auto f = encode(t, ProbeSpec{.dst = dst, .ttl = static_cast<uint8_t>(1 + k), .flow_id = flow},
                                          rng() & PM_TS_MASK);
                    if (first.empty()) {
                        first = f;
                        continue;
                    }
                    // Addresses and protocol.
                    EXPECT_TRUE(std::equal(f.begin() + 26, f.begin() + 34, first.begin() + 26));
                    EXPECT_EQ(f[23], first[23]);
                    if (p == Proto::icmp) // type, code, checksum, id
                        EXPECT_TRUE(std::equal(f.begin() + 34, f.begin() + 40, first.begin() + 34));
                    else // ports
                        EXPECT_TRUE(std::equal(f.begin() + 34, f.begin() + 38, first.begin() + 34));
                }
            }
        }
    }
}

TEST(ProbeEncoder, DistinctFlowsDifferInHashedFields)
{
    const FrameTemplate t = make_template(Proto::udp);
    const auto a = encode(t, ProbeSpec{.dst = 0x0a000009, .ttl = 5, .flow_id = 0}, 100);
    const auto b = encode(t, ProbeSpec{.dst = 0x0a000009, .ttl = 5, .flow_id = 1}, 100);
    EXPECT_NE(be16(a, 34), be16(b, 34));
}

TEST(ProbeEncoder, ReencodeMatchesFullEncode)
{
    Rng rng(3);
    for (Proto p : kProtos) {
        const FrameTemplate t = make_template(p, 40);
        std::vector<uint8_t> reused(frame_size(t));
        encode_probe(t, ProbeSpec{.dst = 1, .ttl = 1}, 0, reused);
        for (int i = 0; i < 500; ++i) {
            const ProbeSpec s{.dst = rng(), .ttl = static_cast<uint8_t>(rng()), .flow_id = static_cast<uint16_t>(rng() % 16)};
            const uint32_t ts = rng() & PM_TS_MASK;
            ASSERT_EQ(reencode_probe(t, s, ts, reused), reused.size());
            EXPECT_EQ(reused, encode(t, s, ts));
        }
    }
}

TEST(ProbeDecoder, RejectsForeignAndDamagedFrames)
{
    const FrameTemplate t = make_template(Proto::icmp);
    const ProbeSpec s{.dst = 0x0a000002, .ttl = 4, .flow_id = 1};
    auto f = encode(t, s, 1234);
    EXPECT_FALSE(decode_probe(f, t.run_id + 1).has_value()); // another run
    for (size_t n = 0; n < f.size(); ++n) // every truncation
        EXPECT_FALSE(decode_probe(std::span<const uint8_t>(f.data(), n), t.run_id).has_value()) << n;
    auto bad = f;
    bad[12] = 0x86; // IPv6 ethertype
    EXPECT_FALSE(decode_probe(bad, t.run_id).has_value());
    bad = f;
    bad[14] = 0x44; // IHL 4
    EXPECT_FALSE(decode_probe(bad, t.run_id).has_value());
    bad = f;
    bad[44] ^= 0x01; // flip a payload bit: checksum breaks
    auto d = decode_probe(bad, t.run_id);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->checksums_ok);
    bad = f;
    bad[22] = 9; // TTL no longer matches the copies in IP ID and payload (and IP checksum)
    d = decode_probe(bad, t.run_id);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->checksums_ok);
}

TEST(ProbeEncoder, Ts24Clock)
{
    EXPECT_EQ(ts24_from_ns(0), 0u);
    EXPECT_EQ(ts24_from_ns(PM_TS_UNIT_NS * 5 + 1), 5u);
    EXPECT_EQ(ts24_from_ns(PM_TS_UNIT_NS * (uint64_t{PM_TS_MASK} + 3)), 2u); // wraps
    const uint32_t a = now_ts24();
    EXPECT_LE(a, PM_TS_MASK);
}
