//! Former wire names of a property, read as well as its name. A property of a model may
//! carry `x-former-names: [oldName]` in the fragment when the API renamed it (v1 calls the
//! token's `type` `scope`; v1beta1 servers still send `type`). The field then gets
//! `#[serde(alias = "oldName")]`: one field reads both, and writes the current name.

use std::collections::HashMap;

use openapiv3::{OpenAPI, ReferenceOr};
use syn::parse_quote;

/// The extension that lists a property's former names.
pub const EXTENSION: &str = "x-former-names";

/// `(struct name, wire name)` → former names.
pub struct FormerNames(HashMap<(String, String), Vec<String>>);

/// Collects every `x-former-names`; fails on one that is not a list of strings.
pub fn collect(spec: &OpenAPI) -> Result<FormerNames, String> {
    let mut found = HashMap::new();
    for (name, schema) in crate::model_fields::object_schemas(spec) {
        for (property, slot) in crate::model_fields::properties(schema) {
            let ReferenceOr::Item(inner) = slot else {
                continue;
            };
            let Some(value) = inner.schema_data.extensions.get(EXTENSION) else {
                continue;
            };
            let names = value
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| {
                    format!("{name}.{property}: {EXTENSION} must be a list of strings, e.g. [type]")
                })?;
            found.insert((name.clone(), property.clone()), names);
        }
    }
    Ok(FormerNames(found))
}

/// Adds a serde alias per former name to the fields that have one.
pub fn alias(file: &mut syn::File, former: &FormerNames) {
    crate::model_fields::each(file, |strukt, wire, field| {
        for old in former
            .0
            .get(&(strukt.to_owned(), wire.to_owned()))
            .into_iter()
            .flatten()
        {
            field.attrs.push(parse_quote!(#[serde(alias = #old)]));
        }
    });
}
