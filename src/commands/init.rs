//! `schemalint init`: detect the schema (and packages with their own) and write configs.

use std::path::PathBuf;

use miette::{miette, Report as Error};

use super::plan::relative_to_cwd;
use super::Outcome;
use crate::atomic;
use crate::config;
use crate::init;

pub fn run(force: bool) -> Result<Outcome, Error> {
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the working directory: {e}"))?;
    let detected = init::detect(&cwd);
    for c in &detected.candidates {
        eprintln!("found {:<12} {}", c.kind.to_string(), c.path.display());
    }
    // A workspace whose packages have schemas of their own gets a config per package: each
    // file is checked with the nearest config above it.
    let packages = init::packages(&detected);
    let targets: Vec<(PathBuf, init::Detected)> = if packages.is_empty() {
        vec![(cwd.clone(), detected)]
    } else {
        packages
            .into_iter()
            .map(|(pkg, paths)| {
                let one = init::Detected {
                    schema_paths: paths,
                    database_url_env: detected.database_url_env.clone(),
                    candidates: Vec::new(),
                };
                (cwd.join(pkg), one)
            })
            .collect()
    };
    // Refuse before writing anything: a half-done init is worse than none.
    for (dir, _) in &targets {
        let path = dir.join(config::FILE_NAME);
        // A dangling symlink is something too: never replaced without --force.
        if path.symlink_metadata().is_ok() && !force {
            return Err(miette!(
                help = "pass --force to replace it",
                "{} already exists",
                relative_to_cwd(&cwd, &path).display()
            ));
        }
    }
    for (dir, detected) in &targets {
        let path = dir.join(config::FILE_NAME);
        atomic::write(&path, init::render(detected).as_bytes())
            .map_err(|e| miette!("could not write {}: {e}", path.display()))?;
        let shown = relative_to_cwd(&cwd, &path);
        if detected.schema_paths.is_empty() {
            eprintln!(
                "wrote {}: no schema found, set `[schema] paths` in it",
                shown.display()
            );
        } else {
            let paths: Vec<String> = detected
                .schema_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "wrote {} (schema from {})",
                shown.display(),
                paths.join(", ")
            );
        }
    }
    Ok(Outcome::Clean)
}
