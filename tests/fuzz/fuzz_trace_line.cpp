// libFuzzer target: the traces.jsonl fast path (graph/fast_trace_line.cpp)
// against nlohmann's reading of the same line. The fast path may give up on
// any line (the caller then parses it with nlohmann), but a line it accepts
// must be one nlohmann accepts too, read to the same Trace
// (parse_trace_line_fast) and to the same builder input as
// TopologyBuilder::add(const Trace &) makes of it (parse_trace_line_replies).
// Any disagreement aborts, with both readings on stderr.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "graph/input_formats.h"
#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"
#include "pathmap/trace_io.h"

namespace {

using pathmap::Hop;
using pathmap::Trace;
using pathmap::graph::TopologyBuilder;
using pathmap::graph::TraceLineReplies;

[[noreturn]] void disagree(std::string_view line, const std::string &what)
{
    std::fprintf(stderr, "fuzz_trace_line: fast path and nlohmann disagree: %s\nline: %.*s\n", what.c_str(),
                 static_cast<int>(line.size()), line.data());
    std::abort();
}

std::string opt(const std::optional<std::string> &s) { return s ? '"' + *s + '"' : std::string("(none)"); }

// The first field in which two readings differ, "" when none does.
std::string diff(const Trace &a, const Trace &b)
{
    if (a.dst != b.dst) return "dst '" + a.dst + "' vs '" + b.dst + "'";
    if (a.flow_id != b.flow_id) return "flow_id " + std::to_string(a.flow_id) + " vs " + std::to_string(b.flow_id);
    if (a.reached != b.reached) return "reached";
    if (a.stop_reason != b.stop_reason) return "stop_reason '" + a.stop_reason + "' vs '" + b.stop_reason + "'";
    if (a.first_ttl != b.first_ttl) return "first_ttl";
    if (a.hops.size() != b.hops.size())
        return "hop count " + std::to_string(a.hops.size()) + " vs " + std::to_string(b.hops.size());
    for (size_t i = 0; i < a.hops.size(); i++) {
        const Hop &x = a.hops[i], &y = b.hops[i];
        const std::string at = "hop " + std::to_string(i) + ": ";
        if (x.ttl != y.ttl) return at + "ttl " + std::to_string(x.ttl) + " vs " + std::to_string(y.ttl);
        if (x.addr != y.addr) return at + "addr '" + x.addr + "' vs '" + y.addr + "'";
        if (x.rtt_ms != y.rtt_ms) return at + "rtt_ms " + std::to_string(x.rtt_ms) + " vs " + std::to_string(y.rtt_ms);
        if (x.icmp_type != y.icmp_type) return at + "icmp_type";
        if (x.icmp_code != y.icmp_code) return at + "icmp_code";
        if (x.reply_ttl != y.reply_ttl) return at + "reply_ttl";
        if (x.quoted_ttl != y.quoted_ttl) return at + "quoted_ttl";
        if (x.mpls_labels != y.mpls_labels)
            return at + "mpls_labels (" + std::to_string(x.mpls_labels.size()) + " vs " +
                   std::to_string(y.mpls_labels.size()) + ")";
        if (x.rdns != y.rdns) return at + "rdns " + opt(x.rdns) + " vs " + opt(y.rdns);
        if (x.asn != y.asn) return at + "asn";
        if (x.as_name != y.as_name) return at + "as_name " + opt(x.as_name) + " vs " + opt(y.as_name);
        if (x.country != y.country) return at + "country " + opt(x.country) + " vs " + opt(y.country);
    }
    return {};
}

// A reused Trace full of leftovers: the fast path must reset every field.
Trace stale_trace()
{
    Trace t{.dst = "203.0.113.9", .flow_id = 7, .reached = true, .stop_reason = "loop", .first_ttl = 3};
    t.hops.push_back(Hop{.ttl = 9, .addr = "198.51.100.1", .mpls_labels = {1, 2}, .rdns = "stale"});
    return t;
}

// nlohmann's reading, or disagreement: the fast path accepted the line.
Trace reference(std::string_view line, const char *which)
{
    try {
        return pathmap::trace_from_json(nlohmann::json::parse(line));
    } catch (const std::exception &e) {
        disagree(line, std::string(which) + " accepted a line nlohmann rejects: " + e.what());
    }
}

void check_trace(std::string_view line)
{
    Trace fast = stale_trace();
    if (!pathmap::graph::parse_trace_line_fast(line, fast)) return;
    const Trace slow = reference(line, "parse_trace_line_fast");
    if (std::string d = diff(fast, slow); !d.empty()) disagree(line, "parse_trace_line_fast vs nlohmann: " + d);
}

void check_replies(std::string_view line)
{
    TraceLineReplies fast;
    fast.dst = 1;
    fast.flow_id = 2;
    fast.reached = true;
    fast.replies.resize(3);
    fast.names.resize(2);
    if (!pathmap::graph::parse_trace_line_replies(line, fast)) return;
    const Trace slow = reference(line, "parse_trace_line_replies");
    auto d = [&](const std::string &what) { disagree(line, "parse_trace_line_replies vs nlohmann: " + what); };
    // What TopologyBuilder::add(const Trace &) hands add_path; a line it
    // would reject must not get through the fast path.
    auto dst = pathmap::parse_ipv4(slow.dst);
    if (!dst) d("destination '" + slow.dst + "' is not IPv4");
    if (*dst != fast.dst) d("dst");
    if (slow.flow_id != fast.flow_id) d("flow_id");
    if (slow.reached != fast.reached) d("reached");
    if (slow.first_ttl != fast.first_ttl) d("first_ttl");
    if (slow.hops.size() != fast.replies.size()) d("hop count");
    size_t names = 0;
    for (size_t i = 0; i < slow.hops.size(); i++) {
        const Hop &h = slow.hops[i];
        const TopologyBuilder::Reply &r = fast.replies[i];
        const std::string at = "hop " + std::to_string(i) + ": ";
        if (r.ttl != h.ttl) d(at + "ttl");
        // add() narrows rtt_ms to float; a value float cannot hold is
        // undefined behaviour there, so the fast path must not pass one on.
        if (!(std::fabs(h.rtt_ms) <= std::numeric_limits<float>::max())) d(at + "rtt_ms out of float range");
        if (r.rtt_ms != static_cast<float>(h.rtt_ms)) d(at + "rtt_ms");
        if (r.reply_ttl != static_cast<uint8_t>(std::clamp(h.reply_ttl, 0, 255))) d(at + "reply_ttl");
        if (r.quoted_ttl != TopologyBuilder::tunnel_quoted_ttl(h.icmp_type, h.quoted_ttl)) d(at + "quoted_ttl");
        if (r.mpls != !h.mpls_labels.empty()) d(at + "mpls");
        if (r.distance != TopologyBuilder::unreachable_distance(h.icmp_type, h.ttl, h.quoted_ttl)) d(at + "distance");
        if (h.addr.empty()) {
            if (r.addr != 0) d(at + "address of a silent hop");
            continue;
        }
        auto a = pathmap::parse_ipv4(h.addr);
        if (!a) d(at + "address '" + h.addr + "' is not IPv4");
        if (r.addr != *a) d(at + "addr");
        if (names >= fast.names.size()) d(at + "name missing");
        const auto &n = fast.names[names++];
        if (n.ttl != h.ttl) d(at + "name ttl");
        if (n.name != (h.rdns ? std::string_view(*h.rdns) : std::string_view())) d(at + "rdns");
    }
    if (names != fast.names.size()) d("name count");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // libFuzzer's buffer holds exactly `size` bytes: ASan sees any read past the line.
    const std::string_view line(reinterpret_cast<const char *>(data), size);
    check_trace(line);
    check_replies(line);
    return 0;
}
