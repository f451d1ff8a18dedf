# Sourced by the hop-store tests: a private PostgreSQL 15 for one test run.
# pg_start DIR initdb's into DIR (owned by the postgres user) and starts the
# server with no TCP listener, only a Unix socket in DIR, fsync off (a
# test's data is thrown away; PG_SERVER_OPTS= keeps a real server's
# durability, as the benchmark does); pg_stop stops it (call it from the
# EXIT trap). psqlq DB ARGS... runs psql quietly, unaligned, stopping on the
# first error; pgurl DB is the libpq URL pathmap takes; pg_createdb DB...;
# unicornscan_fixture DB creates unicornscan's schema (v12) there.
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=
pg_started=0

pg_require() {
    local tool
    for tool in psql "$PGBIN/initdb" "$PGBIN/pg_ctl"; do
        command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/setup.sh installs postgresql-15)"; return 1; }
    done
    id postgres >/dev/null 2>&1 || { echo "FAIL: no postgres user (the postgresql-15 package creates it)"; return 1; }
}

pg_start() { # DIR: data and socket directory, created here
    PGDIR=$1
    pg_require || return 1
    chmod 711 "$(dirname "$PGDIR")"
    mkdir -p "$PGDIR" && chown postgres: "$PGDIR" && chmod 700 "$PGDIR"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" --auth=trust -U postgres >"$PGDIR/initdb.log" 2>&1 ||
        { cat "$PGDIR/initdb.log"; echo "FAIL: initdb"; return 1; }
    pg_started=1
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $PGDIR ${PG_SERVER_OPTS--c fsync=off}" start >/dev/null 2>&1 ||
        { cat "$PGDIR/server.log"; echo "FAIL: postgres did not start"; return 1; }
    # It listens on nothing but its socket.
    [ "$(psqlq postgres -c "SHOW listen_addresses")" = "" ] || { echo "FAIL: postgres listens on TCP"; return 1; }
    [ -S "$PGDIR/.s.PGSQL.5432" ] || { echo "FAIL: no socket in $PGDIR"; return 1; }
}

pg_stop() {
    [ "$pg_started" = 1 ] || return 0
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
    pg_started=0
}

psqlq() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -U postgres -d "$db" -At "$@"; }
pgurl() { echo "postgresql:///$1?host=$PGDIR&user=postgres"; }
pg_createdb() { local db; for db in "$@"; do psqlq postgres -c "CREATE DATABASE $db" || { echo "FAIL: createdb $db"; return 1; }; done; }

# unicornscan's tables as its schema (v12) has them: the uni_scan columns,
# and uni_hops with the columns issue 14 lists. pathmap must fill, never create, them.
unicornscan_fixture() { # DB
    psqlq "$1" <<'SQL' || { echo "FAIL: unicornscan fixture"; return 1; }
create table uni_schema_version (version int4 not null, applied_at timestamptz default now(), primary key (version));
create sequence uni_scan_id_seq;
create table uni_scan (
  scan_id int8 not null default nextval('uni_scan_id_seq'), s_time int8 not null, e_time int8 not null,
  est_e_time int8 not null, senders int2 not null, listeners int2 not null, scan_iter int2 not null,
  profile varchar(200) not null, options int4 not null, payload_group int2 not null, dronestr varchar(200) not null,
  covertness int2 not null, modules varchar(200) not null, "user" varchar(200) not null, pcap_dumpfile varchar(200),
  pcap_readfile varchar(200), tickrate int4 not null, num_hosts double precision not null,
  num_packets double precision not null, scan_metadata jsonb default '{}'::jsonb, mode_str varchar(64),
  mode_flags int2 default 0, num_phases int2 default 1, port_str text, interface varchar(64), tcpflags int4 default 0,
  send_opts int4 default 0, recv_opts int4 default 0, pps int4 default 0, recv_timeout int2 default 0,
  repeats int4 default 0, scan_notes text, target_str text, src_addr inet, primary key (scan_id));
create sequence uni_hops_id_seq;
create table uni_hops (
  hop_id int8 not null default nextval('uni_hops_id_seq'), ipreport_id int8, scan_id int8 not null,
  target_addr inet not null, hop_addr inet not null, hop_number int2, ttl_observed int2 not null, rtt_us int4,
  extra_data jsonb default '{}'::jsonb, primary key (hop_id),
  foreign key (scan_id) references uni_scan (scan_id) on delete cascade);
insert into uni_schema_version (version) values (12);
SQL
}
