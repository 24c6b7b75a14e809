//! CSV: a header, then one row per token with the columns an audit needs. Dates are RFC 3339
//! (UTC); an absent date is an empty cell; `type` and `kind` are the API's values.

use std::io::{self, Write};

use astro_tokens::ApiToken;

use super::{optional_timestamp, roles_full, timestamp};

/// The header of `list --format csv`.
pub const HEADER: [&str; 8] = [
    "id",
    "name",
    "type",
    "kind",
    "created",
    "expires",
    "last_used",
    "roles",
];

/// The cells of one token, in [`HEADER`] order.
pub fn cells(token: &ApiToken) -> [String; 8] {
    [
        token.id.clone(),
        token.name.clone(),
        token.type_.to_string(),
        token.kind.to_string(),
        timestamp(token.created_at),
        optional_timestamp(token.end_at),
        optional_timestamp(token.last_used_at),
        roles_full(&token.roles),
    ]
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
