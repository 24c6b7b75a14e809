//! Tests driven by `openapi/tokens.yaml`, read at test time: what the fragment shows and
//! lists is what the generated types accept and produce.
//!
//! What this proves:
//! - every media-type `example` of a response (the 200 page, the error bodies) deserializes
//!   into the generated type of its schema and serializes back to the same JSON;
//! - every property `example` of every component schema deserializes into the Rust type
//!   of that property and serializes back to the same JSON (enum examples must be values
//!   the open enum knows), and the property examples of each component, put together,
//!   round-trip through that component's generated struct;
//! - an example whose schema has no mapping to a generated type fails the suite by name,
//!   so a newly added schema, response or parameter enum cannot be skipped silently;
//! - every enum value of every request parameter parses through the generated strict enum
//!   (`FromStr`) and `Display`s back to the same string, and a value not listed is refused;
//! - each response enum's `open_enums::*::KNOWN` equals the fragment's list, in order;
//! - a `format: password` value (a secret) deserializes, and serializes back as
//!   `SensitiveString::REDACTED`, never as the value.

use astro_tokens::generated::{open_enums, types};
use heck::ToUpperCamelCase;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const FRAGMENT: &str = "openapi/tokens.yaml";

fn fragment() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FRAGMENT);
    let text = std::fs::read_to_string(&path).expect("read the fragment");
    serde_yaml::from_str(&text).expect("the fragment is YAML that maps to JSON")
}

/// Deserializes a JSON value into a Rust type and serializes it back.
type Roundtrip = Box<dyn Fn(&Value) -> Result<Value, String>>;

fn roundtrip<T: DeserializeOwned + Serialize>() -> Roundtrip {
    Box::new(|value| {
        let typed: T = serde_json::from_value(value.clone()).map_err(|e| {
            format!(
                "does not deserialize into {}: {e}",
                std::any::type_name::<T>()
            )
        })?;
        serde_json::to_value(&typed).map_err(|e| format!("does not serialize back: {e}"))
    })
}

/// The generated type of each component schema. A schema missing here fails the suite.
fn component_type(name: &str) -> Option<Roundtrip> {
    Some(match name {
        "ApiTokensPaginated" => roundtrip::<types::ApiTokensPaginated>(),
        "ApiToken" => roundtrip::<types::ApiToken>(),
        "BasicSubjectProfile" => roundtrip::<types::BasicSubjectProfile>(),
        "ApiTokenRole" => roundtrip::<types::ApiTokenRole>(),
        "Error" => roundtrip::<types::Error>(),
        "FieldValidationError" => roundtrip::<types::FieldValidationError>(),
        _ => return None,
    })
}

/// The open enums the generator makes from response enums (named as `open_enums::hoist`
/// names them), with the `KNOWN` list and a check that a value is a known one.
struct OpenEnum {
    known: &'static [&'static str],
    roundtrip: Roundtrip,
}

macro_rules! open_enum {
    ($ty:ty) => {
        OpenEnum {
            known: <$ty>::KNOWN,
            roundtrip: Box::new(|value| {
                let typed: $ty = serde_json::from_value(value.clone())
                    .map_err(|e| format!("does not deserialize into {}: {e}", stringify!($ty)))?;
                if typed.is_unknown() {
                    return Err(format!("{value} is not a value {} knows", stringify!($ty)));
                }
                serde_json::to_value(&typed).map_err(|e| format!("does not serialize back: {e}"))
            }),
        }
    };
}

fn open_enum_type(name: &str) -> Option<OpenEnum> {
    Some(match name {
        "ApiTokenScope" => open_enum!(open_enums::ApiTokenScope),
        "ApiTokenKind" => open_enum!(open_enums::ApiTokenKind),
        "SubjectType" => open_enum!(open_enums::SubjectType),
        "ApiTokenRoleEntityType" => open_enum!(open_enums::ApiTokenRoleEntityType),
        _ => return None,
    })
}

/// The strict enums progenitor makes from request parameter enums
/// (`{OperationId}{Param}`, `…Item` for array items): parse, then display.
type Reparse = fn(&str) -> Result<String, String>;

fn reparse<T: std::str::FromStr + std::fmt::Display>(value: &str) -> Result<String, String> {
    value
        .parse::<T>()
        .map(|v| v.to_string())
        .map_err(|_| format!("{} refuses {value:?}", std::any::type_name::<T>()))
}

fn parameter_enum_type(name: &str) -> Option<Reparse> {
    Some(match name {
        "TokenKind" => reparse::<types::TokenKind>,
        "ListApiTokensSortsItem" => reparse::<types::ListApiTokensSortsItem>,
        _ => return None,
    })
}

fn component_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// The Rust type of a property, as typify maps it; `owner` names the hoisted open enum.
fn property_type(owner: &str, property: &str, schema: &Value) -> Result<Roundtrip, String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = component_name(reference).ok_or_else(|| format!("unknown $ref {reference}"))?;
        return component_type(name)
            .ok_or_else(|| format!("component {name} has no mapping to a generated type"));
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let format = schema.get("format").and_then(Value::as_str);
    Ok(match (kind, format) {
        ("string", _) if schema.get("enum").is_some() => {
            let name = public_name(format!("{owner}{}", property.to_upper_camel_case()));
            open_enum_type(&name)
                .ok_or_else(|| format!("open enum {name} has no mapping to a generated type"))?
                .roundtrip
        }
        ("string", Some("date-time")) => roundtrip::<chrono::DateTime<chrono::Utc>>(),
        ("string", Some("password")) => roundtrip::<astro_tokens::SensitiveString>(),
        ("string", None) => roundtrip::<String>(),
        ("integer", None | Some("int64")) => roundtrip::<i64>(),
        ("integer", Some("int32")) => roundtrip::<i32>(),
        ("number", _) => roundtrip::<f64>(),
        ("boolean", _) => roundtrip::<bool>(),
        ("array", _) => {
            let items = schema
                .get("items")
                .ok_or_else(|| "array without items".to_owned())?;
            let item = property_type(
                &format!("{owner}{}", property.to_upper_camel_case()),
                "Item",
                items,
            )?;
            Box::new(move |value| {
                let values = value.as_array().ok_or("not an array")?;
                values
                    .iter()
                    .map(&item)
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
            })
        }
        _ => {
            return Err(format!(
                "no mapping from schema {schema} to a Rust type; extend property_type()"
            ));
        }
    })
}

/// What `example` of `schema` serializes back to: itself, with every `format: password`
/// string (a secret) replaced by `SensitiveString::REDACTED`.
fn redacted(spec: &Value, schema: &Value, example: &Value) -> Value {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(component_name)
    {
        return match schemas(spec).get(name) {
            Some(target) => redacted(spec, target, example),
            None => example.clone(),
        };
    }
    if schema.get("format").and_then(Value::as_str) == Some("password") && example.is_string() {
        return Value::String(astro_tokens::SensitiveString::REDACTED.to_owned());
    }
    match example {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            Value::Object(
                fields
                    .iter()
                    .map(|(key, value)| {
                        let value = match properties.and_then(|p| p.get(key)) {
                            Some(property) => redacted(spec, property, value),
                            None => value.clone(),
                        };
                        (key.clone(), value)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => match schema.get("items") {
            Some(item) => Value::Array(items.iter().map(|v| redacted(spec, item, v)).collect()),
            None => example.clone(),
        },
        other => other.clone(),
    }
}

/// Deserializes `example` and serializes it back: `expected` is what must come back.
fn check_roundtrip(
    what: &str,
    example: &Value,
    expected: &Value,
    roundtrip: &Roundtrip,
) -> Result<(), String> {
    let back = roundtrip(example).map_err(|e| format!("{what}: {e}"))?;
    if &back != expected {
        return Err(format!(
            "{what}: serializes back differently\n  example: {example}\n  back:    {back}"
        ));
    }
    Ok(())
}

fn schemas(spec: &Value) -> &Map<String, Value> {
    spec["components"]["schemas"]
        .as_object()
        .expect("components/schemas is a map")
}

fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths is a map") {
        for (method, operation) in item.as_object().expect("a path item is a map") {
            if [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .contains(&method.as_str())
            {
                found.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
    }
    found
}

/// Every media-type example (`example` or `examples.*.value`) under `responses` maps,
/// with where it was found and its schema.
fn media_type_examples(spec: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    let mut collect = |place: String, response: &Value| {
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return;
        };
        for (media, body) in content {
            let schema = body.get("schema").cloned().unwrap_or(Value::Null);
            if let Some(example) = body.get("example") {
                found.push((
                    format!("{place} {media} example"),
                    example.clone(),
                    schema.clone(),
                ));
            }
            for (name, named) in body
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(value) = named.get("value") {
                    found.push((
                        format!("{place} {media} examples/{name}"),
                        value.clone(),
                        schema.clone(),
                    ));
                }
            }
        }
    };
    for (operation, body) in operations(spec) {
        for (status, response) in body["responses"].as_object().into_iter().flatten() {
            collect(format!("{operation} response {status}"), response);
        }
    }
    for (name, response) in spec["components"]["responses"]
        .as_object()
        .into_iter()
        .flatten()
    {
        collect(format!("components/responses/{name}"), response);
    }
    found
}

#[test]
fn every_response_example_roundtrips_through_its_generated_type() {
    let spec = fragment();
    let examples = media_type_examples(&spec);
    let mut failures = Vec::new();
    for (place, example, schema) in &examples {
        let mapped = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(component_name)
            .ok_or_else(|| format!("{place}: its schema {schema} is not a component $ref"))
            .and_then(|name| {
                component_type(name).ok_or_else(|| {
                    format!("{place}: schema {name} has no mapping to a generated type")
                })
            });
        let expected = redacted(&spec, schema, example);
        if let Err(e) = mapped.and_then(|rt| check_roundtrip(place, example, &expected, &rt)) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The fragment has the 200 page example and the 400 error example today.
    let places: Vec<&str> = examples.iter().map(|(p, _, _)| p.as_str()).collect();
    assert!(
        places
            .iter()
            .any(|p| p.starts_with("GET /organizations/{organizationId}/tokens response 200")),
        "the 200 example was not found: {places:?}"
    );
    assert!(
        places
            .iter()
            .any(|p| p.starts_with("GET /organizations/{organizationId}/tokens response 400")),
        "the 400 example was not found: {places:?}"
    );
}

#[test]
fn the_200_example_deserializes_into_api_tokens_paginated_with_its_values() {
    let spec = fragment();
    let example = &spec["paths"]["/organizations/{organizationId}/tokens"]["get"]["responses"]["200"]
        ["content"]["application/json"]["example"];
    let page: types::ApiTokensPaginated =
        serde_json::from_value(example.clone()).expect("the 200 example is an ApiTokensPaginated");
    let token = &page.tokens[0];
    assert_eq!(
        token.created_at.to_rfc3339(),
        "2022-11-22T04:37:12+00:00",
        "date-time parsed as UTC"
    );
    assert_eq!(token.kind, open_enums::ApiTokenKind::Standard);
    assert_eq!(token.scope, open_enums::ApiTokenScope::Workspace);
    assert_eq!(
        token.roles[0].entity_type,
        open_enums::ApiTokenRoleEntityType::Workspace
    );
    // chrono writes UTC as `Z`, so the fragment's `2022-11-22T04:37:12Z` comes back as is.
    assert_eq!(
        serde_json::to_value(page).expect("serialize")["tokens"][0]["createdAt"],
        "2022-11-22T04:37:12Z"
    );
}

#[test]
fn every_property_example_roundtrips_through_the_property_type() {
    let spec = fragment();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (owner, schema) in schemas(&spec) {
        let owner_type = owner.to_upper_camel_case();
        if let Some(example) = schema.get("example") {
            match component_type(owner) {
                Some(rt) => {
                    checked += 1;
                    let expected = redacted(&spec, schema, example);
                    let what = format!("{owner} example");
                    if let Err(e) = check_roundtrip(&what, example, &expected, &rt) {
                        failures.push(e);
                    }
                }
                None => failures.push(format!(
                    "components/schemas/{owner} example: no mapping to a generated type"
                )),
            }
        }
        for (property, property_schema) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(example) = property_schema.get("example") else {
                continue;
            };
            let what = format!("components/schemas/{owner}/properties/{property} example");
            checked += 1;
            match property_type(&owner_type, property, property_schema) {
                Ok(rt) => {
                    let expected = redacted(&spec, property_schema, example);
                    if let Err(e) = check_roundtrip(&what, example, &expected, &rt) {
                        failures.push(e);
                    }
                }
                Err(e) => failures.push(format!("{what}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 27,
        "only {checked} property examples found; the fragment had 27 when this was written"
    );
}

/// An object made of a component's property examples: `$ref`s and arrays of them are
/// filled in from the referenced component. `None` when a required property has nothing.
fn synthesize(spec: &Value, schema: &Value) -> Option<Value> {
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = &schemas(spec)[component_name(reference)?];
        return synthesize(spec, target);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => Some(Value::Array(vec![synthesize(spec, schema.get("items")?)?])),
        Some("object") | None => {
            let properties = schema.get("properties")?.as_object()?;
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut object = Map::new();
            for (name, property) in properties {
                match synthesize(spec, property) {
                    Some(value) => {
                        object.insert(name.clone(), value);
                    }
                    None if required.contains(&name.as_str()) => return None,
                    None => {}
                }
            }
            Some(Value::Object(object))
        }
        _ => None,
    }
}

#[test]
fn each_components_property_examples_together_roundtrip_through_its_struct() {
    let spec = fragment();
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for (name, schema) in schemas(&spec) {
        let has_examples = schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.values().any(|s| s.get("example").is_some()));
        if !has_examples {
            continue;
        }
        let Some(object) = synthesize(&spec, schema) else {
            failures.push(format!(
                "components/schemas/{name}: has property examples but a required property has \
                 none, so they cannot be checked together; add the missing examples"
            ));
            continue;
        };
        match component_type(name) {
            Some(rt) => match check_roundtrip(
                &format!("{name} (from its property examples)"),
                &object,
                &redacted(&spec, schema, &object),
                &rt,
            ) {
                Ok(()) => checked.push(name.clone()),
                Err(e) => failures.push(e),
            },
            None => failures.push(format!(
                "components/schemas/{name}: no mapping to a generated type"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for expected in [
        "ApiTokensPaginated",
        "ApiToken",
        "BasicSubjectProfile",
        "ApiTokenRole",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected} was not checked: {checked:?}"
        );
    }
}

#[test]
fn every_component_schema_maps_to_a_generated_type() {
    let spec = fragment();
    let unmapped: Vec<&String> = schemas(&spec)
        .keys()
        .filter(|name| component_type(name).is_none())
        .collect();
    assert!(
        unmapped.is_empty(),
        "components without a generated-type mapping in generated-tests/spec_examples.rs \
         (component_type): {unmapped:?}"
    );
}

/// The Rust name of a generated type: the public one the generator gives it.
fn public_name(generated: String) -> String {
    astro_tokens_codegen::names::public_name(&generated)
}

/// Every request parameter enum: (where, Rust type name, values).
fn parameter_enums(spec: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut found = Vec::new();
    for (place, operation) in operations(spec) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{place} has no operationId"))
            .to_upper_camel_case();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().expect("a parameter has a name");
            let schema = &parameter["schema"];
            let (type_name, values) = if let Some(values) = schema.get("enum") {
                (format!("{id}{}", name.to_upper_camel_case()), values)
            } else if let Some(values) = schema.get("items").and_then(|i| i.get("enum")) {
                (format!("{id}{}Item", name.to_upper_camel_case()), values)
            } else {
                continue;
            };
            let values = values
                .as_array()
                .expect("enum is a list")
                .iter()
                .map(|v| v.as_str().expect("string enum").to_owned())
                .collect();
            found.push((
                format!("{place} parameter {name}"),
                public_name(type_name),
                values,
            ));
        }
    }
    found
}

#[test]
fn every_request_parameter_enum_value_parses_and_displays_back() {
    let spec = fragment();
    let enums = parameter_enums(&spec);
    let mut failures = Vec::new();
    for (place, type_name, values) in &enums {
        let Some(reparse) = parameter_enum_type(type_name) else {
            failures.push(format!(
                "{place}: enum type {type_name} has no mapping (parameter_enum_type)"
            ));
            continue;
        };
        for value in values {
            match reparse(value) {
                Ok(back) if &back == value => {}
                Ok(back) => failures.push(format!("{place}: {value:?} displays as {back:?}")),
                Err(e) => failures.push(format!("{place}: {e}")),
            }
        }
        // Strict: a value the fragment does not list is refused.
        if reparse("NOT_A_LISTED_VALUE").is_ok() {
            failures.push(format!(
                "{place}: {type_name} accepts a value it does not list"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let names: Vec<&str> = enums.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(names, ["TokenKind", "ListApiTokensSortsItem"]);
}

/// Every string enum under components/schemas, named as `open_enums::hoist` names it.
fn response_enums(spec: &Value) -> Vec<(String, Vec<String>)> {
    fn walk(prefix: &str, schema: &Value, found: &mut Vec<(String, Vec<String>)>) {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values = values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            found.push((public_name(prefix.to_owned()), values));
            return;
        }
        for (name, property) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            walk(
                &format!("{prefix}{}", name.to_upper_camel_case()),
                property,
                found,
            );
        }
        if let Some(items) = schema.get("items") {
            walk(&format!("{prefix}Item"), items, found);
        }
    }
    let mut found = Vec::new();
    for (name, schema) in schemas(spec) {
        walk(&name.to_upper_camel_case(), schema, &mut found);
    }
    found
}

#[test]
fn every_response_enum_known_list_equals_the_fragment_list() {
    let spec = fragment();
    let enums = response_enums(&spec);
    let mut failures = Vec::new();
    for (name, values) in &enums {
        match open_enum_type(name) {
            Some(open) => {
                if open.known != values.as_slice() {
                    failures.push(format!(
                        "open_enums::{name}::KNOWN is {:?}; the fragment lists {values:?}",
                        open.known
                    ));
                }
            }
            None => failures.push(format!(
                "response enum {name} has no mapping to open_enums (open_enum_type)"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(enums.len(), 4, "response enums found: {enums:?}");
}
