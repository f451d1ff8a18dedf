// make_sender: the requested kind, or with allow_fallback the first kind
// that opens (AF_XDP -> AF_PACKET -> raw), saying why.
#include "userspace/engine/tx/sender.h"

#include <stdexcept>

#include "pathmap/log.h"
#include "userspace/engine/tx/mmsg_senders.h"
#include "userspace/engine/tx/xsk_sender.h"

namespace pathmap::tx {

const char *to_string(TxKind k) noexcept
{
    switch (k) {
    case TxKind::afxdp: return "afxdp";
    case TxKind::packet: return "packet";
    case TxKind::raw: return "raw";
    }
    return "?";
}

std::unique_ptr<Sender> make_sender(const SenderConfig &cfg)
{
    switch (cfg.kind) {
    case TxKind::raw: return make_raw_sender(cfg);
    case TxKind::packet:
        if (!cfg.allow_fallback) return make_packet_sender(cfg);
        try {
            return make_packet_sender(cfg);
        } catch (const std::runtime_error &e) {
            log::warn("{}; falling back to a raw socket (--tx raw)", e.what());
            return make_raw_sender(cfg);
        }
    case TxKind::afxdp:
        if (!cfg.allow_fallback) return make_xsk_sender(cfg);
        try {
            return make_xsk_sender(cfg);
        } catch (const std::runtime_error &e) {
            log::warn("{}; falling back to AF_PACKET sendmmsg (--tx packet)", e.what());
            SenderConfig c = cfg;
            c.kind = TxKind::packet;
            return make_sender(c);
        }
    }
    throw std::runtime_error("unknown transmit kind");
}

} // namespace pathmap::tx
