// pathmap mtr --db: an mtr run as hop-store rows. Its report rows become
// mtr_hops (one per target, hop and address, mtr's counts and RTTs); each
// Paris flow's path becomes a trace (what `pathmap graph --db` and `diff`
// read), its hops the address most of that flow's replies came from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "userspace/cli/store_cli.h"
#include "userspace/mtr/mtr_run.h"
#include "userspace/store/store.h"

namespace pathmap::cli
{

struct MtrStoreRows {
    std::vector<Trace> traces;
    std::vector<store::MtrHopRow> mtr_hops;
};

// name_of: the reverse DNS name of a hop address, if known (may be empty).
MtrStoreRows mtr_store_rows(const mtr::MtrRun &run,
                            const std::function<std::optional<std::string>(uint32_t)> &name_of = {});

struct MtrStoreInput {
    const mtr::MtrRun &run;
    std::string targets; // as the user wrote them
    std::string proto;
    uint16_t dst_port = 0; // 0 for ICMP
    uint64_t pps = 0;
    nlohmann::json parameters = nlohmann::json::object();
    store::Clock::time_point started;
    bool complete = true; // false: cut short before its rounds were sent
    std::function<std::optional<std::string>(uint32_t)> name_of;
};

// Stores the run as one scan (mode "mtr"); nothing is thrown.
std::optional<StoreFailure> store_mtr(const store::DbUrl &url, const StoreCliOptions &o,
                                      const MtrStoreInput &in);

} // namespace pathmap::cli
