// Compressed inputs: CAIDA Ark publishes its warts as .warts.gz, and people
// gzip their traceroute and JSON files. A gzip stream (several members, as
// `cat a.gz b.gz` makes) is inflated in memory before the format is detected,
// so every reader takes compressed files without a conversion step.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pathmap::graph {

// True when the bytes start with gzip's magic number (1f 8b).
bool is_gzip(std::string_view bytes) noexcept;

// The inflated bytes of a gzip stream. A corrupt or truncated stream, or one
// that inflates past max_bytes, throws InputError naming `name`.
std::string gunzip(std::string_view bytes, const std::string &name, size_t max_bytes = size_t{8} << 30);

} // namespace pathmap::graph
