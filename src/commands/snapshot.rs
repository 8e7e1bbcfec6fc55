//! `schemalint snapshot`: write the schema (from files or a live database) as a JSON snapshot.

use std::path::Path;

use miette::{miette, Report as Error};

use super::plan::plan_check;
use super::schema_source::load_schema;
use super::Outcome;
use crate::cli::CheckArgs;
use crate::render;
use crate::schema;

pub fn run(args: &CheckArgs, output: &Path) -> Result<Outcome, Error> {
    let plan = plan_check(args)?;
    let (loaded, _) = load_schema(args, &plan)?;
    for w in &loaded.warnings {
        let line = format!("{}: {}", render::display_path(&w.file), w.message);
        eprintln!("warning: {}", render::escape_terminal(&line, false));
    }
    let tables = loaded.schema.relations().count();
    // `-o -`: standard output, as usual for a command-line tool (not a file named `-`).
    if output == Path::new("-") {
        render::write_stdout(&schema::snapshot::to_string(&loaded.schema))
            .map_err(|e| miette!("could not write output: {e}"))?;
        eprintln!("wrote the snapshot to standard output ({tables} relations)");
        return Ok(Outcome::Clean);
    }
    schema::snapshot::write(&loaded.schema, output).map_err(|e| miette!("{e}"))?;
    eprintln!("wrote {} ({tables} relations)", output.display());
    Ok(Outcome::Clean)
}
