// The sweep's status line: rates over the interval, % done and ETA.
#include <gtest/gtest.h>

#include "userspace/engine/sweep/status_line.h"

using pathmap::sweep::format_status;
using pathmap::sweep::Progress;

TEST(SweepStatus, RatesPercentAndEta)
{
    const Progress prev{.sent = 10000, .received = 5000, .done = 0.1, .phase = "rounds"};
    const Progress now{.sent = 60000, .received = 30000, .done = 0.25, .phase = "rounds"};
    const std::string line = format_status(now, prev, 3.0, 1.0);
    EXPECT_NE(line.find("sent 60000 (50.0k/s)"), std::string::npos) << line;
    EXPECT_NE(line.find("recv 30000 (25.0k/s)"), std::string::npos) << line;
    EXPECT_NE(line.find("25.0% done"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA 9s"), std::string::npos) << line; // 3 s for 25%: 9 s to go
    EXPECT_NE(line.find("rounds"), std::string::npos) << line;
}

TEST(SweepStatus, EtaUnknownAtStartAndZeroAtEnd)
{
    EXPECT_NE(format_status(Progress{.done = 0.0}, Progress{}, 0.5, 0.5).find("ETA ?"), std::string::npos);
    EXPECT_NE(format_status(Progress{.sent = 2'500'000, .done = 1.0}, Progress{}, 1.0, 1.0).find("(2.50M/s)"),
              std::string::npos);
    EXPECT_NE(format_status(Progress{.done = 1.0}, Progress{}, 1.0, 1.0).find("ETA 0s"), std::string::npos);
}
