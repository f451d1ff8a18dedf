// libpq in RAII and one-line errors, shared by the PostgreSQL store files.
// Internal to userspace/store.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pathmap::store::pg
{

struct ConnCloser {
    void operator()(PGconn *c) const noexcept { PQfinish(c); }
};
struct ResultClearer {
    void operator()(PGresult *r) const noexcept { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

// A text parameter; nullopt is SQL NULL.
struct Param {
    std::optional<std::string> text;
    Param(std::string s) : text(std::move(s)) {}
    Param(const char *s) : text(s) {}
    static Param or_null(const std::string &s) { return s.empty() ? Param(std::nullopt) : Param(s); }

  private:
    explicit Param(std::nullopt_t) {}
};

// The first line of a libpq message, without its trailing newline.
std::string first_line(std::string_view msg);
// The conninfo with any password replaced by "***", for messages.
std::string redact(const std::string &conninfo);

[[noreturn]] void fail(PGconn *c, const std::string &desc, const char *what, const PGresult *r);

// With no parameters the SQL may hold several statements (simple query
// protocol); with parameters it is one statement. Throws StoreError.
Result exec(PGconn *c, const std::string &desc, const char *sql, const std::vector<Param> &params,
            const char *what);
// Row 0, column 0 ("" when there is none).
std::string value(const Result &r);

// BEGIN now; ROLLBACK unless commit() was called.
class Transaction
{
  public:
    Transaction(PGconn *c, const std::string &desc);
    void commit();
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

  private:
    PGconn *c_;
    const std::string &desc_;
    bool done_ = false;
};

// unicornscan's uni_scan row and uni_hops chain for a stored scan, inside
// the caller's transaction (pg_unicornscan.cpp). An mtr scan's chain comes
// from its mtr_hops rows (replies counted per address), a sweep's from its hops.
void write_unicornscan_rows(PGconn *c, const std::string &desc, int64_t scan, const std::string &user,
                            bool from_mtr_hops);

} // namespace pathmap::store::pg
