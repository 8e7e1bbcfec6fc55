//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory (as the
//! `postgres` user when the tests run as root, since initdb refuses root), a unix socket in
//! that directory plus a loopback TCP port with password authentication, and TLS with a CA
//! and server certificate made by `openssl`. One cluster per test binary; it stops when the
//! test process exits (a watchdog shell waits on our PID). `SCHEMALINT_TEST_DATABASE_URL`
//! is not used here because these tests need to configure the server (TLS, passwords).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    /// The CA that signed the server certificate (for sslrootcert).
    pub ca: PathBuf,
    /// A CA that did not (for the negative TLS test).
    pub other_ca: PathBuf,
}

pub const PASSWORD: &str = "s3cret-Pa55word";

/// The role that authenticates with the `password` method (see [`Cluster::cleartext_role`]).
pub const CLEARTEXT_ROLE: &str = "cleartext";

pub fn bin_dir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.pop().unwrap_or_else(|| {
        panic!("PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

/// Run a command, as the postgres user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn make_certs(dir: &Path) {
    for ca in ["ca", "other-ca"] {
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=schemalint test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            dir,
        );
    }
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
        dir,
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
            "-extfile",
            "server.ext",
        ],
        dir,
    );
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(start)
}

fn start() -> Cluster {
    let bin = bin_dir();
    let dir = std::env::temp_dir().join(format!("schemalint-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    make_certs(&dir);
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).unwrap();
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown the cluster directory to postgres");
    }
    let out = as_server_user(&bin.join("initdb"))
        .args([
            "-N",
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--pwfile",
        ])
        .arg(&pwfile)
        .arg("-D")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One role logs in with the `password` method, which sends the password as it is: the
    // wire tests prove that it never crosses without TLS when TLS was asked for.
    let hba_path = data.join("pg_hba.conf");
    let hba = std::fs::read_to_string(&hba_path).unwrap();
    std::fs::write(
        &hba_path,
        format!("host all {CLEARTEXT_ROLE} 127.0.0.1/32 password\nhost all {CLEARTEXT_ROLE} ::1/128 password\n{hba}"),
    )
    .unwrap();
    std::fs::set_permissions(
        dir.join("server.key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let port = free_port();
    let conf = format!(
        "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{d}'\nfsync = off\nssl = on\nssl_cert_file = '{d}/server.pem'\nssl_key_file = '{d}/server.key'\n",
        d = dir.display()
    );
    let conf_path = data.join("postgresql.auto.conf");
    let mut existing = std::fs::read_to_string(&conf_path).unwrap_or_default();
    existing.push_str(&conf);
    std::fs::write(&conf_path, existing).unwrap();
    if is_root() {
        Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&dir)
            .status()
            .unwrap();
    }
    // The server runs under a watchdog that stops it when this test process exits.
    let script = format!(
        "'{postgres}' -D '{data}' >'{dir}/log' 2>&1 & pid=$!; while [ -d /proc/{me} ] && kill -0 $pid 2>/dev/null; do sleep 0.2; done; kill -INT $pid 2>/dev/null; sleep 1; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        me = std::process::id(),
    );
    // Not waited on by design: the watchdog outlives the test process and stops the server.
    #[allow(clippy::zombie_processes)]
    as_server_user(Path::new("/bin/sh"))
        .arg("-c")
        .arg(script)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join(format!(".s.PGSQL.{port}")).exists() {
        assert!(
            Instant::now() < deadline,
            "postgres did not start: {}",
            std::fs::read_to_string(dir.join("log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Ready for connections (the socket can appear before startup finishes).
    while !Command::new(bin.join("pg_isready"))
        .arg("-h")
        .arg(&dir)
        .arg("-p")
        .arg(port.to_string())
        .status()
        .unwrap()
        .success()
    {
        assert!(Instant::now() < deadline, "postgres not ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    Cluster {
        ca: dir.join("ca.pem"),
        other_ca: dir.join("other-ca.pem"),
        dir,
        port,
    }
}

impl Cluster {
    /// A key=value connection string over the unix socket (trust auth).
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={db}",
            self.dir.display(),
            self.port
        )
    }

    /// A URL over TCP on loopback (password auth, TLS available).
    pub fn tcp_url(&self, db: &str, password: &str, params: &str) -> String {
        format!(
            "postgres://postgres:{password}@localhost:{}/{db}{params}",
            self.port
        )
    }

    /// Run `sql` in the `postgres` database over the socket, as the superuser.
    pub fn psql(&self, sql: &str) -> String {
        self.psql_in("postgres", sql)
    }

    /// Run `sql` in database `db` as the superuser; its output, unaligned and without headers.
    pub fn psql_in(&self, db: &str, sql: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .args(["-X", "-qtA", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db])
            .arg("-c")
            .arg(sql)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Give the cleartext-password role (created on first use) this password.
    pub fn cleartext_role(&self, password: &str) {
        let literal = password.replace('\'', "''");
        self.psql(&format!(
            "DO $$ BEGIN CREATE ROLE {CLEARTEXT_ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; ALTER ROLE {CLEARTEXT_ROLE} PASSWORD '{literal}'"
        ));
    }

    /// Create a fresh database and run `sql` in it (each test gets its own database).
    pub fn database(&self, name: &str, sql: &str) -> String {
        self.psql(&format!("DROP DATABASE IF EXISTS {name}"));
        self.psql(&format!("CREATE DATABASE {name}"));
        if !sql.is_empty() {
            self.psql_in(name, sql);
        }
        self.socket_url(name)
    }
}
