//! typify names each model's builder like the model (`types::builder::ApiToken` builds
//! `types::ApiToken`), so rustdoc lists `impl From<ApiToken> for ApiToken`. This pass
//! renames every builder to `{Model}Builder` (`ApiTokenBuilder`), in `mod types::builder`
//! and where `mod types` names it (`builder::ApiToken` → `builder::ApiTokenBuilder`).

use std::collections::HashSet;

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::ToTokens;

/// Renames the builders of `mod types`, and every `types::builder::Name` outside it
/// (progenitor's operation builders name a request body's builder that way).
pub fn rename(file: &mut syn::File) -> Result<(), String> {
    let builders: HashSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    if builders.is_empty() {
        return Ok(());
    }
    let tokens = rewrite(file.to_token_stream(), &builders, false);
    *file = syn::parse2(tokens).map_err(|e| format!("renaming the model builders: {e}"))?;
    Ok(())
}

/// In `mod types::builder`, a bare name of a builder (not `super::Name`); elsewhere
/// `builder::Name` inside `mod types`, and `types::builder::Name` anywhere.
fn rewrite(tokens: TokenStream, builders: &HashSet<String>, in_builder: bool) -> TokenStream {
    rewrite_in(tokens, builders, in_builder, false)
}

fn rewrite_in(
    tokens: TokenStream,
    builders: &HashSet<String>,
    in_builder: bool,
    in_types: bool,
) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let ident_at = |at: usize, name: &str| matches!(&trees[at], TokenTree::Ident(id) if id == name);
    let colon = |at: usize| matches!(&trees[at], TokenTree::Punct(p) if p.as_char() == ':');
    // `segment ::` right before position `i`.
    let after = |i: usize, segment: &str| {
        i >= 3 && colon(i - 1) && colon(i - 2) && ident_at(i - 3, segment)
    };
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => {
                // `mod types { ... }` and, inside it, `mod builder { ... }`.
                let opens = |name: &str| i >= 2 && ident_at(i - 1, name) && ident_at(i - 2, "mod");
                let types = in_types || opens("types");
                let builder = in_builder || (in_types && opens("builder"));
                let mut inner = Group::new(
                    group.delimiter(),
                    rewrite_in(group.stream(), builders, builder, types),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            TokenTree::Ident(ident) if builders.contains(&ident.to_string()) => {
                // `super::Name` is the model; `type Error = ...` an associated type.
                let qualified = i >= 2 && colon(i - 1) && colon(i - 2);
                let associated = i >= 1 && ident_at(i - 1, "type");
                let rename = if in_builder {
                    !qualified && !associated
                } else if in_types {
                    after(i, "builder")
                } else {
                    after(i, "builder")
                        && i >= 6
                        && colon(i - 4)
                        && colon(i - 5)
                        && ident_at(i - 6, "types")
                };
                if rename {
                    out.push(TokenTree::Ident(Ident::new(
                        &format!("{ident}Builder"),
                        ident.span(),
                    )));
                } else {
                    out.push(tree.clone());
                }
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}
