//! JSON `null` where the fragment has an array. Go servers (Astronomer's among them) send a
//! nil slice as `null`, and Astronomer's reference pages show optional fields as "or null".
//! An optional property that is not an array already reads `null` as absent (typify makes
//! it an `Option`); an array is a `Vec`, which would fail the whole page on `null`. So
//! every `Vec` field of a model reads `null` as empty: `"roles": null` is no roles, and
//! `"tokens": null` is an empty page. A required array that is missing, or a value of the
//! wrong type, still fails.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse_quote;

/// The module the helper is emitted in, under [`crate::MODULE_PATH`].
const MODULE: &str = "nulls";

/// Emits `pub mod nulls` with the deserializer every `Vec` field uses.
pub fn emit() -> TokenStream {
    quote! {
        /// How the models read JSON `null` where the fragment has an array.
        pub mod nulls {
            /// Reads an array, or `null` as an empty one (what Go servers send for a nil
            /// slice). Used by every `Vec` field of the models.
            pub fn empty_if_null<'de, D, T>(deserializer: D) -> ::std::result::Result<::std::vec::Vec<T>, D::Error>
            where
                D: ::serde::Deserializer<'de>,
                T: ::serde::Deserialize<'de>,
            {
                let value: ::std::option::Option<::std::vec::Vec<T>> = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(value.unwrap_or_default())
            }
        }
    }
}

/// Adds `#[serde(deserialize_with = ".../nulls::empty_if_null")]` to every `Vec` field of
/// the models.
pub fn mark(file: &mut syn::File) {
    let with = format!("{}::{MODULE}::empty_if_null", crate::MODULE_PATH);
    crate::model_fields::each(file, |_, _, field| {
        let is_vec = matches!(&field.ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Vec"));
        if is_vec {
            field
                .attrs
                .push(parse_quote!(#[serde(deserialize_with = #with)]));
        }
    });
}
