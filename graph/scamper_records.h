// scamper's trace and tracelb records as sc_warts2json prints them, reduced
// to the fields pathmap maps. Both scamper readers fill these — the JSON
// reader from sc_warts2json's text (scamper_reader.cpp), the warts reader
// from the binary file (warts_reader.cpp) — and one mapping turns them into
// Traces, so a .warts file and its sc_warts2json output give the same Traces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pathmap/trace.h"

namespace pathmap::graph
{

// One reply of a trace record ("hops" in the JSON). Addresses are scamper's
// text: a dotted quad, IPv6 (an IPv4-mapped one stands for IPv4), or other.
struct ScamperTraceHop {
    long long probe_ttl = 0; // 0: missing
    std::string addr;
    std::string name;        // "" when none
    double rtt_ms = 0.0;
    int icmp_type = -1;      // -1: not an ICMP reply (absent in the JSON)
    int icmp_code = -1;
    int reply_ttl = 0;
    int quoted_ttl = 0;      // icmp_q_ttl; 0 when absent
    std::vector<uint32_t> mpls_labels;
};

struct ScamperTrace {
    std::string dst;
    long long firsthop = 1;
    long long hop_count = 0;
    std::string stop_reason; // scamper's name: COMPLETED, UNREACH, GAPLIMIT, ...
    std::vector<ScamperTraceHop> hops;
};

// A tracelb reply as printed below a probe.
struct ScamperLbReply {
    double rtt_ms = 0.0;
    int reply_ttl = 0;
    int icmp_type = -1;
    int icmp_code = -1;
    int quoted_ttl = 0;
    std::vector<uint32_t> mpls_labels;
};

// A probe as printed below a link entry: its replies from the entry's address.
struct ScamperLbProbe {
    long long ttl = 0;
    long long flowid = -1; // -1: absent
    long long replyc = 0;
    std::vector<ScamperLbReply> replies;
};

// One entry of a node's "links": an address (or "*") and its probes.
struct ScamperLbEntry {
    std::string addr;
    std::vector<ScamperLbProbe> probes;
};

struct ScamperLbNode {
    std::string addr;
    std::vector<ScamperLbEntry> entries; // every link group flattened, in order
};

struct ScamperTracelb {
    std::string dst;
    long long firsthop = 1;
    std::vector<ScamperLbNode> nodes; // nodes with at least one link, as printed
};

// Appends the Traces of one record (see scamper_reader.cpp for how a tracelb
// becomes paths). `dst` is the record's destination as IPv4 text. Throws
// InputError naming `name` for a record that cannot be read.
void scamper_trace_to_traces(const ScamperTrace &t, const std::string &dst, const std::string &name,
                             std::vector<Trace> &out);
void scamper_tracelb_to_traces(const ScamperTracelb &t, const std::string &dst, const std::string &name,
                               std::vector<Trace> &out);

// Counts records and the IPv6 ones skipped, and logs the skip once at the end.
class ScamperRecordTally
{
  public:
    // The record's destination as IPv4 text, or "" for an IPv6 record (counted,
    // to be skipped). Throws InputError for a destination that is no address.
    std::string destination(const std::string &type, const std::string &dst, const std::string &name);
    void log(const std::string &name) const;

  private:
    size_t records_ = 0, ipv6_ = 0;
};

} // namespace pathmap::graph
