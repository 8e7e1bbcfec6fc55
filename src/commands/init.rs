//! `schemalint init`: detect the schema (and packages with their own) and write configs.

use std::path::{Path, PathBuf};

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
    let all_candidates = detected.candidates.clone();
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
            note_passed_over(dir, detected, &all_candidates);
        }
    }
    Ok(Outcome::Clean)
}

/// A schema file wins over migration folders. When that file does not replay cleanly (a
/// stale draft, another database's syntax) and migrations were found too, say so: the choice
/// may be wrong, and the user is the one who knows.
fn note_passed_over(dir: &Path, detected: &init::Detected, candidates: &[init::Candidate]) {
    let [chosen] = detected.schema_paths.as_slice() else {
        return;
    };
    let migrations: Vec<String> = candidates
        .iter()
        .filter(|c| c.kind == init::CandidateKind::Migrations)
        .map(|c| c.path.display().to_string())
        .collect();
    if migrations.is_empty() || chosen.extension().is_none_or(|e| e != "sql") {
        return;
    }
    let public = [crate::schema::Ident::from("public")];
    let problem = match crate::schema::load_ddl_paths_in(&[dir.join(chosen)], &public, Some(dir))
    {
        Ok(loaded) if loaded.warnings.is_empty() => return,
        Ok(loaded) => format!(
            "{} statement(s) of {} could not be applied (not PostgreSQL, or not DDL this tool replays; `schemalint check` shows them)",
            loaded.warnings.len(),
            chosen.display()
        ),
        Err(e) => format!("{} does not load as a schema ({e})", chosen.display()),
    };
    eprintln!(
        "note: {problem}; migrations were found too ({}): if they are the schema, set `[schema] paths` to them",
        migrations.join(", ")
    );
}
