//! schemalint: checks the SQL in a project's source files against its Postgres schema.
//!
//! Pipeline: walk → extract → parse → resolve → rules → diagnostics → render.

pub mod diagnostic;
pub mod extract;
pub mod schema;
pub mod sql;
pub mod config;
pub mod rules;
