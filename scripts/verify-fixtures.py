#!/usr/bin/env python3
"""Checks every rule-fixture verdict against a real PostgreSQL.

Starts a throwaway PostgreSQL cluster (or uses $SCHEMALINT_TEST_DATABASE_URL), loads
fixtures/schema.sql, PREPAREs every statement of fixtures/rules/**/*.sql (never executes it),
and compares the server's answer with schemalint's verdict on the same statement:

  schemalint error rule    server SQLSTATE
  unknown-table            42P01 undefined_table
  unknown-column           42703 undefined_column (or 42P01 for a missing FROM-clause entry)
  ambiguous-column         42702 ambiguous_column
  insert-column-count      42601 syntax_error ("INSERT has more ...")
  sql-syntax               42601 syntax_error
  (none)                   no error

Runtime-only rules are listed explicitly: missing-required-column (a NOT NULL violation only
happens when the statement runs), banned-table/banned-column (config, not Postgres). Exits 1
on any disagreement. Needs psql and the PostgreSQL server binaries.
"""
import glob, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME_ONLY = {"missing-required-column", "banned-table", "banned-column"}
EXPECTED_STATE = {
    "unknown-table": {"42P01"},
    "unknown-column": {"42703", "42P01"},
    "ambiguous-column": {"42702"},
    "insert-column-count": {"42601"},
    "sql-syntax": {"42601"},
}

def pg_bin():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")

def start_cluster():
    url = os.environ.get("SCHEMALINT_TEST_DATABASE_URL")
    if url:
        return {"url": url}, None
    bindir = pg_bin()
    d = tempfile.mkdtemp(prefix="schemalint-verify-")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(d, "postgres")
    subprocess.run(as_user + [f"{bindir}/initdb", "-N", "-A", "trust", "-U", "postgres", "-D", f"{d}/data"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", f"{d}/data", "-w", "-l", f"{d}/log", "-o",
                              f"-k {d} -c listen_addresses='' -c fsync=off", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    return {"host": d}, (as_user, bindir, d)

def psql(conn, sql, db="postgres"):
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]
    if "url" in conn:
        args += [conn["url"]]
    else:
        args += ["-h", conn["host"], "-U", "postgres", "-d", db]
    return subprocess.run(args, input=sql, capture_output=True, text=True)

def statements(path):
    """The statements of a fixture file, as schemalint's splitter sees them (via JSON output)."""
    text = open(path).read()
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("".join(cur)); cur = []
    if "".join(cur).strip():
        out.append("".join(cur))
    # line number of each statement's first non-comment line
    res, line_no = [], 1
    for s in out:
        lines = s.splitlines()
        first = next((i for i, l in enumerate(lines) if l.strip() and not l.strip().startswith("--")), None)
        if first is not None:
            res.append((line_no + first, line_no + len(lines) - 1, s))
        line_no += len(lines)
    return res

def main():
    conn, cluster = start_cluster()
    try:
        db = "schemalint_verify"
        if "url" not in conn:
            psql(conn, f"CREATE DATABASE {db};")
        r = psql(conn, "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n" + open(f"{ROOT}/fixtures/schema.sql").read(), db)
        if r.returncode:
            sys.exit(f"fixtures/schema.sql does not load: {r.stderr}")
        binary = os.path.join(ROOT, "target", "debug", "schemalint")
        subprocess.run(["cargo", "build", "-q", "--bin", "schemalint"], cwd=ROOT, check=True)
        disagreements, checked = [], 0
        for path in sorted(glob.glob(f"{ROOT}/fixtures/rules/*/*.sql")):
            rel = os.path.relpath(path, ROOT)
            out = subprocess.run([binary, "check", "--schema", "fixtures/schema.sql", "--format", "json", rel],
                                 cwd=ROOT, capture_output=True, text=True)
            findings = json.loads(out.stdout)["diagnostics"]
            for first, last, stmt in statements(path):
                rules = {d["rule"] for d in findings if first <= d["line"] <= last and (d["severity"] == "error" or d["rule"] == "sql-syntax")}
                rules -= RUNTIME_ONLY
                r = psql(conn, f"PREPARE p AS {stmt.strip().rstrip(';')};\nDEALLOCATE p;", db)
                state = None
                if r.returncode:
                    state = next((w.rstrip(":") for l in r.stderr.splitlines() for w in l.split() if len(w.rstrip(":")) == 5 and w[:2] in ("42", "0A", "22")), "?")
                checked += 1
                ok = (not rules and state is None) or any(state in EXPECTED_STATE.get(x, ()) for x in rules)
                banned_only = not rules and any(d["rule"] in RUNTIME_ONLY for d in findings if first <= d["line"] <= last)
                if not ok and not banned_only:
                    disagreements.append(f"{rel}:{first}: schemalint {sorted(rules) or 'ok'}, postgres {state or 'ok'}: {r.stderr.strip()[:160]}")
        print(f"{checked} statements checked against PostgreSQL, {len(disagreements)} disagreements")
        for d in disagreements:
            print("  " + d)
        sys.exit(1 if disagreements else 0)
    finally:
        if cluster:
            as_user, bindir, d = cluster
            subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", f"{d}/data", "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(d, ignore_errors=True)

main()
