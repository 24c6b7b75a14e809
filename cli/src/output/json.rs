//! JSON and NDJSON: tokens exactly as API v1 names their fields (`shortToken`, `createdAt`,
//! `scope`, ...), whichever version served them (v1beta1's `type` is read as `scope`), absent
//! optional fields left out.

use std::io::{self, Write};

use serde::Serialize;

/// One pretty-printed document, then a newline.
pub fn write_document<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// One compact line.
pub fn write_line<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}
