#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test run: `pg.sh start DIR PORT` / `pg.sh stop DIR`.
set -euo pipefail
cmd=$1; dir=$2
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    port=$3
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Throwaway data: durability off makes the suite faster and changes no behaviour tested.
    as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres jobcenter
    echo "PostgreSQL running on 127.0.0.1:$port ($dir)"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
esac
