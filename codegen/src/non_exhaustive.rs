//! Every model type the fragment defines can grow: the API adds optional response
//! properties and enum values over time. So every struct and enum of the generated `types`
//! module is `#[non_exhaustive]`: code outside the SDK builds models through their
//! generated builders (or serde) and matches enums with a wildcard arm, and a new property
//! or value in the fragment is a minor release, not a breaking one. (The open response
//! enums of `open_enums` are generated `#[non_exhaustive]` already.)

use syn::{Item, parse_quote};

/// Marks the structs and enums directly in `mod types` (not its `builder` and `error`
/// helpers) `#[non_exhaustive]`.
pub fn mark(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = module.content.as_mut() else {
            continue;
        };
        for item in items {
            let attrs = match item {
                Item::Struct(s) => &mut s.attrs,
                Item::Enum(e) => &mut e.attrs,
                _ => continue,
            };
            if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
                attrs.push(parse_quote!(#[non_exhaustive]));
            }
        }
    }
}
