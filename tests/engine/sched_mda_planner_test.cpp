// MDA stopping rule: the MDA's published table, and a hop's count of flows
// as branches appear, on a simulated load balancer.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "userspace/engine/sched/mda_planner.h"

using namespace pathmap::sched;

TEST(Mda, StopCountsOfTheClosedForm)
{
    // ceil(ln(0.05 / k) / ln((k - 1) / k)) for k = 2..11, worked by hand:
    // k = 2: ln(0.025) / ln(0.5) = 5.32 -> 6; k = 3: ln(0.0167) / ln(0.667) = 10.1 -> 11.
    const uint32_t want[] = {6, 11, 16, 21, 27, 33, 39, 45, 51, 57};
    for (unsigned k = 2; k < 12; ++k) EXPECT_EQ(mda_stop_count(k, 0.05), want[k - 2]) << k;
    // Higher confidence, more probes.
    EXPECT_GT(mda_stop_count(2, 0.01), mda_stop_count(2, 0.05));
    EXPECT_THROW(mda_stop_count(1, 0.05), std::invalid_argument);
    EXPECT_THROW(mda_stop_count(2, 0.0), std::invalid_argument);
    EXPECT_THROW(mda_stop_count(2, 1.0), std::invalid_argument);
}

TEST(Mda, HopAsksForMoreFlowsAsBranchesAppear)
{
    MdaHop hop({.confidence = 0.95});
    EXPECT_EQ(hop.more_flows(), 6u);
    for (uint16_t f = 0; f < 5; ++f) hop.observe(f, 0x0a000001);
    hop.observe(5, 0);           // silent: does not count
    EXPECT_EQ(hop.more_flows(), 1u);
    hop.observe(6, 0x0a000002);  // a second branch: now n_3 = 11 in total
    EXPECT_EQ(hop.branches(), 2u);
    EXPECT_EQ(hop.flows_needed(), 11u);
    EXPECT_EQ(hop.more_flows(), 5u);
    for (uint16_t f = 7; f < 12; ++f) hop.observe(f, (f & 1) ? 0x0a000001 : 0x0a000002);
    EXPECT_TRUE(hop.done());
    EXPECT_EQ(hop.flows_answered(), 11u);
}

TEST(Mda, FindsEveryBranchOfAnEvenLoadBalancerAtTheStatedRate)
{
    // A hop spreading flows evenly over 4 next hops (a multiplicative hash of
    // the flow id stands for the router's). Over many independent hops, the
    // rule should miss a branch at most about eps of the time.
    int missed = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
        MdaHop hop({.confidence = 0.95});
        uint32_t flow = 0;
        while (!hop.done() && flow < 1000) {
            const uint64_t h = (uint64_t{static_cast<uint32_t>(t)} << 32 | flow) * 0x9e3779b97f4a7c15ull;
            hop.observe(static_cast<uint16_t>(flow++), 1 + static_cast<uint32_t>((h >> 61) & 3));
        }
        missed += hop.branches() < 4;
    }
    EXPECT_LT(missed, trials * 0.05 * 1.5) << missed;
}

TEST(Mda, MaxFlowsBoundsTheCount)
{
    MdaHop hop({.confidence = 0.95, .max_flows = 8});
    hop.observe(0, 1);
    hop.observe(1, 2); // n_3 = 11 > 8
    EXPECT_EQ(hop.flows_needed(), 8u);
    EXPECT_THROW(MdaHop({.max_flows = 0}), std::invalid_argument);
}
