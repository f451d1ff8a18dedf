// A scanner for the traces.jsonl lines pathmap writes, about ten times faster
// than building a JSON tree per line (the ingest benchmark needs >= 1M hops/s).
// Anything it does not expect makes it give up; the caller then uses
// nlohmann::json, so correctness never depends on this file.
#include <charconv>
#include <cstring>

#include "graph/input_formats.h"

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
    // Strings without escapes only; an escape means "use the slow path".
    bool string(std::string_view &out)
    {
        if (!eat('"')) return false;
        const char *s = p;
        while (p < end && *p != '"') {
            if (*p == '\\') return false;
            ++p;
        }
        if (p >= end) return false;
        out = std::string_view(s, static_cast<size_t>(p - s));
        ++p;
        return true;
    }
    bool number(double &out)
    {
        ws();
        auto r = std::from_chars(p, end, out);
        if (r.ec != std::errc()) return false;
        p = r.ptr;
        return true;
    }
    bool integer(long long &out)
    {
        ws();
        auto r = std::from_chars(p, end, out);
        if (r.ec != std::errc() || (r.ptr < end && (*r.ptr == '.' || *r.ptr == 'e' || *r.ptr == 'E'))) return false;
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

bool parse_hop(Cursor &c, Hop &h)
{
    if (!c.eat('{')) return false;
    bool have_ttl = false;
    if (c.eat('}')) return false;
    do {
        std::string_view key;
        if (!c.string(key) || !c.eat(':')) return false;
        long long i = 0;
        if (key == "ttl") {
            if (!c.integer(i) || i < 0 || i > 255) return false;
            h.ttl = static_cast<uint8_t>(i);
            have_ttl = true;
        } else if (key == "addr" || key == "rdns") {
            if (c.literal("null")) continue;
            std::string_view s;
            if (!c.string(s)) return false;
            if (key == "addr") h.addr.assign(s);
            else h.rdns = std::string(s);
        } else if (key == "rtt_ms") {
            if (!c.number(h.rtt_ms)) return false;
        } else if (key == "icmp_type" || key == "icmp_code" || key == "reply_ttl" || key == "quoted_ttl") {
            if (!c.integer(i) || i < -1 || i > 255) return false;
            int v = static_cast<int>(i);
            if (key == "icmp_type") h.icmp_type = v;
            else if (key == "icmp_code") h.icmp_code = v;
            else if (key == "reply_ttl") h.reply_ttl = v;
            else h.quoted_ttl = v;
        } else if (key == "mpls_labels") {
            if (!c.eat('[')) return false;
            if (!c.eat(']')) {
                do {
                    if (!c.integer(i) || i < 0 || i > 0xfffff) return false;
                    h.mpls_labels.push_back(static_cast<uint32_t>(i));
                } while (c.eat(','));
                if (!c.eat(']')) return false;
            }
        } else {
            return false;
        }
    } while (c.eat(','));
    return c.eat('}') && have_ttl;
}

} // namespace

bool parse_trace_line_fast(std::string_view line, Trace &t)
{
    Cursor c{line.data(), line.data() + line.size()};
    // Reset field by field so the caller can reuse the trace's buffers.
    t.dst.clear();
    t.flow_id = 0;
    t.reached = false;
    t.stop_reason.clear();
    t.hops.clear();
    if (!c.eat('{')) return false;
    bool have_dst = false, have_hops = false;
    do {
        std::string_view key;
        if (!c.string(key) || !c.eat(':')) return false;
        if (key == "dst") {
            std::string_view s;
            if (!c.string(s)) return false;
            t.dst.assign(s);
            have_dst = true;
        } else if (key == "flow_id") {
            long long i = 0;
            if (!c.integer(i) || i < 0 || i > 65535) return false;
            t.flow_id = static_cast<uint16_t>(i);
        } else if (key == "reached") {
            if (!c.boolean(t.reached)) return false;
        } else if (key == "stop_reason") {
            std::string_view s;
            if (!c.string(s)) return false;
            t.stop_reason.assign(s);
        } else if (key == "hops") {
            if (!c.eat('[')) return false;
            have_hops = true;
            if (c.eat(']')) continue;
            do {
                Hop h;
                if (!parse_hop(c, h)) return false;
                t.hops.push_back(std::move(h));
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

} // namespace pathmap::graph
