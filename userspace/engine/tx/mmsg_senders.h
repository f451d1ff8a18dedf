// Fallback senders built on sendmmsg: AF_PACKET (whole Ethernet frames, the
// kernel adds nothing) and a raw IPv4 socket (the kernel routes and resolves
// the neighbour itself, we hand it IP packets with our header).
#pragma once

#include <memory>

#include "userspace/engine/tx/sender.h"

namespace pathmap::tx {

std::unique_ptr<Sender> make_packet_sender(const SenderConfig &);
std::unique_ptr<Sender> make_raw_sender(const SenderConfig &);

} // namespace pathmap::tx
