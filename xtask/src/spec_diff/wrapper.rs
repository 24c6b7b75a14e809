//! What the whole crate exposes of the generated code: the hand-written wrapper (`src/`)
//! read with `syn`, so the Rust API summary covers `astro_tokens::TokenKind`, `Page.tokens`,
//! `ListTokens::kind(..)` and the like, not only `astro_tokens::generated::…`.
//!
//! Three things are collected, from the modules `src/lib.rs` declares (modules behind a
//! `#[cfg(..)]` are left out, as is the generated module itself: the default features):
//! - re-exports of generated items (`pub use generated::types::ListApiTokensKind as
//!   TokenKind`);
//! - public wrapper items whose signature names a generated type (fields of re-exported
//!   structs, methods of their `impl` blocks, trait impls between wrapper and generated
//!   types);
//! - every place the wrapper names a generated item, with its file and line: when the
//!   NEW generated code removes that item, the crate stops compiling until `src/` follows.
//!
//! Names are resolved through each file's `use` declarations (aliases included); paths
//! are the generated module's (`types::ListApiTokensKind`), as in [`super::rust_api`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use syn::visit::Visit;
use syn::{Attribute, ImplItem, Item, UseTree, Visibility};

/// A crate-level name for a generated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reexport {
    /// `astro_tokens::TokenKind`.
    pub name: String,
    /// `types::ListApiTokensKind`.
    pub target: String,
}

/// A public wrapper item whose signature names generated types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// `Page.tokens`, `ListTokens::kind`, `impl From<Sort> for ListApiTokensSortsItem`.
    pub item: String,
    /// The generated items it names (`types::ApiToken`).
    pub names: Vec<String>,
}

/// Where the wrapper names a generated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// `src/sort.rs:121`.
    pub at: String,
    /// `types::ListApiTokensSortsItem::TokenStartAtDesc`.
    pub path: String,
}

/// The wrapper's view of the generated code.
#[derive(Debug, Clone, Default)]
pub struct Wrapper {
    pub reexports: Vec<Reexport>,
    pub exposures: Vec<Exposure>,
    pub uses: Vec<Use>,
}

/// The crate's sources: `<workspace>/src` (xtask lives in the workspace).
pub fn crate_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

/// Reads `src/lib.rs` and the modules it declares under `src`.
pub fn scan(src: &Path) -> Result<Wrapper, String> {
    let mut w = Wrapper::default();
    let lib = parse(&src.join("lib.rs"))?;
    let mut public = Vec::new();
    for item in &lib.items {
        if let Item::Use(u) = item
            && is_pub(&u.vis)
        {
            leaves(&u.tree, &mut Vec::new(), &mut |path, name| {
                if path.first().map(String::as_str) == Some("generated") {
                    w.reexports.push(Reexport {
                        name: format!("astro_tokens::{name}"),
                        target: path[1..].join("::"),
                    });
                } else {
                    public.push(name.to_owned());
                }
            });
        }
    }
    let mut files = vec![(src.join("lib.rs"), lib)];
    for (dir, stem) in modules(&files[0].1) {
        let path = [
            src.join(&dir).join(format!("{stem}.rs")),
            src.join(&dir).join(&stem).join("mod.rs"),
        ]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| format!("src/lib.rs declares `mod {stem}` but src/{stem}.rs is missing"))?;
        let file = parse(&path)?;
        files.push((path, file));
    }
    for (path, file) in &files {
        let shown = path
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(path)
            .display()
            .to_string();
        let aliases = aliases(file);
        let mut v = Names {
            aliases: &aliases,
            file: &shown,
            found: Vec::new(),
        };
        for item in file.items.iter().filter(|i| !cfg_gated(attrs(i))) {
            v.visit_item(item);
            exposures(item, &aliases, &public, &mut w.exposures);
        }
        w.uses.extend(v.found);
    }
    w.uses
        .sort_by(|a, b| (&a.path, &a.at).cmp(&(&b.path, &b.at)));
    w.uses.dedup();
    Ok(w)
}

fn parse(path: &Path) -> Result<syn::File, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    syn::parse_file(&text).map_err(|e| {
        let at = e.span().start();
        format!("{}:{}:{}: {e}", path.display(), at.line, at.column + 1)
    })
}

fn is_pub(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

fn attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Mod(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Const(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(..)]` on an item: test code, doctests and optional features are not the
/// default-feature API.
fn cfg_gated(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg"))
}

/// `mod x;` declarations of lib.rs that are not cfg-gated and not the generated module,
/// with nested `mod y;` of those files (as `(dir, stem)` under src).
fn modules(lib: &syn::File) -> Vec<(String, String)> {
    lib.items
        .iter()
        .filter_map(|i| match i {
            Item::Mod(m)
                if m.content.is_none() && !cfg_gated(&m.attrs) && m.ident != "generated" =>
            {
                Some((String::new(), m.ident.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// Calls `f(full path, local name)` for every leaf of a `use` tree.
fn leaves(tree: &UseTree, prefix: &mut Vec<String>, f: &mut impl FnMut(&[String], &str)) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            leaves(&p.tree, prefix, f);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut full = prefix.clone();
            if name != "self" {
                full.push(name.clone());
            }
            let local = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name
            };
            f(&normalize(&full), &local);
        }
        UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            f(&normalize(&full), &r.rename.to_string());
        }
        UseTree::Group(g) => {
            for t in &g.items {
                leaves(t, prefix, f);
            }
        }
        UseTree::Glob(_) => {}
    }
}

/// `crate::generated::x` → `generated::x`.
fn normalize(path: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("crate") => path[1..].to_vec(),
        _ => path.to_vec(),
    }
}

/// Local name → generated path (`G` → `types::ListApiTokensSortsItem`; `generated` → ``),
/// from every `use` in the file, function-local ones included (scopes are not told
/// apart), following aliases of aliases (`use ListApiTokensSortsItem as G;`).
fn aliases(file: &syn::File) -> BTreeMap<String, Vec<String>> {
    struct Uses(Vec<(Vec<String>, String)>);
    impl<'ast> Visit<'ast> for Uses {
        fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
            leaves(&u.tree, &mut Vec::new(), &mut |path, name| {
                self.0.push((path.to_vec(), name.to_owned()));
            });
        }
    }
    let mut uses = Uses(Vec::new());
    uses.visit_file(file);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    loop {
        let before = out.len();
        for (path, name) in &uses.0 {
            if out.contains_key(name) {
                continue;
            }
            let target = match path.split_first() {
                Some((first, rest)) if first == "generated" => Some(rest.to_vec()),
                Some((first, rest)) => out
                    .get(first)
                    .map(|base| base.iter().chain(rest).cloned().collect()),
                None => None,
            };
            if let Some(target) = target {
                out.insert(name.clone(), target);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The generated path a source path names, if any.
fn resolve(aliases: &BTreeMap<String, Vec<String>>, segments: &[String]) -> Option<String> {
    let segments = normalize(segments);
    let (first, rest) = segments.split_first()?;
    let base = if first == "generated" {
        Vec::new()
    } else {
        aliases.get(first)?.clone()
    };
    let full: Vec<String> = base.into_iter().chain(rest.iter().cloned()).collect();
    (!full.is_empty()).then(|| full.join("::"))
}

fn segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Collects every path (and `use` leaf) that names a generated item, with its line.
struct Names<'a> {
    aliases: &'a BTreeMap<String, Vec<String>>,
    file: &'a str,
    found: Vec<Use>,
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if !cfg_gated(attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        let gated = match item {
            ImplItem::Fn(f) => cfg_gated(&f.attrs),
            ImplItem::Const(c) => cfg_gated(&c.attrs),
            _ => false,
        };
        if !gated {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let line = u.use_token.span.start().line;
        let mut found = Vec::new();
        leaves(&u.tree, &mut Vec::new(), &mut |path, _| {
            if path.first().map(String::as_str) == Some("generated") && path.len() > 1 {
                found.push(path[1..].join("::"));
            }
        });
        for path in found {
            self.found.push(Use {
                at: format!("{}:{line}", self.file),
                path,
            });
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if let Some(path) = resolve(self.aliases, &segments(p)) {
            let line = p
                .segments
                .first()
                .map(|s| s.ident.span().start().line)
                .unwrap_or_default();
            self.found.push(Use {
                at: format!("{}:{line}", self.file),
                path,
            });
        }
        syn::visit::visit_path(self, p);
    }
}

/// The generated items a piece of syntax names.
fn generated_names(
    aliases: &BTreeMap<String, Vec<String>>,
    visit: impl FnOnce(&mut Names<'_>),
) -> Vec<String> {
    let mut v = Names {
        aliases,
        file: "",
        found: Vec::new(),
    };
    visit(&mut v);
    let mut names: Vec<String> = v.found.into_iter().map(|u| u.path).collect();
    names.sort();
    names.dedup();
    names
}

fn type_name(ty: &syn::Type) -> String {
    super::rust_api::ty(ty)
}

fn exposures(
    item: &Item,
    aliases: &BTreeMap<String, Vec<String>>,
    public: &[String],
    out: &mut Vec<Exposure>,
) {
    match item {
        Item::Struct(s) if is_pub(&s.vis) && public.contains(&s.ident.to_string()) => {
            for (i, f) in s.fields.iter().enumerate().filter(|(_, f)| is_pub(&f.vis)) {
                let names = generated_names(aliases, |v| v.visit_type(&f.ty));
                if !names.is_empty() {
                    let field = f
                        .ident
                        .as_ref()
                        .map_or_else(|| i.to_string(), ToString::to_string);
                    out.push(Exposure {
                        item: format!("{}.{field}: {}", s.ident, type_name(&f.ty)),
                        names,
                    });
                }
            }
        }
        Item::Impl(i) if !cfg_gated(&i.attrs) => {
            let owner = type_name(&i.self_ty);
            let owner = owner.split('<').next().unwrap_or_default().to_owned();
            if let Some((_, trait_path, _)) = &i.trait_ {
                let names = generated_names(aliases, |v| {
                    v.visit_path(trait_path);
                    v.visit_type(&i.self_ty);
                });
                if !names.is_empty() {
                    let tr = segments(trait_path).last().cloned().unwrap_or_default();
                    let args = trait_path
                        .segments
                        .last()
                        .map(|s| match &s.arguments {
                            syn::PathArguments::AngleBracketed(a) => format!(
                                "<{}>",
                                a.args
                                    .iter()
                                    .map(|g| match g {
                                        syn::GenericArgument::Type(t) => type_name(t),
                                        _ => "_".to_owned(),
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            _ => String::new(),
                        })
                        .unwrap_or_default();
                    out.push(Exposure {
                        item: format!("impl {tr}{args} for {}", type_name(&i.self_ty)),
                        names,
                    });
                }
            } else if public.contains(&owner) {
                for it in &i.items {
                    if let ImplItem::Fn(f) = it
                        && is_pub(&f.vis)
                        && !cfg_gated(&f.attrs)
                    {
                        let names = generated_names(aliases, |v| v.visit_signature(&f.sig));
                        if !names.is_empty() {
                            out.push(Exposure {
                                item: format!("{owner}::{}", f.sig.ident),
                                names,
                            });
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// The type a summary key belongs to: `variant types::E::V` → `types::E`,
/// `field types::S.f` → `types::S`, `method Client::m` → `Client`, `struct types::S` →
/// `types::S`.
pub fn owner_of(key: &str) -> &str {
    let (kind, path) = key.split_once(' ').unwrap_or(("", key));
    match kind {
        "variant" | "method" | "setter" => path.rsplit_once("::").map_or(path, |(o, _)| o),
        "field" => path.rsplit_once('.').map_or(path, |(o, _)| o),
        _ => path,
    }
}

/// The item path of a summary key (`variant types::E::V` → `types::E::V`).
pub fn path_of(key: &str) -> String {
    let path = key.split_once(' ').map_or(key, |(_, p)| p);
    path.replace('.', "::")
}

impl Wrapper {
    /// Crate-level names and wrapper signatures through which `key`'s type is reached.
    pub fn reached_through(&self, key: &str) -> Vec<String> {
        let owner = owner_of(key);
        let mut out: Vec<String> = self
            .reexports
            .iter()
            .filter(|r| r.target == owner)
            .map(|r| r.name.clone())
            .collect();
        out.extend(
            self.exposures
                .iter()
                .filter(|e| e.names.iter().any(|n| n == owner))
                .map(|e| e.item.clone()),
        );
        out
    }

    /// Where the wrapper names the item of a removed `key` (or anything inside it, for a
    /// removed type).
    pub fn named_at(&self, key: &str) -> Vec<String> {
        let path = path_of(key);
        let inside = format!("{path}::");
        let mut at: Vec<String> = self
            .uses
            .iter()
            .filter(|u| u.path == path || u.path.starts_with(&inside))
            .map(|u| u.at.clone())
            .collect();
        at.sort();
        at.dedup();
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).expect("dir");
        std::fs::write(dir.join(name), text).expect("write");
    }

    #[test]
    fn reexports_exposures_and_uses_of_generated_items() {
        let dir = std::env::temp_dir().join(format!("xtask-wrapper-{}", std::process::id()));
        let src = dir.join("src");
        write(
            &src,
            "lib.rs",
            "pub mod generated;\nmod sort;\nmod page;\n#[cfg(feature = \"testing\")]\npub mod fake;\npub use generated::types::{ApiToken, ListApiTokensKind as TokenKind};\npub use page::Page;\npub use sort::Sort;\n",
        );
        write(
            &src,
            "sort.rs",
            "use crate::generated::types::ListApiTokensSortsItem as G;\npub struct Sort;\nimpl Sort {\n    pub fn to_generated(self) -> G {\n        G::NameAsc\n    }\n}\nimpl From<Sort> for G {\n    fn from(s: Sort) -> Self { s.to_generated() }\n}\n#[cfg(test)]\nmod tests { use crate::generated::types::Hidden; }\n",
        );
        write(
            &src,
            "page.rs",
            "use crate::generated::types::ApiToken;\npub struct Page {\n    pub tokens: Vec<ApiToken>,\n    pub offset: u64,\n}\n",
        );
        let w = scan(&src).expect("scans");
        assert_eq!(
            w.reexports,
            [
                Reexport {
                    name: "astro_tokens::ApiToken".into(),
                    target: "types::ApiToken".into()
                },
                Reexport {
                    name: "astro_tokens::TokenKind".into(),
                    target: "types::ListApiTokensKind".into()
                },
            ]
        );
        let items: Vec<&str> = w.exposures.iter().map(|e| e.item.as_str()).collect();
        assert_eq!(
            items,
            [
                "Sort::to_generated",
                "impl From<Sort> for G",
                "Page.tokens: Vec<ApiToken>"
            ]
        );
        assert_eq!(
            w.named_at("variant types::ListApiTokensSortsItem::NameAsc"),
            ["src/sort.rs:5"]
        );
        assert_eq!(
            w.named_at("enum types::ListApiTokensSortsItem"),
            [
                "src/sort.rs:1",
                "src/sort.rs:4",
                "src/sort.rs:5",
                "src/sort.rs:8"
            ]
        );
        assert!(
            w.named_at("struct types::Hidden").is_empty(),
            "cfg(test) is left out"
        );
        assert_eq!(
            w.reached_through("field types::ApiToken.scopes"),
            ["astro_tokens::ApiToken", "Page.tokens: Vec<ApiToken>"]
        );
        assert_eq!(
            w.reached_through("variant types::ListApiTokensKind::Service"),
            ["astro_tokens::TokenKind"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_real_wrapper_reexports_token_kind_and_names_the_sort_variants() {
        let w = scan(&crate_src()).expect("src/ scans");
        assert!(
            w.reexports
                .iter()
                .any(|r| r.name == "astro_tokens::TokenKind"),
            "{:?}",
            w.reexports
        );
        assert!(
            w.uses.iter().any(|u| u.path.ends_with("::TokenStartAtDesc")
                && u.at.starts_with("src/sort.rs:")),
            "src/sort.rs matches every sort variant: {:?}",
            w.uses
        );
        assert!(
            w.exposures
                .iter()
                .any(|e| e.item.starts_with("Page.tokens")),
            "{:?}",
            w.exposures
        );
    }
}
