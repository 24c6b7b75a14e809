//! Schema rules: type, format, range, enum, property and `required` changes, with the
//! variance of the direction the data flows in (see [`Direction`]).
//!
//! `$ref`s are resolved on both sides; a pair of components is compared once per
//! direction ([`Ctx::enter`]), which both reports a shared component once and stops a
//! schema that refers to itself from looping.

use openapiv3::{
    ArrayType, IntegerType, ObjectType, ReferenceOr, Schema, SchemaKind, StringType, Type,
};
use serde_json::Value;

use super::rust_types;
use super::{Change, Ctx, Direction, Here, Impact, Ptr};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Compares two schemas found at `loc`; `here` points at the two schema nodes (which may
/// be `$ref`s: positions inside follow the reference to the component).
pub fn compare(
    ctx: &mut Ctx<'_>,
    old: &ReferenceOr<Schema>,
    new: &ReferenceOr<Schema>,
    dir: Direction,
    loc: &str,
    here: &Here,
) {
    let (old_name, old_schema) = match resolve(ctx.old, old) {
        Ok(found) => found,
        Err(e) => return ctx.error(format!("OLD: {loc}: {e}")),
    };
    let (new_name, new_schema) = match resolve(ctx.new, new) {
        Ok(found) => found,
        Err(e) => return ctx.error(format!("NEW: {loc}: {e}")),
    };
    let component = |name: Option<&str>, site: &Ptr| match name {
        Some(n) => Ptr::of(&["components", "schemas", n]),
        None => site.clone(),
    };
    let inner = Here {
        old: component(old_name, &here.old),
        new: component(new_name, &here.new),
    };
    match (old_name, new_name) {
        (Some(o), Some(n)) => {
            if o != n {
                ctx.add(
                    Change::new("schema.name.changed", loc, Impact::None, Impact::Breaking)
                        .at(&here.child("$ref"))
                        .old(o)
                        .new_value(n)
                        .msg(format!(
                            "the component is renamed, so the generated Rust type `{o}` becomes `{n}`; the JSON is unchanged"
                        )),
                );
            }
            if !ctx.enter(o, n, dir, loc) {
                return;
            }
            items(ctx, old_schema, new_schema, dir, loc, &inner);
            ctx.leave();
        }
        _ => items(ctx, old_schema, new_schema, dir, loc, &inner),
    }
}

/// Follows `$ref`s to a schema; returns the last component name seen.
pub fn resolve<'s>(
    spec: &'s openapiv3::OpenAPI,
    schema: &'s ReferenceOr<Schema>,
) -> Result<(Option<&'s str>, &'s Schema), String> {
    let mut current = schema;
    let mut name = None;
    let mut seen = Vec::new();
    loop {
        match current {
            ReferenceOr::Item(schema) => return Ok((name, schema)),
            ReferenceOr::Reference { reference } => {
                let Some(component) = reference.strip_prefix(SCHEMA_PREFIX) else {
                    return Err(format!(
                        "unsupported $ref `{reference}` (only {SCHEMA_PREFIX}...)"
                    ));
                };
                if seen.contains(&component) {
                    return Err(format!("$ref cycle without a schema: `{reference}`"));
                }
                seen.push(component);
                current = spec
                    .components
                    .as_ref()
                    .and_then(|c| c.schemas.get(component))
                    .ok_or_else(|| format!("unresolved $ref `{reference}`"))?;
                name = Some(component);
            }
        }
    }
}

/// `ReferenceOr<Box<Schema>>` (properties, array items) as a plain `ReferenceOr<Schema>`.
pub fn unbox(schema: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match schema {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(b) => ReferenceOr::Item((**b).clone()),
    }
}

fn kind_name(kind: &SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Type(Type::String(_)) => "string",
        SchemaKind::Type(Type::Number(_)) => "number",
        SchemaKind::Type(Type::Integer(_)) => "integer",
        SchemaKind::Type(Type::Boolean(_)) => "boolean",
        SchemaKind::Type(Type::Object(_)) => "object",
        SchemaKind::Type(Type::Array(_)) => "array",
        SchemaKind::OneOf { .. } => "oneOf",
        SchemaKind::AllOf { .. } => "allOf",
        SchemaKind::AnyOf { .. } => "anyOf",
        SchemaKind::Not { .. } => "not",
        SchemaKind::Any(_) => "any",
    }
}

fn items(ctx: &mut Ctx<'_>, old: &Schema, new: &Schema, dir: Direction, loc: &str, at: &Here) {
    nullable(
        ctx,
        old.schema_data.nullable,
        new.schema_data.nullable,
        dir,
        loc,
        &at.child("nullable"),
    );
    default(
        ctx,
        &old.schema_data.default,
        &new.schema_data.default,
        dir,
        loc,
        &at.child("default"),
    );
    use SchemaKind as K;
    match (&old.schema_kind, &new.schema_kind) {
        (K::Type(Type::String(a)), K::Type(Type::String(b))) => strings(ctx, a, b, dir, loc, at),
        (K::Type(Type::Integer(a)), K::Type(Type::Integer(b))) => integers(ctx, a, b, dir, loc, at),
        (K::Type(Type::Number(a)), K::Type(Type::Number(b))) => {
            let rust = same_or_breaking(rust_types::number(a), rust_types::number(b));
            format(
                ctx,
                rust_types::format_name(&a.format),
                rust_types::format_name(&b.format),
                rust,
                dir,
                loc,
                at,
            );
            let kw = |k, upper, o: Option<f64>, n: Option<f64>| Bound {
                keyword: k,
                upper,
                old: o.map(Value::from),
                new: n.map(Value::from),
            };
            bound(
                ctx,
                kw("minimum", false, a.minimum, b.minimum),
                Impact::None,
                dir,
                loc,
                at,
            );
            bound(
                ctx,
                kw("maximum", true, a.maximum, b.maximum),
                Impact::None,
                dir,
                loc,
                at,
            );
        }
        (K::Type(Type::Boolean(_)), K::Type(Type::Boolean(_))) => {}
        (K::Type(Type::Array(a)), K::Type(Type::Array(b))) => arrays(ctx, a, b, dir, loc, at),
        (K::Type(Type::Object(a)), K::Type(Type::Object(b))) => objects(ctx, a, b, dir, loc, at),
        (K::OneOf { one_of: a }, K::OneOf { one_of: b })
        | (K::AnyOf { any_of: a }, K::AnyOf { any_of: b })
        | (K::AllOf { all_of: a }, K::AllOf { all_of: b }) => {
            let name = kind_name(&old.schema_kind);
            if a.len() != b.len() {
                ctx.add(
                    Change::new(
                        "schema.composition.changed",
                        loc,
                        Impact::Breaking,
                        Impact::Breaking,
                    )
                    .at(&at.child(name))
                    .old(a.len())
                    .new_value(b.len())
                    .msg(format!(
                        "`{name}` now has {} members instead of {}; the generated type changes",
                        b.len(),
                        a.len()
                    )),
                );
            } else {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let member = at.child(name).child(i);
                    compare(ctx, x, y, dir, &format!("{loc}/{name}[{i}]"), &member);
                }
            }
        }
        (K::Not { not: a }, K::Not { not: b }) => {
            compare(ctx, a, b, dir, &format!("{loc}/not"), &at.child("not"))
        }
        (K::Any(a), K::Any(b)) => {
            if super::shape(a) != super::shape(b) {
                ctx.add(
                    Change::new("schema.changed", loc, Impact::Breaking, Impact::Breaking)
                        .at(at)
                        .old(super::shape(a))
                        .new_value(super::shape(b))
                        .msg("an untyped schema changed; not analysed further, assume breaking"),
                );
            }
        }
        (a, b) => type_changed(ctx, kind_name(a), kind_name(b), dir, loc, at),
    }
}

fn same_or_breaking<T: PartialEq>(a: T, b: T) -> Impact {
    if a == b {
        Impact::None
    } else {
        Impact::Breaking
    }
}

fn type_changed(ctx: &mut Ctx<'_>, old: &str, new: &str, dir: Direction, loc: &str, at: &Here) {
    let widened = match dir {
        Direction::Request => old == "integer" && new == "number",
        Direction::Response => old == "number" && new == "integer",
    };
    let (wire, why) = if widened {
        (
            Impact::Compatible,
            "every value the OLD side produces is still accepted",
        )
    } else {
        (
            Impact::Breaking,
            "values of the OLD type are no longer valid",
        )
    };
    ctx.add(
        Change::new("schema.type.changed", loc, wire, Impact::Breaking)
            .at(&at.child("type"))
            .old(old)
            .new_value(new)
            .msg(format!(
                "type `{old}` → `{new}`: {why}; the generated Rust type changes"
            )),
    );
}

fn nullable(ctx: &mut Ctx<'_>, old: bool, new: bool, dir: Direction, loc: &str, at: &Here) {
    if old == new {
        return;
    }
    let (rule, breaks) = if new {
        ("schema.nullable.added", dir == Direction::Response)
    } else {
        ("schema.nullable.removed", dir == Direction::Request)
    };
    let wire = if breaks {
        Impact::Breaking
    } else {
        Impact::Compatible
    };
    let why = match (new, dir) {
        (true, Direction::Response) => "the server may now send null, which the OLD client rejects",
        (true, Direction::Request) => "the server now also accepts null",
        (false, Direction::Response) => "the server no longer sends null",
        (false, Direction::Request) => {
            "an OLD client may still send null, which the server now rejects"
        }
    };
    ctx.add(
        Change::new(rule, loc, wire, Impact::Breaking)
            .at(at)
            .old(old)
            .new_value(new)
            .msg(format!("{why}; the Rust type gains or loses an `Option`")),
    );
}

fn default(
    ctx: &mut Ctx<'_>,
    old: &Option<Value>,
    new: &Option<Value>,
    dir: Direction,
    loc: &str,
    at: &Here,
) {
    if old == new {
        return;
    }
    let (rust, why) = match dir {
        Direction::Request => (
            Impact::None,
            "clients that omit it now get the new server-side default (the SDK does not send defaults)",
        ),
        Direction::Response => (
            Impact::Compatible,
            "a missing value now deserializes to the new default",
        ),
    };
    ctx.add(
        Change::new("schema.default.changed", loc, Impact::Compatible, rust)
            .at(at)
            .old(old)
            .new_value(new)
            .msg(format!("default changed: {why}")),
    );
}

fn format(
    ctx: &mut Ctx<'_>,
    old: Option<String>,
    new: Option<String>,
    rust: Impact,
    dir: Direction,
    loc: &str,
    at: &Here,
) {
    if old == new {
        return;
    }
    let breaks = match dir {
        Direction::Request => new.is_some(),
        Direction::Response => old.is_some(),
    };
    let wire = if breaks {
        Impact::Breaking
    } else {
        Impact::Compatible
    };
    let why = if breaks {
        match dir {
            Direction::Request => "the server may reject values an OLD client sends",
            Direction::Response => {
                "the OLD client parses the old format and may fail on the new one"
            }
        }
    } else {
        "a widening: every value valid before is still valid"
    };
    let rust_note = if rust == Impact::Breaking {
        "the generated Rust type changes"
    } else {
        "the generated Rust type is the same"
    };
    ctx.add(
        Change::new("schema.format.changed", loc, wire, rust)
            .at(&at.child("format"))
            .old(&old)
            .new_value(&new)
            .msg(format!(
                "format {} → {}: {why}; {rust_note}",
                show(&old),
                show(&new)
            )),
    );
}

fn show(v: &Option<String>) -> String {
    v.as_deref()
        .map(|s| format!("`{s}`"))
        .unwrap_or_else(|| "(none)".to_owned())
}

/// Whether a string schema at `ptr` is one the generator's `sensitive` pass turns into a
/// `SensitiveString` when it is `format: password`: a property or array item of a
/// component under `components/schemas`, through inline objects and arrays only (not the
/// component itself, a parameter or an inline response schema).
fn hoisted_secret(ptr: &Ptr) -> bool {
    let segments = &ptr.0;
    if segments.len() < 4 || segments[0] != "components" || segments[1] != "schemas" {
        return false;
    }
    let mut rest = &segments[3..];
    while let Some(first) = rest.first() {
        rest = match first.as_str() {
            "properties" if rest.len() >= 2 => &rest[2..],
            "items" => &rest[1..],
            _ => return false,
        };
    }
    true
}

fn strings(
    ctx: &mut Ctx<'_>,
    a: &StringType,
    b: &StringType,
    dir: Direction,
    loc: &str,
    at: &Here,
) {
    // typify turns a string with a pattern or a length bound into a validating newtype, so
    // the Rust type changes exactly when such a constraint appears or disappears.
    let constrained =
        |t: &StringType| t.pattern.is_some() || t.min_length.is_some() || t.max_length.is_some();
    let newtype = same_or_breaking(constrained(a), constrained(b));
    // The generator makes a `format: password` property of a component a
    // `SensitiveString` (`astro_tokens_codegen::sensitive`), wherever typify says `String`.
    let rust_type = |t: &StringType, ptr: &Ptr| {
        if rust_types::format_name(&t.format).as_deref() == Some("password") && hoisted_secret(ptr)
        {
            astro_tokens_codegen::sensitive::TYPE_NAME
        } else {
            rust_types::string(t)
        }
    };
    let rust = same_or_breaking(rust_type(a, &at.old), rust_type(b, &at.new));
    format(
        ctx,
        rust_types::format_name(&a.format),
        rust_types::format_name(&b.format),
        rust,
        dir,
        loc,
        at,
    );
    if a.pattern != b.pattern {
        let breaks = match dir {
            Direction::Request => b.pattern.is_some(),
            Direction::Response => a.pattern.is_some(),
        };
        ctx.add(
            Change::new("schema.pattern.changed", loc, if breaks { Impact::Breaking } else { Impact::Compatible }, newtype)
                .at(&at.child("pattern"))
                .old(&a.pattern)
                .new_value(&b.pattern)
                .msg(if breaks {
                    "the pattern narrows or changes which strings are valid; values valid before may be rejected"
                } else {
                    "the pattern is dropped or only narrows what the server sends"
                }),
        );
    }
    let len = |k, upper, o: Option<usize>, n: Option<usize>| Bound {
        keyword: k,
        upper,
        old: o.map(Value::from),
        new: n.map(Value::from),
    };
    bound(
        ctx,
        len("minLength", false, a.min_length, b.min_length),
        newtype,
        dir,
        loc,
        at,
    );
    bound(
        ctx,
        len("maxLength", true, a.max_length, b.max_length),
        newtype,
        dir,
        loc,
        at,
    );
    let values = |e: &[Option<String>]| -> Vec<String> {
        e.iter()
            .map(|v| v.clone().unwrap_or_else(|| "null".to_owned()))
            .collect()
    };
    enums(
        ctx,
        &values(&a.enumeration),
        &values(&b.enumeration),
        dir,
        loc,
        at,
    );
}

fn integers(
    ctx: &mut Ctx<'_>,
    a: &IntegerType,
    b: &IntegerType,
    dir: Direction,
    loc: &str,
    at: &Here,
) {
    let (ra, rb) = (rust_types::integer(a), rust_types::integer(b));
    let rust = same_or_breaking(&ra, &rb);
    format(
        ctx,
        rust_types::format_name(&a.format),
        rust_types::format_name(&b.format),
        rust,
        dir,
        loc,
        at,
    );
    let eff = |v: Option<i64>, excl: bool, step: i64| {
        v.map(|v| Value::from(if excl { v + step } else { v }))
    };
    bound(
        ctx,
        Bound {
            keyword: "minimum",
            upper: false,
            old: eff(a.minimum, a.exclusive_minimum, 1),
            new: eff(b.minimum, b.exclusive_minimum, 1),
        },
        rust,
        dir,
        loc,
        at,
    );
    bound(
        ctx,
        Bound {
            keyword: "maximum",
            upper: true,
            old: eff(a.maximum, a.exclusive_maximum, -1),
            new: eff(b.maximum, b.exclusive_maximum, -1),
        },
        rust,
        dir,
        loc,
        at,
    );
    let values = |e: &[Option<i64>]| -> Vec<String> {
        e.iter()
            .map(|v| {
                v.map(|n| n.to_string())
                    .unwrap_or_else(|| "null".to_owned())
            })
            .collect()
    };
    enums(
        ctx,
        &values(&a.enumeration),
        &values(&b.enumeration),
        dir,
        loc,
        at,
    );
}

/// A lower or upper bound keyword on both sides.
struct Bound {
    keyword: &'static str,
    upper: bool,
    old: Option<Value>,
    new: Option<Value>,
}

fn bound(ctx: &mut Ctx<'_>, b: Bound, rust: Impact, dir: Direction, loc: &str, at: &Here) {
    let num = |v: &Option<Value>| v.as_ref().and_then(Value::as_f64);
    let (old, new) = (num(&b.old), num(&b.new));
    let verb = match (old, new) {
        (None, None) => return,
        (Some(o), Some(n)) if o == n => return,
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        (Some(o), Some(n)) if n < o => "lowered",
        _ => "raised",
    };
    let narrowed = match verb {
        "added" => true,
        "removed" => false,
        "lowered" => b.upper,
        _ => !b.upper,
    };
    let breaks = narrowed == (dir == Direction::Request);
    let why = match (dir, narrowed) {
        (Direction::Request, true) => "an OLD client may send values the server now rejects",
        (Direction::Request, false) => "the server accepts every value it accepted before",
        (Direction::Response, true) => "the server sends a subset of what it sent before",
        (Direction::Response, false) => {
            "the server may send values outside the range the OLD client was generated for"
        }
    };
    let rust_note = if rust == Impact::Breaking {
        "; the generated Rust type changes"
    } else {
        ""
    };
    let fmt = |v: &Option<Value>| {
        v.as_ref()
            .map(Value::to_string)
            .unwrap_or_else(|| "(none)".to_owned())
    };
    ctx.add(
        Change::new(
            &format!("schema.{}.{verb}", b.keyword),
            loc,
            if breaks {
                Impact::Breaking
            } else {
                Impact::Compatible
            },
            rust,
        )
        .at(&at.child(b.keyword))
        .old(&b.old)
        .new_value(&b.new)
        .msg(format!(
            "{} {verb} {} → {}: {why}{rust_note}",
            b.keyword,
            fmt(&b.old),
            fmt(&b.new)
        )),
    );
}

fn enums(ctx: &mut Ctx<'_>, old: &[String], new: &[String], dir: Direction, loc: &str, at: &Here) {
    let list = at.child("enum");
    // Response enums under components/schemas are generated open (known variants +
    // `Unknown(String)`, #[non_exhaustive]); everything else is a closed progenitor enum.
    let open = dir == Direction::Response && ctx.in_component();
    match (old.is_empty(), new.is_empty()) {
        (true, true) => return,
        (true, false) => {
            let wire = if dir == Direction::Request {
                Impact::Breaking
            } else {
                Impact::Compatible
            };
            ctx.add(
                Change::new("schema.enum.added", loc, wire, Impact::Breaking)
                    .at_new(list.new.clone())
                    .new_value(new)
                    .msg("a free value is now restricted to a list: the Rust type changes from a string to an enum"),
            );
            return;
        }
        (false, true) => {
            let wire = if dir == Direction::Request || open {
                Impact::Compatible
            } else {
                Impact::Breaking
            };
            ctx.add(
                Change::new("schema.enum.removed", loc, wire, Impact::Breaking)
                    .at_old(list.old.clone())
                    .old(old)
                    .msg("the value is no longer restricted to a list: the Rust enum becomes a string"),
            );
            return;
        }
        (false, false) => {}
    }
    let side = match dir {
        Direction::Request => "request",
        Direction::Response => "response",
    };
    for (i, value) in old.iter().enumerate().filter(|(_, v)| !new.contains(v)) {
        let (wire, msg) = match dir {
            Direction::Request => (
                Impact::Breaking,
                format!(
                    "an OLD client may still send `{value}`, which the server now rejects; the variant for it is removed from the SDK"
                ),
            ),
            Direction::Response => (
                Impact::Compatible,
                format!(
                    "the server no longer sends `{value}`; the variant for it is removed, so code naming it no longer compiles"
                ),
            ),
        };
        ctx.add(
            Change::new(
                &format!("{side}.enum.value.removed"),
                loc,
                wire,
                Impact::Breaking,
            )
            .at_old(list.old.child(i))
            .old(value)
            .msg(msg),
        );
    }
    // The generated enums (closed and open) derive `PartialOrd`/`Ord` in the fragment's
    // order, so the relative order of the values both sides keep is part of the Rust API.
    let kept_old: Vec<&String> = old.iter().filter(|v| new.contains(v)).collect();
    let kept_new: Vec<&String> = new.iter().filter(|v| old.contains(v)).collect();
    if kept_old != kept_new {
        ctx.add(
            Change::new("schema.enum.reordered", loc, Impact::None, Impact::Breaking)
                .at(&list)
                .old(&kept_old)
                .new_value(&kept_new)
                .msg("the values are listed in another order: the wire is unchanged, but the generated enum's variants follow the fragment's order, so its derived `Ord`/`PartialOrd` (sorting, comparisons) and the discriminants of a fieldless enum change"),
        );
    }
    for (i, value) in new.iter().enumerate().filter(|(_, v)| !old.contains(v)) {
        let (wire, rust, msg) = match (dir, open) {
            (Direction::Request, _) => (
                Impact::Compatible,
                Impact::Compatible,
                format!(
                    "the server accepts `{value}` too; the request enum gains a variant: compatible because request enums are #[non_exhaustive], so user code already matches them with a wildcard arm (the generated code is checked for the attribute)"
                ),
            ),
            (Direction::Response, true) => (
                Impact::Compatible,
                Impact::Compatible,
                format!(
                    "the server may send `{value}`: compatible on the wire only because the OLD SDK's open enum keeps it as `Unknown(\"{value}\")`; NEW adds a variant to a #[non_exhaustive] enum, so existing matches still compile (code testing for `Unknown(\"{value}\")` sees the named variant instead)"
                ),
            ),
            (Direction::Response, false) => (
                Impact::Breaking,
                Impact::Compatible,
                format!(
                    "the server may send `{value}`, which the OLD SDK's closed enum fails to deserialize"
                ),
            ),
        };
        ctx.add(
            Change::new(&format!("{side}.enum.value.added"), loc, wire, rust)
                .at_new(list.new.child(i))
                .new_value(value)
                .msg(msg),
        );
    }
}

fn arrays(ctx: &mut Ctx<'_>, a: &ArrayType, b: &ArrayType, dir: Direction, loc: &str, at: &Here) {
    let count = |k, upper, o: Option<usize>, n: Option<usize>| Bound {
        keyword: k,
        upper,
        old: o.map(Value::from),
        new: n.map(Value::from),
    };
    bound(
        ctx,
        count("minItems", false, a.min_items, b.min_items),
        Impact::None,
        dir,
        loc,
        at,
    );
    bound(
        ctx,
        count("maxItems", true, a.max_items, b.max_items),
        Impact::None,
        dir,
        loc,
        at,
    );
    let item_loc = format!("{loc}[]");
    match (&a.items, &b.items) {
        (Some(x), Some(y)) => compare(
            ctx,
            &unbox(x),
            &unbox(y),
            dir,
            &item_loc,
            &at.child("items"),
        ),
        (None, None) => {}
        (x, y) => ctx.add(
            Change::new(
                "schema.items.changed",
                item_loc,
                Impact::Breaking,
                Impact::Breaking,
            )
            .at(&at.child("items"))
            .old(x.is_some())
            .new_value(y.is_some())
            .msg("the array's item schema was added or removed; the element type changes"),
        ),
    }
}

fn objects(
    ctx: &mut Ctx<'_>,
    a: &ObjectType,
    b: &ObjectType,
    dir: Direction,
    loc: &str,
    at: &Here,
) {
    let props = at.child("properties");
    let side = match dir {
        Direction::Request => "request",
        Direction::Response => "response",
    };
    for (name, old_prop) in &a.properties {
        let at_loc = format!("{loc}.{name}");
        let was_required = a.required.contains(name);
        let Some(new_prop) = b.properties.get(name) else {
            let wire = match dir {
                Direction::Response if was_required => Impact::Breaking,
                Direction::Response => Impact::Compatible,
                Direction::Request => Impact::Breaking,
            };
            let why = match (dir, was_required) {
                (Direction::Response, true) => {
                    "the OLD client requires it and fails to deserialize responses without it"
                }
                (Direction::Response, false) => {
                    "it was optional, so the OLD client copes with its absence"
                }
                (Direction::Request, _) => "an OLD client still sends it",
            };
            ctx.add(
                Change::new(
                    &format!("{side}.property.removed"),
                    at_loc,
                    wire,
                    Impact::Breaking,
                )
                .at_old(props.old.child(name))
                .old(name)
                .msg(format!(
                    "property `{name}` removed: {why}; the Rust field is removed"
                )),
            );
            continue;
        };
        let is_required = b.required.contains(name);
        if was_required != is_required {
            let (rule, wire, why) = match (dir, is_required) {
                (Direction::Response, false) => (
                    "response.property.required.removed",
                    Impact::Breaking,
                    "the server may omit it and the OLD client requires it; the Rust field becomes `Option<T>`",
                ),
                (Direction::Response, true) => (
                    "response.property.required.added",
                    Impact::Compatible,
                    "the server now always sends it; the Rust field changes from `Option<T>` to `T`",
                ),
                (Direction::Request, true) => (
                    "request.property.required.added",
                    Impact::Breaking,
                    "an OLD client may omit it; the Rust field changes from `Option<T>` to `T`",
                ),
                (Direction::Request, false) => (
                    "request.property.required.removed",
                    Impact::Compatible,
                    "the server accepts it missing; the Rust field becomes `Option<T>`",
                ),
            };
            let entry = |list: &[String], side: &Ptr| {
                let i = list.iter().position(|n| n == name);
                let list = side.child("required");
                i.map_or(list.clone(), |i| list.child(i))
            };
            let change = Change::new(rule, at_loc.clone(), wire, Impact::Breaking);
            let change = if is_required {
                change.at_new(entry(&b.required, &at.new))
            } else {
                change.at_old(entry(&a.required, &at.old))
            };
            ctx.add(
                change
                    .old(was_required)
                    .new_value(is_required)
                    .msg(format!("property `{name}`: {why}")),
            );
        }
        compare(
            ctx,
            &unbox(old_prop),
            &unbox(new_prop),
            dir,
            &at_loc,
            &props.child(name),
        );
    }
    for name in b
        .properties
        .keys()
        .filter(|n| !a.properties.contains_key(*n))
    {
        let required = b.required.contains(name);
        let (wire, rust, why) = match (dir, required) {
            (Direction::Response, _) => (
                Impact::Compatible,
                Impact::Compatible,
                "the OLD client ignores unknown fields; NEW adds a field to a #[non_exhaustive] struct, which user code deserializes or builds with its builder, never with a struct literal (the generated code is checked for the attribute)",
            ),
            (Direction::Request, false) => (
                Impact::Compatible,
                Impact::Compatible,
                "optional, so OLD clients that omit it still work",
            ),
            (Direction::Request, true) => (
                Impact::Breaking,
                Impact::Breaking,
                "required, so OLD clients that do not send it are rejected",
            ),
        };
        ctx.add(
            Change::new(
                &format!("{side}.property.added"),
                format!("{loc}.{name}"),
                wire,
                rust,
            )
            .at_new(props.new.child(name))
            .new_value(name)
            .msg(format!(
                "property `{name}` added{}: {why}",
                if required { " as required" } else { "" }
            )),
        );
    }
    if super::shape(&a.additional_properties) != super::shape(&b.additional_properties) {
        ctx.add(
            Change::new(
                "schema.additionalProperties.changed",
                loc,
                Impact::Breaking,
                Impact::Breaking,
            )
            .at(&at.child("additionalProperties"))
            .old(super::shape(&a.additional_properties))
            .new_value(super::shape(&b.additional_properties))
            .msg("additionalProperties changed; the generated map or struct changes"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_component_properties_and_items_are_hoisted_secrets() {
        let p = |s: &str| Ptr(s.split('/').map(str::to_owned).collect());
        assert!(hoisted_secret(&p(
            "components/schemas/ApiToken/properties/token"
        )));
        assert!(hoisted_secret(&p(
            "components/schemas/ApiToken/properties/keys/items/properties/value"
        )));
        assert!(!hoisted_secret(&p("components/schemas/Secret")));
        assert!(!hoisted_secret(&p(
            "components/schemas/ApiToken/properties/role/oneOf/0"
        )));
        assert!(!hoisted_secret(&p(
            "paths/~1tokens/get/parameters/0/schema"
        )));
    }
}
