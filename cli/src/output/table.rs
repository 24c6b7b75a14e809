//! The human table (comfy-table): aligned columns, no outer borders, wrapped to the terminal
//! width. When even wrapping cannot fit, the least useful columns (created, then kind, then
//! scope) are hidden and the footer says so. Dates relative to now (`in 17d`, `3d ago`)
//! are what an audit reads first; `--format csv` and `json` keep exact timestamps.

use chrono::{DateTime, Utc};
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width};

use astro_tokens::{ApiToken, ApiTokenKind, ApiTokenScope};

use super::roles_short;
use crate::printable::printable;

/// A line under the column names, nothing else: columns are separated by two spaces.
const STYLE: &str = "     ─               ";

/// Columns of `list`, in display order.
const HEADERS: [&str; 8] = [
    "NAME",
    "ID",
    "SCOPE",
    "KIND",
    "CREATED",
    "EXPIRES",
    "LAST USED",
    "ROLES",
];
/// How `list` fits: hide created, then kind, then scope (the roles still tell it);
/// wrap name and roles.
const LIST_FIT: Fit = Fit {
    drop_order: &[4, 3, 2],
    wrapping: &[0, 7],
};

/// How a table adapts to a width.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    /// Columns hidden first when the width is too small, by index.
    pub drop_order: &'static [usize],
    /// Columns that may wrap (the others keep their content on one line). The first one
    /// is kept whole when the width allows (names wrap worse than lists of roles).
    pub wrapping: &'static [usize],
}

/// Columns are hidden until each wrapping column can have this many characters (or its
/// content, if shorter).
const COMFORTABLE: usize = 20;
/// The narrowest a wrapping column may get.
const MIN_WRAPPED: usize = 10;
/// Spaces between two columns.
const GAP: u16 = 2;

/// Narrower "terminals" (a pseudo-terminal that reports 0 columns, say) are not fitted.
const MIN_WIDTH: u16 = 40;

/// The width to fit: `COLUMNS` when set to a number, else the terminal's when stdout is a
/// terminal, else none (no wrapping, e.g. when piped to a file).
pub fn target_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .or_else(|| Table::new().width())
        .filter(|w| *w >= MIN_WIDTH)
}

/// The cells of one token's row, in [`HEADERS`] order.
fn row(token: &ApiToken, now: DateTime<Utc>) -> [String; 8] {
    let relative_or_never =
        |at: Option<DateTime<Utc>>| at.map_or_else(|| "never".to_owned(), |at| short(at, now));
    [
        printable(&token.name).into_owned(),
        printable(&token.id).into_owned(),
        printable(&scope_name(&token.scope)).into_owned(),
        printable(&kind_name(&token.kind)).into_owned(),
        token.created_at.format("%Y-%m-%d").to_string(),
        relative_or_never(token.end_at),
        relative_or_never(token.last_used_at),
        printable(&roles_short(&token.roles)).into_owned(),
    ]
}

/// `in 28d`, `12d ago`, `today`: compact distance from now, in whole days.
pub fn short(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match at.signed_duration_since(now).num_days() {
        0 => "today".to_owned(),
        d if d > 0 => format!("in {d}d"),
        d => format!("{}d ago", d.unsigned_abs()),
    }
}

/// `org`, `workspace`, `deployment` (an unknown scope: as sent, lower-case).
pub fn scope_name(scope: &ApiTokenScope) -> String {
    match scope {
        ApiTokenScope::Organization => "org".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// `standard`, `direct` (an unknown kind: as sent, lower-case).
pub fn kind_name(kind: &ApiTokenKind) -> String {
    match kind {
        ApiTokenKind::DirectAccess => "direct".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// The table of `tokens`, with a footer line, fitted to `width` when given.
pub fn tokens(tokens: &[ApiToken], now: DateTime<Utc>, width: Option<u16>) -> String {
    if tokens.is_empty() {
        return "No tokens match.\n".to_owned();
    }
    let rows: Vec<Vec<String>> = tokens.iter().map(|t| row(t, now).to_vec()).collect();
    let (table, hidden) = fitted(&HEADERS, &rows, width, LIST_FIT);
    let count = match tokens.len() {
        1 => "1 token".to_owned(),
        n => format!("{n} tokens"),
    };
    let mut out = format!("{table}\n{count}");
    if !hidden.is_empty() {
        out.push_str(&format!(
            " (hidden to fit {} columns: {}; see --format csv)",
            width.unwrap_or_default(),
            hidden.join(", ").to_lowercase()
        ));
    }
    out.push('\n');
    out
}

/// A table of `rows` under `headers`, hiding `fit.drop_order` columns while the table
/// would not fit `width` with comfortable wrapping; returns it and the hidden headers.
pub fn fitted(
    headers: &[&'static str],
    rows: &[Vec<String>],
    width: Option<u16>,
    fit: Fit,
) -> (String, Vec<&'static str>) {
    let natural: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|cell| cell.chars().count())
                .chain(std::iter::once(headers[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // The width needed with wrapping columns at most `wrapped` wide: content and gaps.
    let needed = |shown: &[bool], wrapped: usize| -> usize {
        let columns: Vec<usize> = (0..headers.len()).filter(|i| shown[*i]).collect();
        let content: usize = columns
            .iter()
            .map(|i| match fit.wrapping.contains(i) {
                true => natural[*i].min(wrapped),
                false => natural[*i],
            })
            .sum();
        content + usize::from(GAP) * columns.len().saturating_sub(1)
    };
    let mut shown = vec![true; headers.len()];
    let mut hidden = Vec::new();
    if let Some(width) = width {
        for &index in fit.drop_order {
            if needed(&shown, COMFORTABLE) <= usize::from(width) {
                break;
            }
            if let Some(slot) = shown.get_mut(index) {
                *slot = false;
                hidden.push(headers[index]);
            }
        }
    }
    // Keep the first wrapping column whole when the others can still get MIN_WRAPPED.
    let whole = fit
        .wrapping
        .first()
        .copied()
        .filter(|i| shown[*i])
        .and_then(|i| {
            let spare = usize::from(width?).checked_sub(needed(&shown, MIN_WRAPPED))?;
            let floor = natural[i].min(MIN_WRAPPED);
            let grown = floor + (natural[i] - floor).min(spare);
            Some((i, u16::try_from(grown).ok()?))
        });

    let mut table = Table::new();
    table.load_preset(STYLE).set_header(headers.to_vec());
    // Without a width, comfy-table must not guess one from the terminal on its own.
    match width {
        Some(width) => table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width),
        None => table.set_content_arrangement(ContentArrangement::Disabled),
    };
    for row in rows {
        table.add_row(row.clone());
    }
    let last = shown.iter().rposition(|s| *s).unwrap_or(0);
    for (i, column) in table.column_iter_mut().enumerate() {
        let pad = if i == last { 0 } else { GAP };
        column.set_padding((0, pad));
        if !shown[i] {
            column.set_constraint(ColumnConstraint::Hidden);
        } else if let Some((_, w)) = whole.filter(|(index, _)| *index == i) {
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w + pad)));
        } else if width.is_some() && !fit.wrapping.contains(&i) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    (table.trim_fmt(), hidden)
}
