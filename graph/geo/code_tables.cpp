// Source: IATA city and airport codes as published in airline timetables,
// hand-checked against the cities they serve; operator codes as they appear in
// the router names of Telia (twelve99.net), NTT (gin.ntt.net), Zayo, Cogent and
// others (CLLI-style six-letter codes). Only codes that real router names use
// and that do not clash with common interface words (ae, xe, ge, core, edge).
#include "graph/geo/code_tables.h"

#include <array>

namespace pathmap::geo {
namespace {

constexpr std::array kIata = std::to_array<CodeEntry>({
    // Europe
    {"ams", "Amsterdam", "NL"}, {"fra", "Frankfurt am Main", "DE"}, {"lon", "London", "GB"},
    {"lhr", "London", "GB"}, {"lgw", "London", "GB"}, {"lcy", "London", "GB"},
    {"par", "Paris", "FR"}, {"cdg", "Paris", "FR"}, {"ory", "Paris", "FR"},
    {"zrh", "Zurich", "CH"}, {"gva", "Geneva", "CH"}, {"bsl", "Basel", "CH"},
    {"muc", "Munich", "DE"}, {"ber", "Berlin", "DE"}, {"txl", "Berlin", "DE"},
    {"ham", "Hamburg", "DE"}, {"dus", "Duesseldorf", "DE"}, {"cgn", "Koeln", "DE"},
    {"str", "Stuttgart", "DE"}, {"nue", "Nuernberg", "DE"}, {"lej", "Leipzig", "DE"},
    {"vie", "Vienna", "AT"}, {"prg", "Prague", "CZ"}, {"waw", "Warsaw", "PL"},
    {"bud", "Budapest", "HU"}, {"buh", "Bucharest", "RO"}, {"otp", "Bucharest", "RO"},
    {"sof", "Sofia", "BG"}, {"ath", "Athens", "GR"}, {"ist", "Istanbul", "TR"},
    {"mad", "Madrid", "ES"}, {"bcn", "Barcelona", "ES"}, {"lis", "Lisbon", "PT"},
    {"mil", "Milan", "IT"}, {"mxp", "Milan", "IT"}, {"lin", "Milan", "IT"},
    {"rom", "Rome", "IT"}, {"fco", "Rome", "IT"}, {"mrs", "Marseille", "FR"},
    {"lys", "Lyon", "FR"}, {"bru", "Brussels", "BE"}, {"lux", "Luxembourg", "LU"},
    {"cph", "Copenhagen", "DK"}, {"sto", "Stockholm", "SE"}, {"arn", "Stockholm", "SE"},
    {"osl", "Oslo", "NO"}, {"hel", "Helsinki", "FI"}, {"dub", "Dublin", "IE"},
    {"man", "Manchester", "GB"}, {"edi", "Edinburgh", "GB"}, {"kbp", "Kiev", "UA"},
    {"iev", "Kiev", "UA"}, {"mow", "Moscow", "RU"}, {"svo", "Moscow", "RU"},
    {"led", "Saint Petersburg", "RU"}, {"rix", "Riga", "LV"}, {"tll", "Tallinn", "EE"},
    {"vno", "Vilnius", "LT"}, {"zag", "Zagreb", "HR"}, {"beg", "Belgrade", "RS"},
    // North America
    {"nyc", "New York City", "US"}, {"jfk", "New York City", "US"}, {"lga", "New York City", "US"},
    {"ewr", "Newark", "US"}, {"iad", "Ashburn", "US"}, {"dca", "Washington", "US"},
    {"was", "Washington", "US"}, {"bos", "Boston", "US"}, {"phl", "Philadelphia", "US"},
    {"atl", "Atlanta", "US"}, {"mia", "Miami", "US"}, {"ord", "Chicago", "US"},
    {"chi", "Chicago", "US"}, {"dfw", "Dallas", "US"}, {"dal", "Dallas", "US"},
    {"iah", "Houston", "US"}, {"hou", "Houston", "US"}, {"den", "Denver", "US"},
    {"phx", "Phoenix", "US"}, {"lax", "Los Angeles", "US"}, {"sjc", "San Jose", "US"},
    {"sfo", "San Francisco", "US"}, {"sea", "Seattle", "US"}, {"pdx", "Portland", "US"},
    {"slc", "Salt Lake City", "US"}, {"msp", "Minneapolis", "US"}, {"dtw", "Detroit", "US"},
    {"stl", "St. Louis", "US"}, {"mci", "Kansas City", "US"}, {"las", "Las Vegas", "US"},
    {"san", "San Diego", "US"}, {"tpa", "Tampa", "US"}, {"clt", "Charlotte", "US"},
    {"yyz", "Toronto", "CA"}, {"yto", "Toronto", "CA"}, {"yul", "Montreal", "CA"},
    {"yvr", "Vancouver", "CA"}, {"yyc", "Calgary", "CA"}, {"mex", "Mexico City", "MX"},
    {"qro", "Queretaro", "MX"},
    // South America
    {"gru", "Sao Paulo", "BR"}, {"sao", "Sao Paulo", "BR"}, {"rio", "Rio de Janeiro", "BR"},
    {"gig", "Rio de Janeiro", "BR"}, {"for", "Fortaleza", "BR"}, {"eze", "Buenos Aires", "AR"},
    {"bue", "Buenos Aires", "AR"}, {"scl", "Santiago", "CL"}, {"lim", "Lima", "PE"},
    {"bog", "Bogota", "CO"},
    // Asia and Oceania
    {"sin", "Singapore", "SG"}, {"hkg", "Hong Kong", "HK"}, {"tyo", "Tokyo", "JP"},
    {"nrt", "Tokyo", "JP"}, {"hnd", "Tokyo", "JP"}, {"osa", "Osaka", "JP"},
    {"kix", "Osaka", "JP"}, {"sel", "Seoul", "KR"}, {"icn", "Seoul", "KR"},
    {"tpe", "Taipei", "TW"}, {"mnl", "Manila", "PH"}, {"bkk", "Bangkok", "TH"},
    {"kul", "Kuala Lumpur", "MY"}, {"cgk", "Jakarta", "ID"}, {"jkt", "Jakarta", "ID"},
    {"sgn", "Ho Chi Minh City", "VN"}, {"han", "Hanoi", "VN"}, {"bom", "Mumbai", "IN"},
    {"del", "New Delhi", "IN"}, {"maa", "Chennai", "IN"}, {"blr", "Bangalore", "IN"},
    {"ccu", "Kolkata", "IN"}, {"hyd", "Hyderabad", "IN"}, {"khi", "Karachi", "PK"},
    {"dxb", "Dubai", "AE"}, {"fjr", "Al Fujayrah", "AE"}, {"doh", "Doha", "QA"},
    {"ruh", "Riyadh", "SA"}, {"tlv", "Tel Aviv", "IL"}, {"pek", "Beijing", "CN"},
    {"bjs", "Beijing", "CN"}, {"sha", "Shanghai", "CN"}, {"pvg", "Shanghai", "CN"},
    {"can", "Guangzhou", "CN"}, {"szx", "Shenzhen", "CN"}, {"syd", "Sydney", "AU"},
    {"mel", "Melbourne", "AU"}, {"bne", "Brisbane", "AU"}, {"per", "Perth", "AU"},
    {"akl", "Auckland", "NZ"}, {"wlg", "Wellington", "NZ"}, {"chc", "Christchurch", "NZ"},
    // Africa
    {"jnb", "Johannesburg", "ZA"}, {"cpt", "Cape Town", "ZA"}, {"los", "Lagos", "NG"},
    {"nbo", "Nairobi", "KE"}, {"cai", "Cairo", "EG"}, {"cmn", "Casablanca", "MA"},
});

constexpr std::array kOperator = std::to_array<CodeEntry>({
    // Telia / Arelion (twelve99.net)
    {"ffm", "Frankfurt am Main", "DE"}, {"ldn", "London", "GB"}, {"nyk", "New York City", "US"},
    {"prs", "Paris", "FR"}, {"kbn", "Copenhagen", "DK"}, {"hbg", "Hamburg", "DE"},
    {"mno", "Milan", "IT"}, {"adm", "Amsterdam", "NL"}, {"ash", "Ashburn", "US"},
    {"chi", "Chicago", "US"}, {"sjo", "San Jose", "US"}, {"sjo", "San Jose", "CR"},
    {"hnk", "Hong Kong", "HK"},
    // CLLI-style (NTT, Zayo, Lumen)
    {"nycmny", "New York City", "US"}, {"asbnva", "Ashburn", "US"}, {"chcgil", "Chicago", "US"},
    {"dllstx", "Dallas", "US"}, {"lsanca", "Los Angeles", "US"}, {"snjsca", "San Jose", "US"},
    {"sttlwa", "Seattle", "US"}, {"atlnga", "Atlanta", "US"}, {"miamfl", "Miami", "US"},
    {"wswdc", "Washington", "US"}, {"nwrknj", "Newark", "US"}, {"plalca", "Palo Alto", "US"},
    {"amstnl", "Amsterdam", "NL"}, {"frnkge", "Frankfurt am Main", "DE"}, {"londen", "London", "GB"},
    {"londuk", "London", "GB"}, {"parsfr", "Paris", "FR"}, {"tokyjp", "Tokyo", "JP"},
    {"osakjp", "Osaka", "JP"}, {"sngpsi", "Singapore", "SG"}, {"hkgkh", "Hong Kong", "HK"},
    {"syd2au", "Sydney", "AU"}, {"mdrdsp", "Madrid", "ES"}, {"mlanit", "Milan", "IT"},
    // Common short forms
    {"lond", "London", "GB"}, {"frank", "Frankfurt am Main", "DE"}, {"sing", "Singapore", "SG"},
    {"sgp", "Singapore", "SG"}, {"hk", "Hong Kong", "HK"}, {"ny", "New York City", "US"},
    {"la", "Los Angeles", "US"}, {"zur", "Zurich", "CH"},
});

constexpr std::array kHubs = std::to_array<CodeEntry>({
    {"", "Ashburn", "US"}, {"", "New York City", "US"}, {"", "Chicago", "US"}, {"", "Dallas", "US"},
    {"", "Los Angeles", "US"}, {"", "San Jose", "US"}, {"", "Seattle", "US"}, {"", "Miami", "US"},
    {"", "Atlanta", "US"}, {"", "Denver", "US"}, {"", "Toronto", "CA"}, {"", "Sao Paulo", "BR"},
    {"", "London", "GB"}, {"", "Amsterdam", "NL"}, {"", "Frankfurt am Main", "DE"}, {"", "Paris", "FR"},
    {"", "Stockholm", "SE"}, {"", "Madrid", "ES"}, {"", "Milan", "IT"}, {"", "Marseille", "FR"},
    {"", "Vienna", "AT"}, {"", "Warsaw", "PL"}, {"", "Moscow", "RU"}, {"", "Istanbul", "TR"},
    {"", "Dubai", "AE"}, {"", "Mumbai", "IN"}, {"", "Chennai", "IN"}, {"", "Singapore", "SG"},
    {"", "Hong Kong", "HK"}, {"", "Tokyo", "JP"}, {"", "Sydney", "AU"}, {"", "Johannesburg", "ZA"},
});

} // namespace

std::span<const CodeEntry> iata_codes() { return kIata; }
std::span<const CodeEntry> operator_codes() { return kOperator; }
std::span<const CodeEntry> interconnection_hubs() { return kHubs; }

} // namespace pathmap::geo
