//! Walking the generated model structs (`mod types`, not its `builder` helpers) field by
//! field, with each field's name on the wire, for the passes that annotate fields from the
//! fragment ([`crate::field_docs`], [`crate::nulls`], [`crate::former_names`]).

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

/// Calls `visit(struct name, wire name, field)` for every named field of every struct
/// directly in `mod types`.
pub(crate) fn each(file: &mut syn::File, mut visit: impl FnMut(&str, &str, &mut syn::Field)) {
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = module.content.as_mut() else {
            continue;
        };
        for item in items {
            let syn::Item::Struct(strukt) = item else {
                continue;
            };
            let name = strukt.ident.to_string();
            for field in &mut strukt.fields {
                if let Some(wire) = wire_name(field) {
                    visit(&name, &wire, field);
                }
            }
        }
    }
}

/// The field's `#[serde(rename = "...")]`, else its own name (without the `_` that
/// escapes a keyword, as in `type_`).
fn wire_name(field: &syn::Field) -> Option<String> {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if renamed.is_some() {
            return renamed;
        }
    }
    let ident = field.ident.as_ref()?.to_string();
    Some(ident.strip_suffix('_').unwrap_or(&ident).to_owned())
}

/// Every object schema of `components/schemas` with its properties, by the struct name
/// typify gives it (renames of [`crate::names`] applied).
pub(crate) fn object_schemas(spec: &OpenAPI) -> Vec<(String, &Schema)> {
    spec.components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .filter_map(|(name, schema)| match schema {
            ReferenceOr::Item(schema)
                if matches!(schema.schema_kind, SchemaKind::Type(Type::Object(_))) =>
            {
                Some((
                    crate::names::public_name(&name.to_upper_camel_case()),
                    schema,
                ))
            }
            _ => None,
        })
        .collect()
}

/// The properties of an object schema (empty for anything else).
pub(crate) fn properties(
    schema: &Schema,
) -> impl Iterator<Item = (&String, &ReferenceOr<Box<Schema>>)> {
    let object = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Some(object),
        _ => None,
    };
    object.into_iter().flat_map(|o| o.properties.iter())
}
