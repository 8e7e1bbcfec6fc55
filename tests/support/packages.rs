//! `scripts/package.sh` run on a stripped copy of the binary (a debug build is ~180 MB, ~30 MB
//! stripped: packing it is what takes the time), once per build of the binary: the test binaries
//! that need packages (cargo runs them one after another) share the result.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

/// The directory package.sh wrote the release archive, npm tarballs and wheel into.
pub fn packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("packages");
        let out_dir = dir.join("dist");
        // The same binary (size and modification time) was packaged by the same scripts
        // already: reuse it.
        let meta = std::fs::metadata(env!("CARGO_BIN_EXE_schemalint")).unwrap();
        let mut hasher = std::hash::DefaultHasher::new();
        for script in [
            "scripts/package.sh",
            "scripts/wheel.py",
            "npm/schemalint-cli/package.json",
            "npm/schemalint-cli/bin/schemalint.js",
            "python/pyproject.toml",
            "Cargo.toml",
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
            std::hash::Hash::hash(&std::fs::read(path).unwrap(), &mut hasher);
        }
        let built = format!(
            "{} {:?} {:x}",
            meta.len(),
            meta.modified().unwrap(),
            std::hash::Hasher::finish(&hasher)
        );
        let stamp = dir.join("packaged-binary");
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s == built) {
            return out_dir;
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let bin = dir.join("schemalint");
        std::fs::copy(env!("CARGO_BIN_EXE_schemalint"), &bin).unwrap();
        let _ = Command::new("strip").arg(&bin).status();
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package.sh"))
            .arg(&bin)
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "package.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("package.sh: {:.1} s", started.elapsed().as_secs_f64());
        std::fs::write(&stamp, built).unwrap();
        out_dir
    })
}
