// --tx and --rx for sweep and mtr.
#include "userspace/cli/io_path_cli.h"

#include <CLI/CLI.hpp>

namespace pathmap::cli {

tx::TxKind IoPathOptions::tx_kind() const
{
    if (tx == "packet") return tx::TxKind::packet;
    if (tx == "raw") return tx::TxKind::raw;
    return tx::TxKind::afxdp;
}

rx::RxPath IoPathOptions::rx_path() const
{
    if (rx == "xdp") return rx::RxPath::xdp;
    if (rx == "packet") return rx::RxPath::packet;
    return rx::RxPath::automatic;
}

void add_io_path_options(CLI::App &cmd, IoPathOptions &o)
{
    cmd.add_option("--tx", o.tx,
                   "Send path: afxdp (AF_XDP, falls back to packet then raw if unavailable), packet (AF_PACKET), raw "
                   "(raw IP socket)")
        ->check(CLI::IsMember({"afxdp", "packet", "raw"}))
        ->capture_default_str();
    cmd.add_option("--rx", o.rx,
                   "Receive path: auto (the XDP program; an AF_PACKET socket when another program, e.g. a second "
                   "pathmap run, holds the interface's XDP hook), xdp (XDP or fail), packet (always the socket)")
        ->check(CLI::IsMember({"auto", "xdp", "packet"}))
        ->capture_default_str();
}

} // namespace pathmap::cli
