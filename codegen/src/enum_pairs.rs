//! Request enums and response enums with the same values (`TokenKind`, the strict enum of
//! the `kind` filter, and `ApiTokenKind`, the open enum of a token's `kind`) each get a
//! sentence on when to use which, linking the other.

use openapiv3::{OpenAPI, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use syn::parse_quote;

use crate::open_enums::OpenEnum;

/// `(request enum, open response enum)` pairs with the same set of values.
pub fn find(spec: &OpenAPI, open: &[OpenEnum]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (_, _, op) in spec.operations() {
        let id = op.operation_id.as_deref().unwrap_or_default();
        for parameter in &op.parameters {
            let ReferenceOr::Item(parameter) = parameter else {
                continue;
            };
            let data = parameter.parameter_data_ref();
            let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &data.format else {
                continue;
            };
            let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
                continue;
            };
            let mut values: Vec<&String> = string.enumeration.iter().flatten().collect();
            if values.is_empty() {
                continue;
            }
            values.sort();
            let request = crate::names::public_name(&format!(
                "{}{}",
                heck::ToUpperCamelCase::to_upper_camel_case(id),
                heck::ToUpperCamelCase::to_upper_camel_case(data.name.as_str())
            ));
            for e in open {
                let mut theirs: Vec<&String> = e.values.iter().collect();
                theirs.sort();
                if theirs == values {
                    pairs.push((request.clone(), e.name.clone()));
                }
            }
        }
    }
    pairs
}

/// Adds the sentences to both enums of each pair.
pub fn document(file: &mut syn::File, pairs: &[(String, String)]) {
    for (request, response) in pairs {
        let request_doc = format!(
            " A request value: closed, so a request never carries a value the fragment does not list. \
             The same values in a response are read into the open enum \
             [`{response}`](crate::generated::open_enums::{response}), which also keeps values \
             this SDK does not know yet."
        );
        let response_doc = format!(
            " A response value: open, so a value added by the API later is kept as `Unknown`. \
             To send one of these values in a request (a filter), use the closed enum \
             [`{request}`](crate::generated::types::{request})."
        );
        for item in &mut file.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let (target, doc) = match module.ident.to_string().as_str() {
                "types" => (request, &request_doc),
                "open_enums" => (response, &response_doc),
                _ => continue,
            };
            let Some((_, items)) = module.content.as_mut() else {
                continue;
            };
            for item in items {
                if let syn::Item::Enum(e) = item
                    && e.ident == target
                {
                    let at = e
                        .attrs
                        .iter()
                        .rposition(|a| a.path().is_ident("doc"))
                        .map_or(0, |i| i + 1);
                    e.attrs.insert(at, parse_quote!(#[doc = ""]));
                    e.attrs.insert(at + 1, parse_quote!(#[doc = #doc]));
                }
            }
        }
    }
}
