//! Live schemas: reads the whole model from `pg_catalog` in one read-only transaction over
//! tokio-postgres (TLS with rustls). The only async code in the crate, behind a blocking API.
//! Passwords never reach an error message, a log line or a `Debug` output.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::path::Path;
use tokio_postgres::{Client, NoTls};

use super::conninfo::{ConnInfo, ConnInfoError, SslMode};
use super::{Column, EnumType, Ident, Identity, Relation, RelationKind, Schema};

/// How to reach the database.
#[derive(Clone)]
pub struct ConnectOptions {
    /// The connection string as given: a URL or libpq key=value pairs. Parsed once per
    /// connection into a [`ConnInfo`]; never shown as it is.
    pub url: String,
    pub connect_timeout: Duration,
    /// Server side: how long one statement may run (`SET LOCAL statement_timeout`).
    pub statement_timeout: Duration,
    /// Server side: how long a statement may wait for a lock (`SET LOCAL lock_timeout`), so a
    /// locked table costs a second, not a statement timeout.
    pub lock_timeout: Duration,
    /// Client side: how long each round-trip phase after login (reading the schema, one
    /// batch of `--verify`) may take before we give up on a server that stopped answering.
    /// Kept above `statement_timeout` so the server's own limit, with its clearer message,
    /// fires first.
    pub query_timeout: Duration,
    /// Schemas searched for unqualified names; types in them print unqualified.
    pub search_path: Vec<Ident>,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("url", &display_connection(&self.url))
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("query_timeout", &self.query_timeout)
            .finish()
    }
}

/// The client-side deadline when none is configured.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(60);

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(1),
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            search_path: vec![Ident::from("public")],
        }
    }

    /// Set the client-side deadline, and lower the server's statement timeout below it when
    /// needed (to three quarters of it), so that the server's limit still fires first.
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        let timeout = timeout.max(Duration::from_millis(100));
        self.query_timeout = timeout;
        if self.statement_timeout >= timeout {
            self.statement_timeout = timeout * 3 / 4;
        }
        if self.lock_timeout >= self.statement_timeout {
            self.lock_timeout = self.statement_timeout / 2;
        }
        self
    }
}

/// How a connection string may be shown: its redacted display form when it parses, and
/// never any of it when it does not.
pub fn display_connection(text: &str) -> String {
    match ConnInfo::parse(text) {
        Ok(info) => info.display(),
        Err(_) => "(connection string not shown: it does not parse)".to_string(),
    }
}

/// Why the database could not be read. Messages carry the redacted URL, never a password.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The connection string does not parse (its text is never shown).
    #[error("{0}")]
    InvalidUrl(#[from] ConnInfoError),
    /// The host name could not be resolved.
    #[error("could not resolve the database host of {url}: {message}")]
    Dns { url: String, message: String },
    /// Nothing listens at the address.
    #[error("connection refused by {url}: is the database running and reachable?")]
    Refused { url: String },
    /// No answer within the connect timeout.
    #[error("timed out after {seconds} s connecting to {url}")]
    Timeout { url: String, seconds: u64 },
    /// Logged in, then no answer within the query timeout.
    #[error("{url} stopped answering: no reply within {seconds} s while {phase} (the limit is --query-timeout or `[schema] query-timeout`)")]
    Unanswered {
        url: String,
        seconds: u64,
        phase: &'static str,
    },
    /// Wrong user name or password.
    #[error("authentication failed for {url}: {message}")]
    Auth { url: String, message: String },
    /// The database named in the URL does not exist.
    #[error("database does not exist at {url}: {message}")]
    MissingDatabase { url: String, message: String },
    /// The TLS handshake or certificate verification failed, or TLS was required and refused.
    #[error("TLS error connecting to {url}: {message}")]
    Tls { url: String, message: String },
    /// Verifying statements failed part-way (the connection broke, the server went away).
    #[error("verifying statements against {url} failed: {message}")]
    Verify { url: String, message: String },
    /// A catalog query failed, or the connection broke.
    #[error("reading the schema from {url} failed: {message}")]
    Query { url: String, message: String },
}

/// How the server certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertCheck {
    /// `allow`/`prefer`: encrypt when the server offers it, without verifying (as libpq; a
    /// mode that falls back to plain text protects against nothing an attacker controls).
    Encrypt,
    /// `require` and `verify-ca`: the chain must lead to a trusted root; any host name.
    Chain,
    /// `verify-full`: the chain and the host name.
    ChainAndName,
}

/// `verify-ca`: webpki's verdict, except that a certificate valid for another name is fine.
/// Webpki checks the name last, after the chain, so `NotValidForName` means the chain held.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl rustls::client::danger::ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                NotValidForName | NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `allow`/`prefer`: any certificate, but the handshake signatures are still checked.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The rustls configuration for a certificate check. rustls sends SNI for host names (Neon
/// routes by it).
fn rustls_config(
    check: CertCheck,
    root_cert: Option<&str>,
    url: &str,
) -> Result<rustls::ClientConfig, LiveError> {
    let tls_error = |message: String| LiveError::Tls {
        url: url.to_string(),
        message,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?;
    if check == CertCheck::Encrypt {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root_cert {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| tls_error(format!("cannot read sslrootcert {path}: {e}")))?;
        let mut any = false;
        for cert in certs {
            let cert = cert.map_err(|e| tls_error(format!("bad certificate in {path}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| tls_error(format!("bad certificate in {path}: {e}")))?;
            any = true;
        }
        if !any {
            return Err(tls_error(format!("no certificate in sslrootcert {path}")));
        }
    }
    let webpki =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| tls_error(e.to_string()))?;
    Ok(match check {
        CertCheck::ChainAndName => builder.with_webpki_verifier(webpki).with_no_client_auth(),
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
            .with_no_client_auth(),
    })
}

/// The connection string parsed, with libpq's environment defaults and, when it names no
/// password, `PGPASSWORD` or the password file.
pub fn resolve(text: &str) -> Result<ConnInfo, ConnInfoError> {
    let mut info = ConnInfo::parse(text)?;
    info.apply_env_defaults(|name| std::env::var(name).ok())?;
    if info.hosts.is_empty() && info.hostaddrs.is_empty() {
        // libpq's default: the unix socket directory (Debian's, else the upstream one).
        let dir = if Path::new("/var/run/postgresql").is_dir() {
            "/var/run/postgresql"
        } else {
            "/tmp"
        };
        info.hosts = vec![dir.to_string()];
    }
    if info.password().is_none() {
        if let Some(pw) = std::env::var("PGPASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .or_else(|| pgpass_password(&info))
        {
            info.set_password(pw);
        }
    }
    Ok(info)
}

/// The driver's configuration, built field by field from the parsed string (no second parse).
fn driver_config(
    info: &ConnInfo,
    opts: &ConnectOptions,
) -> Result<tokio_postgres::Config, ConnInfoError> {
    use tokio_postgres::config::{
        ChannelBinding, LoadBalanceHosts, SslNegotiation, TargetSessionAttrs,
    };
    let bad = |what: &str| ConnInfoError::new(format!("{what} has an unsupported value"));
    let mut config = tokio_postgres::Config::new();
    for host in &info.hosts {
        config.host(host);
    }
    for addr in &info.hostaddrs {
        config.hostaddr(addr.parse().map_err(|_| bad("hostaddr"))?);
    }
    for &port in &info.ports {
        config.port(port);
    }
    if let Some(user) = &info.user {
        config.user(user);
    }
    if let Some(pw) = info.password() {
        config.password(pw);
    }
    if let Some(db) = &info.dbname {
        config.dbname(db);
    }
    if let Some(o) = &info.options {
        config.options(o);
    }
    config.application_name(info.application_name.as_deref().unwrap_or("schemalint"));
    let connect_timeout = info
        .connect_timeout
        .filter(|&s| s > 0)
        .map_or(opts.connect_timeout, Duration::from_secs);
    config.connect_timeout(connect_timeout);
    if let Some(v) = &info.target_session_attrs {
        config.target_session_attrs(match v.as_str() {
            "any" => TargetSessionAttrs::Any,
            "read-write" => TargetSessionAttrs::ReadWrite,
            "read-only" => TargetSessionAttrs::ReadOnly,
            _ => return Err(bad("target_session_attrs")),
        });
    }
    if let Some(v) = &info.channel_binding {
        config.channel_binding(match v.as_str() {
            "disable" => ChannelBinding::Disable,
            "prefer" => ChannelBinding::Prefer,
            "require" => ChannelBinding::Require,
            _ => return Err(bad("channel_binding")),
        });
    }
    if let Some(v) = &info.sslnegotiation {
        config.ssl_negotiation(match v.as_str() {
            "postgres" => SslNegotiation::Postgres,
            "direct" => SslNegotiation::Direct,
            _ => return Err(bad("sslnegotiation")),
        });
    }
    if let Some(v) = &info.load_balance_hosts {
        config.load_balance_hosts(match v.as_str() {
            "disable" => LoadBalanceHosts::Disable,
            "random" => LoadBalanceHosts::Random,
            _ => return Err(bad("load_balance_hosts")),
        });
    }
    if let Some(k) = info.keepalives {
        config.keepalives(k);
    }
    if let Some(s) = info.keepalives_idle {
        config.keepalives_idle(Duration::from_secs(s));
    }
    Ok(config)
}

/// Connect, honouring sslmode, the connect timeout, `PGPASSWORD` and the password file.
/// Returns the client and the connection's display form, for messages.
async fn connect(opts: &ConnectOptions) -> Result<(Client, ConnInfo), LiveError> {
    let info = resolve(&opts.url)?;
    let shown = info.display();
    let mut config = driver_config(&info, opts)?;
    let connect_timeout = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(opts.connect_timeout);
    // libpq never uses TLS over a unix socket, whatever sslmode says.
    let mode = if info.is_unix_socket() {
        SslMode::Disable
    } else {
        info.ssl_mode()
    };
    let attempt = async {
        let tls = match mode {
            SslMode::Disable => {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                let (client, conn) = config.connect(NoTls).await?;
                tokio::spawn(conn);
                return Ok(client);
            }
            SslMode::Allow | SslMode::Prefer => {
                config.ssl_mode(tokio_postgres::config::SslMode::Prefer);
                CertCheck::Encrypt
            }
            // With rustls, `require` verifies the chain too (stricter than libpq's).
            SslMode::Require | SslMode::VerifyCa => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                CertCheck::Chain
            }
            SslMode::VerifyFull => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                CertCheck::ChainAndName
            }
        };
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(rustls_config(
            tls,
            info.sslrootcert.as_deref(),
            &shown,
        )?);
        let (client, conn) = config.connect(tls).await?;
        tokio::spawn(conn);
        Ok(client)
    };
    let result: Result<Client, ConnectFailure> =
        match tokio::time::timeout(connect_timeout, attempt).await {
            Ok(r) => r,
            Err(_) => {
                return Err(LiveError::Timeout {
                    url: shown,
                    seconds: connect_timeout.as_secs(),
                })
            }
        };
    match result {
        Ok(client) => Ok((client, info)),
        Err(ConnectFailure::Live(e)) => Err(e),
        Err(ConnectFailure::Pg(e)) => Err(classify(&e, &info, connect_timeout)),
    }
}

/// The password-file entry for the first host, with libpq's defaults (port 5432, database =
/// user = the login name; a unix socket counts as `localhost`).
fn pgpass_password(info: &ConnInfo) -> Option<String> {
    let host = match info.hosts.first() {
        Some(h) if !h.starts_with('/') => h.clone(),
        _ => "localhost".to_string(),
    };
    let user = info.user.clone().or_else(|| std::env::var("USER").ok())?;
    let database = info.dbname.clone().unwrap_or_else(|| user.clone());
    super::pgpass::lookup(&super::pgpass::Target {
        host: &host,
        port: info.ports.first().copied().unwrap_or(5432),
        database: &database,
        user: &user,
    })
}

enum ConnectFailure {
    Pg(tokio_postgres::Error),
    Live(LiveError),
}

impl From<tokio_postgres::Error> for ConnectFailure {
    fn from(e: tokio_postgres::Error) -> Self {
        ConnectFailure::Pg(e)
    }
}

impl From<LiveError> for ConnectFailure {
    fn from(e: LiveError) -> Self {
        ConnectFailure::Live(e)
    }
}

/// The error and its sources as one line, scrubbed of this connection's secrets.
fn error_chain(e: &tokio_postgres::Error, info: &ConnInfo) -> String {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    info.scrub(&chain)
}

/// Turn a connection error into one of our variants, with no secret in the message.
fn classify(e: &tokio_postgres::Error, info: &ConnInfo, timeout: Duration) -> LiveError {
    use tokio_postgres::error::SqlState;
    let url = info.display();
    if let Some(db) = e.as_db_error() {
        let message = info.scrub(db.message());
        return match *db.code() {
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                LiveError::Auth { url, message }
            }
            SqlState::INVALID_CATALOG_NAME => LiveError::MissingDatabase { url, message },
            _ => LiveError::Query { url, message },
        };
    }
    let chain = error_chain(e, info);
    let lower = chain.to_ascii_lowercase();
    if lower.contains("refused") {
        LiveError::Refused { url }
    } else if lower.contains("lookup")
        || lower.contains("resolve")
        || lower.contains("name or service")
    {
        LiveError::Dns {
            url,
            message: chain,
        }
    } else if lower.contains("timed out") || lower.contains("timeout") {
        LiveError::Timeout {
            url,
            seconds: timeout.as_secs(),
        }
    } else if lower.contains("tls") || lower.contains("ssl") || lower.contains("certificate") {
        LiveError::Tls {
            url,
            message: chain,
        }
    } else if lower.contains("password") || lower.contains("authentication") {
        LiveError::Auth {
            url,
            message: chain,
        }
    } else {
        LiveError::Query {
            url,
            message: chain,
        }
    }
}

const RELATIONS_SQL: &str = include_str!("queries/relations.sql");
const ENUMS_SQL: &str = include_str!("queries/enums.sql");
const SCHEMAS_SQL: &str = include_str!("queries/schemas.sql");
const FUNCTIONS_SQL: &str = include_str!("queries/functions.sql");
const STATS_SQL: &str = include_str!("queries/stats.sql");

/// Read the whole schema: three catalog queries in one read-only, repeatable-read
/// transaction, with a statement timeout and a client-side deadline on each reply.
pub fn introspect(opts: &ConnectOptions) -> Result<Schema, LiveError> {
    block_on(opts, introspect_async(opts, false)).map(|(schema, _)| schema)
}

/// What the server's statistics say about one table (`pg_class`, `pg_stat_all_tables`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableStats {
    /// `pg_class.reltuples`: the planner's row estimate; `None` before the first VACUUM or
    /// ANALYZE (Postgres stores -1 then).
    pub reltuples: Option<f64>,
    /// `n_live_tup`, `n_tup_ins`, `n_tup_upd`, `n_tup_del`; `None` without a statistics entry.
    pub live: Option<i64>,
    pub inserted: Option<i64>,
    pub updated: Option<i64>,
    pub deleted: Option<i64>,
    /// The latest manual or automatic VACUUM and ANALYZE, as the server prints timestamps.
    pub last_vacuum: Option<String>,
    pub last_analyze: Option<String>,
}

/// Statistics by (schema, table).
pub type Stats = std::collections::BTreeMap<(Ident, Ident), TableStats>;

/// [`introspect`], plus each table's statistics read in the same read-only transaction, so
/// that both describe the same moment (`schemalint report`).
pub fn introspect_with_stats(opts: &ConnectOptions) -> Result<(Schema, Stats), LiveError> {
    block_on(opts, introspect_async(opts, true))
        .map(|(schema, stats)| (schema, stats.unwrap_or_default()))
}

/// Run one database conversation to completion on a single-threaded runtime.
fn block_on<T>(
    opts: &ConnectOptions,
    work: impl std::future::Future<Output = Result<T, LiveError>>,
) -> Result<T, LiveError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LiveError::Query {
            url: display_connection(&opts.url),
            message: e.to_string(),
        })?
        .block_on(work)
}

/// A failed query as our error: the server's message, or the client's, scrubbed.
fn query_error(info: &ConnInfo, e: &tokio_postgres::Error) -> LiveError {
    LiveError::Query {
        url: info.display(),
        message: match e.as_db_error() {
            Some(d) => info.scrub(d.message()),
            None => error_chain(e, info),
        },
    }
}

/// A failure while verifying, as our error.
fn verify_error(info: &ConnInfo, e: &tokio_postgres::Error) -> LiveError {
    LiveError::Verify {
        url: info.display(),
        message: match e.as_db_error() {
            Some(d) => info.scrub(d.message()),
            None => error_chain(e, info),
        },
    }
}

/// Wait for one reply, at most the query timeout: a server (or a proxy, or a network path)
/// that stopped answering after login must not hang the run.
async fn reply<T>(
    opts: &ConnectOptions,
    info: &ConnInfo,
    phase: &'static str,
    work: impl std::future::Future<Output = T>,
) -> Result<T, LiveError> {
    tokio::time::timeout(opts.query_timeout, work)
        .await
        .map_err(|_| LiveError::Unanswered {
            url: info.display(),
            seconds: opts.query_timeout.as_secs().max(1),
            phase,
        })
}

/// `SET LOCAL` for the statement and lock timeouts and the search path, for the start of a
/// transaction. format_type prints types in schemas on the search path unqualified, as the
/// replay does.
fn session_settings(opts: &ConnectOptions) -> String {
    let path: Vec<String> = opts.search_path.iter().map(Ident::to_sql).collect();
    format!(
        "SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}; SET LOCAL search_path = {}",
        opts.statement_timeout.as_millis().max(1),
        opts.lock_timeout.as_millis().max(1),
        if path.is_empty() {
            "''".to_string()
        } else {
            path.join(", ")
        }
    )
}

async fn introspect_async(
    opts: &ConnectOptions,
    with_stats: bool,
) -> Result<(Schema, Option<Stats>), LiveError> {
    const PHASE: &str = "reading the schema";
    let (client, info) = connect(opts).await?;
    let failed = |e: tokio_postgres::Error| query_error(&info, &e);
    let setup = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
        session_settings(opts)
    );
    reply(opts, &info, PHASE, client.batch_execute(&setup))
        .await?
        .map_err(failed)?;
    let (rels, enums, schemas, functions) = reply(opts, &info, PHASE, async {
        tokio::join!(
            client.query(RELATIONS_SQL, &[]),
            client.query(ENUMS_SQL, &[]),
            client.query(SCHEMAS_SQL, &[]),
            client.query(FUNCTIONS_SQL, &[])
        )
    })
    .await?;
    let (rels, enums, schemas, functions) = (
        rels.map_err(failed)?,
        enums.map_err(failed)?,
        schemas.map_err(failed)?,
        functions.map_err(failed)?,
    );
    let stats = if with_stats {
        let rows = reply(opts, &info, PHASE, client.query(STATS_SQL, &[]))
            .await?
            .map_err(failed)?;
        Some(stats_from_rows(&rows))
    } else {
        None
    };
    reply(opts, &info, PHASE, client.batch_execute("ROLLBACK"))
        .await?
        .map_err(failed)?;
    // `server_version_num` is 150004 for 15.4: statements are judged by the server's major.
    let version = reply(
        opts,
        &info,
        PHASE,
        client.query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        ),
    )
    .await?
    .map_err(failed)?;

    let mut schema = Schema {
        search_path: opts.search_path.clone(),
        postgres_version: u32::try_from(version.get::<_, i32>(0)).ok(),
        ..Schema::default()
    };
    for row in &schemas {
        schema.namespace_mut(&Ident::quoted(row.get::<_, &str>(0)));
    }
    for row in &rels {
        let ns = Ident::quoted(row.get::<_, &str>(0));
        let name = Ident::quoted(row.get::<_, &str>(1));
        let kind = match row.get::<_, &str>(2) {
            "r" => RelationKind::Table,
            "p" => RelationKind::PartitionedTable,
            "v" => RelationKind::View,
            "m" => RelationKind::MaterializedView,
            "f" => RelationKind::ForeignTable,
            "S" => RelationKind::Sequence,
            // The query selects only these kinds; anything else is skipped, not a crash.
            _ => continue,
        };
        let namespace = schema.namespace_mut(&ns);
        let rel = namespace
            .relations
            .entry(name.clone())
            .or_insert_with(|| Relation::new(name, kind));
        let Some(col_name) = row.get::<_, Option<&str>>(3) else {
            continue;
        };
        let mut col = Column::new(Ident::quoted(col_name), row.get::<_, &str>(4));
        col.nullable = !row.get::<_, bool>(5);
        col.default = row.get::<_, Option<String>>(6);
        col.identity = match row.get::<_, &str>(7) {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        col.generated = row.get::<_, Option<String>>(8);
        rel.columns.push(col);
    }
    for row in &enums {
        let ns = Ident::quoted(row.get::<_, &str>(0));
        let name = Ident::quoted(row.get::<_, &str>(1));
        let label: String = row.get(2);
        schema
            .namespace_mut(&ns)
            .enums
            .entry(name.clone())
            .or_insert_with(|| EnumType {
                name,
                labels: Vec::new(),
            })
            .labels
            .push(label);
    }
    for row in &functions {
        let ns = Ident::quoted(row.get::<_, &str>(0));
        let name = Ident::quoted(row.get::<_, &str>(1));
        let outs: Vec<String> = row.get(3);
        let relation = row
            .get::<_, Option<&str>>(5)
            .zip(row.get::<_, Option<&str>>(6));
        let result = super::functions::catalog_result(&outs, row.get::<_, &str>(4), relation);
        schema
            .namespace_mut(&ns)
            .functions
            .entry(name)
            .or_default()
            .push(super::functions::Function {
                signature: row.get::<_, String>(2),
                result,
            });
    }
    Ok((schema, stats))
}

fn stats_from_rows(rows: &[tokio_postgres::Row]) -> Stats {
    rows.iter()
        .map(|row| {
            let key = (
                Ident::quoted(row.get::<_, &str>(0)),
                Ident::quoted(row.get::<_, &str>(1)),
            );
            let stats = TableStats {
                reltuples: row.get::<_, Option<f64>>(2).filter(|n| *n >= 0.0),
                live: row.get(3),
                inserted: row.get(4),
                updated: row.get(5),
                deleted: row.get(6),
                last_vacuum: row.get(7),
                last_analyze: row.get(8),
            };
            (key, stats)
        })
        .collect()
}

/// What the server said about a statement it refused to prepare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// SQLSTATE, e.g. `42703`.
    pub code: String,
    /// The server's message, e.g. `column "media_type" of relation "media" does not exist`.
    pub message: String,
    /// 1-based character position in the statement text, when the server gave one.
    pub position: Option<u32>,
    pub hint: Option<String>,
}

/// The server's answer on one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It prepared: the database accepts the statement.
    Prepared,
    /// It refused, with a verdict about the statement.
    Refused(ServerError),
    /// No verdict, for a reason that is not about the statement's SQL.
    NotVerified(NotVerified),
}

/// Why a statement got no verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NotVerified {
    /// `lock_timeout`: a table it reads was locked by another session.
    Locked,
    /// `statement_timeout`: the server gave up preparing it.
    TimedOut,
    /// It holds a NUL byte, which the protocol cannot carry; it was not sent.
    Unencodable,
}

impl NotVerified {
    pub fn reason(self) -> &'static str {
        match self {
            NotVerified::Locked => "table locked (lock_timeout)",
            NotVerified::TimedOut => "statement timeout",
            NotVerified::Unencodable => "contains a NUL byte, which cannot be sent to PostgreSQL",
        }
    }
}

/// The verdicts of one `--verify` run: one per statement, in order, up to a failure that
/// stopped the run (then `failure` says why, and which statement caused it, if one did).
#[derive(Debug)]
pub struct Verification {
    pub verdicts: Vec<Verdict>,
    pub failure: Option<VerifyFailure>,
}

#[derive(Debug)]
pub struct VerifyFailure {
    pub error: LiveError,
    /// The index of the statement that caused it, when one did (not for a dropped
    /// connection).
    pub statement: Option<usize>,
}

/// How many statements are in flight at once.
const PIPELINE_DEPTH: usize = 256;
const SAVEPOINT: &str = "schemalint_verify";

/// Ask the server to prepare each statement and return its verdict on each, in order.
/// Nothing is ever executed: only Parse and Describe messages are sent, never Bind or
/// Execute, inside a read-only transaction with statement and lock timeouts that is rolled
/// back at the end. After each statement the transaction is rolled back to a savepoint, so
/// one refusal does not abort the verdicts on the rest. Requests are pipelined: a whole batch
/// is written before the first answer is read; each answer is awaited at most
/// `query_timeout`.
pub fn prepare_each(opts: &ConnectOptions, statements: &[&str]) -> Verification {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => rt.block_on(prepare_each_async(opts, statements)),
        Err(e) => Verification {
            verdicts: Vec::new(),
            failure: Some(VerifyFailure {
                error: LiveError::Query {
                    url: display_connection(&opts.url),
                    message: e.to_string(),
                },
                statement: None,
            }),
        },
    }
}

/// [`prepare_each`] for callers that want every verdict or an error: `None` when the
/// statement prepared.
pub fn prepare_all(
    opts: &ConnectOptions,
    statements: &[&str],
) -> Result<Vec<Option<ServerError>>, LiveError> {
    let v = prepare_each(opts, statements);
    if let Some(f) = v.failure {
        return Err(f.error);
    }
    v.verdicts
        .into_iter()
        .map(|verdict| match verdict {
            Verdict::Prepared => Ok(None),
            Verdict::Refused(e) => Ok(Some(e)),
            Verdict::NotVerified(why) => Err(LiveError::Query {
                url: display_connection(&opts.url),
                message: format!("a statement was not verified: {}", why.reason()),
            }),
        })
        .collect()
}

enum Step {
    Prepared(Result<tokio_postgres::Statement, tokio_postgres::Error>),
    RolledBack(Result<(), tokio_postgres::Error>),
    Skipped,
}

/// The server's answer on a prepared statement as a verdict, or `Err` when the answer is
/// not about the statement (the connection broke, the driver could not send it).
fn verdict(
    result: Result<tokio_postgres::Statement, tokio_postgres::Error>,
) -> Result<Verdict, tokio_postgres::Error> {
    use tokio_postgres::error::SqlState;
    let e = match result {
        Ok(_) => return Ok(Verdict::Prepared),
        Err(e) => e,
    };
    let Some(db) = e.as_db_error() else {
        return Err(e);
    };
    if is_connection_lost(&e) {
        return Err(e);
    }
    Ok(match *db.code() {
        SqlState::LOCK_NOT_AVAILABLE => Verdict::NotVerified(NotVerified::Locked),
        SqlState::QUERY_CANCELED => Verdict::NotVerified(NotVerified::TimedOut),
        _ => Verdict::Refused(ServerError {
            code: db.code().code().to_string(),
            message: db.message().to_string(),
            position: match db.position() {
                Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p),
                _ => None,
            },
            hint: db.hint().map(str::to_string),
        }),
    })
}

/// The session ended under us: the connection closed, or the server ended it (a shutdown,
/// `pg_terminate_backend`: SQLSTATE 57P01-57P05, or a connection exception, class 08).
fn is_connection_lost(e: &tokio_postgres::Error) -> bool {
    e.is_closed()
        || e.as_db_error().is_some_and(|db| {
            let code = db.code().code();
            code.starts_with("08") || code.starts_with("57P")
        })
}

async fn prepare_each_async(opts: &ConnectOptions, statements: &[&str]) -> Verification {
    let mut verdicts = Vec::with_capacity(statements.len());
    let failure = prepare_into(opts, statements, &mut verdicts).await.err();
    Verification { verdicts, failure }
}

async fn prepare_into(
    opts: &ConnectOptions,
    statements: &[&str],
    verdicts: &mut Vec<Verdict>,
) -> Result<(), VerifyFailure> {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    const PHASE: &str = "verifying statements";

    let whole = |error: LiveError| VerifyFailure {
        error,
        statement: None,
    };
    let (client, info) = connect(opts).await.map_err(whole)?;
    let failed = |e: tokio_postgres::Error| verify_error(&info, &e);
    let setup = format!(
        "BEGIN READ ONLY; {}; SAVEPOINT {SAVEPOINT}",
        session_settings(opts)
    );
    reply(opts, &info, PHASE, client.batch_execute(&setup))
        .await
        .map_err(whole)?
        .map_err(|e| whole(failed(e)))?;
    let rollback_to = format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}");

    for batch in statements.chunks(PIPELINE_DEPTH) {
        type Pending<'a> = Pin<Box<dyn Future<Output = Step> + 'a>>;
        let mut pending: Vec<Pending<'_>> = Vec::with_capacity(2 * batch.len());
        for &text in batch {
            let client = &client;
            // The protocol carries statements as C strings: one with a NUL byte cannot be
            // sent, and the driver's encoding error would end the run. Skip it alone.
            if text.contains('\0') {
                pending.push(Box::pin(async { Step::Skipped }));
                continue;
            }
            pending.push(Box::pin(async move {
                Step::Prepared(client.prepare(text).await)
            }));
            let rollback_to = rollback_to.as_str();
            pending.push(Box::pin(async move {
                Step::RolledBack(client.batch_execute(rollback_to).await)
            }));
        }
        // tokio-postgres writes a request when its future is first polled: poll each once, in
        // order, so the whole batch goes out before any answer is awaited.
        let mut cx = Context::from_waker(Waker::noop());
        let mut first: Vec<Option<Step>> = Vec::with_capacity(pending.len());
        for f in &mut pending {
            first.push(match f.as_mut().poll(&mut cx) {
                Poll::Ready(step) => Some(step),
                Poll::Pending => None,
            });
        }
        for (f, early) in pending.into_iter().zip(first) {
            let step = match early {
                Some(step) => step,
                None => reply(opts, &info, PHASE, f).await.map_err(whole)?,
            };
            match step {
                Step::Skipped => verdicts.push(Verdict::NotVerified(NotVerified::Unencodable)),
                Step::Prepared(result) => match verdict(result) {
                    Ok(v) => verdicts.push(v),
                    // Not the server's verdict: the connection broke (nothing to blame on
                    // the statement), or the driver could not send this one.
                    Err(e) => {
                        return Err(VerifyFailure {
                            statement: (!is_connection_lost(&e)).then_some(verdicts.len()),
                            error: verify_error(&info, &e),
                        })
                    }
                },
                Step::RolledBack(r) => r.map_err(|e| whole(failed(e)))?,
            }
        }
    }
    reply(opts, &info, PHASE, client.batch_execute("ROLLBACK"))
        .await
        .map_err(whole)?
        .map_err(|e| whole(failed(e)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_never_show_the_password() {
        let opts = ConnectOptions::new("postgres://u:hunter2@h/db");
        assert!(!format!("{opts:?}").contains("hunter2"));
        let opts = ConnectOptions::new("host=h password='hunter2 x' sslmode=bogus");
        assert!(!format!("{opts:?}").contains("hunter2"));
    }

    #[test]
    fn query_timeout_stays_above_the_statement_timeout() {
        let o = ConnectOptions::new("x").with_query_timeout(Duration::from_secs(4));
        assert_eq!(o.query_timeout, Duration::from_secs(4));
        assert!(o.statement_timeout < o.query_timeout);
        assert!(o.lock_timeout < o.statement_timeout);
        let o = ConnectOptions::new("x").with_query_timeout(Duration::from_secs(120));
        assert_eq!(o.statement_timeout, Duration::from_secs(30));
    }
}
