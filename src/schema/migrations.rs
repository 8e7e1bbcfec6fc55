//! PLACEHOLDER until the DDL replay lands (wt/schema): same public surface.

use std::path::PathBuf;

use super::{Ident, Schema};
use crate::diagnostic::Span;

pub struct SchemaWarning {
    pub file: PathBuf,
    pub span: Span,
    pub message: String,
}

pub struct LoadedSchema {
    pub schema: Schema,
    pub warnings: Vec<SchemaWarning>,
    pub files: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema loading is not implemented yet")]
    NotYet,
}

pub fn load_ddl_paths(
    _paths: &[PathBuf],
    _search_path: &[Ident],
) -> Result<LoadedSchema, SchemaError> {
    Err(SchemaError::NotYet)
}
