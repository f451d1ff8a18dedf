// RIPE Atlas traceroute results (an array, one object, or one per line) into
// Traces. Firmware 4460 onwards is read alike:
//   {"dst_addr": "...", "paris_id": 12, "result": [
//     {"hop": 1, "result": [{"from": "a.b.c.d", "rtt": 1.2, "ttl": 64, "ittl": 1,
//                           "icmpext": {"obj": [{"mpls": [{"label": 312848, ...}]}]}},
//                          {"x": "*"}, {"from": "...", "late": 3}, {"from": "...", "err": "H"}]}]}
// A result that cannot be graphed (an "error" instead of hops, no dst_addr,
// or only late replies, whose RTT Atlas did not measure) is skipped, and so
// are IPv6 results; one summary line counts them, and the rest is read.
#include <string>

#include "graph/input_formats.h"
#include "graph/reader_hops.h"
#include "graph/reader_json.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

using nlohmann::json;

namespace
{

// Atlas "err": the ICMP unreachable code as a letter (N, H, P, p, A/X) or a number.
int unreachable_code(const json &err)
{
    if (err.is_number_integer()) return err.get<int>();
    const std::string e = err.is_string() ? err.get<std::string>() : std::string();
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

// One result's hops; false when nothing in it answered in time.
bool read_hops(const json &result, const std::string &name, const std::string &dst, HopAlternatives &table)
{
    bool timely = false;
    for (const json &jh : result) {
        if (!jh.is_object()) throw InputError(name + ": traceroute to " + dst + ": a hop is not an object");
        const auto ttl = json_int(jh, "hop");
        if (!ttl) {
            if (jh.contains("error")) continue; // [{"error": "..."}]: no hop was probed
            throw InputError(name + ": traceroute to " + dst + ": hop without a number");
        }
        if (*ttl < 1 || *ttl > 255)
            throw InputError(name + ": traceroute to " + dst + ": hop number out of range");
        // {"error": "sendto failed...", "hop": 4}: that TTL never went out, so no hop.
        if (!jh.contains("result") || !jh["result"].is_array()) continue;
        table.probed(static_cast<int>(*ttl));
        // Timely replies first, so a branch's hop carries a measured RTT when one exists.
        for (int pass = 0; pass < 2; ++pass)
            for (const json &r : jh["result"]) {
                if (!r.is_object() || r.contains("x")) continue;
                const std::string from = json_string(r, "from");
                auto v4 = ipv4_text(from);
                if (!v4) {
                    if (!from.empty() && !looks_like_ipv6(from))
                        throw InputError(name + ": traceroute to " + dst + ": bad address '" + from + "'");
                    continue;
                }
                const auto rtt = json_double(r, "rtt");
                if ((pass == 0) != rtt.has_value()) continue;
                timely = timely || rtt.has_value();
                Hop h{.ttl = static_cast<uint8_t>(*ttl), .addr = *v4, .rtt_ms = rtt.value_or(0.0)};
                h.rtt_known = rtt.has_value();
                h.reply_ttl = static_cast<int>(json_int(r, "ttl").value_or(0));
                h.quoted_ttl = static_cast<int>(json_int(r, "ittl").value_or(0));
                if (r.contains("icmpext") && r["icmpext"].is_object())
                    for (const json &obj : r["icmpext"].value("obj", json::array()))
                        for (const json &l : obj.value("mpls", json::array()))
                            if (auto label = json_int(l, "label"))
                                h.mpls_labels.push_back(static_cast<uint32_t>(*label));
                if (r.contains("err")) {
                    h.icmp_type = 3;
                    h.icmp_code = unreachable_code(r["err"]);
                }
                table.add(std::move(h));
            }
    }
    return timely;
}

} // namespace

std::vector<Trace> parse_atlas_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    Skipped skipped;
    size_t results = 0;
    for_each_json_record(text, name, [&](const json &j) {
        if (!j.is_object()) throw InputError(name + ": Atlas results must be objects");
        if (j.contains("type") && json_string(j, "type") != "traceroute") return; // ping, dns, ...
        ++results;
        const std::string dst = json_string(j, "dst_addr");
        if (json_int(j, "af").value_or(4) == 6 || looks_like_ipv6(dst)) {
            ++skipped.ipv6;
            return;
        }
        if (dst.empty()) {
            ++skipped.no_dst;
            return;
        }
        if (j.contains("error") || !j.contains("result") || !j["result"].is_array()) {
            ++skipped.error;
            return;
        }
        auto v4 = ipv4_text(dst);
        if (!v4) throw InputError(name + ": dst_addr '" + dst + "' is not an IP address");
        HopAlternatives table;
        const bool timely = read_hops(j["result"], name, *v4, table);
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
        base.flow_id = static_cast<uint16_t>(json_int(j, "paris_id").value_or(0));
        if (const auto prb = json_int(j, "prb_id")) base.vantage_id = std::to_string(*prb);
        for (Trace &t : table.traces(base))
            out.push_back(std::move(t));
    });
    if (results > 0 && skipped.ipv6 == results) {
        log::warn("{}: only IPv6 Atlas results ({}); pathmap graphs IPv4 only", name, results);
    } else if (skipped.total() > 0) {
        const std::string line = fmt::format(
            "{}: skipped {} of {} Atlas results ({} with an error, {} without dst_addr, {} with only "
            "late replies, {} IPv6)",
            name, skipped.total(), results, skipped.error, skipped.no_dst, skipped.late, skipped.ipv6);
        if (out.empty())
            log::warn("{}", line);
        else
            log::info("{}", line);
    }
    return out;
}

} // namespace pathmap::graph
