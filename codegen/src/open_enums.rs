//! Forward-compatible response enums.
//!
//! The server adds enum values over time, and progenitor's enums are closed: one unknown
//! value would fail a whole page. Before generation, every string enum found under
//! `components/schemas` (response data: properties, array items, nested objects) is hoisted
//! into a named component and replaced, through typify's replacement hook, by an enum that
//! this module emits: the known variants plus `Unknown(String)`, `#[non_exhaustive]`.
//! Enums declared inline in request parameters are left to progenitor, which keeps them
//! strict, so a request never carries a value the fragment does not list.

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StringType, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A string enum that is generated open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The Rust type name (also the component name after hoisting).
    pub name: String,
    /// The wire values, in the fragment's order.
    pub values: Vec<String>,
    /// The schema's description, if any.
    pub description: Option<String>,
    /// The Rust variant of each value, in the same order (see [`variant_names`]).
    pub variants: Vec<String>,
}

/// Hoists every string enum under `components/schemas` into a named component and returns
/// them all. Fails when a hoisted name collides with an existing component.
pub fn hoist(spec: &mut OpenAPI) -> Result<Vec<OpenEnum>, String> {
    let Some(components) = spec.components.as_mut() else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    let mut hoisted: Vec<(String, Schema)> = Vec::new();
    for (name, schema) in components.schemas.iter_mut() {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if let Some(values) = string_enum(schema) {
            found.push(open_enum(
                crate::names::public_name(&name.to_upper_camel_case()),
                values,
                schema,
            ));
            continue;
        }
        walk(
            &name.to_upper_camel_case(),
            schema,
            &mut hoisted,
            &mut found,
        );
    }
    for (name, schema) in hoisted {
        if components.schemas.contains_key(&name) {
            return Err(format!(
                "components/schemas/{name}: the name is needed for a hoisted response enum of the same name; rename the component"
            ));
        }
        components.schemas.insert(name, ReferenceOr::Item(schema));
    }
    for e in &mut found {
        e.variants = variant_names(&e.name, &e.values)?;
    }
    Ok(found)
}

fn open_enum(name: String, values: Vec<String>, schema: &Schema) -> OpenEnum {
    OpenEnum {
        variants: Vec::new(),
        name,
        values,
        description: schema.schema_data.description.clone(),
    }
}

fn walk(
    prefix: &str,
    schema: &mut Schema,
    hoisted: &mut Vec<(String, Schema)>,
    found: &mut Vec<OpenEnum>,
) {
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for (prop, slot) in object.properties.iter_mut() {
                let name = format!("{prefix}{}", prop.to_upper_camel_case());
                visit(name, slot, hoisted, found);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = array.items.as_mut() {
                visit(format!("{prefix}Item"), items, hoisted, found);
            }
        }
        _ => {}
    }
}

fn visit(
    name: String,
    slot: &mut ReferenceOr<Box<Schema>>,
    hoisted: &mut Vec<(String, Schema)>,
    found: &mut Vec<OpenEnum>,
) {
    let ReferenceOr::Item(inner) = slot else {
        return;
    };
    if let Some(values) = string_enum(inner) {
        let name = crate::names::public_name(&name);
        found.push(open_enum(name.clone(), values, inner));
        hoisted.push((name.clone(), (**inner).clone()));
        *slot = ReferenceOr::Reference {
            reference: format!("#/components/schemas/{name}"),
        };
    } else {
        walk(&name, inner, hoisted, found);
    }
}

fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(StringType { enumeration, .. }))
            if !enumeration.is_empty() =>
        {
            Some(enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

/// Emits `pub mod open_enums { ... }` with one open enum per entry.
pub fn emit(enums: &[OpenEnum]) -> TokenStream {
    let items = enums.iter().map(emit_one);
    quote! {
        /// Response enums that keep values this SDK does not know yet.
        pub mod open_enums {
            #(#items)*
        }
    }
}

fn emit_one(e: &OpenEnum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = e
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{}` values.", e.name));
    let variants: Vec<_> = e.variants.iter().map(|v| format_ident!("{v}")).collect();
    let values = &e.values;
    let variant_docs = values.iter().map(|v| format!("`{v}`"));
    quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = "Open: a value the fragment does not list deserializes as `Unknown`, keeping the text."]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the SDK does not know, as the server sent it.
            ///
            /// Make values with `From<&str>` or `parse()`, which give known text its own
            /// variant; an `Unknown` built by hand around a known value compares unequal to
            /// that variant. Match known values by their variants, not inside `Unknown`: a
            /// later SDK may know them.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every value the fragment lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The wire form.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one the fragment does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visit;
                impl ::serde::de::Visitor<'_> for Visit {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<Self::Value, E> {
                        Ok(#name::from(value))
                    }
                }
                deserializer.deserialize_str(Visit)
            }
        }
    }
}

/// The Rust variants of an open enum's values. A value whose variant would be `Unknown`
/// (say `UNKNOWN`) becomes `UnknownValue`, since `Unknown(String)` holds values the
/// fragment does not list; two values with the same variant (`A-B` and `A_B`) are an
/// error naming both.
pub fn variant_names(name: &str, values: &[String]) -> Result<Vec<String>, String> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for value in values {
        let mut variant = variant_name(value);
        if variant == "Unknown" {
            variant = "UnknownValue".to_owned();
        }
        if let Some((_, other)) = seen.iter().find(|(v, _)| *v == variant) {
            return Err(format!(
                "components/schemas/{name}: the enum values {other:?} and {value:?} would both be the Rust variant {variant}; rename one"
            ));
        }
        seen.push((variant, value));
    }
    Ok(seen.into_iter().map(|(v, _)| v).collect())
}

/// `DIRECT_ACCESS` → `DirectAccess`, `name:asc` → `NameAsc`; a leading digit gets a `V`.
pub fn variant_name(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let camel = cleaned.to_lowercase().to_upper_camel_case();
    match camel.chars().next() {
        Some(c) if c.is_ascii_digit() => format!("V{camel}"),
        None => "Empty".to_owned(),
        _ => camel,
    }
}
