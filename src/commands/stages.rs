//! The stages `check`, `unused` and `report` share, in data-flow order: scan (walk, read,
//! extract), load the schema beside it, then check the extracted SQL against the schema.

use std::path::Path;

use miette::Report as Error;

use super::plan::CheckPlan;
use super::schema_source::{load_schema, SchemaWithSource};
use crate::check::{self, Checker, Report};
use crate::cli::CheckArgs;
use crate::diagnostic::Diagnostic;
use crate::progress;
use crate::render;
use crate::rules::{self, Banned, RuleId, RuleMeta, RuleSettings};
use crate::schema::{ColumnOwners, LoadedSchema};
use crate::walk;

/// Walk the paths, then read and extract every source file: the part of `check` that needs no
/// schema, so it runs while the schema loads. Returns the files and the walk's problems.
pub fn scan(plan: &CheckPlan) -> (Vec<check::Extracted>, Vec<String>) {
    let sources = &plan.config.config.sources;
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = plan.config.base_dir().map(Path::to_path_buf).unwrap_or(cwd);
    // Files under the schema paths (migrations, the dump, the snapshot) are schema, not code.
    let options = walk::WalkOptions {
        root: &root,
        include: &sources.include,
        exclude: &sources.exclude,
        skip: &plan.schema_paths,
    };
    let (mut files, walk_errors) = match &plan.walked {
        // Without globs the walk does not depend on the root: `plan_checks`' walk is this one.
        Some(w)
            if w.paths == plan.paths
                && w.include.is_empty()
                && w.exclude.is_empty()
                && sources.include.is_empty()
                && sources.exclude.is_empty() =>
        {
            w.keep(&plan.schema_paths)
        }
        _ => walk::discover(&plan.paths, &options),
    };
    if let Some(only) = &plan.only {
        files.retain(|f| only.contains(&walk::normalize(&f.path)));
    }
    if plan.governed_only {
        let mine = plan.config.path.as_deref().map(walk::normalize);
        let mut governing = walk::NearestConfig::default();
        files.retain(|f| governing.of(&f.path) == mine);
    }
    let progress = progress::Progress::start(files.len(), "files", plan.progress);
    let suppressions = RuleSettings::new(&plan.config.config.rules).any_on();
    let extracted = check::extract_files(&files, sources, suppressions, Some(progress.counter()));
    progress.finish();
    let walk_errors = walk_errors
        .into_iter()
        .map(|e| match e.path {
            Some(p) => format!("{}: {}", render::display_path(&p), e.message),
            None => e.message,
        })
        .collect();
    (extracted, walk_errors)
}

/// A run over some of a config's files (file arguments, pre-commit's changed files,
/// `--changed-since`) still sees the schema changes the rest of its `.sql` files make
/// (`ALTER TABLE users ADD COLUMN email` in a `.sql` file that is not a schema path), so that
/// `check app.ts` gives the verdicts `check .` gives: those files, found here (beside the
/// scan and the schema load) and read for their DDL alone by [`ddl_of`]. None when the run
/// covers the config's whole directory, and without a config (no project to speak of). DDL
/// in TypeScript or Rust code outside the run is not read (that would mean reading every
/// file).
pub fn sql_files_elsewhere(plan: &CheckPlan) -> Vec<walk::SourceFile> {
    let Some(base) = plan.config.path.as_ref().and(plan.config.base_dir()) else {
        return Vec::new();
    };
    let root = walk::normalize(base);
    let covers_root = plan.only.is_none()
        && plan
            .paths
            .iter()
            .any(|p| root.starts_with(walk::normalize(p)));
    if covers_root {
        return Vec::new();
    }
    let options = walk::WalkOptions {
        root: &root,
        include: &[],
        exclude: &plan.config.config.sources.exclude,
        skip: &plan.schema_paths,
    };
    let (files, _) = walk::discover(std::slice::from_ref(&root), &options);
    // In a monorepo, the files of this config (the nearest above them), as `scan` keeps;
    // with `--config`, it governs them all.
    let mine = plan.config.path.as_deref().map(walk::normalize);
    let mut governing = walk::NearestConfig::default();
    files
        .into_iter()
        .filter(|f| f.language == crate::extract::Language::Sql)
        .filter(|f| !plan.governed_only || governing.of(&f.path) == mine)
        .collect()
}

/// The SQL of the [`sql_files_elsewhere`] the run did not scan itself, for its DDL.
pub fn ddl_of(
    plan: &CheckPlan,
    files: Vec<walk::SourceFile>,
    scanned: &[check::Extracted],
) -> Vec<check::Extracted> {
    if files.is_empty() {
        return Vec::new();
    }
    let seen: std::collections::BTreeSet<std::path::PathBuf> =
        scanned.iter().map(|f| walk::normalize(f.path())).collect();
    let others: Vec<walk::SourceFile> = files
        .into_iter()
        .filter(|f| !seen.contains(&walk::normalize(&f.path)))
        .collect();
    check::extract_files(&others, &plan.config.config.sources, false, None)
}

/// Load the schema and scan the sources at the same time.
pub fn load_and_scan(
    args: &CheckArgs,
    plan: &CheckPlan,
) -> Result<(SchemaWithSource, Vec<check::Extracted>, Vec<String>), Error> {
    let (loaded, ((extracted, walk_errors), elsewhere)) = check::run_with_big_stacks(|| {
        rayon::join(
            || load_schema(args, plan),
            || rayon::join(|| scan(plan), || sql_files_elsewhere(plan)),
        )
    });
    let mut loaded = loaded?;
    check::apply_code_ddl(&mut loaded.0, &extracted);
    check::apply_code_ddl(&mut loaded.0, &ddl_of(plan, elsewhere, &extracted));
    Ok((loaded, extracted, walk_errors))
}

/// Check scanned files against a loaded schema (and the database, with a verifier); schema
/// warnings become `unsupported-ddl` findings; the walk's problems and a failed verification
/// become the report's `run_errors`.
pub fn check_scanned(
    plan: &CheckPlan,
    loaded: &LoadedSchema,
    files: Vec<check::Extracted>,
    walk_errors: Vec<String>,
    verify: Option<check::Verify<'_>>,
) -> Report {
    let settings = RuleSettings::new(&plan.config.config.rules);
    let banned = Banned::new(&plan.config.config.banned, &loaded.schema);
    let checker = Checker {
        schema: &loaded.schema,
        banned,
        column_owners: ColumnOwners::new(&loaded.schema),
        settings,
        sources: &plan.config.config.sources,
        collect_references: plan.collect_references,
        collect_table_uses: plan.collect_table_uses,
    };
    let mut verify_error = None;
    let mut report = match verify {
        None => checker.check_extracted(files),
        Some(verify) => {
            let (report, error) = checker.check_and_verify(files, &verify);
            verify_error = error;
            report
        }
    };
    if let Some(severity) = checker.settings.severity(RuleId::UnsupportedDdl) {
        let warnings = loaded
            .warnings
            .iter()
            .map(|w| {
                let mut d = Diagnostic::new(
                    rules::UnsupportedDdl::NAME,
                    severity,
                    w.message.clone(),
                    w.span,
                )
                .with_label("not applied to the schema")
                .with_help(Some(
                    "later checks may be wrong about what this statement changes".into(),
                ));
                d.file = w.file.clone();
                d
            })
            .collect();
        report.extend_with_sources(warnings);
    }
    report.run_errors = walk_errors;
    report.run_errors.extend(verify_error);
    report
}
