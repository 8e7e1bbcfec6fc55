//! Atomic file writes: a temporary file with a random name, created exclusively in the
//! target's directory, flushed to disk, then renamed over the target. A failure at any step
//! (or a `kill -9`) leaves the existing file untouched; only regular files are replaced.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Temporary files are `.NAME.<random>` + this suffix, so that stale ones can be recognized.
const TEMP_SUFFIX: &str = ".schemalint-tmp";

/// A temporary file older than this was left by a process that died: removed on the next write.
const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// Write `contents` to `path` atomically. The target must be absent or a regular file; a
/// regular file keeps its permissions. A symbolic link at the target is refused rather than
/// followed or replaced: following it writes wherever the link points (possibly outside the
/// project, planted by someone else), and replacing it silently turns a link the user made
/// into a plain file. The message names the link's target so the user can write there.
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind};

    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "not a file name"))?;
    let permissions = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let to = std::fs::read_link(path).unwrap_or_default();
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "is a symbolic link (to {}); not writing through it, name the file itself",
                    to.display()
                ),
            ));
        }
        Ok(meta) if meta.is_file() => Some(meta.permissions()),
        Ok(meta) => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("is {}, not a regular file; not replacing it", kind(&meta)),
            ))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    remove_stale(dir, &name);
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    if permissions.is_none() {
        // A new file gets the usual 0666 minus the umask, not tempfile's private 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // Random name, created with O_EXCL: a link planted at a guessed name is never followed.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    if let Some(permissions) = permissions {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when `tmp` (inside the error) is dropped.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What a non-regular file is, for the refusal message.
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Remove temporary files of this naming pattern for `name` (ours, `.NAME.*.schemalint-tmp`,
/// and the older `.NAME.tmp-PID`) that a killed process left behind. Only regular files that
/// have not been touched for [`STALE_AFTER`], so a concurrent writer's file is left alone.
fn remove_stale(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let ours = format!(".{name}.");
    let old = format!(".{name}.tmp-");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let is_ours = (file.starts_with(&ours) && file.ends_with(TEMP_SUFFIX))
            || file
                .strip_prefix(&old)
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if !is_ours {
            continue;
        }
        let path: PathBuf = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && stale {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        super::write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn a_directory_at_the_target_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), "old").unwrap();
        let err = super::write(&path, b"new").unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        assert_eq!(std::fs::read_to_string(path.join("keep")).unwrap(), "old");
        assert_eq!(names(dir.path()), ["taken"], "no temporary file left");
    }

    // See: issue 10, item 4.
    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("out.json");
        let guessed = dir
            .path()
            .join(format!(".out.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &guessed).unwrap();
        super::write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        super::write(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // A new file is not private (tempfile's 0600) but the usual 0666 minus the umask.
        let fresh = dir.path().join("fresh.json");
        super::write(&fresh, b"x").unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode & 0o044, 0, "{mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_links_are_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let err = super::write(Path::new("/dev/null"), b"x").unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());

        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let err = super::write(&fifo, b"x").unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");

        let target = dir.path().join("elsewhere.json");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("snapshot.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = super::write(&link, b"x").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        // A dangling link too: writing would create a file wherever it points.
        std::fs::remove_file(&target).unwrap();
        assert!(super::write(&link, b"x").is_err());
        assert!(!target.exists());
    }

    #[test]
    fn stale_temporary_files_of_a_killed_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for name in [".out.json.a1B2c3.schemalint-tmp", ".out.json.tmp-4242"] {
            let f = std::fs::File::create(dir.path().join(name)).unwrap();
            f.set_modified(hour_ago).unwrap();
        }
        // A fresh one may belong to a run still writing; another file's are not ours.
        std::fs::write(dir.path().join(".out.json.zzz.schemalint-tmp"), "").unwrap();
        std::fs::write(dir.path().join(".other.json.tmp-1"), "").unwrap();
        super::write(&path, b"new").unwrap();
        assert_eq!(
            names(dir.path()),
            [
                ".other.json.tmp-1",
                ".out.json.zzz.schemalint-tmp",
                "out.json"
            ]
        );
    }
}
