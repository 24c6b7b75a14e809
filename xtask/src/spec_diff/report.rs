//! Renders an [`Outcome`] as text (default), a markdown pull-request comment, or stable
//! JSON: `{"breaking": {"wire", "rust_api"}, "changes": [...]}`.

use std::fmt::Write;

use serde_json::{Value, json};

use super::wrapper::Wrapper;
use super::{Change, Diff, Outcome, rust_api::Summary};

/// The one-line verdict.
pub fn verdict(diff: &Diff) -> String {
    let (w, r) = (diff.wire_breaking(), diff.rust_api_breaking());
    let count = diff.changes.len();
    let breaking = diff.changes.iter().filter(|c| c.is_breaking()).count();
    match (w, r) {
        _ if count == 0 => "No changes to the API contract.".to_owned(),
        (false, false) => format!("No breaking changes ({count} compatible or neutral change(s))."),
        (true, true) => format!(
            "BREAKING on the wire and for the Rust API ({breaking} of {count} change(s) break)."
        ),
        (true, false) => format!(
            "BREAKING on the wire; the Rust API is compatible ({breaking} of {count} change(s) break)."
        ),
        (false, true) => format!(
            "BREAKING for the Rust API; the wire is compatible ({breaking} of {count} change(s) break)."
        ),
    }
}

/// The stable JSON document.
pub fn json(diff: &Diff) -> Value {
    json!({
        "breaking": {"wire": diff.wire_breaking(), "rust_api": diff.rust_api_breaking()},
        "changes": diff.changes,
    })
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Plain text, one block per change.
pub fn text(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", verdict(&outcome.diff));
    for c in &outcome.diff.changes {
        let _ = writeln!(
            out,
            "\n[wire: {}, rust_api: {}] {}\n  at   {}\n  was  {}\n  now  {}\n  why  {}",
            c.wire.as_str(),
            c.rust_api.as_str(),
            c.rule,
            c.location,
            value(&c.old),
            value(&c.new),
            c.message
        );
    }
    out.push_str("\nRust API of the crate (generated module and wrapper):\n");
    let wrapper = outcome.wrapper.as_ref().ok();
    match &outcome.rust {
        Ok(s) if s.is_empty() => out.push_str("  no public item changed\n"),
        Ok(s) => {
            for (k, _) in &s.removed {
                let _ = writeln!(
                    out,
                    "  - removed {}{}",
                    crate_path(k),
                    notes(wrapper, k, How::Removed)
                );
            }
            for (k, old, new) in &s.changed {
                let _ = writeln!(
                    out,
                    "  ~ changed {}: {old} → {new}{}",
                    crate_path(k),
                    notes(wrapper, k, How::Changed)
                );
            }
            for (k, sig) in &s.added {
                let _ = writeln!(
                    out,
                    "  + added   {} {sig}{}",
                    crate_path(k),
                    notes(wrapper, k, How::Added)
                );
            }
        }
        Err(why) => {
            let _ = writeln!(out, "  unavailable: {why}");
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code(s: &str) -> String {
    if s == "—" {
        s.to_owned()
    } else {
        format!("`{}`", cell(&s.replace('`', "'")))
    }
}

fn table(out: &mut String, changes: &[&Change]) {
    out.push_str(
        "| Rule | Location | Wire | Rust API | Old → New | Why |\n|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} → {} | {} |",
            c.rule,
            code(&c.location),
            c.wire.as_str(),
            c.rust_api.as_str(),
            code(&value(&c.old)),
            code(&value(&c.new)),
            cell(&c.message)
        );
    }
}

/// A pull-request comment.
pub fn markdown(outcome: &Outcome, old_origin: &str, new_origin: &str) -> String {
    let diff = &outcome.diff;
    let mut out = String::new();
    let icon = if diff.wire_breaking() || diff.rust_api_breaking() {
        "❌"
    } else {
        "✅"
    };
    let caveat = if outcome.rust.is_err() {
        " The Rust API could not be generated for comparison (see below); the rust_api column comes from the rules alone."
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "## Spec diff: `{old_origin}` → `{new_origin}`\n\n{icon} **{}**{caveat}\n",
        verdict(diff)
    );
    let (breaking, rest): (Vec<&Change>, Vec<&Change>) =
        diff.changes.iter().partition(|c| c.is_breaking());
    if !breaking.is_empty() {
        out.push_str("### Breaking changes\n\n");
        table(&mut out, &breaking);
        out.push('\n');
    }
    if !rest.is_empty() {
        out.push_str("### Other changes\n\n");
        table(&mut out, &rest);
        out.push('\n');
    }
    out.push_str("### Rust API (crate `astro-tokens`: generated module and wrapper)\n\n");
    let wrapper = outcome.wrapper.as_ref().ok();
    if let Some(w) = wrapper {
        wrapper_md(&mut out, w);
    }
    match &outcome.rust {
        Ok(s) if s.is_empty() => out.push_str("No public item of the crate changed.\n"),
        Ok(s) => summary_md(&mut out, s, wrapper),
        Err(why) => {
            let _ = writeln!(out, "Summary unavailable: {}", cell(why));
        }
    }
    out.push_str(
        "\n<sub>wire: does a client built from the old fragment still work against a server implementing the new one? \
         rust_api: does code written against the old generated SDK still compile and behave? Generated by `cargo xtask spec-diff`.</sub>\n",
    );
    out
}

/// `types::ApiToken` → `astro_tokens::generated::types::ApiToken` (keeps the kind).
fn crate_path(key: &str) -> String {
    match key.split_once(' ') {
        Some((kind, path)) => format!("{kind} astro_tokens::generated::{path}"),
        None => format!("astro_tokens::generated::{key}"),
    }
}

/// How an item of the summary changed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    Removed,
    Changed,
    Added,
}

/// What the wrapper adds to an item's line: the crate-level names and wrapper signatures
/// that reach it, and (for a removed or changed item) where `src/` names it.
fn notes(wrapper: Option<&Wrapper>, key: &str, how: How) -> String {
    let Some(w) = wrapper else {
        return String::new();
    };
    let mut out = String::new();
    let through = w.reached_through(key);
    if !through.is_empty() {
        let _ = write!(out, "; reached through {}", through.join(", "));
    }
    if how != How::Added {
        let at = w.named_at(key);
        if !at.is_empty() {
            let shown: Vec<&str> = at.iter().take(4).map(String::as_str).collect();
            let more = if at.len() > 4 {
                format!(" and {} more", at.len() - 4)
            } else {
                String::new()
            };
            let consequence = if how == How::Removed {
                "the crate does not compile until src/ is updated"
            } else {
                "check that src/ still compiles (`--verify`)"
            };
            let _ = write!(
                out,
                "; the wrapper names it at {}{more}: {consequence}",
                shown.join(", ")
            );
        }
    }
    out
}

fn wrapper_md(out: &mut String, w: &Wrapper) {
    let names: Vec<String> = w
        .reexports
        .iter()
        .map(|r| {
            format!(
                "`{}` = `generated::{}`",
                r.name.trim_start_matches("astro_tokens::"),
                r.target
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "Generated items are public at `astro_tokens::generated::…`; the wrapper re-exports {} of them ({}) and names generated types in {} public signature(s).\n",
        names.len(),
        names.join(", "),
        w.exposures.len()
    );
}

fn summary_md(out: &mut String, s: &Summary, wrapper: Option<&Wrapper>) {
    let total = s.removed.len() + s.changed.len() + s.added.len();
    let _ = writeln!(
        out,
        "{} removed, {} changed, {} added public item(s).\n",
        s.removed.len(),
        s.changed.len(),
        s.added.len()
    );
    // Long lists (an operationId rename renames everything) fold away.
    if total > 12 {
        out.push_str("<details><summary>All items</summary>\n\n");
    }
    let sig = |sig: &str| {
        if sig.is_empty() {
            String::new()
        } else {
            format!(" `{sig}`")
        }
    };
    let md_notes = |k: &str, how: How| {
        let n = notes(wrapper, k, how);
        if n.is_empty() {
            n
        } else {
            // `; reached through A, B; the wrapper names it at ...` with code spans.
            n.split("; ")
                .filter(|p| !p.is_empty())
                .map(|p| format!(" — {}", cell(p)))
                .collect()
        }
    };
    for (k, s) in &s.removed {
        let _ = writeln!(
            out,
            "- removed `{}`{}{}",
            crate_path(k),
            sig(s),
            md_notes(k, How::Removed)
        );
    }
    for (k, old, new) in &s.changed {
        let _ = writeln!(
            out,
            "- changed `{}`: `{old}` → `{new}`{}",
            crate_path(k),
            md_notes(k, How::Changed)
        );
    }
    for (k, s) in &s.added {
        let _ = writeln!(
            out,
            "- added `{}`{}{}",
            crate_path(k),
            sig(s),
            md_notes(k, How::Added)
        );
    }
    if total > 12 {
        out.push_str("\n</details>\n");
    }
}
