// Facts about a network interface the senders need: index, MAC, queues.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace pathmap::tx {

// Throws std::runtime_error("interface X does not exist") when absent.
int iface_index(const std::string &iface);
std::string iface_name(int ifindex); // "" when absent
std::array<uint8_t, 6> iface_mac(const std::string &iface);
// TX-capable queues (ETHTOOL_GCHANNELS combined or tx count); 1 when the
// driver does not report channels.
uint32_t iface_tx_queues(const std::string &iface) noexcept;

// "Operation not permitted (errno 1)"
std::string errno_text(int err);

} // namespace pathmap::tx
