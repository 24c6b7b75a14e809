//! Secret values in responses.
//!
//! A string property marked `format: password` (OpenAPI's own word for "a value to
//! obscure": the `token` of an `ApiToken` is the token itself) must never be printed by
//! accident. Before generation, every such property under `components/schemas` is pointed
//! at one hoisted component, [`TYPE_NAME`], which typify's replacement hook maps to the
//! type this module emits: `Debug` shows `[redacted]`, there is no `Display`, `Serialize`
//! writes `[redacted]`, and the text is read only through an explicit `expose_secret()`.

use openapiv3::{
    OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The Rust name of the secret string type (also its hoisted component's name).
pub const TYPE_NAME: &str = "SensitiveString";

/// Points every `format: password` string property under `components/schemas` at one
/// hoisted component named [`TYPE_NAME`]; returns the places changed
/// (`Schema.property`), empty when the fragment has none. Fails when the name is taken.
pub fn hoist(spec: &mut OpenAPI) -> Result<Vec<String>, String> {
    let Some(components) = spec.components.as_mut() else {
        return Ok(Vec::new());
    };
    let mut places = Vec::new();
    let mut hoisted: Option<Schema> = None;
    for (name, schema) in components.schemas.iter_mut() {
        if let ReferenceOr::Item(schema) = schema {
            walk(name, schema, &mut places, &mut hoisted);
        }
    }
    if let Some(schema) = hoisted {
        if components.schemas.contains_key(TYPE_NAME) {
            return Err(format!(
                "components/schemas/{TYPE_NAME}: the name is needed for the hoisted `format: password` strings; rename the component"
            ));
        }
        components
            .schemas
            .insert(TYPE_NAME.to_owned(), ReferenceOr::Item(schema));
    }
    Ok(places)
}

fn walk(place: &str, schema: &mut Schema, places: &mut Vec<String>, hoisted: &mut Option<Schema>) {
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for (prop, slot) in object.properties.iter_mut() {
                visit(&format!("{place}.{prop}"), slot, places, hoisted);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = array.items.as_mut() {
                visit(&format!("{place}[]"), items, places, hoisted);
            }
        }
        _ => {}
    }
}

fn visit(
    place: &str,
    slot: &mut ReferenceOr<Box<Schema>>,
    places: &mut Vec<String>,
    hoisted: &mut Option<Schema>,
) {
    let ReferenceOr::Item(inner) = slot else {
        return;
    };
    if is_password(inner) {
        let mut schema = (**inner).clone();
        schema.schema_data.description =
            Some("A secret value sent by the API (`format: password` in the fragment).".to_owned());
        schema.schema_data.example = None;
        hoisted.get_or_insert(schema);
        places.push(place.to_owned());
        *slot = ReferenceOr::Reference {
            reference: format!("#/components/schemas/{TYPE_NAME}"),
        };
    } else {
        walk(place, inner, places, hoisted);
    }
}

fn is_password(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(string))
            if string.format == VariantOrUnknownOrEmpty::Item(StringFormat::Password)
    )
}

/// The property names among `places` (as [`hoist`] returns them, `Schema.property` or
/// `Schema.list[].property`), each once, sorted.
pub fn property_names(places: &[String]) -> Vec<String> {
    let mut names: Vec<String> = places
        .iter()
        .filter_map(|place| place.rsplit('.').next())
        .map(|name| name.trim_end_matches("[]").to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Emits `pub mod sensitive { pub struct SensitiveString ... }`, with the names of the
/// properties `places` (from [`hoist`]) holds.
pub fn emit(places: &[String]) -> TokenStream {
    let name = format_ident!("{TYPE_NAME}");
    let properties = property_names(places);
    quote! {
        /// Secret values sent by the API, kept out of logs and output.
        pub mod sensitive {
            /// The JSON property names whose values are secret (`format: password` in the
            /// fragment), so that text quoting a body (an error's excerpt) can hide them.
            pub const PROPERTIES: &[&str] = &[#(#properties),*];

            /// A secret string from the API, such as an API token's own value (a property the
            /// fragment marks `format: password`).
            ///
            /// It cannot be printed by accident: `Debug` shows `[redacted]`, there is no
            /// `Display`, and `Serialize` writes `"[redacted]"`, never the value, so a token
            /// logged with `{:?}` or written out with serde keeps its secret. Read the value
            /// through [`expose_secret`](Self::expose_secret), where you mean to. It
            /// deserializes from the plain JSON string the API sends.
            ///
            /// ```
            /// # use astro_tokens::SensitiveString;
            /// let secret = SensitiveString::from("s3cr3t");
            /// assert_eq!(format!("{secret:?}"), "[redacted]");
            /// assert_eq!(serde_json::to_string(&secret).unwrap(), "\"[redacted]\"");
            /// assert_eq!(secret.expose_secret(), "s3cr3t");
            /// ```
            #[derive(Clone, PartialEq, Eq)]
            pub struct #name(::std::string::String);

            impl #name {
                /// What [`Debug`](::std::fmt::Debug) and serde write instead of the value.
                pub const REDACTED: &'static str = "[redacted]";

                /// Wraps a secret value.
                pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                    Self(value.into())
                }

                /// The secret value itself. Never log or print it.
                pub fn expose_secret(&self) -> &str {
                    &self.0
                }

                /// The secret value, consuming the wrapper.
                pub fn into_exposed(self) -> ::std::string::String {
                    self.0
                }
            }

            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(Self::REDACTED)
                }
            }

            impl ::std::convert::From<::std::string::String> for #name {
                fn from(value: ::std::string::String) -> Self {
                    Self(value)
                }
            }

            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    Self(value.to_owned())
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(Self::REDACTED)
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::property_names;

    #[test]
    fn property_names_are_the_last_segment_of_each_place_once() {
        let places = [
            "ApiToken.token".to_owned(),
            "Other.list[].token".to_owned(),
            "Other.secrets[]".to_owned(),
            "Key.privateKey".to_owned(),
        ];
        assert_eq!(property_names(&places), ["privateKey", "secrets", "token"]);
    }
}
