//! Rendering tokens and findings: one file per format (`table.rs`, `csv.rs`, `json.rs`),
//! plus the cell values they share (here) and the audit report (`report/`).
//!
//! `ndjson` and `csv` stream: each page is written and flushed as it arrives. `json` and
//! `table` need the whole listing (one valid document; column widths), so they print
//! only at the end, and print nothing if the listing fails or is interrupted.

pub mod csv;
pub mod json;
pub mod report;
pub mod table;

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};

use astro_tokens::{ApiToken, ApiTokenRole};

use crate::args::Format;
use crate::failure::Failure;
use crate::fetch::PageSink;

/// Writes tokens in one format, page by page.
pub enum TokenWriter<W: Write> {
    /// Collected, printed by `finish`.
    Table {
        /// Where to print.
        out: W,
        /// Everything so far.
        tokens: Vec<ApiToken>,
        /// Reference time for relative dates.
        now: DateTime<Utc>,
        /// Terminal width to fit, if known.
        width: Option<u16>,
    },
    /// Collected, printed by `finish` as one array.
    Json {
        /// Where to print.
        out: W,
        /// Everything so far.
        tokens: Vec<ApiToken>,
    },
    /// One line per token, flushed per page.
    Ndjson {
        /// Where to print.
        out: W,
        /// Lines written.
        written: u64,
    },
    /// Header, then one row per token, flushed per page.
    Csv(Box<csv::TokenCsv<W>>),
}

impl<W: Write> TokenWriter<W> {
    /// A writer for `format` into `out`.
    pub fn new(format: Format, out: W, now: DateTime<Utc>, width: Option<u16>) -> Self {
        match format {
            Format::Table => Self::Table {
                out,
                tokens: Vec::new(),
                now,
                width,
            },
            Format::Json => Self::Json {
                out,
                tokens: Vec::new(),
            },
            Format::Ndjson => Self::Ndjson { out, written: 0 },
            Format::Csv => Self::Csv(Box::new(csv::TokenCsv::new(out))),
        }
    }

    /// Takes one page: streamed formats write and flush it now.
    pub fn write_page(&mut self, page: Vec<ApiToken>) -> io::Result<()> {
        match self {
            Self::Table { tokens, .. } | Self::Json { tokens, .. } => {
                tokens.extend(page.into_iter().map(without_secret));
                Ok(())
            }
            Self::Ndjson { out, written } => {
                for token in page {
                    json::write_line(out, &without_secret(token))?;
                    *written += 1;
                }
                out.flush()
            }
            Self::Csv(writer) => {
                for token in page {
                    writer.write(&without_secret(token))?;
                }
                writer.flush()
            }
        }
    }

    /// How many tokens are already on the output (for the interrupt message).
    pub fn written(&self) -> u64 {
        match self {
            Self::Ndjson { written, .. } => *written,
            Self::Csv(writer) => writer.rows(),
            Self::Table { .. } | Self::Json { .. } => 0,
        }
    }

    /// Prints what was collected (table, json) and flushes.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Self::Table {
                mut out,
                tokens,
                now,
                width,
            } => {
                out.write_all(table::tokens(&tokens, now, width).as_bytes())?;
                out.flush()
            }
            Self::Json { mut out, tokens } => {
                json::write_document(&mut out, &tokens)?;
                out.flush()
            }
            Self::Ndjson { mut out, .. } => out.flush(),
            Self::Csv(mut writer) => writer.flush(),
        }
    }
}

impl<W: Write> PageSink for TokenWriter<W> {
    fn page(&mut self, page: astro_tokens::Page) -> Result<(), Failure> {
        Ok(self.write_page(page.tokens)?)
    }

    fn written(&self) -> u64 {
        TokenWriter::written(self)
    }
}

/// The token with its secret value removed: the list endpoint is not expected to send it,
/// and an audit tool must never print one if it does.
pub fn without_secret(mut token: ApiToken) -> ApiToken {
    token.token = None;
    token
}

/// RFC 3339 in UTC, seconds precision: `2026-01-15T12:00:00Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An optional timestamp, empty when absent.
pub fn optional_timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map(timestamp).unwrap_or_default()
}

/// Every role in full: `WORKSPACE_OWNER on WORKSPACE clx...; DAG_VIEWER on DAG etl (deployment cly...)`.
pub fn roles_full(roles: &[ApiTokenRole]) -> String {
    roles
        .iter()
        .map(|r| {
            let mut text = format!("{} on {} {}", r.role, r.entity_type, r.entity_id);
            if let Some(deployment) = &r.deployment_id {
                text.push_str(&format!(" (deployment {deployment})"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Role names only, repeats counted: `DEPLOYMENT_ADMIN, DAG_VIEWER ×2`.
pub fn roles_short(roles: &[ApiTokenRole]) -> String {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for role in roles {
        match seen.iter_mut().find(|(name, _)| *name == role.role) {
            Some((_, count)) => *count += 1,
            None => seen.push((&role.role, 1)),
        }
    }
    seen.iter()
        .map(|(name, count)| match count {
            1 => (*name).to_owned(),
            n => format!("{name} ×{n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(entity_type: &str, role: &str, deployment: Option<&str>) -> ApiTokenRole {
        serde_json::from_value(serde_json::json!({
            "entityId": "e1", "entityType": entity_type, "role": role, "deploymentId": deployment
        }))
        .expect("valid role")
    }

    #[test]
    fn roles_render_in_full_and_in_short() {
        let roles = [
            role("DEPLOYMENT", "DEPLOYMENT_ADMIN", None),
            role("DAG", "DAG_VIEWER", Some("d1")),
            role("DAG_TAG", "DAG_VIEWER", Some("d1")),
        ];
        assert_eq!(roles_short(&roles), "DEPLOYMENT_ADMIN, DAG_VIEWER ×2");
        assert_eq!(
            roles_full(&roles),
            "DEPLOYMENT_ADMIN on DEPLOYMENT e1; DAG_VIEWER on DAG e1 (deployment d1); \
             DAG_VIEWER on DAG_TAG e1 (deployment d1)"
        );
    }

    #[test]
    fn secrets_are_dropped_before_output() {
        let token: ApiToken = serde_json::from_value(serde_json::json!({
            "id": "t1", "name": "n", "description": "", "shortToken": "s",
            "scope": "WORKSPACE", "kind": "STANDARD",
            "createdAt": "2026-01-01T00:00:00Z", "startAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z", "token": "SECRET-VALUE"
        }))
        .expect("valid token");
        let text = serde_json::to_string(&without_secret(token)).expect("serializes");
        assert!(!text.contains("SECRET-VALUE"), "{text}");
    }
}
