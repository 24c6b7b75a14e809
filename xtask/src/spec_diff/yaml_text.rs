//! YAML text for the fragment that `--upstream --write` produces: block style, mappings
//! in their own order, and every string quoted unless all YAML parsers read it back as the
//! same string, the YAML 1.1 ones included (PyYAML, under openapi-spec-validator and
//! schemathesis). serde_yaml quotes only what YAML 1.2 would misread, so a date-time
//! example such as `2022-11-22T04:37:12Z` came out plain, which PyYAML reads as a
//! timestamp. The same value always gives the same text.

use std::fmt::Write as _;

use serde_yaml::{Mapping, Value};

/// The text of `doc`, ending with a newline.
pub fn to_string(doc: &Value) -> Result<String, String> {
    let mut out = String::new();
    match doc {
        Value::Mapping(map) if !map.is_empty() => mapping(&mut out, map, 0, false)?,
        Value::Sequence(items) if !items.is_empty() => sequence(&mut out, items, 0, false)?,
        other => {
            out.push_str(&scalar(other, 2)?);
            out.push('\n');
        }
    }
    Ok(out)
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A mapping at column `indent`; with `inline`, its first key continues the current line
/// (after `- `).
fn mapping(out: &mut String, map: &Mapping, indent: usize, inline: bool) -> Result<(), String> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        let key = match key {
            Value::String(s) => quoted(s),
            Value::Number(_) | Value::Bool(_) => scalar(key, indent)?,
            other => {
                return Err(format!(
                    "cannot write a mapping key that is not text: {other:?}"
                ));
            }
        };
        out.push_str(&key);
        out.push(':');
        match value {
            Value::Mapping(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2, false)?;
            }
            // Sequences under a key sit at the key's column, as upstream writes them.
            Value::Sequence(items) if !items.is_empty() => {
                out.push('\n');
                sequence(out, items, indent, false)?;
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, indent + 2)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A sequence at column `indent`; with `inline`, its first `- ` continues the current line.
fn sequence(out: &mut String, items: &[Value], indent: usize, inline: bool) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Mapping(inner) if !inner.is_empty() => mapping(out, inner, indent + 2, true)?,
            Value::Sequence(inner) if !inner.is_empty() => {
                sequence(out, inner, indent + 2, true)?;
            }
            other => {
                out.push_str(&scalar(other, indent + 2)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A scalar, or an empty collection, as it follows `key: ` or `- `; a literal block's lines
/// go at column `indent`.
fn scalar(value: &Value, indent: usize) -> Result<String, String> {
    Ok(match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => float(f),
            _ => n.to_string(),
        },
        Value::String(s) => match literal(s, indent) {
            Some(block) => block,
            None => quoted(s),
        },
        Value::Sequence(_) => "[]".to_owned(),
        Value::Mapping(_) => "{}".to_owned(),
        Value::Tagged(t) => return Err(format!("cannot write a tagged YAML value ({})", t.tag)),
    })
}

/// A float every YAML version reads as one: a `.` in the mantissa and a signed exponent.
fn float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = format!("{f:?}");
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_owned(), Some(e.to_owned())),
        None => (text, None),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa
    } else {
        format!("{mantissa}.0")
    };
    match exponent {
        Some(e) if e.starts_with('-') => format!("{mantissa}e{e}"),
        Some(e) => format!("{mantissa}e+{e}"),
        None => mantissa,
    }
}

/// `s` as a plain, single-quoted or double-quoted scalar, whichever is the first that
/// reads back as `s` everywhere.
fn quoted(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_owned()
    } else if s.chars().all(|c| !needs_escape(c)) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` written plain reads back as the same string in YAML 1.1 and 1.2: no
/// indicator first, no `: ` or ` #`, nothing that starts like a number, date or time, and
/// no word that some version reads as a boolean or null.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let special_first = first.is_ascii_digit()
        || matches!(
            first,
            '-' | '?'
                | ':'
                | ','
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '|'
                | '>'
                | '\''
                | '"'
                | '%'
                | '@'
                | '`'
                | '+'
                | '.'
                | '~'
                | '<'
                | '='
                | ' '
        );
    let words = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    !special_first
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| needs_escape(c) || c == '\t')
        && !words.contains(&s.to_ascii_lowercase().as_str())
}

/// A multi-line string as a literal block (`|` or `|-`), when one keeps it exactly.
fn literal(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n') {
        return None;
    }
    let (body, chomp) = match s.strip_suffix('\n') {
        Some(body) => (body, "|"),
        None => (s, "|-"),
    };
    let lines: Vec<&str> = body.split('\n').collect();
    let first_ok = lines
        .first()
        .is_some_and(|l| !l.is_empty() && !l.starts_with(' '));
    let lines_ok = lines.iter().all(|l| {
        let blank_with_spaces = !l.is_empty() && l.trim().is_empty();
        !blank_with_spaces && !l.chars().any(|c| needs_escape(c) || c == '\t')
    });
    if !first_ok || !lines_ok || body.ends_with('\n') {
        return None;
    }
    let mut out = chomp.to_owned();
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(yaml: &str) -> String {
        let value: Value = serde_yaml::from_str(yaml).expect("test yaml");
        let text = to_string(&value).expect("writes");
        let back: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, value, "reads back the same:\n{text}");
        assert_eq!(to_string(&back).expect("writes"), text, "stable");
        text
    }

    #[test]
    fn block_style_in_the_documents_order() {
        let text = roundtrip(
            "z: 1\na:\n  list: [x, {k: v, j: [1, 2]}, [p, q], {}, []]\n  empty: {}\n  none: null\n  yes_: true\n  f: 2.5",
        );
        assert_eq!(
            text,
            "z: 1\na:\n  list:\n  - x\n  - k: v\n    j:\n    - 1\n    - 2\n  - - p\n    - q\n  - {}\n  - []\n  empty: {}\n  none: null\n  yes_: true\n  f: 2.5\n"
        );
    }

    #[test]
    fn strings_a_yaml_1_1_parser_would_misread_are_quoted() {
        for s in [
            "2022-11-22T04:37:12Z",
            "2022-11-22",
            "3.0.3",
            "1:30",
            "0777",
            "1_000",
            "yes",
            "No",
            "y",
            "N",
            "on",
            "null",
            "~",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#/components/schemas/X",
            "- x",
            "*alias",
            "&anchor",
            "!tag",
            "@at",
            "`tick",
            "<<",
            "=",
            ".inf",
            "+1",
            "{x}",
            "limit: must be <= 1000",
        ] {
            let text = roundtrip(&format!("k: {}", serde_json::to_string(s).expect("json")));
            let written = text.trim_end().strip_prefix("k: ").expect("k");
            assert!(
                written.starts_with('\'') || written.starts_with('"'),
                "{s:?} written as {written}"
            );
        }
        for s in [
            "WORKSPACE",
            "https://api.astronomer.io/v1",
            "/organizations/{organizationId}/tokens",
            "Astro Platform API — API tokens (List)",
            "name:asc",
            "application/json",
            "$ref",
        ] {
            let text = roundtrip(&format!("k: {}", serde_json::to_string(s).expect("json")));
            assert_eq!(text, format!("k: {s}\n"), "{s:?} stays plain");
        }
    }

    #[test]
    fn escapes_and_multi_line_text() {
        roundtrip("k: \"it's\"");
        roundtrip("k: \"tab\\there, bell \\u0007, \\\"quote\\\" and \\\\\"");
        let text =
            roundtrip("k:\n  d: \"two\\nlines\"\n  e: \"ends\\n\"\n  f: \"a\\n\\n  indented\\n\"");
        assert!(text.contains("  d: |-\n    two\n    lines\n"), "{text}");
        assert!(text.contains("  e: |\n    ends\n"), "{text}");
        assert!(text.contains("  f: |\n    a\n\n      indented\n"), "{text}");
        // What a literal block cannot keep is double-quoted.
        for s in ["\n", " x\ny", "x\n\n", "x\n  \ny", "a\tb\nc"] {
            let text = roundtrip(&format!("k: {}", serde_json::to_string(s).expect("json")));
            assert!(text.starts_with("k: \""), "{s:?}: {text}");
        }
        roundtrip("- \"in\\na list\"\n- k: \"in\\na mapping\"");
    }

    #[test]
    fn floats_read_as_floats_in_yaml_1_1() {
        assert_eq!(float(2.0), "2.0");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(1e300), "1.0e+300");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(f64::INFINITY), ".inf");
        roundtrip("k: [1.0e+300, 1.5e-7, .inf, -.inf, 2.0]");
    }
}
