//! The generated Rust API, summarised from the generated code itself: both revisions go
//! through `astro_tokens_codegen::generate_str`, are parsed with `syn`, and their public
//! items (structs, fields, enums, variants, functions, methods, builder setters, types,
//! constants) are listed with a signature; the two lists are compared by path.
//! Trait impls and private fields are left out; types are printed by their last path
//! segment (`::std::option::Option<T>` → `Option<T>`).

use std::collections::BTreeMap;

use syn::{
    Fields, FnArg, GenericArgument, GenericParam, ImplItem, Item, PathArguments, ReturnType,
    Signature, Type, TypeParamBound, Visibility, WherePredicate,
};

/// Public items added, removed and changed between two generated files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `kind path` → signature.
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    /// `kind path`, old signature, new signature.
    pub changed: Vec<(String, String, String)>,
    /// Added variants of enums and fields of structs that are not `#[non_exhaustive]`
    /// (and, for structs, have only public fields) on both sides: user code matching
    /// them exhaustively or building them with a struct literal stops compiling.
    pub exhaustive_additions: Vec<String>,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Generates both revisions and compares their public items. The error says which side
/// failed to generate and why.
pub fn summarize_specs(
    old: &str,
    old_origin: &str,
    new: &str,
    new_origin: &str,
) -> Result<Summary, String> {
    let old_src = astro_tokens_codegen::generate_str(old, old_origin).map_err(|e| e.to_string())?;
    let new_src = astro_tokens_codegen::generate_str(new, new_origin).map_err(|e| e.to_string())?;
    summarize(&old_src, &new_src)
}

/// Compares the public items of two Rust sources.
pub fn summarize(old: &str, new: &str) -> Result<Summary, String> {
    let old =
        public_items(old).map_err(|e| format!("the OLD generated code does not parse: {e}"))?;
    let new =
        public_items(new).map_err(|e| format!("the NEW generated code does not parse: {e}"))?;
    let mut summary = Summary::default();
    for (key, sig) in &old {
        if key.starts_with(ORDER) {
            // Only the relative order of the variants both sides keep matters.
            if let Some(n) = new.get(key) {
                let (a, b) = (sig.split(", "), n.split(", "));
                let kept_a: Vec<&str> = a
                    .clone()
                    .filter(|v| n.split(", ").any(|x| x == *v))
                    .collect();
                let kept_b: Vec<&str> = b.filter(|v| sig.split(", ").any(|x| x == *v)).collect();
                if kept_a != kept_b {
                    summary
                        .changed
                        .push((key.clone(), kept_a.join(", "), kept_b.join(", ")));
                }
            }
            continue;
        }
        match new.get(key) {
            None => summary.removed.push((key.clone(), sig.clone())),
            Some(n) if n != sig => summary.changed.push((key.clone(), sig.clone(), n.clone())),
            Some(_) => {}
        }
    }
    for (key, sig) in &new {
        if !old.contains_key(key) && !key.starts_with(ORDER) {
            summary.added.push((key.clone(), sig.clone()));
            if let Some(owner) = exhaustive_owner(key, &old, &new) {
                summary
                    .exhaustive_additions
                    .push(format!("{key} (in {owner})"));
            }
        }
    }
    Ok(summary)
}

/// For an added variant or field: its enum or struct, when that type exists on both sides
/// and is exhaustive (a struct also needs only public fields) in NEW.
fn exhaustive_owner(
    key: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Option<String> {
    let (owner, open) = if let Some(path) = key.strip_prefix("variant ") {
        let (ty, _) = path.rsplit_once("::")?;
        (format!("enum {ty}"), NON_EXHAUSTIVE)
    } else if let Some(path) = key.strip_prefix("field ") {
        let (ty, _) = path.rsplit_once('.')?;
        (format!("struct {ty}"), "")
    } else {
        return None;
    };
    let exhaustive = |sig: &String| {
        if key.starts_with("variant ") {
            sig != open
        } else {
            sig.is_empty()
        }
    };
    (old.get(&owner).is_some_and(exhaustive) && new.get(&owner).is_some_and(exhaustive))
        .then_some(owner)
}

/// The key prefix of an enum's variant order (`order enum types::E` → `A, B, C`).
const ORDER: &str = "order ";

/// The signature recorded for a `#[non_exhaustive]` struct or enum.
const NON_EXHAUSTIVE: &str = "#[non_exhaustive]";
/// The signature recorded for a struct with a private field (no struct literals outside).
const PRIVATE_FIELDS: &str = "(private fields)";

fn has_non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

/// Every public item of a file, keyed by `kind path`.
pub fn public_items(source: &str) -> Result<BTreeMap<String, String>, String> {
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    collect(&file.items, "", &mut out);
    Ok(out)
}

fn is_pub(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

fn collect(items: &[Item], prefix: &str, out: &mut BTreeMap<String, String>) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    collect(inner, &format!("{prefix}{}::", m.ident), out);
                }
            }
            Item::Struct(s) if is_pub(&s.vis) => {
                let name = format!("{prefix}{}", s.ident);
                let sig = if has_non_exhaustive(&s.attrs) {
                    NON_EXHAUSTIVE
                } else if s.fields.iter().any(|f| !is_pub(&f.vis)) {
                    PRIVATE_FIELDS
                } else {
                    ""
                };
                out.insert(format!("struct {name}"), sig.to_owned());
                match &s.fields {
                    Fields::Named(f) => {
                        for field in f.named.iter().filter(|f| is_pub(&f.vis)) {
                            let id = field
                                .ident
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default();
                            out.insert(format!("field {name}.{id}"), ty(&field.ty));
                        }
                    }
                    Fields::Unnamed(f) => {
                        for (i, field) in
                            f.unnamed.iter().enumerate().filter(|(_, f)| is_pub(&f.vis))
                        {
                            out.insert(format!("field {name}.{i}"), ty(&field.ty));
                        }
                    }
                    Fields::Unit => {}
                }
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                let name = format!("{prefix}{}", e.ident);
                let open = has_non_exhaustive(&e.attrs);
                out.insert(
                    format!("enum {name}"),
                    if open { NON_EXHAUSTIVE } else { "" }.to_owned(),
                );
                let order: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
                out.insert(format!("{ORDER}enum {name}"), order.join(", "));
                for v in &e.variants {
                    let fields: Vec<String> = v.fields.iter().map(|f| ty(&f.ty)).collect();
                    let sig = if fields.is_empty() {
                        String::new()
                    } else {
                        format!("({})", fields.join(", "))
                    };
                    out.insert(format!("variant {name}::{}", v.ident), sig);
                }
            }
            Item::Fn(f) if is_pub(&f.vis) => {
                out.insert(format!("fn {prefix}{}", f.sig.ident), sig(&f.sig));
            }
            Item::Type(t) if is_pub(&t.vis) => {
                out.insert(format!("type {prefix}{}", t.ident), ty(&t.ty));
            }
            Item::Const(c) if is_pub(&c.vis) => {
                out.insert(format!("const {prefix}{}", c.ident), ty(&c.ty));
            }
            Item::Impl(i) if i.trait_.is_none() => {
                let owner = ty(&i.self_ty);
                let owner = format!("{prefix}{}", owner.split('<').next().unwrap_or_default());
                let builder = prefix.contains("builder::");
                for it in &i.items {
                    match it {
                        ImplItem::Fn(f) if is_pub(&f.vis) => {
                            let setter = builder
                                && f.sig.inputs.len() == 2
                                && matches!(&f.sig.output, ReturnType::Type(_, t) if ty(t) == "Self");
                            let kind = if setter { "setter" } else { "method" };
                            out.insert(format!("{kind} {owner}::{}", f.sig.ident), sig(&f.sig));
                        }
                        ImplItem::Const(c) if is_pub(&c.vis) => {
                            out.insert(format!("const {owner}::{}", c.ident), ty(&c.ty));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// `(inputs) -> output where bounds`, with generic bounds inlined into the where part.
fn sig(s: &Signature) -> String {
    let inputs: Vec<String> = s
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Receiver(r) => format!(
                "{}{}self",
                if r.reference.is_some() { "&" } else { "" },
                if r.mutability.is_some() && r.reference.is_some() {
                    "mut "
                } else {
                    ""
                }
            ),
            FnArg::Typed(t) => ty(&t.ty),
        })
        .collect();
    let output = match &s.output {
        ReturnType::Default => String::new(),
        ReturnType::Type(_, t) => format!(" -> {}", ty(t)),
    };
    let mut bounds: Vec<String> = s
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) if !t.bounds.is_empty() => {
                Some(format!("{}: {}", t.ident, bound_list(t.bounds.iter())))
            }
            _ => None,
        })
        .collect();
    if let Some(w) = &s.generics.where_clause {
        for p in &w.predicates {
            if let WherePredicate::Type(t) = p {
                bounds.push(format!(
                    "{}: {}",
                    ty(&t.bounded_ty),
                    bound_list(t.bounds.iter())
                ));
            }
        }
    }
    let bounds = if bounds.is_empty() {
        String::new()
    } else {
        format!(" where {}", bounds.join(", "))
    };
    format!("({}){output}{bounds}", inputs.join(", "))
}

fn bound_list<'a>(bounds: impl Iterator<Item = &'a TypeParamBound>) -> String {
    bounds
        .map(|b| match b {
            TypeParamBound::Trait(t) => path(&t.path),
            TypeParamBound::Lifetime(l) => format!("'{}", l.ident),
            _ => "_".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A readable, comparable rendering of a type.
pub fn ty(t: &Type) -> String {
    match t {
        Type::Path(p) => {
            let last = path(&p.path);
            match &p.qself {
                Some(q) => format!("<{}>::{last}", ty(&q.ty)),
                None => last,
            }
        }
        Type::Reference(r) => format!(
            "&{}{}{}",
            r.lifetime
                .as_ref()
                .map(|l| format!("'{} ", l.ident))
                .unwrap_or_default(),
            if r.mutability.is_some() { "mut " } else { "" },
            ty(&r.elem)
        ),
        Type::Tuple(t) => format!(
            "({})",
            t.elems.iter().map(ty).collect::<Vec<_>>().join(", ")
        ),
        Type::Slice(s) => format!("[{}]", ty(&s.elem)),
        Type::Array(a) => format!("[{}; _]", ty(&a.elem)),
        Type::ImplTrait(i) => format!("impl {}", bound_list(i.bounds.iter())),
        Type::Paren(p) => ty(&p.elem),
        Type::Group(g) => ty(&g.elem),
        _ => "_".to_owned(),
    }
}

/// The last segment of a path with its generic arguments (`T::Error` keeps both parts).
fn path(p: &syn::Path) -> String {
    let segs: Vec<&syn::PathSegment> = p.segments.iter().collect();
    let keep = if segs.len() == 2 && segs[0].ident.to_string().len() == 1 {
        2
    } else {
        1
    };
    segs.iter()
        .skip(segs.len().saturating_sub(keep))
        .map(|s| {
            let args = match &s.arguments {
                PathArguments::AngleBracketed(a) => format!(
                    "<{}>",
                    a.args
                        .iter()
                        .map(|g| match g {
                            GenericArgument::Type(t) => ty(t),
                            GenericArgument::Lifetime(l) => format!("'{}", l.ident),
                            _ => "_".to_owned(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => String::new(),
            };
            format!("{}{args}", s.ident)
        })
        .collect::<Vec<_>>()
        .join("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"
        pub mod types {
            pub struct A { pub x: ::std::option::Option<i64>, hidden: u8 }
            #[non_exhaustive]
            pub enum E { One, Two, Unknown(::std::string::String) }
            pub mod builder {
                pub struct L<'a> { c: &'a u8 }
                impl<'a> L<'a> {
                    pub fn new(c: &'a u8) -> Self { todo!() }
                    pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<u64> { self }
                }
            }
        }
        impl ::std::fmt::Display for types::A { }
    "#;

    const NEW: &str = r#"
        pub mod types {
            pub struct A { pub x: i64, pub y: bool, hidden: u8 }
            #[non_exhaustive]
            pub enum E { One, Unknown(::std::string::String) }
            pub mod builder {
                pub struct L<'a> { c: &'a u8 }
                impl<'a> L<'a> {
                    pub fn new(c: &'a u8) -> Self { todo!() }
                    pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { self }
                }
            }
        }
    "#;

    #[test]
    fn public_items_are_compared_by_path_and_signature() {
        let s = summarize(OLD, NEW).expect("both parse");
        assert_eq!(
            s.removed,
            vec![("variant types::E::Two".to_owned(), String::new())]
        );
        assert_eq!(
            s.added,
            vec![("field types::A.y".to_owned(), "bool".to_owned())]
        );
        let changed: Vec<&str> = s.changed.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            changed,
            ["field types::A.x", "setter types::builder::L::limit"]
        );
        assert_eq!(s.changed[0].1, "Option<i64>");
        assert!(
            s.changed[1].2.ends_with("where V: TryInto<i64>"),
            "{:?}",
            s.changed[1]
        );
    }

    #[test]
    fn additions_to_exhaustive_types_are_singled_out() {
        let old = "pub enum K { A } #[non_exhaustive] pub enum O { A } pub struct S { pub a: u8 } pub struct P { pub a: u8, b: u8 } #[non_exhaustive] pub struct N { pub a: u8 }";
        let new = "pub enum K { A, B } #[non_exhaustive] pub enum O { A, B } pub struct S { pub a: u8, pub c: u8 } pub struct P { pub a: u8, b: u8, pub c: u8 } #[non_exhaustive] pub struct N { pub a: u8, pub c: u8 } pub enum Fresh { X }";
        let s = summarize(old, new).expect("both parse");
        assert_eq!(
            s.exhaustive_additions,
            ["field S.c (in struct S)", "variant K::B (in enum K)"]
        );
    }

    #[test]
    fn the_relative_order_of_kept_variants_is_part_of_the_api() {
        let s = summarize("pub enum E { A, B, C }", "pub enum E { A, X, B, C }").expect("parse");
        assert!(s.changed.is_empty(), "an insertion keeps the order: {s:?}");
        let s = summarize("pub enum E { A, B, C }", "pub enum E { C, B }").expect("parse");
        assert_eq!(
            s.changed,
            [(
                "order enum E".to_owned(),
                "B, C".to_owned(),
                "C, B".to_owned()
            )]
        );
    }

    #[test]
    fn unparsable_source_names_the_side() {
        let err = summarize("pub fn (", NEW).expect_err("bad source");
        assert!(err.starts_with("the OLD generated code"), "{err}");
    }
}
