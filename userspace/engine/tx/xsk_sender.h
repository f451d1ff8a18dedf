// AF_XDP sender (libxdp xsk): one TX-only socket per device queue, each with
// its own UMEM of pre-encoded frames.
#pragma once

#include <memory>

#include "userspace/engine/tx/sender.h"

namespace pathmap::tx {

// UMEM budget across all queues: 2048 frames x 2 KiB = 4 MiB, well under the
// 8 MiB RLIMIT_MEMLOCK a process without CAP_IPC_LOCK gets here.
inline constexpr uint32_t kXskTotalFrames = 2048;
inline constexpr uint32_t kXskFrameSize = 2048;

std::unique_ptr<Sender> make_xsk_sender(const SenderConfig &);

} // namespace pathmap::tx
