//! Connection strings, both forms libpq accepts (`postgres://user:pw@host:port/db?k=v` and
//! `host=h port=5432 password='a b'`), parsed once into [`ConnInfo`]; every other part of the
//! crate reads TLS settings, the display form and the secrets from it. Nothing here connects.
//!
//! The password lives in a field that no `Debug`, `Display` or error message ever shows, and a
//! string that cannot be parsed is never echoed: its error says why, without its content.

use std::fmt;

/// libpq's `sslmode`, all six values. Anything else is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, ConnInfoError> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            // The value is not a secret, and saying which values exist is the useful part.
            _ => {
                return Err(ConnInfoError(
                    "sslmode must be disable, allow, prefer, require, verify-ca or verify-full"
                        .into(),
                ))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Why a connection string could not be parsed. The message never quotes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid connection string (not shown): {0}")]
pub struct ConnInfoError(String);

impl ConnInfoError {
    /// A reason, which must not quote the connection string.
    pub fn new(reason: impl Into<String>) -> Self {
        ConnInfoError(reason.into())
    }
}

/// Which of the two forms the string was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Url,
    KeyValue,
}

/// A parsed connection string. `Debug` and [`ConnInfo::display`] leave the password out.
#[derive(Clone, Default)]
pub struct ConnInfo {
    pub form: Option<Form>,
    /// Host names, IP addresses or unix-socket directories (a comma list in either form).
    pub hosts: Vec<String>,
    pub hostaddrs: Vec<String>,
    pub ports: Vec<u16>,
    pub user: Option<String>,
    password: Option<String>,
    pub dbname: Option<String>,
    pub sslmode: Option<SslMode>,
    pub sslrootcert: Option<String>,
    pub application_name: Option<String>,
    pub options: Option<String>,
    pub connect_timeout: Option<u64>,
    pub target_session_attrs: Option<String>,
    pub channel_binding: Option<String>,
    pub sslnegotiation: Option<String>,
    pub load_balance_hosts: Option<String>,
    pub keepalives: Option<bool>,
    pub keepalives_idle: Option<u64>,
    /// Other secrets libpq accepts (`sslpassword`): kept only so that they can be scrubbed.
    other_secrets: Vec<String>,
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnInfo")
            .field("display", &self.display())
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// libpq keywords that tokio-postgres has no use for: accepted (libpq accepts them) and
/// ignored. `sslpassword` is a secret and is kept for scrubbing.
const IGNORED: &[&str] = &[
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslcompression",
    "sslcertmode",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "requirepeer",
    "require_auth",
    "gssencmode",
    "gsslib",
    "gssdelegation",
    "krbsrvname",
    "service",
    "passfile",
    "fallback_application_name",
    "client_encoding",
    "replication",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
];

/// The keywords of the key=value form (and of a URL's query string).
pub fn is_keyword(key: &str) -> bool {
    matches!(
        key,
        "host"
            | "hostaddr"
            | "port"
            | "user"
            | "password"
            | "dbname"
            | "sslmode"
            | "sslrootcert"
            | "sslpassword"
            | "application_name"
            | "options"
            | "connect_timeout"
            | "target_session_attrs"
            | "channel_binding"
            | "sslnegotiation"
            | "load_balance_hosts"
            | "keepalives"
            | "keepalives_idle"
            | "ssl"
    ) || IGNORED.contains(&key)
}

/// Whether `spec` is written as a connection string rather than a file path: a
/// `postgres://`/`postgresql://` URL, or `keyword=` (spaces allowed) for a libpq keyword.
pub fn looks_like_connection_string(spec: &str) -> bool {
    if is_url(spec) {
        return true;
    }
    let s = spec.trim_start();
    let key_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    key_len > 0 && is_keyword(&s[..key_len]) && s[key_len..].trim_start().starts_with('=')
}

fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

fn err(reason: impl Into<String>) -> ConnInfoError {
    ConnInfoError(reason.into())
}

impl ConnInfo {
    /// Parse either form. The error never contains any part of `text`.
    pub fn parse(text: &str) -> Result<ConnInfo, ConnInfoError> {
        if is_url(text) {
            Self::parse_url(text)
        } else if text.contains("://") {
            Err(err("only postgres:// and postgresql:// URLs are supported"))
        } else {
            Self::parse_key_value(text)
        }
    }

    /// The password, for the driver only.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    pub fn set_password(&mut self, password: String) {
        self.password = Some(password);
    }

    /// The connection as it may be shown: `postgres://user@host:port/db`, no password, no
    /// other parameter. Control characters are replaced so that a hostile string cannot drive
    /// the terminal.
    pub fn display(&self) -> String {
        let mut out = String::from("postgres://");
        if let Some(user) = &self.user {
            out.push_str(user);
            out.push('@');
        }
        let hosts: Vec<String> = if self.hosts.is_empty() {
            self.hostaddrs.clone()
        } else {
            self.hosts.clone()
        };
        for (i, host) in hosts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if host.contains(':') && !host.starts_with('/') {
                out.push_str(&format!("[{host}]"));
            } else {
                out.push_str(host);
            }
            let port = self.ports.get(i).or(if self.ports.len() == 1 {
                self.ports.first()
            } else {
                None
            });
            if let Some(port) = port {
                out.push_str(&format!(":{port}"));
            }
        }
        if let Some(db) = &self.dbname {
            out.push('/');
            out.push_str(db);
        }
        let out = out
            .chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .collect::<String>();
        // A user name or database name that holds the password (a mistyped URL) stays hidden.
        self.scrub(&out)
    }

    /// `text` with every secret of this connection string (as given, percent-encoded and
    /// percent-decoded) replaced by `***`. For messages that came from elsewhere (the driver,
    /// the server), as a second line of defence: our own messages never contain a secret.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in self.password.iter().chain(&self.other_secrets) {
            // Shorter ones would mask ordinary words; they are not worth the garbled messages.
            if secret.chars().count() < 3 {
                continue;
            }
            for form in [secret.clone(), percent_encode(secret)] {
                if !form.is_empty() {
                    out = out.replace(&form, "***");
                }
            }
        }
        out
    }

    /// Fill in what the string leaves out from libpq's environment variables (`PGHOST`,
    /// `PGPORT`, `PGDATABASE`, `PGUSER`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME`), read
    /// through `env` so tests need not touch the process environment.
    pub fn apply_env_defaults(
        &mut self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConnInfoError> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        if self.hosts.is_empty() && self.hostaddrs.is_empty() {
            if let Some(h) = env("PGHOST") {
                self.hosts = split_list(&h);
            }
        }
        if self.ports.is_empty() {
            if let Some(p) = env("PGPORT") {
                self.ports = parse_ports(&p).map_err(|_| err("PGPORT is not a valid port"))?;
            }
        }
        if self.dbname.is_none() {
            self.dbname = env("PGDATABASE");
        }
        if self.user.is_none() {
            self.user = env("PGUSER");
        }
        if self.sslmode.is_none() {
            if let Some(m) = env("PGSSLMODE") {
                self.sslmode = Some(SslMode::parse(&m).map_err(|_| {
                    err("PGSSLMODE must be disable, allow, prefer, require, verify-ca or verify-full")
                })?);
            }
        }
        if self.sslrootcert.is_none() {
            self.sslrootcert = env("PGSSLROOTCERT");
        }
        if self.application_name.is_none() {
            self.application_name = env("PGAPPNAME");
        }
        Ok(())
    }

    /// Whether every host is a unix-socket directory (libpq never uses TLS over a socket).
    pub fn is_unix_socket(&self) -> bool {
        !self.hosts.is_empty() && self.hosts.iter().all(|h| h.starts_with('/'))
    }

    /// The sslmode in force: as given, else `prefer` (libpq's default).
    pub fn ssl_mode(&self) -> SslMode {
        self.sslmode.unwrap_or(SslMode::Prefer)
    }

    fn set(&mut self, key: &str, value: String, position: usize) -> Result<(), ConnInfoError> {
        let invalid = |what: &str| err(format!("option {position}: {what}"));
        match key {
            "host" => self.hosts = split_list(&value),
            "hostaddr" => self.hostaddrs = split_list(&value),
            "port" => self.ports = parse_ports(&value).map_err(|_| invalid("invalid port"))?,
            "user" => self.user = Some(value),
            "password" => self.password = Some(value),
            "sslpassword" => self.other_secrets.push(value),
            "dbname" => self.dbname = Some(value),
            "sslmode" => self.sslmode = Some(SslMode::parse(&value)?),
            // JDBC's `ssl=true`, which libpq reads as sslmode=require.
            "ssl" => {
                if value == "true" {
                    self.sslmode = Some(SslMode::Require);
                } else {
                    return Err(invalid("ssl accepts only `true`"));
                }
            }
            "sslrootcert" => self.sslrootcert = Some(value),
            "application_name" => self.application_name = Some(value),
            "options" => self.options = Some(value),
            "connect_timeout" => {
                self.connect_timeout = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| invalid("connect_timeout is not a number of seconds"))?,
                )
            }
            "target_session_attrs" => self.target_session_attrs = Some(value),
            "channel_binding" => self.channel_binding = Some(value),
            "sslnegotiation" => self.sslnegotiation = Some(value),
            "load_balance_hosts" => self.load_balance_hosts = Some(value),
            "keepalives" => {
                self.keepalives = Some(match value.as_str() {
                    "1" => true,
                    "0" => false,
                    _ => return Err(invalid("keepalives must be 0 or 1")),
                })
            }
            "keepalives_idle" => {
                self.keepalives_idle = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| invalid("keepalives_idle is not a number of seconds"))?,
                )
            }
            k if IGNORED.contains(&k) => {}
            // The key is not quoted: a misparsed string could have a piece of a password there.
            _ => return Err(invalid("not a known connection option")),
        }
        Ok(())
    }

    /// `postgres[ql]://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]`.
    ///
    /// The user part ends at the *last* `@`, so a password with an unencoded `/`, `?`, `&` or
    /// `@` is still taken whole as the password (and hidden) rather than read as a host or a
    /// path; an `@` after the host must be written `%40`.
    fn parse_url(text: &str) -> Result<ConnInfo, ConnInfoError> {
        let mut info = ConnInfo {
            form: Some(Form::Url),
            ..ConnInfo::default()
        };
        let rest = &text[text.find("://").map_or(0, |i| i + 3)..];
        let rest = match rest.rfind('@') {
            Some(at) => {
                let userinfo = &rest[..at];
                let (user, password) = match userinfo.find(':') {
                    Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
                    None => (userinfo, None),
                };
                if !user.is_empty() {
                    info.user = Some(decode(user, "the user name")?);
                }
                if let Some(p) = password {
                    info.password = Some(decode(p, "the password")?);
                }
                &rest[at + 1..]
            }
            None => rest,
        };
        let (authority, after) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (path, query) = match after.find('?') {
            Some(i) => (&after[..i], Some(&after[i + 1..])),
            None => (after, None),
        };
        if !authority.is_empty() {
            let mut ports = Vec::new();
            for spec in authority.split(',') {
                let (host, port) = split_host_port(spec)?;
                if !host.is_empty() {
                    info.hosts.push(decode(host, "a host name")?);
                }
                if let Some(p) = port {
                    ports.push(p);
                } else if authority.contains(':') {
                    ports.push(5432);
                }
            }
            info.ports = ports;
        }
        let db = path.strip_prefix('/').unwrap_or(path);
        if !db.is_empty() {
            info.dbname = Some(decode(db, "the database name")?);
        }
        if let Some(query) = query {
            for (i, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(err(format!("query parameter {} has no `=`", i + 1)));
                };
                let key = decode(key, "a parameter name")?;
                let value = decode(value, "a parameter value")?;
                info.set(&key, value, i + 1)?;
            }
        }
        Ok(info)
    }

    /// libpq's key=value form: `key = value` pairs separated by whitespace; a value is
    /// either single-quoted (`'a b'`, with `\'` and `\\`) or runs to the next whitespace
    /// (with `\` escaping the next character).
    fn parse_key_value(text: &str) -> Result<ConnInfo, ConnInfoError> {
        let mut info = ConnInfo {
            form: Some(Form::KeyValue),
            ..ConnInfo::default()
        };
        let mut chars = text.chars().peekable();
        let mut position = 0;
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.peek().is_none() {
                break;
            }
            position += 1;
            let mut key = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
                key.push(c);
            }
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.next() != Some('=') {
                return Err(err(format!("option {position} has no `=` after its name")));
            }
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let mut value = String::new();
            if chars.next_if_eq(&'\'').is_some() {
                loop {
                    match chars.next() {
                        None => {
                            return Err(err(format!(
                                "option {position}: unterminated quoted value"
                            )))
                        }
                        Some('\\') => match chars.next() {
                            Some(c) => value.push(c),
                            None => {
                                return Err(err(format!(
                                    "option {position}: unterminated quoted value"
                                )))
                            }
                        },
                        Some('\'') => break,
                        Some(c) => value.push(c),
                    }
                }
            } else {
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    if c == '\\' {
                        if let Some(next) = chars.next() {
                            value.push(next);
                        }
                    } else {
                        value.push(c);
                    }
                }
            }
            info.set(&key, value, position)?;
        }
        Ok(info)
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(spec: &str) -> Result<(&str, Option<u16>), ConnInfoError> {
    let (host, port) = if let Some(v6) = spec.strip_prefix('[') {
        let Some(end) = v6.find(']') else {
            return Err(err("unterminated `[` in an IPv6 host"));
        };
        let after = &v6[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(err("unexpected text after an IPv6 host")),
        };
        (&v6[..end], port)
    } else {
        match spec.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (spec, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().map_err(|_| err("invalid port"))?),
    };
    Ok((host, port))
}

fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_string()).collect()
}

fn parse_ports(value: &str) -> Result<Vec<u16>, ()> {
    value
        .split(',')
        .map(|p| {
            let p = p.trim();
            if p.is_empty() {
                Ok(5432)
            } else {
                p.parse().map_err(|_| ())
            }
        })
        .collect()
}

/// Percent-decoding, as libpq does for every part of a URL.
fn decode(text: &str, what: &str) -> Result<String, ConnInfoError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) if b != 0 => out.push(b),
                _ => return Err(err(format!("invalid percent-encoding in {what}"))),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| err(format!("{what} is not valid UTF-8 once decoded")))
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ConnInfo {
        ConnInfo::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn urls() {
        let c = parse("postgresql://app:p%40ss@ep-x.neon.tech:6543/main?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca%20x.pem&application_name=ci");
        assert_eq!(c.user.as_deref(), Some("app"));
        assert_eq!(c.password(), Some("p@ss"));
        assert_eq!(c.hosts, ["ep-x.neon.tech"]);
        assert_eq!(c.ports, [6543]);
        assert_eq!(c.dbname.as_deref(), Some("main"));
        assert_eq!(c.sslmode, Some(SslMode::VerifyFull));
        assert_eq!(c.sslrootcert.as_deref(), Some("/tmp/ca x.pem"));
        assert_eq!(c.display(), "postgres://app@ep-x.neon.tech:6543/main");
        let c = parse("postgres://[::1]:5433,h2/db");
        assert_eq!(c.hosts, ["::1", "h2"]);
        assert_eq!(c.ports, [5433, 5432]);
        let c = parse("postgres:///db?host=/run/pg");
        assert!(c.is_unix_socket());
        // Unencoded `/`, `?`, `&` and `@` in the password: all of it is the password.
        let c = parse("postgres://u:a/b?c&d@e@host/db");
        assert_eq!(c.password(), Some("a/b?c&d@e"));
        assert_eq!(c.hosts, ["host"]);
        assert_eq!(c.display(), "postgres://u@host/db");
    }

    #[test]
    fn key_value_strings() {
        let c = parse(" host = db.example port=5432 user=app password = 'a b\\'c' dbname=x sslmode=verify-ca ");
        assert_eq!(c.hosts, ["db.example"]);
        assert_eq!(c.password(), Some("a b'c"));
        assert_eq!(c.sslmode, Some(SslMode::VerifyCa));
        assert_eq!(c.form, Some(Form::KeyValue));
        let c = parse("password=a\\ b sslrootcert='/c a.pem'");
        assert_eq!(c.password(), Some("a b"));
        assert_eq!(c.sslrootcert.as_deref(), Some("/c a.pem"));
        assert_eq!(parse("password=").password(), Some(""));
    }

    #[test]
    fn errors_never_quote_the_input() {
        for bad in [
            "host=h password=hunter2 sslmode=bogus",
            "postgres://u:hunter2@h/db?sslmode=bogus",
            "host=h hunter2",
            "host=h password='hunter2",
            "host=h hunter2=x",
            "postgres://u:hunter2@h:notanumber/db",
            "postgres://u:hunter2@h/db?hunter2",
            "postgres://u:hunter2%zz@h/db",
            "mysql://u:hunter2@h/db",
        ] {
            let e = ConnInfo::parse(bad).unwrap_err().to_string();
            assert!(
                !e.contains("hunter2") && !e.contains("notanumber"),
                "{bad}: {e}"
            );
            assert!(
                e.starts_with("invalid connection string (not shown)"),
                "{e}"
            );
        }
        assert!(ConnInfo::parse("sslmode=bogus")
            .unwrap_err()
            .to_string()
            .contains("verify-full"));
    }

    #[test]
    fn environment_fills_what_the_string_leaves_out() {
        let env = |k: &str| match k {
            "PGHOST" => Some("envhost".to_string()),
            "PGPORT" => Some("6000".to_string()),
            "PGDATABASE" => Some("envdb".to_string()),
            "PGUSER" => Some("envuser".to_string()),
            "PGSSLMODE" => Some("verify-full".to_string()),
            _ => None,
        };
        let mut c = parse("postgres:///");
        c.apply_env_defaults(env).unwrap();
        assert_eq!(c.display(), "postgres://envuser@envhost:6000/envdb");
        assert_eq!(c.ssl_mode(), SslMode::VerifyFull);
        let mut c = parse("postgres://me@h:1/d?sslmode=disable");
        c.apply_env_defaults(env).unwrap();
        assert_eq!(c.display(), "postgres://me@h:1/d");
        assert_eq!(c.ssl_mode(), SslMode::Disable);
        let mut c = parse("dbname=x");
        assert!(c
            .apply_env_defaults(|k| (k == "PGSSLMODE").then(|| "bogus".into()))
            .is_err());
    }

    #[test]
    fn scrub_hides_every_form_of_the_password() {
        let c = parse("postgres://u:p%2Fw%20rd@h/db");
        assert_eq!(c.scrub("x p/w rd y p%2Fw%20rd z"), "x *** y *** z");
        assert!(!format!("{c:?}").contains("p/w"));
    }

    #[test]
    fn connection_strings_are_told_from_paths() {
        assert!(looks_like_connection_string("host=h password=x"));
        assert!(looks_like_connection_string("  dbname = app"));
        assert!(looks_like_connection_string("postgresql://h/db"));
        assert!(!looks_like_connection_string("migrations"));
        assert!(!looks_like_connection_string("dir/a=b.sql"));
        assert!(!looks_like_connection_string("schemalint.schema.json"));
    }
}
