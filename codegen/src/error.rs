//! The generator's one error type: a single readable line naming the file and the place.

use std::fmt;

/// Why a fragment could not be turned into Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodegenError {
    /// The file could not be read.
    Io {
        /// The file, as named by the caller.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not YAML, or not an OpenAPI 3.0 document the `openapiv3` crate accepts.
    Yaml {
        /// The file, as named by the caller.
        file: String,
        /// The line of the first problem (1-based), when known.
        line: Option<usize>,
        /// The column of the first problem (1-based), when known.
        column: Option<usize>,
        /// serde_yaml's description, without its location suffix.
        message: String,
    },
    /// The document parsed but the generator (ours or progenitor) rejected a construct.
    Rejected {
        /// The file, as named by the caller.
        file: String,
        /// What was rejected and where.
        message: String,
    },
}

impl CodegenError {
    pub(crate) fn io(file: &str, e: &std::io::Error) -> Self {
        Self::Io {
            file: file.to_owned(),
            message: e.to_string(),
        }
    }

    pub(crate) fn rejected(file: &str, message: impl Into<String>) -> Self {
        Self::Rejected {
            file: file.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { file, message } => write!(f, "{file}: cannot read the file: {message}"),
            Self::Yaml {
                file,
                line: Some(line),
                column: Some(column),
                message,
            } => {
                write!(f, "{file}:{line}:{column}: invalid OpenAPI YAML: {message}")
            }
            Self::Yaml { file, message, .. } => {
                write!(f, "{file}: invalid OpenAPI YAML: {message}")
            }
            Self::Rejected { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for CodegenError {}
