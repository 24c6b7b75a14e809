//! The query parameters of each operation, emitted from the fragment so that the wrapper
//! and the CLI take them from it instead of restating them.
//!
//! For every operation with query parameters this emits, in `pub mod query`:
//! - `{Operation}Query`: every query parameter except the paging ones ([`PAGING`]), with the
//!   type progenitor gave it (read from progenitor's own builder, so the two always agree)
//!   and the fragment's description; `apply` copies what is set onto progenitor's builder,
//!   `set_text` sets a parameter from command-line text, `validate` checks the fragment's
//!   bounds;
//! - `{Operation}Query::PARAMETERS`: what the fragment says of each one (wire name, Rust
//!   name, description, value type, enum values, bounds), for command lines and docs;
//! - `{operation}_query_setters!(field)`: one builder-style setter per parameter, named as
//!   progenitor names it, documented with the fragment's description, for a wrapper type
//!   that holds the query in `field`.
//!
//! A parameter added to the fragment thus reaches the wrapper's listing (through the
//! setters and `apply`) and the CLI (through `PARAMETERS` and `set_text`) with no hand edit.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    IntegerType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema,
    SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

/// The query parameters paging sets: the wrapper owns them, so they get no setter.
pub const PAGING: [&str; 2] = ["offset", "limit"];

/// What a parameter's values are, for parsing text and explaining what is allowed.
#[derive(Debug, Clone, PartialEq)]
enum ValueType {
    Text,
    Boolean,
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
    },
    Number,
    DateTime,
    Enum(Vec<String>),
}

impl ValueType {
    fn variant(&self) -> TokenStream {
        match self {
            Self::Text => quote!(Text),
            Self::Boolean => quote!(Boolean),
            Self::Integer { .. } => quote!(Integer),
            Self::Number => quote!(Number),
            Self::DateTime => quote!(DateTime),
            Self::Enum(_) => quote!(Enum),
        }
    }

    /// What a value may be, in words (the `allowed` of an error).
    fn allowed(&self) -> String {
        match self {
            Self::Text => "text the fragment's constraints allow".to_owned(),
            Self::Boolean => "true or false".to_owned(),
            Self::Integer { minimum, maximum } => match (minimum, maximum) {
                (Some(lo), Some(hi)) => format!("an integer from {lo} to {hi}"),
                (Some(lo), None) => format!("an integer of at least {lo}"),
                (None, Some(hi)) => format!("an integer of at most {hi}"),
                (None, None) => "an integer".to_owned(),
            },
            Self::Number => "a number".to_owned(),
            Self::DateTime => "an RFC 3339 date-time such as 2026-01-15T12:00:00Z".to_owned(),
            Self::Enum(values) => format!("one of {}", values.join(", ")),
        }
    }
}

/// One query parameter: what the fragment says and what progenitor made of it.
struct Param {
    wire: String,
    field: Ident,
    /// progenitor's type for one value (the item type of an array).
    value: TokenStream,
    repeated: bool,
    required: bool,
    description: String,
    value_type: ValueType,
}

/// Emits `pub mod query` for every operation with non-paging query parameters, and the
/// paging facts (`LIMIT_MAXIMUM`, ...) of operations that page; `file` is progenitor's
/// output (its builders tell the Rust names and types).
pub fn emit(spec: &OpenAPI, file: &syn::File) -> Result<(TokenStream, Vec<Macro>), String> {
    let mut items = Vec::new();
    let mut macros = Vec::new();
    for (path, method, op) in spec.operations() {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let place = format!("{} {path} ({id})", method.to_uppercase());
        let builder = id.to_upper_camel_case();
        let fields = builder_fields(file, &builder)
            .ok_or_else(|| format!("{place}: progenitor made no builder `{builder}`"))?;
        let mut params = Vec::new();
        for parameter in &op.parameters {
            let parameter =
                resolve_parameter(spec, parameter).map_err(|e| format!("{place}: {e}"))?;
            let Parameter::Query { parameter_data, .. } = parameter else {
                continue;
            };
            if PAGING.contains(&parameter_data.name.as_str()) {
                continue;
            }
            let schema = match &parameter_data.format {
                ParameterSchemaOrContent::Schema(schema) => resolve_schema(spec, schema)
                    .map_err(|e| format!("{place}: parameter {}: {e}", parameter_data.name))?,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(format!(
                        "{place}: query parameter {} has `content` instead of a `schema`; the SDK's listing needs a schema",
                        parameter_data.name
                    ));
                }
            };
            params.push(param(spec, &place, parameter_data, schema, &fields)?);
        }
        if !params.is_empty() {
            let (tokens, setters) = emit_operation(id, &builder, &params)?;
            items.push(tokens);
            macros.push(setters);
        }
        items.push(paging_facts(spec, op, &place)?);
    }
    let tokens = quote! {
        /// The query parameters of each operation, from the fragment (see `astro-tokens-codegen`'s
        /// `query` module): a struct per operation, its parameters described, and setters.
        pub mod query {
            use super::types;

            /// One query parameter, as the fragment declares it.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            #[non_exhaustive]
            pub struct Parameter {
                /// The name on the wire, e.g. `workspaceId`.
                pub name: &'static str,
                /// The Rust name progenitor gave it, e.g. `workspace_id` (also its setter's name).
                pub rust_name: &'static str,
                /// The fragment's description.
                pub description: &'static str,
                /// What one value is.
                pub value_type: ValueType,
                /// Whether it is an array, sent as repeated keys (`dagTags=a&dagTags=b`).
                pub repeated: bool,
                /// Whether the fragment requires it.
                pub required: bool,
                /// The allowed values of an enum, in the fragment's order (empty otherwise).
                pub values: &'static [&'static str],
                /// An integer's `minimum`, if the fragment sets one.
                pub minimum: ::std::option::Option<i64>,
                /// An integer's `maximum`, if the fragment sets one.
                pub maximum: ::std::option::Option<i64>,
            }

            /// What one value of a parameter is.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum ValueType {
                /// Any string.
                Text,
                /// `true` or `false`.
                Boolean,
                /// An integer, within `minimum` and `maximum`.
                Integer,
                /// A number.
                Number,
                /// An RFC 3339 date-time.
                DateTime,
                /// One of `values`.
                Enum,
            }

            /// A parameter value the fragment does not allow, found before anything is sent.
            #[derive(Debug, Clone, PartialEq, Eq)]
            #[non_exhaustive]
            pub struct InvalidParameter {
                /// The parameter's Rust name (`query` for a name the operation does not have).
                pub name: &'static str,
                /// The value given.
                pub value: ::std::string::String,
                /// What is allowed.
                pub allowed: ::std::string::String,
            }

            impl ::std::fmt::Display for InvalidParameter {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    write!(f, "invalid {}: {:?} (allowed: {})", self.name, self.value, self.allowed)
                }
            }

            impl ::std::error::Error for InvalidParameter {}

            fn invalid(
                name: &'static str,
                value: impl ::std::string::ToString,
                allowed: &str,
            ) -> InvalidParameter {
                InvalidParameter { name, value: value.to_string(), allowed: allowed.to_owned() }
            }

            #(#items)*
        }
    };
    Ok((tokens, macros))
}

/// The fields of progenitor's builder struct `name` (in `mod builder`), by Rust name, with
/// the type inside `Result<Option<T>, String>`, and the wire name each is sent under.
fn builder_fields(file: &syn::File, name: &str) -> Option<Vec<(Ident, syn::Type, Option<String>)>> {
    let builder = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })?;
    let strukt = builder.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })?;
    let wire = builder
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if matches!(&*i.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name)) => Some(quote!(#i)),
            _ => None,
        })
        .flat_map(query_params_sent)
        .collect::<Vec<_>>();
    let fields = strukt
        .fields
        .iter()
        .filter_map(|f| {
            let ident = f.ident.clone()?;
            let inner = option_inner(result_ok(&f.ty)?)?;
            let sent = wire
                .iter()
                .find(|(_, var)| *var == ident)
                .map(|(w, _)| w.clone());
            Some((ident, inner.clone(), sent))
        })
        .collect();
    Some(fields)
}

/// Every `QueryParam::new("wire", &variable)` in progenitor's `send()`, as (wire, variable).
fn query_params_sent(tokens: TokenStream) -> Vec<(String, Ident)> {
    let mut found = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => found.extend(query_params_sent(group.stream())),
            TokenTree::Ident(ident) if ident == "QueryParam" => {
                // QueryParam :: new ( "wire" , & variable )
                if let Some(TokenTree::Group(args)) = trees.get(i + 4)
                    && args.delimiter() == Delimiter::Parenthesis
                {
                    let args: Vec<TokenTree> = args.stream().into_iter().collect();
                    if let (Some(TokenTree::Literal(lit)), Some(TokenTree::Ident(var))) =
                        (args.first(), args.get(3))
                    {
                        let text = lit.to_string();
                        if let Some(wire) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
                        {
                            found.push((wire.to_owned(), var.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn generic_arg<'a>(ty: &'a syn::Type, outer: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != outer {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn result_ok(ty: &syn::Type) -> Option<&syn::Type> {
    generic_arg(ty, "Result")
}

/// `T` of `Option<T>`; a required parameter's type is `T` itself.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_arg(ty, "Option").or(Some(ty))
}

fn resolve_parameter<'a>(
    spec: &'a OpenAPI,
    parameter: &'a ReferenceOr<Parameter>,
) -> Result<&'a Parameter, String> {
    match parameter {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/parameters/")
            .and_then(|name| spec.components.as_ref()?.parameters.get(name))
            .and_then(|p| match p {
                ReferenceOr::Item(p) => Some(p),
                ReferenceOr::Reference { .. } => None,
            })
            .ok_or_else(|| format!("the parameter {reference} does not resolve")),
    }
}

fn resolve_schema<'a>(
    spec: &'a OpenAPI,
    schema: &'a ReferenceOr<Schema>,
) -> Result<&'a Schema, String> {
    match schema {
        ReferenceOr::Item(s) => Ok(s),
        ReferenceOr::Reference { reference } => resolve_ref(spec, reference),
    }
}

fn resolve_ref<'a>(spec: &'a OpenAPI, reference: &str) -> Result<&'a Schema, String> {
    reference
        .strip_prefix("#/components/schemas/")
        .and_then(|name| spec.components.as_ref()?.schemas.get(name))
        .and_then(|s| match s {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { .. } => None,
        })
        .ok_or_else(|| format!("the schema {reference} does not resolve"))
}

fn param(
    spec: &OpenAPI,
    place: &str,
    data: &openapiv3::ParameterData,
    schema: &Schema,
    fields: &[(Ident, syn::Type, Option<String>)],
) -> Result<Param, String> {
    let wire = &data.name;
    let (field, ty) = fields
        .iter()
        .find(|(_, _, sent)| sent.as_deref() == Some(wire.as_str()))
        .or_else(|| {
            fields
                .iter()
                .find(|(ident, _, _)| *ident == wire.to_snake_case())
        })
        .map(|(ident, ty, _)| (ident.clone(), ty))
        .ok_or_else(|| {
            format!("{place}: progenitor's builder has no field for query parameter {wire}")
        })?;
    let unsupported = |what: &str| {
        format!(
            "{place}: query parameter {wire} is {what}; the SDK's listing takes strings, booleans, integers, numbers, date-times, string enums and arrays of them"
        )
    };
    let (repeated, item_schema, value) = match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => {
            let items = array
                .items
                .as_ref()
                .ok_or_else(|| unsupported("an array without `items`"))?;
            let items = match items {
                ReferenceOr::Item(s) => &**s,
                ReferenceOr::Reference { reference } => resolve_ref(spec, reference)?,
            };
            let item_ty = generic_arg(ty, "Vec").ok_or_else(|| {
                format!("{place}: progenitor did not make query parameter {wire} a Vec")
            })?;
            (true, items, quote!(#item_ty))
        }
        _ => (false, schema, quote!(#ty)),
    };
    let value_type = match &item_schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            ValueType::Enum(s.enumeration.iter().flatten().cloned().collect())
        }
        SchemaKind::Type(Type::String(s))
            if s.format == VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) =>
        {
            ValueType::DateTime
        }
        SchemaKind::Type(Type::String(_)) => ValueType::Text,
        SchemaKind::Type(Type::Boolean(_)) => ValueType::Boolean,
        SchemaKind::Type(Type::Integer(IntegerType {
            minimum, maximum, ..
        })) => ValueType::Integer {
            minimum: *minimum,
            maximum: *maximum,
        },
        SchemaKind::Type(Type::Number(_)) => ValueType::Number,
        SchemaKind::Type(Type::Array(_)) => return Err(unsupported("an array of arrays")),
        SchemaKind::Type(Type::Object(_)) => return Err(unsupported("an object")),
        _ => return Err(unsupported("a composite schema")),
    };
    let description = data
        .description
        .clone()
        .or_else(|| item_schema.schema_data.description.clone())
        .unwrap_or_else(|| format!("The `{wire}` query parameter."));
    Ok(Param {
        wire: wire.clone(),
        field,
        value,
        repeated,
        required: data.required,
        description: description.split_whitespace().collect::<Vec<_>>().join(" "),
        value_type,
    })
}

/// Whether progenitor's type for a value is a plain `String`.
fn is_string(value: &TokenStream) -> bool {
    value.to_string().replace(' ', "") == "::std::string::String"
}

/// Replaces each path that starts with `types` (progenitor's relative paths in `mod
/// builder`) by `prefix::types`.
fn qualify(tokens: TokenStream, prefix: &TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut previous_colon = false;
    for tree in tokens {
        match tree {
            TokenTree::Ident(ref ident) if ident == "types" && !previous_colon => {
                out.extend(prefix.clone());
                out.extend(quote!(::));
                out.push(tree);
                previous_colon = false;
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), qualify(group.stream(), prefix));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
                previous_colon = false;
            }
            TokenTree::Punct(ref p) => {
                previous_colon = p.as_char() == ':';
                out.push(tree);
            }
            other => {
                previous_colon = false;
                out.push(other);
            }
        }
    }
    out.into_iter().collect()
}

fn emit_operation(
    id: &str,
    builder: &str,
    params: &[Param],
) -> Result<(TokenStream, Macro), String> {
    let query = format_ident!("{builder}Query");
    let builder = format_ident!("{builder}");
    let macro_name = format_ident!("{}_query_setters", id.to_snake_case());
    let here = quote!(super);
    let anywhere: TokenStream = crate::MODULE_PATH.parse().unwrap_or_default();
    let struct_doc = format!(
        "Every query parameter of `{id}` except paging (`{}`), as the fragment declares them: \
         what a listing sends with each page. Unset parameters are not sent.",
        PAGING.join("`, `")
    );
    let fields = params.iter().map(|p| {
        let field = &p.field;
        let value = qualify(p.value.clone(), &here);
        let doc = &p.description;
        if p.repeated {
            quote! { #[doc = #doc] pub #field: ::std::vec::Vec<#value>, }
        } else {
            quote! { #[doc = #doc] pub #field: ::std::option::Option<#value>, }
        }
    });
    let applies = params.iter().map(|p| {
        let field = &p.field;
        if p.repeated {
            quote! { if !self.#field.is_empty() { request = request.#field(self.#field.clone()); } }
        } else {
            quote! { if let Some(value) = &self.#field { request = request.#field(value.clone()); } }
        }
    });
    let described = params.iter().map(|p| {
        let name = &p.wire;
        let rust_name = p.field.to_string();
        let description = &p.description;
        let variant = p.value_type.variant();
        let repeated = p.repeated;
        let required = p.required;
        let (values, minimum, maximum) = match &p.value_type {
            ValueType::Enum(values) => (values.clone(), quote!(None), quote!(None)),
            ValueType::Integer { minimum, maximum } => {
                let lo = minimum.map_or(quote!(None), |v| quote!(Some(#v)));
                let hi = maximum.map_or(quote!(None), |v| quote!(Some(#v)));
                (Vec::new(), lo, hi)
            }
            _ => (Vec::new(), quote!(None), quote!(None)),
        };
        quote! {
            Parameter {
                name: #name,
                rust_name: #rust_name,
                description: #description,
                value_type: ValueType::#variant,
                repeated: #repeated,
                required: #required,
                values: &[#(#values),*],
                minimum: #minimum,
                maximum: #maximum,
            }
        }
    });
    let set_arms = params.iter().map(|p| {
        let wire = &p.wire;
        let field = &p.field;
        let rust_name = field.to_string();
        let value = qualify(p.value.clone(), &here);
        let allowed = p.value_type.allowed();
        // A plain string is taken as is; anything else (a constrained string is a newtype
        // of typify's) is parsed, which checks the fragment's constraints.
        let parse = if is_string(&p.value) {
            quote! { ::std::string::String::from(*text) }
        } else {
            quote! { text.parse::<#value>().map_err(|_| invalid(#rust_name, text, #allowed))? }
        };
        if p.repeated {
            quote! {
                #wire => {
                    for text in values {
                        self.#field.push(#parse);
                    }
                }
            }
        } else {
            quote! {
                #wire => match values {
                    [] => {}
                    [text] => self.#field = Some(#parse),
                    _ => return Err(invalid(#rust_name, values.join(" "), "a single value")),
                },
            }
        }
    });
    let checks = params.iter().filter_map(|p| {
        let field = &p.field;
        let rust_name = field.to_string();
        let mut checks = Vec::new();
        if p.required {
            let test = if p.repeated {
                quote!(self.#field.is_empty())
            } else {
                quote!(self.#field.is_none())
            };
            checks.push(quote! {
                if #test {
                    return Err(invalid(#rust_name, "(unset)", "a value: the fragment requires it"));
                }
            });
        }
        if let ValueType::Integer { minimum, maximum } = &p.value_type
            && (minimum.is_some() || maximum.is_some())
        {
            let allowed = p.value_type.allowed();
            // Through text, so that every integer type progenitor picks (`i64`, `u64`,
            // `NonZeroU64`, ...) compares the same way.
            let lo = minimum.map(|v| quote!(|| number < #v as i128));
            let hi = maximum.map(|v| quote!(|| number > #v as i128));
            checks.push(quote! {
                for value in self.#field.iter() {
                    let number: i128 = value.to_string().parse().unwrap_or_default();
                    if false #lo #hi {
                        return Err(invalid(#rust_name, value, #allowed));
                    }
                }
            });
        }
        (!checks.is_empty()).then(|| quote!(#(#checks)*))
    });
    let setters = params.iter().map(|p| {
        let field = &p.field;
        let value = qualify(p.value.clone(), &anywhere);
        let wire = &p.wire;
        let doc = &p.description;
        let sent = if p.repeated {
            format!(
                "Sent as `{wire}`, one key per value (`{wire}=a&{wire}=b`); each call adds to the values given before."
            )
        } else {
            format!("Sent as the query parameter `{wire}`; a later call replaces the value.")
        };
        if p.repeated {
            quote! {
                #[doc = #doc]
                #[doc = ""]
                #[doc = #sent]
                pub fn #field<I, V>(mut self, values: I) -> Self
                where
                    I: ::std::iter::IntoIterator<Item = V>,
                    V: ::std::convert::Into<#value>,
                {
                    self.__query.#field.extend(values.into_iter().map(::std::convert::Into::into));
                    self
                }
            }
        } else if is_string(&p.value) {
            quote! {
                #[doc = #doc]
                #[doc = ""]
                #[doc = #sent]
                pub fn #field(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.__query.#field = ::std::option::Option::Some(value.into());
                    self
                }
            }
        } else {
            quote! {
                #[doc = #doc]
                #[doc = ""]
                #[doc = #sent]
                pub fn #field(mut self, value: #value) -> Self {
                    self.__query.#field = ::std::option::Option::Some(value);
                    self
                }
            }
        }
    });
    let macro_doc = format!(
        "Builder-style setters for every parameter of [`{query}`], on a type that holds one in \
         the given field: `{macro_name}!(query);` inside its `impl` block."
    );
    let apply_doc = format!("Sets every parameter that is set on progenitor's `{id}` builder.");
    let body = setters_text(
        quote! { impl Setters { #(#setters)* } },
        &macro_name.to_string(),
    )?;
    let tokens = quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #query {
            #(#fields)*
        }

        impl #query {
            /// What the fragment says of each parameter, in its order.
            pub const PARAMETERS: &'static [Parameter] = &[#(#described),*];

            #[doc = #apply_doc]
            pub fn apply<'a>(&self, mut request: super::builder::#builder<'a>) -> super::builder::#builder<'a> {
                #(#applies)*
                request
            }

            /// Sets the parameter the fragment names `name` from text, such as a command
            /// line's values: each value of an array adds to those set before; a scalar takes
            /// one value. Fails on a name the operation does not have or a value its type
            /// does not take.
            pub fn set_text(&mut self, name: &str, values: &[&str]) -> ::std::result::Result<(), InvalidParameter> {
                match name {
                    #(#set_arms)*
                    other => {
                        let known: ::std::vec::Vec<&str> = Self::PARAMETERS.iter().map(|p| p.name).collect();
                        let allowed = format!("one of the query parameters {}", known.join(", "));
                        return Err(invalid("query", other, &allowed));
                    }
                }
                Ok(())
            }

            /// Checks what the types cannot: the fragment's bounds and required parameters.
            pub fn validate(&self) -> ::std::result::Result<(), InvalidParameter> {
                #(#checks)*
                Ok(())
            }
        }

        #[doc = #macro_doc]
        macro_rules! #macro_name {
            ($field:ident) => {};
        }
        pub(crate) use #macro_name;
    };
    let name = macro_name.to_string();
    Ok((tokens, Macro { name, body }))
}

/// A `macro_rules!` whose body [`emit`] leaves empty in the tokens and [`fill_macros`]
/// writes into the formatted file: prettyplease prints a macro body as one run of tokens,
/// so the setters are formatted as an `impl` block of their own first.
pub struct Macro {
    name: String,
    body: String,
}

/// The setters, formatted, with the placeholder field and the crate-relative paths turned
/// into the macro's `$field` and `$crate`.
fn setters_text(setters: TokenStream, name: &str) -> Result<String, String> {
    let file: syn::File = syn::parse2(setters)
        .map_err(|e| format!("the setters of {name} are not valid Rust: {e}"))?;
    let text = prettyplease::unparse(&file);
    let lines: Vec<&str> = text.lines().collect();
    // `impl Setters {` ... `}`: what is between, one level in.
    let inner = lines
        .get(1..lines.len().saturating_sub(1))
        .unwrap_or_default();
    let body = inner
        .iter()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let module = crate::MODULE_PATH.trim_start_matches("crate");
    Ok(body.replace("self.__query.", "self.$field.").replace(
        &format!("{}::", crate::MODULE_PATH),
        &format!("$crate{module}::"),
    ))
}

/// Writes each macro's body into the formatted file, in place of its empty rule.
pub fn fill_macros(text: &str, macros: &[Macro]) -> Result<String, String> {
    let mut out = text.to_owned();
    for m in macros {
        let start = format!("macro_rules! {} {{", m.name);
        let at = out
            .find(&start)
            .ok_or_else(|| format!("the macro {} was not emitted", m.name))?;
        let indent = out[..at].rsplit('\n').next().unwrap_or_default().to_owned();
        let rule = format!("{indent}    ($field:ident) => {{}};\n");
        let rule_at = out[at..]
            .find(&rule)
            .map(|i| at + i)
            .ok_or_else(|| format!("the macro {} has no empty rule", m.name))?;
        let body: String = m
            .body
            .lines()
            .map(|line| match line {
                "" => "\n".to_owned(),
                line => format!("{indent}        {line}\n"),
            })
            .collect();
        let filled = format!("{indent}    ($field:ident) => {{\n{body}{indent}    }};\n");
        out.replace_range(rule_at..rule_at + rule.len(), &filled);
    }
    Ok(out)
}

/// `{OPERATION}_LIMIT_MAXIMUM` and friends for an operation with `offset` and `limit`
/// query parameters: the bounds and defaults the wrapper's paging follows.
fn paging_facts(spec: &OpenAPI, op: &Operation, place: &str) -> Result<TokenStream, String> {
    let mut out = TokenStream::new();
    for parameter in &op.parameters {
        let Parameter::Query { parameter_data, .. } = resolve_parameter(spec, parameter)? else {
            continue;
        };
        if !PAGING.contains(&parameter_data.name.as_str()) {
            continue;
        }
        let ParameterSchemaOrContent::Schema(schema) = &parameter_data.format else {
            continue;
        };
        let schema = resolve_schema(spec, schema)?;
        let SchemaKind::Type(Type::Integer(integer)) = &schema.schema_kind else {
            return Err(format!(
                "{place}: the paging parameter {} must be an integer",
                parameter_data.name
            ));
        };
        let prefix = format!(
            "{}_{}",
            op.operation_id
                .as_deref()
                .unwrap_or_default()
                .to_snake_case(),
            parameter_data.name.to_snake_case()
        )
        .to_uppercase();
        let wire = &parameter_data.name;
        for (what, value) in [
            ("MINIMUM", integer.minimum),
            ("MAXIMUM", integer.maximum),
            (
                "DEFAULT",
                schema
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(serde_json::Value::as_i64),
            ),
        ] {
            if let Some(value) = value {
                let name = Ident::new(&format!("{prefix}_{what}"), Span::call_site());
                let doc = format!(
                    "The `{wire}` query parameter's {} in the fragment.",
                    what.to_lowercase()
                );
                out.extend(quote! { #[doc = #doc] pub const #name: i64 = #value; });
            }
        }
    }
    Ok(out)
}
