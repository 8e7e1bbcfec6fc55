//! The `schemalint` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = schemalint::cli::Cli::parse();
    match schemalint::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(schemalint::Outcome::ToolError.exit_code())
        }
    }
}
