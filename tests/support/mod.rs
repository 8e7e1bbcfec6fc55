//! Shared test helpers.

pub mod pg;
