//! Live schemas against a real PostgreSQL that the test starts (tests/support/pg.rs): parity
//! with the DDL replay, identical findings from live/snapshot/DDL, TLS, and failure modes.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use schemalint::check::Checker;
use schemalint::config::SourcesConfig;
use schemalint::extract::Language;
use schemalint::rules::{Banned, RuleSettings};
use schemalint::schema::diff::{diff, render_human};
use schemalint::schema::live::{introspect, ConnectOptions, LiveError};
use schemalint::schema::{load_ddl_paths, snapshot, ColumnOwners, Schema};
use schemalint::walk::SourceFile;
use support::pg::{cluster, PASSWORD};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn replay(path: &str) -> Schema {
    let loaded = load_ddl_paths(&[root().join(path)], &["public".into()]).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.schema
}

#[track_caller]
fn assert_same(live: &Schema, ddl: &Schema) {
    let changes = diff(ddl, live);
    assert!(
        changes.is_empty(),
        "DDL replay → live:\n{}",
        render_human(&changes)
    );
}

#[test]
fn live_and_ddl_replay_build_the_same_schema() {
    let pg = cluster();
    let url = pg.database("parity_rules", &read("fixtures/schema.sql"));
    let live = introspect(&ConnectOptions::new(url)).unwrap();
    let ddl = replay("fixtures/schema.sql");
    assert_same(&live, &ddl);
    // What each function's FROM item has as columns (the signatures are spelled differently).
    let results = |s: &Schema| {
        s.namespaces
            .iter()
            .flat_map(|(ns, n)| {
                n.functions.iter().map(move |(name, overloads)| {
                    let results: Vec<_> = overloads.iter().map(|f| f.result.clone()).collect();
                    (ns.clone(), name.clone(), results)
                })
            })
            .collect::<Vec<_>>()
    };
    assert!(results(&ddl).len() >= 7, "{:?}", results(&ddl));
    assert_eq!(results(&live), results(&ddl));
    assert_eq!(live.postgres_version, Some(15));

    // The pg_dump fixture: the database built by create.sql vs the replay of its dump.
    let url = pg.database("parity_dump", &read("fixtures/schema/pgdump/create.sql"));
    let live = introspect(&ConnectOptions::new(url)).unwrap();
    assert_same(&live, &replay("fixtures/schema/pgdump/schema.sql"));
    // Sequences are relations (`SELECT last_value FROM app.counter_seq`), live as replayed.
    let seq = &live.namespaces[&"app".into()].relations[&"counter_seq".into()];
    assert_eq!(seq.kind, schemalint::schema::RelationKind::Sequence);
    let replayed = replay("fixtures/schema/pgdump/schema.sql");
    let from_dump = &replayed.namespaces[&"app".into()].relations[&"counter_seq".into()];
    let shape = |r: &schemalint::schema::Relation| -> Vec<(String, String, bool)> {
        r.columns
            .iter()
            .map(|c| (c.name.to_string(), c.data_type.clone(), c.nullable))
            .collect()
    };
    assert_eq!(shape(seq), shape(from_dump));
}

#[test]
fn check_gives_identical_findings_from_live_snapshot_and_ddl() {
    let pg = cluster();
    let url = pg.database("findings", &read("fixtures/schema.sql"));
    let live = introspect(&ConnectOptions::new(url)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snap_path = dir.path().join("schemalint.schema.json");
    snapshot::write(&live, &snap_path).unwrap();
    let snap = snapshot::read(&snap_path).unwrap();
    // The server's version is recorded live and in the snapshot; DDL files don't say it.
    assert_eq!(snap.postgres_version, Some(15));
    let mut ddl = replay("fixtures/schema.sql");
    ddl.postgres_version = live.postgres_version;

    let mut files: Vec<SourceFile> = Vec::new();
    for entry in walk(&root().join("fixtures/rules")) {
        if let Some(language) = Language::from_path(&entry) {
            files.push(SourceFile {
                path: entry,
                language,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let sources = SourcesConfig::default();
    let findings = |schema: &Schema| {
        let checker = Checker {
            schema,
            banned: Banned::default(),
            column_owners: ColumnOwners::new(schema),
            settings: RuleSettings::default(),
            sources: &sources,
            collect_references: false,
            collect_table_uses: false,
        };
        let report = checker.check_files(&files);
        report
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{} {}",
                    d.file.display(),
                    d.span.start,
                    d.rule,
                    d.message
                )
            })
            .collect::<Vec<_>>()
    };
    let from_ddl = findings(&ddl);
    assert!(
        from_ddl.len() > 30,
        "fixtures produce findings: {}",
        from_ddl.len()
    );
    assert_eq!(findings(&live), from_ddl);
    assert_eq!(findings(&snap), from_ddl);
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn tls_verify_full_with_our_ca_and_failures_without_it() {
    let pg = cluster();
    pg.database("tls", "CREATE TABLE t (id int);");
    let ca = pg.ca.display().to_string();
    let ok = ConnectOptions::new(pg.tcp_url(
        "tls",
        PASSWORD,
        &format!("?sslmode=verify-full&sslrootcert={ca}"),
    ));
    let schema = introspect(&ok).expect("verify-full handshake with the test CA");
    assert!(schema.relations().any(|(_, r)| r.name.as_str() == "t"));
    // A CA that didn't sign the server certificate.
    let other = pg.other_ca.display().to_string();
    let bad = ConnectOptions::new(pg.tcp_url(
        "tls",
        PASSWORD,
        &format!("?sslmode=verify-full&sslrootcert={other}"),
    ));
    let err = introspect(&bad).unwrap_err();
    assert!(matches!(err, LiveError::Tls { .. }), "{err}");
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
    // Plain TCP works with sslmode=disable.
    introspect(&ConnectOptions::new(pg.tcp_url(
        "tls",
        PASSWORD,
        "?sslmode=disable",
    )))
    .unwrap();
}

/// Each failure: a clear error of the right kind, within the timeout, with no secret in it.
#[track_caller]
fn failure(url: String, check: impl Fn(&LiveError) -> bool) {
    let mut opts = ConnectOptions::new(url);
    opts.connect_timeout = Duration::from_secs(5);
    let start = Instant::now();
    let err = introspect(&opts).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    assert!(check(&err), "unexpected error: {err}");
    let all = format!("{err} {err:?}");
    assert!(
        !all.contains("hunter2") && !all.contains(PASSWORD),
        "secret leaked: {all}"
    );
}

#[test]
fn failure_modes_are_clear_and_leak_no_secret() {
    let pg = cluster();
    pg.database("fail", "");
    failure(pg.tcp_url("fail", "hunter2", "?sslmode=disable"), |e| {
        matches!(e, LiveError::Auth { .. })
    });
    failure(
        pg.tcp_url("no_such_db", PASSWORD, "?sslmode=disable"),
        |e| matches!(e, LiveError::MissingDatabase { .. }),
    );
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    failure(format!("postgres://u:hunter2@127.0.0.1:{dead}/db"), |e| {
        matches!(e, LiveError::Refused { .. })
    });
    failure("postgres://u:hunter2@nonexistent.invalid/db".into(), |e| {
        matches!(e, LiveError::Dns { .. })
    });
    failure("postgres://u:hunter2@localhost:notaport/db".into(), |e| {
        matches!(e, LiveError::InvalidUrl(_))
    });
}

#[test]
fn require_against_a_server_without_tls_fails() {
    // A plain TCP listener that answers the SSLRequest with 'N' (no TLS), as a non-TLS server does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 8];
            let _ = s.read_exact(&mut buf);
            let _ = s.write_all(b"N");
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    failure(
        format!("postgres://u:hunter2@127.0.0.1:{port}/db?sslmode=require"),
        |e| matches!(e, LiveError::Tls { .. }) || e.to_string().to_lowercase().contains("tls"),
    );
}

#[cfg(unix)]
#[test]
fn password_file_is_used_when_the_url_has_no_password() {
    use std::os::unix::fs::PermissionsExt;
    let pg = cluster();
    pg.database("pgpass", "CREATE TABLE t (id int);");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT id FROM t;\n").unwrap();
    let pgpass = dir.path().join("pgpass");
    let port = pg.port;
    std::fs::write(
        &pgpass,
        format!("# libpq format\nother:*:*:*:wrong\nlocalhost:{port}:pgpass:postgres:{PASSWORD}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = format!("postgres://postgres@localhost:{port}/pgpass?sslmode=disable");
    let run = |pgpassfile: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_schemalint"))
            .args(["check", "--database-url", &url, "q.sql"])
            .current_dir(dir.path())
            .env("PGPASSFILE", pgpassfile)
            .env_remove("PGPASSWORD")
            .output()
            .unwrap()
    };
    let out = run(&pgpass);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without the file: the server asks for a password that nobody has.
    let out = run(&dir.path().join("missing"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("authentication failed"));
    // A file others can read is ignored with a warning, as libpq does.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&pgpass);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("group or world access"), "{stderr}");
}

/// A libpq key=value string with the value quoted and escaped as libpq wants.
fn kv_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A URL component percent-encoded.
fn pct(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The same connection in both forms.
fn both_forms(
    host: &str,
    port: u16,
    user: &str,
    password: &str,
    db: &str,
    params: &[(&str, &str)],
) -> [String; 2] {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", pct(v)))
        .collect();
    let url = format!(
        "postgres://{user}:{}@{host}:{port}/{db}{}{}",
        pct(password),
        if query.is_empty() { "" } else { "?" },
        query.join("&")
    );
    let mut kv = format!(
        "host={host}  port = {port} user={user} password={} dbname={db}",
        kv_quote(password)
    );
    for (k, v) in params {
        kv.push_str(&format!(" {k}={}", kv_quote(v)));
    }
    [url, kv]
}

// See: issue 10, item 1 (TLS downgrade), and issue 14, item 8.
/// Every sslmode in both forms, against the TLS cluster and against a server without TLS
/// (a proxy in front of the cluster that refuses the SSLRequest, as such a server does). The
/// role logs in with the `password` method, so the password crosses the wire as it is: the
/// proxy's log shows it with sslmode=disable (the control) and must never show it when TLS
/// was required.
/// The tests that log in as the cleartext role set its password: one at a time.
static CLEARTEXT_ROLE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn every_sslmode_in_both_forms_with_and_without_tls() {
    let _role = CLEARTEXT_ROLE.lock().unwrap_or_else(|e| e.into_inner());
    let pg = cluster();
    let password = "wire-Zx7Q pass'word\\x";
    pg.cleartext_role(password);
    pg.database("sslmodes", "CREATE TABLE t (id int);");
    let ca = pg.ca.display().to_string();
    let plain = support::wire::Proxy::start(pg.port, true);
    let modes = [
        "disable",
        "allow",
        "prefer",
        "require",
        "verify-ca",
        "verify-full",
    ];
    let mut failures = Vec::new();
    // (server, host, port, with our CA, which modes connect)
    let cases: [(&str, &str, u16, bool, &[&str]); 5] = [
        ("tls", "localhost", pg.port, true, &modes),
        (
            "tls, no CA",
            "localhost",
            pg.port,
            false,
            &["disable", "allow", "prefer"],
        ),
        // The certificate names localhost: verify-ca ignores the name, verify-full does not.
        (
            "tls by IP",
            "127.0.0.1",
            pg.port,
            true,
            &["disable", "allow", "prefer", "require", "verify-ca"],
        ),
        (
            "no tls",
            "localhost",
            plain.port,
            true,
            &["disable", "allow", "prefer"],
        ),
        (
            "no tls, no CA",
            "localhost",
            plain.port,
            false,
            &["disable", "allow", "prefer"],
        ),
    ];
    for (server, host, port, with_ca, connects) in cases {
        for mode in modes {
            let mut params = vec![("sslmode", mode)];
            if with_ca {
                params.push(("sslrootcert", ca.as_str()));
            }
            for (form, conn) in ["url", "key=value"].iter().zip(both_forms(
                host,
                port,
                support::pg::CLEARTEXT_ROLE,
                password,
                "sslmodes",
                &params,
            )) {
                plain.clear();
                let mut opts = ConnectOptions::new(conn);
                opts.connect_timeout = Duration::from_secs(5);
                let result = introspect(&opts);
                let expected = connects.contains(&mode);
                let what = format!("{server} / {form} / sslmode={mode}");
                match (&result, expected) {
                    (Ok(_), true) => {}
                    (Err(LiveError::Tls { .. }), false) => {}
                    (r, _) => failures.push(format!(
                        "{what}: expected {}, got {}",
                        if expected {
                            "a connection"
                        } else {
                            "a TLS error"
                        },
                        r.as_ref()
                            .map_or_else(|e| e.to_string(), |_| "a connection".into())
                    )),
                }
                if let Err(e) = &result {
                    let text = format!("{e} {e:?}");
                    if text.contains("Zx7Q") {
                        failures.push(format!("{what}: password in the error: {text}"));
                    }
                }
                if port == plain.port {
                    let crossed = plain.saw("Zx7Q");
                    // The control: in plain text the proxy sees the password.
                    if crossed != (mode == "disable" || connects.contains(&mode)) {
                        failures.push(format!("{what}: password crossed in plain text: {crossed}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // An unknown sslmode is an error in both forms, not `require` or `prefer`.
    for conn in both_forms(
        "localhost",
        pg.port,
        "u",
        "Zx7Q",
        "d",
        &[("sslmode", "bogus")],
    ) {
        let err = introspect(&ConnectOptions::new(conn)).unwrap_err();
        assert!(matches!(err, LiveError::InvalidUrl(_)), "{err}");
        assert!(err.to_string().contains("sslmode must be"), "{err}");
        assert!(!err.to_string().contains("Zx7Q"));
    }
}

fn schemalint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_schemalint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PGPASSWORD")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGUSER")
        .env_remove("PGDATABASE")
        .env_remove("PGSSLMODE")
        .env("PGPASSFILE", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// See: issue 10, item 5.
/// A server that completes the login and then never answers: reading the schema and
/// `--verify` each end after the query timeout with a clear error, instead of hanging.
#[test]
fn a_server_silent_after_login_ends_with_the_query_timeout() {
    let port = support::wire::silent_after_login(20);
    let url = format!("postgres://u:Zx7Q@127.0.0.1:{port}/db?sslmode=disable");
    let opts = ConnectOptions::new(url.clone()).with_query_timeout(Duration::from_secs(1));
    let start = Instant::now();
    let err = introspect(&opts).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(err, LiveError::Unanswered { .. }), "{err}");
    assert!(err.to_string().contains("stopped answering"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), "CREATE TABLE t (id int);").unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT nope FROM t;\n").unwrap();
    std::fs::write(
        dir.path().join("schemalint.toml"),
        "[schema]\nquery-timeout = 1\n",
    )
    .unwrap();
    for args in [
        &["check", "--database-url", &url, "q.sql"][..],
        &[
            "check",
            "--schema",
            "schema.sql",
            "--verify",
            "--database-url",
            &url,
            "q.sql",
            "--format",
            "json",
        ][..],
    ] {
        let start = Instant::now();
        let (code, stdout, stderr) = schemalint(dir.path(), args, &[]);
        assert!(
            start.elapsed() < Duration::from_secs(6),
            "{args:?}: {:?}",
            start.elapsed()
        );
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stderr.contains("stopped answering: no reply within 1 s"),
            "{stderr}"
        );
        assert!(!stderr.contains("Zx7Q") && !stdout.contains("Zx7Q"));
        if args.contains(&"--verify") {
            // The static finding survives the failed verification (issue 10, item 6).
            let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(json["diagnostics"][0]["rule"], "unknown-column", "{stdout}");
            assert!(json["tool_errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("stopped answering"));
        }
    }
    // The flag overrides the config.
    let start = Instant::now();
    let (code, _, stderr) = schemalint(
        dir.path(),
        &[
            "check",
            "--database-url",
            &url,
            "--query-timeout",
            "2",
            "q.sql",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("no reply within 2 s"), "{stderr}");
    assert!(start.elapsed() >= Duration::from_secs(2));
}

// See: issue 14, item 8.
/// libpq's environment variables fill in what the connection string leaves out, and a
/// percent-encoded `sslrootcert` in a URL is decoded.
#[test]
fn environment_defaults_and_percent_encoded_sslrootcert() {
    let pg = cluster();
    pg.database("envdefaults", "CREATE TABLE t (id int);");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT id FROM t;\n").unwrap();
    let port = pg.port.to_string();
    let socket = pg.dir.display().to_string();
    let (code, stdout, stderr) = schemalint(
        dir.path(),
        &["check", "--database-url", "postgres://", "q.sql"],
        &[
            ("PGHOST", &socket),
            ("PGPORT", &port),
            ("PGUSER", "postgres"),
            ("PGDATABASE", "envdefaults"),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The string wins over the environment: a database that does not exist.
    let (code, _, stderr) = schemalint(
        dir.path(),
        &["check", "--database-url", "dbname=not_there", "q.sql"],
        &[
            ("PGHOST", &socket),
            ("PGPORT", &port),
            ("PGUSER", "postgres"),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("database does not exist"), "{stderr}");
    // PGSSLMODE applies when the string names no sslmode.
    let (code, _, stderr) = schemalint(
        dir.path(),
        &[
            "check",
            "--database-url",
            &format!("postgres://postgres:{PASSWORD}@localhost:{port}/envdefaults"),
            "q.sql",
        ],
        &[("PGSSLMODE", "verify-full")],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("TLS error"), "{stderr}");

    // A CA in a directory with a space and a `%` in its name.
    let ca_dir = dir.path().join("my certs %");
    std::fs::create_dir(&ca_dir).unwrap();
    std::fs::copy(&pg.ca, ca_dir.join("ca.pem")).unwrap();
    let ca = ca_dir.join("ca.pem").display().to_string();
    let url = pg.tcp_url(
        "envdefaults",
        PASSWORD,
        &format!("?sslmode=verify-full&sslrootcert={}", pct(&ca)),
    );
    introspect(&ConnectOptions::new(url)).expect("the decoded sslrootcert is read");
}

/// A password with every character that has a meaning in one form or the other; each piece
/// holds the marker, so a partial leak is caught too.
const MATRIX_PASSWORD: &str = "Zx7Q/a?Zx7Q&b@Zx7Q c'Zx7Q\\d=Zx7Q";

/// The connection-string forms of the secrets matrix: (name, build(host, port, user, db, sslmode)).
type Form = (&'static str, fn(&str, u16, &str, &str, &str) -> String);

fn matrix_forms() -> Vec<Form> {
    vec![
        ("url, raw specials", |h, p, u, d, m| {
            format!("postgres://{u}:{MATRIX_PASSWORD}@{h}:{p}/{d}?sslmode={m}")
        }),
        ("url, percent-encoded", |h, p, u, d, m| {
            format!(
                "postgresql://{u}:{}@{h}:{p}/{d}?sslmode={m}",
                pct(MATRIX_PASSWORD)
            )
        }),
        ("url, password in the query", |h, p, u, d, m| {
            format!(
                "postgres://{u}@{h}:{p}/{d}?sslmode={m}&password={}",
                pct(MATRIX_PASSWORD)
            )
        }),
        ("key=value, quoted", |h, p, u, d, m| {
            format!(
                "host={h} port={p} user={u} password={} dbname={d} sslmode={m}",
                kv_quote(MATRIX_PASSWORD)
            )
        }),
        ("key=value, escaped", |h, p, u, d, m| {
            let escaped: String = MATRIX_PASSWORD
                .chars()
                .flat_map(|c| {
                    let esc = matches!(c, ' ' | '\'' | '\\');
                    esc.then_some('\\').into_iter().chain(std::iter::once(c))
                })
                .collect();
            format!("host={h} port={p} user={u} password={escaped} dbname={d} sslmode={m}")
        }),
        ("key=value, spaced", |h, p, u, d, m| {
            format!(
                "host = {h}  port = {p} user = {u}  password = {}  dbname = {d} sslmode = {m}",
                kv_quote(MATRIX_PASSWORD)
            )
        }),
        // Strings that do not parse: never echoed.
        ("key=value, unterminated quote", |h, p, u, d, m| {
            format!("host={h} port={p} user={u} dbname={d} sslmode={m} password='{MATRIX_PASSWORD}")
        }),
        ("url, bad percent-encoding", |h, p, u, d, m| {
            format!("postgres://{u}:Zx7Q%zzZx7Q@{h}:{p}/{d}?sslmode={m}")
        }),
    ]
}

// See: issue 10, item 2.
/// Connection-string forms × failure paths × commands and output formats: no piece of the
/// password ever appears on stdout or stderr, raw, decoded or encoded.
#[test]
fn secrets_matrix_no_password_in_any_output() {
    let _role = CLEARTEXT_ROLE.lock().unwrap_or_else(|e| e.into_inner());
    let pg = cluster();
    pg.cleartext_role(MATRIX_PASSWORD);
    pg.database("matrix", "CREATE TABLE t (id int);");
    let plain = support::wire::Proxy::start(pg.port, true);
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let role = support::pg::CLEARTEXT_ROLE;
    // (failure, host, port, user, db, sslmode, what the message says)
    let paths: [(&str, &str, u16, &str, &str, &str, &str); 6] = [
        (
            "refused",
            "127.0.0.1",
            dead,
            role,
            "matrix",
            "prefer",
            "connection refused",
        ),
        (
            "wrong password",
            "localhost",
            pg.port,
            "postgres",
            "matrix",
            "prefer",
            "authentication failed",
        ),
        (
            "missing database",
            "localhost",
            pg.port,
            role,
            "no_such_db",
            "prefer",
            "database does not exist",
        ),
        (
            "dns failure",
            "nonexistent.invalid",
            5432,
            role,
            "matrix",
            "prefer",
            "could not resolve",
        ),
        (
            "tls required, absent",
            "localhost",
            plain.port,
            role,
            "matrix",
            "require",
            "TLS error",
        ),
        (
            "verify failure",
            "localhost",
            pg.port,
            role,
            "matrix",
            "verify-full",
            "TLS error",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), "CREATE TABLE t (id int);").unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT nope FROM t;\n").unwrap();
    let markers = ["Zx7Q", &pct("Zx7Q/")[..]];
    let mut leaks = Vec::new();
    let mut runs = 0;
    for (form, build) in matrix_forms() {
        let unparsable = form.contains("unterminated") || form.contains("bad percent");
        for (failure, host, port, user, db, mode, says) in paths {
            let conn = build(host, port, user, db, mode);
            let mut invocations: Vec<Vec<&str>> = Vec::new();
            for format in ["human", "json", "sarif", "github"] {
                invocations.push(vec![
                    "check",
                    "--database-url",
                    &conn,
                    "q.sql",
                    "--format",
                    format,
                ]);
            }
            invocations.push(vec![
                "check",
                "--schema",
                "schema.sql",
                "--verify",
                "--database-url",
                &conn,
                "q.sql",
            ]);
            invocations.push(vec!["snapshot", "--database-url", &conn, "-o", "out.json"]);
            invocations.push(vec!["diff", &conn, "schema.sql"]);
            invocations.push(vec!["diff", "schema.sql", &conn, "--format", "json"]);
            for args in invocations {
                runs += 1;
                let (code, stdout, stderr) = schemalint(
                    dir.path(),
                    &[&args[..], &["--connect-timeout", "5"]].concat(),
                    &[],
                );
                let what = format!(
                    "{form} / {failure} / {}",
                    args.join(" ").replace(&conn, "<conn>")
                );
                if markers
                    .iter()
                    .any(|m| stdout.contains(m) || stderr.contains(m))
                {
                    leaks.push(format!("{what}:\n{stdout}{stderr}"));
                }
                let expected = if unparsable {
                    "invalid connection string (not shown)"
                } else {
                    says
                };
                if code != 2 || !stderr.contains(expected) {
                    leaks.push(format!(
                        "{what}: exit {code}, expected `{expected}`:\n{stderr}"
                    ));
                }
            }
        }
    }
    assert!(runs > 300, "{runs}");
    assert!(
        leaks.is_empty(),
        "{} problems:\n{}",
        leaks.len(),
        leaks.join("\n---\n")
    );
}
