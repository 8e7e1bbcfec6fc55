//! libpq's password file: `~/.pgpass` (or `$PGPASSFILE`), lines of
//! `hostname:port:database:username:password` where any of the first four may be `*` and `\:`
//! / `\\` escape. The first matching line wins. As libpq does, a file that group or others
//! can read is ignored, and a unix-socket connection matches the host name `localhost`.

use std::path::{Path, PathBuf};

/// What the connection is for, as the file's fields compare it.
pub struct Target<'a> {
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// The password for `target` from the password file, if there is one and a line matches.
pub fn lookup(target: &Target<'_>) -> Option<String> {
    let path = file()?;
    let text = read_private(&path)?;
    find(&text, target)
}

fn file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass"))
}

/// The file's text, unless it is missing or readable by group or others.
fn read_private(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: password file {} has group or world access; permissions should be u=rw (0600) or less",
                path.display()
            );
            return None;
        }
    }
    if !meta.is_file() {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn find(text: &str, target: &Target<'_>) -> Option<String> {
    let port = target.port.to_string();
    let wanted = [target.host, port.as_str(), target.database, target.user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4..].join(":"))
        })
}

/// Split on unescaped `:`, removing the escapes.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("never empty").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(host: &'a str, database: &'a str) -> Target<'a> {
        Target {
            host,
            port: 5432,
            database,
            user: "app",
        }
    }

    #[test]
    fn first_matching_line_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    db.example.com:5432:prod:app:first\n\
                    *:5432:prod:app:se\\:cond\n\
                    localhost:*:*:app:local:with:colons\n";
        assert_eq!(
            find(text, &target("db.example.com", "prod")).as_deref(),
            Some("first")
        );
        assert_eq!(
            find(text, &target("other", "prod")).as_deref(),
            Some("se:cond")
        );
        assert_eq!(
            find(text, &target("localhost", "x")).as_deref(),
            Some("local:with:colons")
        );
        assert_eq!(find(text, &target("other", "x")), None);
        assert_eq!(find("too:few:fields\n", &target("too", "few")), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read_private(&path), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&path).as_deref(), Some("*:*:*:*:pw\n"));
    }
}
