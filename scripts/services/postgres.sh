#!/usr/bin/env bash
# A throw-away PostgreSQL (Debian's 15) for the tests, in a temporary directory, on loopback.
#   postgres.sh start   -> prints `export VTL_TEST_PG_URL=...` and `export VTL_TEST_PG_DIR=...` (eval it)
#   postgres.sh stop [DIR] -> stops the server started in DIR and removes DIR
# initdb refuses to run as root, so the server runs as the `postgres` user on a directory it owns.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

case "${1:-}" in
  start)
    [ -x "$bin/initdb" ] || { echo "postgres.sh: $bin/initdb missing: run scripts/install-test-deps.sh" >&2; exit 1; }
    dir=$(mktemp -d /tmp/vtl-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U vtl -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # The port is picked free just before the start; a rare race with another starter is retried once.
    for attempt in 1 2; do
      port=$(free_port)
      if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null; then
        echo "export VTL_TEST_PG_URL=postgres://vtl@127.0.0.1:$port/postgres"
        echo "export VTL_TEST_PG_DIR=$dir"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    dir=${2:-${VTL_TEST_PG_DIR:?postgres.sh stop DIR (or VTL_TEST_PG_DIR)}}
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start | stop [DIR]" >&2
    exit 2
    ;;
esac
