// Location hints in router hostnames: IATA codes ("ams03", "fra1"), operator
// PoP codes ("ffm-bb2", "sngpsi07"), and city names ("Frankfurt1",
// "los-angeles"). Registered domain labels are ignored; a two-letter country
// label ("sg", "uk") narrows ambiguous codes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/geo/gazetteer.h"

namespace pathmap::geo
{

struct HostnameHint {
    enum class Kind { iata, operator_code, city_name };
    const City *city = nullptr;
    std::string token; // the part of the hostname that named it
    Kind kind = Kind::iata;
};

std::vector<HostnameHint> parse_hostname(std::string_view hostname, const Gazetteer &gazetteer);

// The home country of an access operator whose router names carry no PoP
// code, from its registered domain (code_tables.h operator_domains()); empty
// for every other hostname.
std::string_view operator_domain_country(std::string_view hostname);

} // namespace pathmap::geo
