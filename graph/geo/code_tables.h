// Small hand-checked tables that no Debian package ships: IATA metro/airport
// codes, operator PoP codes and the largest interconnection metros. Each entry
// names a gazetteer city (ASCII or alternate GeoNames name) and its country;
// coordinates always come from the gazetteer. tests/geo/code_tables_test.cpp
// checks that every entry resolves.
#pragma once

#include <span>
#include <string_view>

namespace pathmap::geo
{

struct CodeEntry {
    std::string_view code; // lowercase
    std::string_view city; // gazetteer name
    std::string_view country;
};

std::span<const CodeEntry> iata_codes();
std::span<const CodeEntry> operator_codes();
// Metros with the largest colocation/IXP ecosystems (PeeringDB facility and
// IXP counts, as of 2024): where transit routers without evidence usually sit.
std::span<const CodeEntry> interconnection_hubs();

// Registered domains of national access (mobile, cable, DSL) operators whose
// router names carry no PoP code: the domain still says the country
// ("185.sub-69-83-101.myvzw.com" is Verizon Wireless, US).
struct DomainCountry {
    std::string_view domain; // lowercase registered domain
    std::string_view country;
};
std::span<const DomainCountry> operator_domains();

} // namespace pathmap::geo
