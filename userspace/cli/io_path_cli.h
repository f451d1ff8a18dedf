// --tx and --rx, the send and receive paths, as sweep and mtr offer them.
#pragma once

#include <string>

#include "userspace/engine/rx/reply_rx_program.h"
#include "userspace/engine/tx/sender.h"

namespace CLI {
class App;
}

namespace pathmap::cli {

struct IoPathOptions {
    std::string tx = "afxdp";
    std::string rx = "auto";
    tx::TxKind tx_kind() const;  // validated by the option's check
    rx::RxPath rx_path() const;
};
void add_io_path_options(CLI::App &cmd, IoPathOptions &o);

} // namespace pathmap::cli
