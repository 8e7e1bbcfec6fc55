//! One module per command (`check`, `snapshot`, `diff`, `unused`, `report`, `init`, `rule`),
//! and the stages `check`, `unused` and `report` share: the plan (which config, which paths,
//! which schema), the schema source, and the scan/check stages. Commands sit on top of the
//! pipeline: they call the stage modules (walk, extract, schema, check, render) and nothing
//! below imports them.

pub mod add_suppressions;
pub mod check;
pub mod diff;
pub mod init;
pub mod plan;
pub mod report;
pub mod rule;
pub mod schema_source;
pub mod snapshot;
pub mod stages;
pub mod unused;

/// How a run ended; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: nothing at or above `fail-on`.
    Clean,
    /// Exit 1: findings at or above `fail-on`.
    Findings,
    /// Exit 2: something could not be checked (a file, the schema, the config).
    ToolError,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::ToolError => 2,
        }
    }
}
