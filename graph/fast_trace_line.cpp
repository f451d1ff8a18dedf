// A scanner for the traces.jsonl lines pathmap writes, about ten times faster
// than building a JSON tree per line (the ingest benchmark needs >= 1M hops/s).
// Anything it does not expect makes it give up; the caller then uses
// nlohmann::json, so correctness never depends on this file.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "graph/input_formats.h"
#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

namespace {

struct Cursor {
    const char *p;
    const char *end;

    void ws()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    }
    bool eat(char c)
    {
        ws();
        if (p < end && *p == c) {
            ++p;
            return true;
        }
        return false;
    }
    bool peek(char c)
    {
        ws();
        return p < end && *p == c;
    }
    // Strings of printable ASCII only: an escape means "use the slow path",
    // and so do a control character (invalid JSON) and a non-ASCII byte
    // (nlohmann checks that it is UTF-8).
    bool string(std::string_view &out)
    {
        if (!eat('"')) return false;
        const char *s = p;
        while (p < end && *p != '"') {
            const auto b = static_cast<unsigned char>(*p);
            if (b == '\\' || b < 0x20 || b >= 0x80) return false;
            ++p;
        }
        if (p >= end) return false;
        out = std::string_view(s, static_cast<size_t>(p - s));
        ++p;
        return true;
    }
    // One past a JSON number at p (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
    // else nullptr. from_chars alone also takes "01", "1.", ".5", "inf" and
    // "nan", which are not JSON. `fraction` says whether "." or "e" occurs.
    const char *number_end(bool &fraction) const
    {
        auto digits = [&](const char *q) {
            while (q < end && *q >= '0' && *q <= '9') ++q;
            return q;
        };
        const char *q = p;
        if (q < end && *q == '-') ++q;
        if (q >= end || *q < '0' || *q > '9') return nullptr;
        q = *q == '0' ? q + 1 : digits(q);
        fraction = false;
        if (q < end && *q == '.') {
            const char *f = digits(q + 1);
            if (f == q + 1) return nullptr;
            q = f;
            fraction = true;
        }
        if (q < end && (*q == 'e' || *q == 'E')) {
            ++q;
            if (q < end && (*q == '+' || *q == '-')) ++q;
            const char *e = digits(q);
            if (e == q) return nullptr;
            q = e;
            fraction = true;
        }
        return q;
    }
    bool number(double &out)
    {
        ws();
        bool fraction;
        const char *e = number_end(fraction);
        if (!e) return false;
        auto r = std::from_chars(p, e, out);
        if (r.ec != std::errc() || r.ptr != e) return false;
        p = r.ptr;
        return true;
    }
    bool integer(long long &out)
    {
        ws();
        bool fraction;
        const char *e = number_end(fraction);
        if (!e || fraction) return false;
        auto r = std::from_chars(p, e, out);
        if (r.ec != std::errc() || r.ptr != e) return false;
        p = r.ptr;
        return true;
    }
    bool literal(const char *word)
    {
        ws();
        size_t n = std::strlen(word);
        if (static_cast<size_t>(end - p) < n || std::memcmp(p, word, n) != 0) return false;
        p += n;
        return true;
    }
    bool boolean(bool &out)
    {
        if (literal("true")) return out = true, true;
        if (literal("false")) return out = false, true;
        return false;
    }
};

// Where parse_hop puts a hop's fields: a pathmap::Hop, or a builder Reply
// with its rDNS name (TraceSink / ReplySink below).
struct HopSink {
    Hop &h;
    bool ttl(long long v)
    {
        h.ttl = static_cast<uint8_t>(v);
        return true;
    }
    bool addr(std::string_view s)
    {
        h.addr.assign(s);
        return true;
    }
    void rdns(std::string_view s) { h.rdns = std::string(s); }
    void asn(long long v) { h.asn = v; }
    void owner_text(std::string_view key, std::string_view s) { (key == "as_name" ? h.as_name : h.country) = std::string(s); }
    double &rtt() { return h.rtt_ms; }
    void icmp_type(int v) { h.icmp_type = v; }
    void icmp_code(int v) { h.icmp_code = v; }
    void reply_ttl(int v) { h.reply_ttl = v; }
    void quoted_ttl(int v) { h.quoted_ttl = v; }
    void label(uint32_t v) { h.mpls_labels.push_back(v); }
};

// Converts as TopologyBuilder::add(const Trace &) does; an address that is
// not a dotted quad makes the line take the slow path (which reports it).
struct ReplySink {
    TopologyBuilder::Reply &r;
    TopologyBuilder::HopName &name;
    bool has_addr = false;
    double rtt_ms = 0.0;
    bool ttl(long long v)
    {
        r.ttl = name.ttl = static_cast<uint8_t>(v);
        return true;
    }
    bool addr(std::string_view s)
    {
        if (s.empty()) {
            has_addr = false;
            r.addr = 0;
            return true;
        }
        auto a = parse_ipv4(s);
        if (!a) return false;
        r.addr = *a;
        has_addr = true;
        return true;
    }
    void rdns(std::string_view s) { name.name = s; }
    void asn(long long) {} // the graph asks its own location database
    void owner_text(std::string_view, std::string_view) {}
    double &rtt() { return rtt_ms; }
    int type = -1, quoted = 0; // combined after the hop: keys come in any order
    void icmp_type(int v) { type = v; }
    void icmp_code(int) {}
    void reply_ttl(int v) { r.reply_ttl = static_cast<uint8_t>(std::clamp(v, 0, 255)); }
    void quoted_ttl(int v) { quoted = v; }
    void label(uint32_t) { r.mpls = true; }
};

// A key seen twice in one object makes the line take the slow path:
// nlohmann keeps the last value, where the sinks would merge the two (labels
// appended, a null not clearing the address). `seen` holds one bit per key.
inline bool first_time(unsigned &seen, unsigned bit)
{
    if (seen & bit) return false;
    seen |= bit;
    return true;
}

template <class Sink>
bool parse_hop(Cursor &c, Sink &h)
{
    if (!c.eat('{')) return false;
    bool have_ttl = false;
    unsigned seen = 0;
    if (c.eat('}')) return false;
    do {
        std::string_view key;
        if (!c.string(key) || !c.eat(':')) return false;
        long long i = 0;
        if (key == "ttl") {
            if (!first_time(seen, 1u << 0)) return false;
            if (!c.integer(i) || i < 0 || i > 255 || !h.ttl(i)) return false;
            have_ttl = true;
        } else if (key == "addr" || key == "rdns") {
            if (!first_time(seen, key == "addr" ? 1u << 1 : 1u << 2)) return false;
            if (c.literal("null")) continue;
            std::string_view s;
            if (!c.string(s)) return false;
            if (key == "rdns") h.rdns(s);
            else if (!h.addr(s)) return false;
        } else if (key == "asn") {
            if (!first_time(seen, 1u << 3)) return false;
            if (!c.integer(i) || i < 0 || i > 0xffffffffLL) return false;
            h.asn(i);
        } else if (key == "as_name" || key == "country") {
            if (!first_time(seen, key == "as_name" ? 1u << 4 : 1u << 5)) return false;
            std::string_view s;
            if (!c.string(s)) return false;
            h.owner_text(key, s);
        } else if (key == "rtt_ms") {
            if (!first_time(seen, 1u << 6)) return false;
            if (!c.number(h.rtt())) return false;
        } else if (key == "icmp_type" || key == "icmp_code" || key == "reply_ttl" || key == "quoted_ttl") {
            const unsigned bit = key == "icmp_type" ? 1u << 7 : key == "icmp_code" ? 1u << 8
                                 : key == "reply_ttl" ? 1u << 9 : 1u << 10;
            if (!first_time(seen, bit) || !c.integer(i) || i < -1 || i > 255) return false;
            int v = static_cast<int>(i);
            if (bit == 1u << 7) h.icmp_type(v);
            else if (bit == 1u << 8) h.icmp_code(v);
            else if (bit == 1u << 9) h.reply_ttl(v);
            else h.quoted_ttl(v);
        } else if (key == "mpls_labels") {
            if (!first_time(seen, 1u << 11) || !c.eat('[')) return false;
            if (!c.eat(']')) {
                do {
                    if (!c.integer(i) || i < 0 || i > 0xfffff) return false;
                    h.label(static_cast<uint32_t>(i));
                } while (c.eat(','));
                if (!c.eat(']')) return false;
            }
        } else {
            return false;
        }
    } while (c.eat(','));
    return c.eat('}') && have_ttl;
}

// The line's top level; `hop(c)` parses one element of "hops".
template <class Dst, class Hops>
bool parse_line(std::string_view line, Dst dst, uint16_t &flow_id, uint8_t &first_ttl, bool &reached,
                std::string *stop_reason, Hops hop)
{
    Cursor c{line.data(), line.data() + line.size()};
    if (!c.eat('{')) return false;
    bool have_dst = false, have_hops = false;
    unsigned seen = 0;
    do {
        std::string_view key;
        if (!c.string(key) || !c.eat(':')) return false;
        if (key == "dst") {
            if (!first_time(seen, 1u << 0)) return false;
            std::string_view s;
            if (!c.string(s) || !dst(s)) return false;
            have_dst = true;
        } else if (key == "flow_id") {
            if (!first_time(seen, 1u << 1)) return false;
            long long i = 0;
            if (!c.integer(i) || i < 0 || i > 65535) return false;
            flow_id = static_cast<uint16_t>(i);
        } else if (key == "first_ttl") {
            if (!first_time(seen, 1u << 2)) return false;
            long long i = 0;
            if (!c.integer(i) || i < 0 || i > 255) return false;
            first_ttl = static_cast<uint8_t>(i);
        } else if (key == "reached") {
            if (!first_time(seen, 1u << 3) || !c.boolean(reached)) return false;
        } else if (key == "stop_reason") {
            if (!first_time(seen, 1u << 4)) return false;
            std::string_view s;
            if (!c.string(s)) return false;
            if (stop_reason) stop_reason->assign(s);
        } else if (key == "hops") {
            if (!first_time(seen, 1u << 5) || !c.eat('[')) return false;
            have_hops = true;
            if (c.eat(']')) continue;
            do {
                if (!hop(c)) return false;
            } while (c.eat(','));
            if (!c.eat(']')) return false;
        } else {
            return false;
        }
    } while (c.eat(','));
    if (!c.eat('}')) return false;
    c.ws();
    return c.p == c.end && have_dst && have_hops;
}

} // namespace

bool parse_trace_line_fast(std::string_view line, Trace &t)
{
    // Reset field by field so the caller can reuse the trace's buffers.
    t.dst.clear();
    t.flow_id = 0;
    t.first_ttl = 0;
    t.reached = false;
    t.stop_reason.clear();
    t.hops.clear();
    auto dst = [&](std::string_view s) {
        t.dst.assign(s);
        return true;
    };
    auto hop = [&](Cursor &c) {
        Hop h;
        HopSink sink{h};
        if (!parse_hop(c, sink)) return false;
        t.hops.push_back(std::move(h));
        return true;
    };
    return parse_line(line, dst, t.flow_id, t.first_ttl, t.reached, &t.stop_reason, hop);
}

bool parse_trace_line_replies(std::string_view line, TraceLineReplies &out)
{
    out.dst = 0;
    out.flow_id = 0;
    out.first_ttl = 0;
    out.reached = false;
    out.replies.clear();
    out.names.clear();
    auto dst = [&](std::string_view s) {
        auto a = parse_ipv4(s);
        if (a) out.dst = *a;
        return a.has_value();
    };
    auto hop = [&](Cursor &c) {
        TopologyBuilder::Reply r;
        TopologyBuilder::HopName name;
        ReplySink sink{r, name};
        if (!parse_hop(c, sink)) return false;
        // A hop known by name only (no addr, an rdns) is a named vertex: the slow path builds it.
        if (!sink.has_addr && !name.name.empty()) return false;
        // Narrowed to float as add(const Trace &) does; a value float cannot
        // hold (undefined behaviour to convert) is left to the slow path.
        if (!(std::fabs(sink.rtt_ms) <= std::numeric_limits<float>::max())) return false;
        r.rtt_ms = static_cast<float>(sink.rtt_ms);
        r.quoted_ttl = TopologyBuilder::tunnel_quoted_ttl(sink.type, sink.quoted);
        r.distance = TopologyBuilder::unreachable_distance(sink.type, r.ttl, sink.quoted);
        out.replies.push_back(r);
        if (sink.has_addr) out.names.push_back(name);
        return true;
    };
    return parse_line(line, dst, out.flow_id, out.first_ttl, out.reached, nullptr, hop);
}

} // namespace pathmap::graph
