//! Every model field documented from the fragment. typify documents a field with its
//! property's description, but a property that is a `$ref` has none of its own (OpenAPI 3.0
//! ignores siblings of `$ref`), and the enums that [`crate::open_enums`] hoists become
//! `$ref`s too, so `kind` and `createdBy` would be bare. This pass gives such a field the
//! description the property had before hoisting, else its schema's, else a pointer to its
//! type.

use std::collections::HashMap;

use openapiv3::{OpenAPI, ReferenceOr};
use syn::parse_quote;

/// `(struct name, wire name)` → the field's doc text, from the fragment as written (before
/// hoisting).
pub struct Descriptions(HashMap<(String, String), String>);

/// Collects the descriptions; call it on the fragment before any hoisting.
pub fn collect(spec: &OpenAPI) -> Descriptions {
    let schemas = crate::model_fields::object_schemas(spec);
    let mut found = HashMap::new();
    for (name, schema) in &schemas {
        for (property, slot) in crate::model_fields::properties(schema) {
            let text =
                match slot {
                    ReferenceOr::Item(inner) => inner.schema_data.description.clone(),
                    ReferenceOr::Reference { reference } => {
                        let target = reference.rsplit('/').next().unwrap_or(reference);
                        let typed = crate::names::public_name(
                            &heck::ToUpperCamelCase::to_upper_camel_case(target),
                        );
                        let described = spec
                            .components
                            .as_ref()
                            .and_then(|c| c.schemas.get(target))
                            .and_then(|s| s.as_item())
                            .and_then(|s| s.schema_data.description.clone());
                        Some(described.unwrap_or_else(|| {
                            format!("The `{property}` object: see [`{typed}`].")
                        }))
                    }
                };
            if let Some(text) = text {
                found.insert((name.clone(), property.clone()), text);
            }
        }
    }
    Descriptions(found)
}

/// Adds the description to every model field that has no doc comment.
pub fn fill(file: &mut syn::File, descriptions: &Descriptions) {
    crate::model_fields::each(file, |strukt, wire, field| {
        if field.attrs.iter().any(|a| a.path().is_ident("doc")) {
            return;
        }
        if let Some(text) = descriptions.0.get(&(strukt.to_owned(), wire.to_owned())) {
            field.attrs.insert(0, parse_quote!(#[doc = #text]));
        }
    });
}
