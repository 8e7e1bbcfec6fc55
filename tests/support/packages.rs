//! `scripts/package.sh` run once per test binary, on a stripped copy of the binary (a debug
//! build is ~180 MB, ~30 MB stripped: packing it is what takes the time).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

/// The directory package.sh wrote the release archive, npm tarballs and wheel into.
pub fn packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // One directory per test binary: they run at the same time.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("packages-{}", env!("CARGO_CRATE_NAME")));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let bin = dir.join("schemalint");
        std::fs::copy(env!("CARGO_BIN_EXE_schemalint"), &bin).unwrap();
        let _ = Command::new("strip").arg(&bin).status();
        let out_dir = dir.join("dist");
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
        out_dir
    })
}
