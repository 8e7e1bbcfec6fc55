#!/usr/bin/env bash
# Times live introspection of a 10,000-table × 10-column schema on a throwaway local
# PostgreSQL cluster (started here, as the postgres user when run as root, and stopped after).
#   scripts/bench-introspect.sh [TABLES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
TABLES=${1:-10000}
RUNS=${2:-5}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=(); [[ $(id -u) == 0 ]] && as_pg=(runuser -u postgres --)
dir=$(mktemp -d /tmp/schemalint-bench-pg.XXXX)
[[ $(id -u) == 0 ]] && chown postgres "$dir"
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"${as_pg[@]}" "$bin/initdb" -N -A trust -U postgres -D "$dir/data" >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "-k $dir -c listen_addresses='' -c fsync=off" start >/dev/null
psql -X -q -h "$dir" -U postgres -c "CREATE DATABASE big"
python3 - "$TABLES" >"$dir/big.sql" <<'PY'
import sys
cols = ", ".join(f"c{j} text" for j in range(1, 9))
for i in range(int(sys.argv[1])):
    print(f"CREATE TABLE t{i:05} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {cols}, created_at timestamptz NOT NULL DEFAULT now());")
PY
psql -X -q -h "$dir" -U postgres -d big -f "$dir/big.sql" >/dev/null
cargo build --quiet --release --bin schemalint
mkdir -p "$dir/empty"
url="host=$dir user=postgres dbname=big"
echo "introspection of $TABLES tables x 10 columns (check on an empty tree), $RUNS runs:"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "  %e s wall, %M KB peak" target/release/schemalint check --database-url "$url" "$dir/empty" >/dev/null
done
echo "snapshot (introspection + writing the JSON):"
/usr/bin/time -f "  %e s wall" target/release/schemalint snapshot --database-url "$url" -o "$dir/snap.json" 2>&1 | grep -v wrote
