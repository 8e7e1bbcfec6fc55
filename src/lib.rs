//! schemalint: checks the SQL in a project's source files against its Postgres schema.
//!
//! Pipeline: walk → extract → parse → resolve → rules → diagnostics → render.

pub mod config;
pub mod diagnostic;
pub mod extract;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod sql;
