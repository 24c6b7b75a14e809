//! typify names each model's builder like the model (`types::builder::ApiToken` builds
//! `types::ApiToken`), so rustdoc lists `impl From<ApiToken> for ApiToken`. This pass
//! renames every builder to `{Model}Builder` (`ApiTokenBuilder`), in `mod types::builder`
//! and where `mod types` names it (`builder::ApiToken` → `builder::ApiTokenBuilder`).

use std::collections::HashSet;

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::ToTokens;

/// Renames the builders of `mod types`.
pub fn rename(file: &mut syn::File) -> Result<(), String> {
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = module.content.as_ref() else {
            continue;
        };
        let builders: HashSet<String> = items
            .iter()
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
        let tokens = rewrite(module.to_token_stream(), &builders, false);
        *module = syn::parse2(tokens).map_err(|e| format!("renaming the model builders: {e}"))?;
    }
    Ok(())
}

/// In `mod builder`, a bare name of a builder (not `super::Name`); elsewhere `builder::Name`.
fn rewrite(tokens: TokenStream, builders: &HashSet<String>, in_builder: bool) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => {
                // `mod builder { ... }`: the group right after the ident `builder` after `mod`.
                let opens_builder = i >= 2
                    && matches!(&trees[i - 1], TokenTree::Ident(id) if id == "builder")
                    && matches!(&trees[i - 2], TokenTree::Ident(id) if id == "mod");
                let mut inner = Group::new(
                    group.delimiter(),
                    rewrite(group.stream(), builders, in_builder || opens_builder),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            TokenTree::Ident(ident) if builders.contains(&ident.to_string()) => {
                let after_path = |segment: &str| {
                    i >= 3
                        && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&trees[i - 2], TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&trees[i - 3], TokenTree::Ident(id) if id == segment)
                };
                // `super::Name` is the model; `type Error = ...` an associated type.
                let colon =
                    |at: usize| matches!(&trees[at], TokenTree::Punct(p) if p.as_char() == ':');
                let qualified = i >= 2 && colon(i - 1) && colon(i - 2)
                    || i >= 1 && matches!(&trees[i - 1], TokenTree::Ident(id) if id == "type");
                let rename = if in_builder {
                    !qualified
                } else {
                    after_path("builder")
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
