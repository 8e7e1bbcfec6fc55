#!/usr/bin/env bash
# Times `check --verify`: N statements (a mix of SELECT/INSERT/UPDATE/DELETE over 100 tables,
# 1 in 10 refused by the server) prepared by a throwaway local PostgreSQL cluster (started
# here, as the postgres user when run as root, and stopped after). Compares with the same
# check without --verify to isolate the preparing.
#   scripts/bench-verify.sh [STATEMENTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RUNS=${2:-3}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=(); [[ $(id -u) == 0 ]] && as_pg=(runuser -u postgres --)
dir=$(mktemp -d /tmp/schemalint-bench-verify.XXXX)
[[ $(id -u) == 0 ]] && chown postgres "$dir"
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"${as_pg[@]}" "$bin/initdb" -N -A trust -U postgres -D "$dir/data" >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "-k $dir -c listen_addresses='' -c fsync=off" start >/dev/null
mkdir -p "$dir/app"
for i in $(seq 0 99); do
  echo "CREATE TABLE t$i (id bigint PRIMARY KEY, name text NOT NULL, n integer, created_at timestamptz NOT NULL DEFAULT now());"
done >"$dir/schema.sql"
"$bin/psql" -X -q -h "$dir" -U postgres -c "CREATE DATABASE app" -c "\\c app" -f "$dir/schema.sql" >/dev/null
awk -v n="$N" 'BEGIN {
  for (i = 0; i < n; i++) {
    t = "t" (i % 100); k = i % 4;
    if (i % 10 == 9)     print "SELECT id FROM " t " WHERE id = '\''x" i "'\'';";
    else if (k == 0)     print "SELECT id, name FROM " t " WHERE n > " i " ORDER BY created_at DESC LIMIT 10;";
    else if (k == 1)     print "INSERT INTO " t " (id, name, n) VALUES (" i ", '\''n" i "'\'', $1) RETURNING id;";
    else if (k == 2)     print "UPDATE " t " SET n = n + " i " WHERE id = $1;";
    else                 print "DELETE FROM " t " WHERE id = " i ";";
  }
}' >"$dir/app/queries.sql"
cargo build --quiet --release --bin schemalint
url="host=$dir user=postgres dbname=app"
run() { target/release/schemalint check --schema "$dir/schema.sql" "$dir/app" --format json "$@" >"$dir/out.json" || true; }
echo "$N statements; static check only, then with --verify ($RUNS runs each):"
for _ in $(seq "$RUNS"); do
  s=$(date +%s.%N); run; e=$(date +%s.%N)
  echo "  static:   $(echo "$e - $s" | bc) s"
done
for _ in $(seq "$RUNS"); do
  s=$(date +%s.%N); run --verify --database-url "$url"; e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc)
  verified=$(grep -o '"statements": [0-9]*' "$dir/out.json" | tail -1 | grep -o '[0-9]*$')
  refused=$(grep -o '"refused": [0-9]*' "$dir/out.json" | grep -o '[0-9]*$')
  echo "  --verify: $t s ($verified prepared, $refused refused; $(echo "$verified / $t" | bc) statements/s end to end)"
done
