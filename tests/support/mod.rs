//! Shared test helpers.

// Each test binary uses a different part of the support code.
#[allow(dead_code)]
pub mod packages;
#[allow(dead_code)]
pub mod pg;

#[allow(dead_code)]
pub mod sarif;
#[allow(dead_code)]
pub mod wire;

#[allow(dead_code)]
pub mod fs;
