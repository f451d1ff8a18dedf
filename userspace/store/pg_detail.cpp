// libpq helpers: parameterised statements, transactions, one-line errors.
#include "userspace/store/pg_detail.h"

#include <regex>

#include <fmt/core.h>

#include "userspace/store/store.h"

namespace pathmap::store::pg
{

std::string first_line(std::string_view msg)
{
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
        msg.remove_suffix(1);
    // libpq prefixes connection errors with the address tried; keep the cause.
    const auto nl = msg.find('\n');
    std::string line(msg.substr(0, nl));
    if (nl != std::string_view::npos) {
        std::string_view rest = msg.substr(nl + 1);
        while (!rest.empty() && rest.front() == '\t')
            rest.remove_prefix(1);
        const auto nl2 = rest.find('\n');
        if (!rest.empty() && line.find("connection to server") != std::string::npos)
            line += ": " + std::string(rest.substr(0, nl2));
    }
    return line;
}

std::string redact(const std::string &conninfo)
{
    static const std::regex url_pw(R"(^(postgres(?:ql)?://[^:/@]*:)[^@]*@)");
    static const std::regex kv_pw(R"((password\s*=\s*)('[^']*'|\S+))");
    return std::regex_replace(std::regex_replace(conninfo, url_pw, "$1***@"), kv_pw, "$1***");
}

void fail(PGconn *c, const std::string &desc, const char *what, const PGresult *r)
{
    const char *msg = r ? PQresultErrorMessage(r) : nullptr;
    if (!msg || !*msg) msg = PQerrorMessage(c);
    throw StoreError(fmt::format("{}: {}: {}", desc, what, first_line(msg ? msg : "unknown error")));
}

Result exec(PGconn *c, const std::string &desc, const char *sql, const std::vector<Param> &params,
            const char *what)
{
    Result r;
    if (params.empty()) {
        r.reset(PQexec(c, sql));
    } else {
        std::vector<const char *> values;
        values.reserve(params.size());
        for (const Param &p : params)
            values.push_back(p.text ? p.text->c_str() : nullptr);
        r.reset(PQexecParams(c, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0));
    }
    const auto st = PQresultStatus(r.get());
    if (!r || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) fail(c, desc, what, r.get());
    return r;
}

std::string value(const Result &r)
{
    if (PQntuples(r.get()) < 1 || PQnfields(r.get()) < 1) return {};
    return PQgetvalue(r.get(), 0, 0);
}

Transaction::Transaction(PGconn *c, const std::string &desc) : c_(c), desc_(desc)
{
    exec(c_, desc_, "BEGIN", {}, "cannot begin a transaction");
}

void Transaction::commit()
{
    done_ = true;
    exec(c_, desc_, "COMMIT", {}, "cannot commit");
}

Transaction::~Transaction()
{
    // A failed statement left the transaction aborted: ROLLBACK ends it. On
    // a lost connection this fails too, and the server rolls back itself.
    if (!done_) PQclear(PQexec(c_, "ROLLBACK"));
}

} // namespace pathmap::store::pg
