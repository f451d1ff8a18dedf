// JSON helpers the Atlas, mtr and scamper readers share: a file as one
// document or one document per line, and numbers that some tools write as
// strings ("count": "1" in mtr 0.92).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pathmap::graph
{

// One document (object or array), else one per non-blank line. Throws
// InputError "name: line N: not JSON: ..." (or "name: not JSON: ..." for a
// single-line file), so a truncated file is one clear line.
std::vector<nlohmann::json> json_documents(std::string_view text, const std::string &name);
// The records of every document (an array's elements, or the document
// itself) handed to fn one document at a time, each freed before the next
// line is parsed: a 413,354-line Atlas file held as DOMs took GiBs. Errors
// as json_documents.
void for_each_json_record(std::string_view text, const std::string &name,
                          const std::function<void(const nlohmann::json &)> &fn);

// j[key] as an integer or a double, whether written as a number or a string;
// nullopt when absent or not a number.
std::optional<long long> json_int(const nlohmann::json &j, const char *key);
std::optional<double> json_double(const nlohmann::json &j, const char *key);
// j[key] when it is a string, else "".
std::string json_string(const nlohmann::json &j, const char *key);

} // namespace pathmap::graph
