//! Live schemas: reads the whole model from `pg_catalog` in one read-only transaction over
//! tokio-postgres (TLS with rustls). The only async code in the crate, behind a blocking API.
//! Passwords never reach an error message, a log line or a `Debug` output.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls};

use super::{Column, EnumType, Ident, Identity, Relation, RelationKind, Schema};

/// How to reach the database.
#[derive(Clone)]
pub struct ConnectOptions {
    pub url: String,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
    /// Schemas searched for unqualified names; types in them print unqualified.
    pub search_path: Vec<Ident>,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("url", &redact_url(&self.url))
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            search_path: vec![Ident::from("public")],
        }
    }
}

/// Why the database could not be read. Messages carry the redacted URL, never a password.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The URL is not a valid PostgreSQL connection string.
    #[error("invalid database URL {url}: {message}")]
    InvalidUrl { url: String, message: String },
    /// The host name could not be resolved.
    #[error("could not resolve the database host of {url}: {message}")]
    Dns { url: String, message: String },
    /// Nothing listens at the address.
    #[error("connection refused by {url}: is the database running and reachable?")]
    Refused { url: String },
    /// No answer within the connect timeout.
    #[error("timed out after {seconds} s connecting to {url}")]
    Timeout { url: String, seconds: u64 },
    /// Wrong user name or password.
    #[error("authentication failed for {url}: {message}")]
    Auth { url: String, message: String },
    /// The database named in the URL does not exist.
    #[error("database does not exist at {url}: {message}")]
    MissingDatabase { url: String, message: String },
    /// The TLS handshake or certificate verification failed, or TLS was required and refused.
    #[error("TLS error connecting to {url}: {message}")]
    Tls { url: String, message: String },
    /// A catalog query failed.
    #[error("reading the schema from {url} failed: {message}")]
    Query { url: String, message: String },
}

/// `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`;
/// also `password=...` in key=value connection strings.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "***");
            }
        }
    }
    // password=... in a query string or a key=value conninfo.
    let lower = out.to_ascii_lowercase();
    let mut result = String::new();
    let mut i = 0;
    while let Some(p) = lower[i..].find("password=") {
        let start = i + p + "password=".len();
        result.push_str(&out[i..start]);
        result.push_str("***");
        let end = out[start..]
            .find(['&', ' '])
            .map_or(out.len(), |e| start + e);
        i = end;
    }
    result.push_str(&out[i..]);
    result
}

/// sslmode and certificate settings, which we handle ourselves (tokio-postgres rejects
/// `verify-ca`/`verify-full` in a URL).
struct TlsSettings {
    mode: String,
    root_cert: Option<String>,
}

/// Remove `sslmode=` and `sslrootcert=` from a URL's query string.
fn split_tls_params(url: &str) -> (String, TlsSettings) {
    let mut tls = TlsSettings {
        mode: "prefer".into(),
        root_cert: None,
    };
    let Some(q) = url.find('?') else {
        return (url.to_string(), tls);
    };
    let (base, query) = (&url[..q], &url[q + 1..]);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => tls.mode = v.to_ascii_lowercase(),
            Some(("sslrootcert", v)) => tls.root_cert = Some(v.to_string()),
            Some(("sslcert" | "sslkey" | "sslcrl" | "sslnegotiation" | "channel_binding", _)) => {}
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, tls)
}

fn rustls_config(root_cert: Option<&str>, url: &str) -> Result<rustls::ClientConfig, LiveError> {
    let tls_error = |message: String| LiveError::Tls {
        url: redact_url(url),
        message,
    };
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root_cert {
        let pem = std::fs::read(path)
            .map_err(|e| tls_error(format!("cannot read sslrootcert {path}: {e}")))?;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|e| tls_error(format!("bad certificate in {path}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| tls_error(format!("bad certificate in {path}: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// Connect, honouring sslmode, the connect timeout, `PGPASSWORD` and the password file.
async fn connect(opts: &ConnectOptions) -> Result<Client, LiveError> {
    let redacted = redact_url(&opts.url);
    let (url, tls) = split_tls_params(&opts.url);
    let mut config: tokio_postgres::Config =
        url.parse()
            .map_err(|e: tokio_postgres::Error| LiveError::InvalidUrl {
                url: redacted.clone(),
                message: redact_url(&e.to_string()),
            })?;
    config.connect_timeout(opts.connect_timeout);
    if config.get_password().is_none() {
        if let Some(pw) = std::env::var("PGPASSWORD")
            .ok()
            .or_else(|| pgpass_password(&config))
        {
            config.password(pw);
        }
    }
    let attempt = async {
        match tls.mode.as_str() {
            "disable" => {
                config.ssl_mode(SslMode::Disable);
                let (client, conn) = config.connect(NoTls).await?;
                tokio::spawn(conn);
                Ok(client)
            }
            mode => {
                // With rustls, `require` also verifies the certificate chain (stricter than
                // libpq's `require`); verify-ca and verify-full verify the chain and the name.
                config.ssl_mode(if matches!(mode, "prefer" | "allow") {
                    SslMode::Prefer
                } else {
                    SslMode::Require
                });
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(rustls_config(
                    tls.root_cert.as_deref(),
                    &opts.url,
                )?);
                let (client, conn) = config.connect(tls).await?;
                tokio::spawn(conn);
                Ok(client)
            }
        }
    };
    let result: Result<Client, ConnectFailure> =
        match tokio::time::timeout(opts.connect_timeout, attempt).await {
            Ok(r) => r,
            Err(_) => {
                return Err(LiveError::Timeout {
                    url: redacted,
                    seconds: opts.connect_timeout.as_secs(),
                })
            }
        };
    result.map_err(|f| match f {
        ConnectFailure::Live(e) => e,
        ConnectFailure::Pg(e) => classify(&e, &redacted, opts),
    })
}

/// The password-file entry for the first host of `config`, with libpq's defaults (port
/// 5432, database = user = `$PGUSER` or the login name; a unix socket counts as `localhost`).
fn pgpass_password(config: &tokio_postgres::Config) -> Option<String> {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let user = config
        .get_user()
        .map(str::to_string)
        .or_else(|| std::env::var("PGUSER").ok())
        .or_else(|| std::env::var("USER").ok())?;
    let database = config.get_dbname().unwrap_or(&user).to_string();
    super::pgpass::lookup(&super::pgpass::Target {
        host: &host,
        port: config.get_ports().first().copied().unwrap_or(5432),
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

/// Turn a connection error into one of our variants, with no secret in the message.
fn classify(e: &tokio_postgres::Error, url: &str, opts: &ConnectOptions) -> LiveError {
    use tokio_postgres::error::SqlState;
    let url = url.to_string();
    if let Some(db) = e.as_db_error() {
        let message = db.message().to_string();
        return match *db.code() {
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                LiveError::Auth { url, message }
            }
            SqlState::INVALID_CATALOG_NAME => LiveError::MissingDatabase { url, message },
            _ => LiveError::Query { url, message },
        };
    }
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let chain = redact_url(&chain);
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
            seconds: opts.connect_timeout.as_secs(),
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

/// Read the whole schema: three catalog queries in one read-only, repeatable-read
/// transaction, with a statement timeout.
pub fn introspect(opts: &ConnectOptions) -> Result<Schema, LiveError> {
    block_on(opts, introspect_async(opts))
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
            url: redact_url(&opts.url),
            message: e.to_string(),
        })?
        .block_on(work)
}

/// A failed query as our error: the server's message, or the client's (redacted).
fn query_error(url: &str, e: &tokio_postgres::Error) -> LiveError {
    LiveError::Query {
        url: url.to_string(),
        message: e
            .as_db_error()
            .map_or_else(|| redact_url(&e.to_string()), |d| d.message().to_string()),
    }
}

/// `SET LOCAL` for the statement timeout and the search path, for the start of a transaction.
/// format_type prints types in schemas on the search path unqualified, as the replay does.
fn session_settings(opts: &ConnectOptions) -> String {
    let path: Vec<String> = opts.search_path.iter().map(Ident::to_sql).collect();
    format!(
        "SET LOCAL statement_timeout = {}; SET LOCAL search_path = {}",
        opts.statement_timeout.as_millis(),
        if path.is_empty() {
            "''".to_string()
        } else {
            path.join(", ")
        }
    )
}

async fn introspect_async(opts: &ConnectOptions) -> Result<Schema, LiveError> {
    let redacted = redact_url(&opts.url);
    let query_error = |e: tokio_postgres::Error| query_error(&redacted, &e);
    let client = connect(opts).await?;
    let setup = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
        session_settings(opts)
    );
    client.batch_execute(&setup).await.map_err(query_error)?;
    let (rels, enums, schemas, functions) = tokio::join!(
        client.query(RELATIONS_SQL, &[]),
        client.query(ENUMS_SQL, &[]),
        client.query(SCHEMAS_SQL, &[]),
        client.query(FUNCTIONS_SQL, &[])
    );
    let (rels, enums, schemas, functions) = (
        rels.map_err(query_error)?,
        enums.map_err(query_error)?,
        schemas.map_err(query_error)?,
        functions.map_err(query_error)?,
    );
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(query_error)?;
    // `server_version_num` is 150004 for 15.4: statements are judged by the server's major.
    let version = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .map_err(query_error)?;

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
    Ok(schema)
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

/// How many statements are in flight at once.
const PIPELINE_DEPTH: usize = 256;
const SAVEPOINT: &str = "schemalint_verify";

/// Ask the server to prepare each statement and return its verdict on each, in order: `None`
/// when it prepared, the error otherwise. Nothing is ever executed: only Parse and Describe
/// messages are sent, never Bind or Execute, inside a read-only transaction with a statement
/// timeout that is rolled back at the end. After each statement the transaction is rolled
/// back to a savepoint, so one refusal does not abort the verdicts on the rest. Requests are
/// pipelined: a whole batch is written before the first answer is read.
pub fn prepare_all(
    opts: &ConnectOptions,
    statements: &[&str],
) -> Result<Vec<Option<ServerError>>, LiveError> {
    block_on(opts, prepare_all_async(opts, statements))
}

enum Step {
    Prepared(Result<tokio_postgres::Statement, tokio_postgres::Error>),
    RolledBack(Result<(), tokio_postgres::Error>),
}

async fn prepare_all_async(
    opts: &ConnectOptions,
    statements: &[&str],
) -> Result<Vec<Option<ServerError>>, LiveError> {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    let redacted = redact_url(&opts.url);
    let failed = |e: tokio_postgres::Error| query_error(&redacted, &e);
    let client = connect(opts).await?;
    let setup = format!(
        "BEGIN READ ONLY; {}; SAVEPOINT {SAVEPOINT}",
        session_settings(opts)
    );
    client.batch_execute(&setup).await.map_err(failed)?;
    let rollback_to = format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}");

    let mut verdicts = Vec::with_capacity(statements.len());
    for batch in statements.chunks(PIPELINE_DEPTH) {
        type Pending<'a> = Pin<Box<dyn Future<Output = Step> + 'a>>;
        let mut pending: Vec<Pending<'_>> = Vec::with_capacity(2 * batch.len());
        for &text in batch {
            let client = &client;
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
                None => f.await,
            };
            match step {
                Step::Prepared(Ok(_)) => verdicts.push(None),
                Step::Prepared(Err(e)) => match e.as_db_error() {
                    Some(db) => verdicts.push(Some(ServerError {
                        code: db.code().code().to_string(),
                        message: db.message().to_string(),
                        position: match db.position() {
                            Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p),
                            _ => None,
                        },
                        hint: db.hint().map(str::to_string),
                    })),
                    // Not the server's verdict: the connection broke.
                    None => return Err(failed(e)),
                },
                Step::RolledBack(r) => r.map_err(failed)?,
            }
        }
    }
    client.batch_execute("ROLLBACK").await.map_err(failed)?;
    Ok(verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(
            redact_url("postgres://u:s3cret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("postgresql://u:p%40ss@ep-x.neon.tech/db?sslmode=require&password=again"),
            "postgresql://u:***@ep-x.neon.tech/db?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("host=h user=u password=pw dbname=d"),
            "host=h user=u password=*** dbname=d"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
        let opts = ConnectOptions::new("postgres://u:hunter2@h/db");
        assert!(!format!("{opts:?}").contains("hunter2"));
    }

    #[test]
    fn tls_params_are_ours() {
        let (url, tls) = split_tls_params(
            "postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem&application_name=x",
        );
        assert_eq!(url, "postgres://h/db?application_name=x");
        assert_eq!(tls.mode, "verify-full");
        assert_eq!(tls.root_cert.as_deref(), Some("/ca.pem"));
    }
}
