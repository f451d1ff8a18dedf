# Writes the default rules file into a header as a raw string literal, so the
# binary carries its rules and needs no data path at run time.
file(READ ${INPUT} content)
string(FIND "${content}" ")pmrules\"" bad)
if(NOT bad EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from graph/rules/default_roles.json by graph/embed_rules.cmake.\n#pragma once\nnamespace pathmap::graph {\ninline constexpr const char *kDefaultRolesJson = R\"pmrules(${content})pmrules\";\n}\n")
