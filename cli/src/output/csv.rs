//! CSV: a header, then one row per token with the columns an audit needs. Dates are RFC 3339
//! (UTC); an absent date is an empty cell; `scope` and `kind` are the API's values.
//!
//! Formula injection: every cell holding text from the server (id, name, scope, kind, roles;
//! in the audit also the detail and the remediation, which quote server values) goes
//! through [`text_cell`]: when it starts with `=`, `+`, `-`, `@`, tab or carriage return it
//! is prefixed with `'`, as OWASP advises, so a spreadsheet shows it as text instead of
//! evaluating it. `scope` and `kind` are guarded too: an enum value this version does not
//! know is the server's text, kept as sent. Only the dates, which this program formats,
//! are written unguarded.

use std::io::{self, Write};

use astro_tokens::ApiToken;

use super::{optional_timestamp, roles_full, timestamp};

/// The header of `list --format csv`.
pub const HEADER: [&str; 8] = [
    "id",
    "name",
    "scope",
    "kind",
    "created",
    "expires",
    "last_used",
    "roles",
];

/// The cells of one token, in [`HEADER`] order.
pub fn cells(token: &ApiToken) -> [String; 8] {
    [
        text_cell(&token.id),
        text_cell(&token.name),
        text_cell(token.scope.as_str()),
        text_cell(token.kind.as_str()),
        timestamp(token.created_at),
        optional_timestamp(token.end_at),
        optional_timestamp(token.last_used_at),
        text_cell(&roles_full(&token.roles)),
    ]
}

/// A cell for text that comes from the server: prefixed with `'` when a spreadsheet would
/// take it for a formula (it starts with `=`, `+`, `-`, `@`, tab or carriage return).
pub fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A CSV writer of tokens that writes the header before the first row (or at the end, for
/// an empty listing).
pub struct TokenCsv<W: Write> {
    writer: csv::Writer<W>,
    rows: u64,
    header_written: bool,
}

impl<W: Write> TokenCsv<W> {
    /// A writer into `out`.
    pub fn new(out: W) -> Self {
        Self {
            writer: csv::Writer::from_writer(out),
            rows: 0,
            header_written: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.writer.write_record(HEADER).map_err(to_io)?;
            self.header_written = true;
        }
        Ok(())
    }

    /// Writes one token's row.
    pub fn write(&mut self, token: &ApiToken) -> io::Result<()> {
        self.header()?;
        self.writer.write_record(cells(token)).map_err(to_io)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes (writing the header if nothing else was).
    pub fn flush(&mut self) -> io::Result<()> {
        self.header()?;
        self.writer.flush()
    }
}

/// The `csv` crate's error as an I/O error (it only fails on I/O when writing strings).
pub fn to_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_prefixed_with_a_quote() {
        for (text, cell) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tname", "'\tname"),
            ("\rname", "'\rname"),
            ("plain name", "plain name"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(text_cell(text), cell, "{text:?}");
        }
    }

    #[test]
    fn every_server_string_cell_is_neutralised() {
        let token: ApiToken = serde_json::from_value(serde_json::json!({
            "id": "=id", "name": "@name", "description": "-d", "shortToken": "s",
            "scope": "WORKSPACE", "kind": "STANDARD",
            "createdAt": "2026-01-01T00:00:00Z", "startAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
            "roles": [{"entityId": "ws1", "entityType": "WORKSPACE", "role": "+ROLE"}]
        }))
        .expect("valid token");
        let cells = cells(&token);
        assert_eq!(cells[0], "'=id");
        assert_eq!(cells[1], "'@name");
        assert_eq!(cells[2], "WORKSPACE");
        assert_eq!(cells[3], "STANDARD");
        assert_eq!(cells[4], "2026-01-01T00:00:00Z");
        assert_eq!(cells[7], "'+ROLE on WORKSPACE ws1");
    }

    #[test]
    fn unknown_scope_and_kind_values_are_server_text_and_guarded() {
        let token: ApiToken = serde_json::from_value(serde_json::json!({
            "id": "t", "name": "n", "description": "", "shortToken": "s",
            "scope": "=cmd|' /C calc'!A0", "kind": "@SUM(1)",
            "createdAt": "2026-01-01T00:00:00Z", "startAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z"
        }))
        .expect("an unknown scope and kind still deserialize");
        let cells = cells(&token);
        assert_eq!(cells[2], "'=cmd|' /C calc'!A0");
        assert_eq!(cells[3], "'@SUM(1)");
    }
}
