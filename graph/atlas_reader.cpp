// RIPE Atlas traceroute results (an array, one object, or one per line) into
// Traces. Firmware 4460 onwards is read alike:
//   {"dst_addr": "...", "paris_id": 12, "result": [
//     {"hop": 1, "result": [{"from": "a.b.c.d", "rtt": 1.2, "ttl": 64, "ittl": 1,
//                           "icmpext": {"obj": [{"mpls": [{"label": 312848, ...}]}]}},
//                          {"x": "*"}, {"from": "...", "late": 3}, {"from": "...", "err": "H"}]}]}
// A result that cannot be graphed (an "error" instead of hops, no dst_addr,
// or only late replies, whose RTT Atlas did not measure) is skipped, and so
// are IPv6 results; one summary line counts them, and the rest is read.
#include <algorithm>
#include <string>
#include <thread>

#include "graph/input_formats.h"
#include "graph/reader_hops.h"
#include "graph/simd_json.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

namespace
{

// Atlas "err": the ICMP unreachable code as a letter (N, H, P, p, A/X) or a number.
int unreachable_code(JsonValue r)
{
    int64_t code = 0;
    if (r.at_key("err").get_int64().get(code) == simdjson::SUCCESS) return static_cast<int>(code);
    const std::string_view e = sj_string(r, "err");
    if (e == "N") return 0;
    if (e == "H") return 1;
    if (e == "P") return 2;
    if (e == "p") return 3;
    if (e == "A" || e == "X") return 13;
    return -1;
}

struct Skipped {
    size_t error = 0, no_dst = 0, late = 0, ipv6 = 0;
    size_t total() const { return error + no_dst + late + ipv6; }
};

// One part of the file's results: its traces and what it skipped.
struct PartResults {
    std::vector<Trace> traces;
    Skipped skipped;
    size_t results = 0;
};

// One result's hops; false when nothing in it answered in time.
bool read_hops(simdjson::dom::array result, const std::string &name, const std::string &dst, HopAlternatives &table)
{
    bool timely = false;
    for (JsonValue jh : result) {
        if (!jh.is_object()) throw InputError(name + ": traceroute to " + dst + ": a hop is not an object");
        const auto ttl = sj_int(jh, "hop");
        if (!ttl) {
            if (sj_has(jh, "error")) continue; // [{"error": "..."}]: no hop was probed
            throw InputError(name + ": traceroute to " + dst + ": hop without a number");
        }
        if (*ttl < 1 || *ttl > 255)
            throw InputError(name + ": traceroute to " + dst + ": hop number out of range");
        // {"error": "sendto failed...", "hop": 4}: that TTL never went out, so no hop.
        const auto replies = sj_array(jh, "result");
        if (!replies) continue;
        table.probed(static_cast<int>(*ttl));
        // Timely replies first, so a branch's hop carries a measured RTT when one exists.
        for (int pass = 0; pass < 2; ++pass)
            for (JsonValue r : *replies) {
                if (!r.is_object() || sj_has(r, "x")) continue;
                const std::string_view from = sj_string(r, "from");
                auto v4 = ipv4_text(from);
                if (!v4) {
                    if (!from.empty() && !looks_like_ipv6(from))
                        throw InputError(name + ": traceroute to " + dst + ": bad address '" + std::string(from) + "'");
                    continue;
                }
                const auto rtt = sj_double(r, "rtt");
                if ((pass == 0) != rtt.has_value()) continue;
                timely = timely || rtt.has_value();
                Hop h{.ttl = static_cast<uint8_t>(*ttl), .addr = std::move(*v4), .rtt_ms = rtt.value_or(0.0)};
                h.rtt_known = rtt.has_value();
                h.reply_ttl = static_cast<int>(sj_int(r, "ttl").value_or(0));
                h.quoted_ttl = static_cast<int>(sj_int(r, "ittl").value_or(0));
                JsonValue ext;
                if (r.at_key("icmpext").get(ext) == simdjson::SUCCESS && ext.is_object())
                    if (const auto objs = sj_array(ext, "obj"))
                        for (JsonValue obj : *objs)
                            if (const auto mpls = sj_array(obj, "mpls"))
                                for (JsonValue l : *mpls)
                                    if (auto label = sj_int(l, "label"))
                                        h.mpls_labels.push_back(static_cast<uint32_t>(*label));
                if (sj_has(r, "err")) {
                    h.icmp_type = 3;
                    h.icmp_code = unreachable_code(r);
                }
                table.add(std::move(h));
            }
    }
    return timely;
}

void read_result(JsonValue j, const std::string &name, PartResults &part)
{
    if (!j.is_object()) throw InputError(name + ": Atlas results must be objects");
    if (sj_has(j, "type") && sj_string(j, "type") != "traceroute") return; // ping, dns, ...
    ++part.results;
    Skipped &skipped = part.skipped;
    const std::string_view dst = sj_string(j, "dst_addr");
    if (sj_int(j, "af").value_or(4) == 6 || looks_like_ipv6(dst)) {
        ++skipped.ipv6;
        return;
    }
    if (dst.empty()) {
        ++skipped.no_dst;
        return;
    }
    const auto result = sj_array(j, "result");
    if (sj_has(j, "error") || !result) {
        ++skipped.error;
        return;
    }
    auto v4 = ipv4_text(dst);
    if (!v4) throw InputError(name + ": dst_addr '" + std::string(dst) + "' is not an IP address");
    HopAlternatives table;
    const bool timely = read_hops(*result, name, *v4, table);
    if (table.responding_ttls() > 0 && !timely) {
        ++skipped.late;
        return;
    }
    if (table.empty()) { // every hop record an error: nothing was probed
        ++skipped.error;
        return;
    }
    Trace base;
    base.dst = *v4;
    base.flow_id = static_cast<uint16_t>(sj_int(j, "paris_id").value_or(0));
    if (const auto prb = sj_int(j, "prb_id")) base.vantage_id = std::to_string(*prb);
    for (Trace &t : table.traces(base))
        part.traces.push_back(std::move(t));
}

} // namespace

void read_atlas_json_in_rounds(std::string_view text, const std::string &name, size_t round_bytes,
                               const std::function<void(std::vector<Trace> &&)> &fn)
{
    // One result per line (the archive's and the PCS corpus's layout) is
    // read on two threads: each result is read alone.
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
    Skipped skipped;
    size_t results = 0, read = 0;
    read_json_records_in_rounds<PartResults>(
        text, name, threads, round_bytes / threads, [&](PartResults &part, JsonValue j) { read_result(j, name, part); },
        [&](std::vector<PartResults> &parts) {
            std::vector<Trace> out;
            size_t n = 0;
            for (const PartResults &p : parts)
                n += p.traces.size();
            out.reserve(n);
            for (PartResults &p : parts) {
                std::move(p.traces.begin(), p.traces.end(), std::back_inserter(out));
                p.traces = {};
                results += p.results;
                skipped.error += p.skipped.error;
                skipped.no_dst += p.skipped.no_dst;
                skipped.late += p.skipped.late;
                skipped.ipv6 += p.skipped.ipv6;
            }
            read += out.size();
            if (!out.empty()) fn(std::move(out));
        });
    if (results > 0 && skipped.ipv6 == results) {
        log::warn("{}: only IPv6 Atlas results ({}); pathmap graphs IPv4 only", name, results);
    } else if (skipped.total() > 0) {
        const std::string line = fmt::format(
            "{}: skipped {} of {} Atlas results ({} with an error, {} without dst_addr, {} with only "
            "late replies, {} IPv6)",
            name, skipped.total(), results, skipped.error, skipped.no_dst, skipped.late, skipped.ipv6);
        if (read == 0)
            log::warn("{}", line);
        else
            log::info("{}", line);
    }
}

std::vector<Trace> parse_atlas_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> all;
    read_atlas_json_in_rounds(text, name, 0, [&](std::vector<Trace> &&ts) {
        if (all.empty())
            all = std::move(ts);
        else
            std::move(ts.begin(), ts.end(), std::back_inserter(all));
    });
    return all;
}

} // namespace pathmap::graph
