// scamper's binary warts format, decoded from bytes in memory (no I/O):
// list, cycle and address records are checked and kept as the state later
// records refer to; trace (type 6) and tracelb (type 8) records become the
// records sc_warts2json would print (graph/scamper_records.h); every other
// record type (ping, dealias, ...) is skipped by its length and counted.
// The layout follows scamper 20211212 (scamper_file_warts.c,
// scamper_trace_warts.c, scamper_tracelb_warts.c): each record is an 8-byte
// header (magic 0x1205, type, length, big-endian), its optional fields a
// flags bitmap (7 bits a byte, the top bit says another byte follows), a
// 16-bit length and the fields present, in flag order; fields a newer
// scamper added past the ones known here are skipped by that length.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "graph/scamper_records.h"

namespace pathmap::graph
{

inline constexpr unsigned kWartsMagic = 0x1205;

struct WartsContents {
    std::vector<std::variant<ScamperTrace, ScamperTracelb>> records; // in file order
    std::map<unsigned, size_t> skipped;                              // record type -> count
};

// True when the bytes start like a warts file (the magic, then a record type).
bool looks_like_warts(std::string_view head);

// Throws InputError "name: warts record N (type T) at byte B: what" for a
// file cut short or damaged; never reads outside `bytes`.
WartsContents decode_warts(std::string_view bytes, const std::string &name);

} // namespace pathmap::graph
