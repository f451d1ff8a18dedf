// Shared by the geo tests: the packaged gazetteer, loaded once.
#pragma once

#include <string>

#include "graph/geo/gazetteer.h"

namespace pathmap::geo::test
{

inline const Gazetteer &gazetteer()
{
    static const Gazetteer g = Gazetteer::load_default();
    return g;
}

inline std::string data(const std::string &name) { return std::string(PATHMAP_TEST_DATA) + "/geo/" + name; }

} // namespace pathmap::geo::test
