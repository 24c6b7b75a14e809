//! Parameter rules: added, removed, renamed (a removal and an addition at the same place
//! with the same schema), moved between `in` locations, made required or optional, and
//! serialization (`style`, `explode`, schema vs content) changes. Parameter schemas are
//! compared in the request direction.

use openapiv3::{Parameter, ParameterData, ParameterSchemaOrContent};
use serde_json::Value;

use super::{Change, Ctx, Direction, Here, Impact, Ptr, schema, shape};

/// A resolved parameter with its effective serialization.
#[derive(Debug, Clone)]
pub struct Param<'s> {
    pub location: &'static str,
    pub data: &'s ParameterData,
    /// Effective `style` (the default for the location when absent).
    pub style: String,
    /// Effective `explode`.
    pub explode: bool,
    /// The parameter object's place (its component when it is a `$ref`).
    pub ptr: Ptr,
}

impl<'s> Param<'s> {
    pub fn from(p: &'s Parameter, ptr: Ptr) -> Self {
        let (location, style) = match p {
            Parameter::Query { style, .. } => ("query", shape(style)),
            Parameter::Path { style, .. } => ("path", shape(style)),
            Parameter::Header { style, .. } => ("header", shape(style)),
            Parameter::Cookie { style, .. } => ("cookie", shape(style)),
        };
        let style = style.as_str().unwrap_or("form").to_owned();
        let data = p.parameter_data_ref();
        let explode = data.explode.unwrap_or(style == "form");
        Self {
            location,
            data,
            style,
            explode,
            ptr,
        }
    }

    fn name(&self) -> &'s str {
        &self.data.name
    }

    fn fingerprint(&self) -> Value {
        shape(&self.data.format)
    }
}

/// The parameter's setter name in the builder, as progenitor derives it (snake case).
fn setter(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
            prev_lower = false;
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch);
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    out
}

/// Compares the effective parameters of one operation.
pub fn compare(ctx: &mut Ctx<'_>, op: &str, old: &[Param<'_>], new: &[Param<'_>]) {
    let key = |p: &Param<'_>| (p.location, p.name().to_owned());
    let mut removed: Vec<&Param<'_>> = old
        .iter()
        .filter(|o| !new.iter().any(|n| key(n) == key(o)))
        .collect();
    let mut added: Vec<&Param<'_>> = new
        .iter()
        .filter(|n| !old.iter().any(|o| key(o) == key(n)))
        .collect();
    for o in old {
        if let Some(n) = new.iter().find(|n| key(n) == key(o)) {
            matched(ctx, op, o, n);
        }
    }
    // Same name, another `in`.
    removed.retain(|o| {
        let Some(i) = added.iter().position(|n| n.name() == o.name()) else {
            return true;
        };
        let n = added.remove(i);
        // progenitor's builder setter stays whatever the location, but the generated
        // `query` module describes query parameters only: a parameter leaving the query
        // takes its field of `query::{Operation}Query` and its `PARAMETERS` entry along
        // (for `offset` and `limit`, the paging constants), one entering it adds them.
        let (rust, effect) = match (o.location == "query", n.location == "query") {
            (true, false) => (
                Impact::Breaking,
                "; the builder setter stays, but the generated `query` module (its struct field, `PARAMETERS` entry and setter macro; for paging parameters the bound constants) no longer has it",
            ),
            (false, true) => (
                Impact::Compatible,
                "; the builder setter stays, and the generated `query` module gains it",
            ),
            _ => (Impact::None, "; the builder setter stays"),
        };
        ctx.add(
            Change::new(
                "param.in.changed",
                format!("{op} param {}", o.name()),
                Impact::Breaking,
                rust,
            )
            .at(&pair(o, n).child("in"))
            .old(o.location)
            .new_value(n.location)
            .msg(format!(
                "`{}` moves from {} to {}: OLD clients send it in the wrong place{effect}",
                o.name(),
                o.location,
                n.location
            )),
        );
        matched(ctx, op, o, n);
        false
    });
    // Renames: same `in`, same schema, same requiredness.
    removed.retain(|o| {
        let Some(i) = added.iter().position(|n| {
            n.location == o.location
                && n.fingerprint() == o.fingerprint()
                && n.data.required == o.data.required
        }) else {
            return true;
        };
        let n = added.remove(i);
        let (wire, why) = if o.location == "path" {
            (
                Impact::None,
                "path parameter names are not sent on the wire",
            )
        } else {
            (
                Impact::Breaking,
                "OLD clients send the old name, which the server no longer reads",
            )
        };
        ctx.add(
            Change::new(
                "param.renamed",
                format!("{op} param {}", o.name()),
                wire,
                Impact::Breaking,
            )
            .at(&pair(o, n).child("name"))
            .old(o.name())
            .new_value(n.name())
            .msg(format!(
                "{} parameter `{}` renamed to `{}`: {why}; the builder setter `{}` becomes `{}`",
                o.location,
                o.name(),
                n.name(),
                setter(o.name()),
                setter(n.name())
            )),
        );
        matched(ctx, op, o, n);
        false
    });
    for o in removed {
        ctx.add(
            Change::new("param.removed", format!("{op} param {}", o.name()), Impact::Breaking, Impact::Breaking)
                .at_old(o.ptr.clone())
                .old(o.name())
                .msg(format!(
                    "{} parameter `{}` removed: OLD clients still send it; the builder setter `{}` is removed",
                    o.location,
                    o.name(),
                    setter(o.name())
                )),
        );
    }
    for n in added {
        let change = if n.data.required {
            Change::new("param.added.required", format!("{op} param {}", n.name()), Impact::Breaking, Impact::Breaking).msg(format!(
                "required {} parameter `{}` added: OLD clients do not send it; with the NEW SDK, code that does not call `{}` still compiles but `send()` fails",
                n.location,
                n.name(),
                setter(n.name())
            ))
        } else {
            Change::new(
                "param.added",
                format!("{op} param {}", n.name()),
                Impact::Compatible,
                Impact::Compatible,
            )
            .msg(format!(
                "optional {} parameter `{}` added (new setter `{}`)",
                n.location,
                n.name(),
                setter(n.name())
            ))
        };
        ctx.add(change.at_new(n.ptr.clone()).new_value(n.name()));
    }
}

/// The same parameter on both sides.
fn pair(o: &Param<'_>, n: &Param<'_>) -> Here {
    Here {
        old: o.ptr.clone(),
        new: n.ptr.clone(),
    }
}

fn matched(ctx: &mut Ctx<'_>, op: &str, o: &Param<'_>, n: &Param<'_>) {
    let loc = format!("{op} param {}", n.name());
    let here = pair(o, n);
    if o.data.required != n.data.required {
        let change = if n.data.required {
            Change::new("param.required.added", &loc, Impact::Breaking, Impact::Breaking).msg(format!(
                "`{}` is now required: OLD clients may omit it; NEW SDK code that does not call `{}` still compiles but `send()` fails",
                n.name(),
                setter(n.name())
            ))
        } else {
            Change::new(
                "param.required.removed",
                &loc,
                Impact::Compatible,
                Impact::Compatible,
            )
            .msg(format!(
                "`{}` is now optional: the server accepts it missing; the setter is unchanged",
                n.name()
            ))
        };
        ctx.add(
            change
                .at(&here.child("required"))
                .old(o.data.required)
                .new_value(n.data.required),
        );
    }
    // A move between locations changes the default style too; `param.in.changed` says it.
    if o.location == n.location && (&o.style, o.explode) != (&n.style, n.explode) {
        ctx.add(
            Change::new("param.style.changed", &loc, Impact::Breaking, Impact::None)
                .at(&here.child(if n.data.explode.is_some() { "explode" } else { "style" }))
                .old(format!("style={} explode={}", o.style, o.explode))
                .new_value(format!("style={} explode={}", n.style, n.explode))
                .msg("the serialization changes: the server parses what OLD clients send differently (the setter is unchanged)"),
        );
    }
    if o.data.deprecated.unwrap_or(false) != n.data.deprecated.unwrap_or(false) {
        ctx.add(
            Change::new("param.deprecated.changed", &loc, Impact::None, Impact::None)
                .at(&here.child("deprecated"))
                .old(o.data.deprecated.unwrap_or(false))
                .new_value(n.data.deprecated.unwrap_or(false))
                .msg("deprecation flag changed: a signal to callers, nothing stops working"),
        );
    }
    match (&o.data.format, &n.data.format) {
        (ParameterSchemaOrContent::Schema(a), ParameterSchemaOrContent::Schema(b)) => {
            schema::compare(ctx, a, b, Direction::Request, &loc, &here.child("schema"));
        }
        (a, b) if shape(a) != shape(b) => ctx.add(
            Change::new("param.serialization.changed", &loc, Impact::Breaking, Impact::Breaking)
                .at(&here)
                .old(shape(a))
                .new_value(shape(b))
                .msg("the parameter switches between `schema` and `content` (or its content changed); not analysed further"),
        ),
        _ => {}
    }
}
