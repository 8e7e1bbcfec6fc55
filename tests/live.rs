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
use schemalint::schema::{load_ddl_paths, snapshot, Schema};
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
            settings: RuleSettings::default(),
            sources: &sources,
            collect_references: false,
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
        matches!(e, LiveError::InvalidUrl { .. })
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
