//! `--upstream FULL.yaml [--operation ID]`: slices one operation out of a full OpenAPI 3.0
//! document, so the fragment can be diffed against what upstream publishes.
//!
//! The slice keeps the document's `openapi`, `info`, `servers` and `security`, the one
//! operation (with its path item's own `parameters` and `servers`), every component it
//! references, transitively (`schemas`, `parameters`, `responses`, `requestBodies`,
//! `headers`, ...), and the security schemes its effective security requirements name.
//! Nothing else: unrelated operations and components never appear. Every node keeps its
//! place, so a pointer into the slice is also a pointer into the full document (the
//! `--format github` lines point into FULL.yaml).
//!
//! An absent operation, a `$ref` that does not resolve (or is not local) and an undefined
//! security scheme are errors.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Input;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn load(input: &Input) -> Result<Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(&input.text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("{}:{}: ", l.line(), l.column()))
            .unwrap_or_default();
        format!("{}:{at}not YAML: {e}", input.origin)
    })?;
    serde_json::to_value(yaml).map_err(|e| format!("{}: {e}", input.origin))
}

/// Every operation's id in a document, with its method and path.
fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(id) = item
                    .get(method)
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                {
                    out.push((id.to_owned(), method.to_owned(), path.clone()));
                }
            }
        }
    }
    out
}

/// The operation of the fragment (when `operation` is not given) sliced out of `full`,
/// as YAML text.
pub fn slice_for(
    fragment: &Input,
    full: &Input,
    operation: Option<&str>,
) -> Result<String, String> {
    let id = match operation {
        Some(id) => id.to_owned(),
        None => {
            let ops = operations(&load(fragment)?);
            match ops.as_slice() {
                [(id, _, _)] => id.clone(),
                _ => {
                    return Err(format!(
                        "{}: {} operations with an operationId; say which one with --operation",
                        fragment.origin,
                        ops.len()
                    ));
                }
            }
        }
    };
    let sliced = slice(&load(full)?, &id).map_err(|e| format!("{}: {e}", full.origin))?;
    serde_yaml::to_string(&sliced).map_err(|e| e.to_string())
}

/// The slice of `doc` for operation `id`.
pub fn slice(doc: &Value, id: &str) -> Result<Value, String> {
    let ops = operations(doc);
    let Some((_, method, path)) = ops.iter().find(|(i, _, _)| i == id) else {
        let known: Vec<&str> = ops.iter().map(|(i, _, _)| i.as_str()).collect();
        return Err(format!(
            "no operation has operationId `{id}` (the document has: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    let item = &doc["paths"][path.as_str()];
    if item.get("$ref").is_some() {
        return Err(format!("paths.{path} is a $ref, which is not supported"));
    }
    let op = &item[method.as_str()];
    let mut new_item = Map::new();
    for key in ["parameters", "servers"] {
        if let Some(v) = item.get(key) {
            new_item.insert(key.to_owned(), v.clone());
        }
    }
    new_item.insert(method.clone(), op.clone());
    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    out.insert(
        "paths".to_owned(),
        json!({ path.as_str(): Value::Object(new_item.clone()) }),
    );

    // Components, transitively.
    let mut components = Map::new();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<(String, Value)> = vec![(format!("paths.{path}"), Value::Object(new_item))];
    while let Some((site, node)) = todo.pop() {
        let mut refs = Vec::new();
        collect_refs(&node, &site, &mut refs);
        for (at, reference) in refs {
            let Some(pointer) = reference.strip_prefix("#/") else {
                return Err(format!(
                    "`$ref: {reference}` (at {at}) is not a local reference; only `#/components/...` is supported"
                ));
            };
            let segments: Vec<String> = pointer
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect();
            let [first, kind, name] = segments.as_slice() else {
                return Err(format!(
                    "`$ref: {reference}` (at {at}) does not name a component (`#/components/KIND/NAME`)"
                ));
            };
            if first != "components" {
                return Err(format!(
                    "`$ref: {reference}` (at {at}) does not point into components"
                ));
            }
            let target = doc
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(|k| k.get(name))
                .ok_or_else(|| format!("`$ref: {reference}` (at {at}) does not resolve"))?;
            if seen.insert((kind.clone(), name.clone())) {
                insert(&mut components, kind, name, target.clone());
                todo.push((format!("components.{kind}.{name}"), target.clone()));
            }
        }
    }
    // Security schemes the operation's effective requirements name.
    let requirements = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for requirement in &requirements {
        for scheme in requirement.as_object().into_iter().flat_map(|m| m.keys()) {
            let target = doc
                .get("components")
                .and_then(|c| c.get("securitySchemes"))
                .and_then(|s| s.get(scheme))
                .ok_or_else(|| {
                    format!("security scheme `{scheme}` (required by `{id}`) is not defined in components.securitySchemes")
                })?;
            insert(&mut components, "securitySchemes", scheme, target.clone());
        }
    }
    if !components.is_empty() {
        out.insert("components".to_owned(), Value::Object(components));
    }
    Ok(Value::Object(out))
}

fn insert(components: &mut Map<String, Value>, kind: &str, name: &str, value: Value) {
    let entry = components
        .entry(kind.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = entry {
        map.insert(name.to_owned(), value);
    }
}

/// Every `$ref` string under `node`, with where it was found.
fn collect_refs(node: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((at.to_owned(), r.clone()));
            }
            for (k, v) in map {
                // `example(s)` are data, not schema: a `$ref` key inside one is not a reference.
                if k != "example" && k != "examples" {
                    collect_refs(v, &format!("{at}.{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).expect("test yaml")
    }

    #[test]
    fn transitive_components_and_used_schemes_only() {
        let d = doc("
openapi: 3.0.3
info: {title: t, version: '1'}
security: [{A: []}]
paths:
  /x:
    parameters: [{$ref: '#/components/parameters/P'}]
    get:
      operationId: X
      responses: {'200': {$ref: '#/components/responses/R'}}
  /y:
    get: {operationId: Y, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Other'}}}}}}
components:
  parameters: {P: {name: p, in: query, schema: {$ref: '#/components/schemas/S'}}}
  responses: {R: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/T'}}}}}
  schemas:
    S: {type: string}
    T: {type: object, properties: {u: {$ref: '#/components/schemas/U'}}}
    U: {type: object, properties: {t: {$ref: '#/components/schemas/T'}}}
    Other: {type: string}
  securitySchemes: {A: {type: http, scheme: bearer}, B: {type: http, scheme: basic}}
");
        let s = slice(&d, "X").expect("slices");
        let names = |kind: &str| -> Vec<String> {
            s["components"][kind]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(names("schemas"), ["S", "T", "U"]);
        assert_eq!(names("parameters"), ["P"]);
        assert_eq!(names("responses"), ["R"]);
        assert_eq!(names("securitySchemes"), ["A"]);
        assert!(s["paths"].get("/y").is_none());
        assert!(s["paths"]["/x"].get("parameters").is_some());
    }

    #[test]
    fn errors_name_what_is_missing() {
        let d = doc("
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x: {get: {operationId: X, responses: {'200': {$ref: '#/components/responses/Gone'}}}}
  /z: {get: {operationId: Z, security: [{Nope: []}], responses: {'200': {description: ok}}}}
  /w: {get: {operationId: W, responses: {'200': {$ref: 'other.yaml#/components/responses/R'}}}}
");
        let e = slice(&d, "Missing").expect_err("absent");
        assert!(e.contains("`Missing`") && e.contains("W, X, Z"), "{e}");
        let e = slice(&d, "X").expect_err("dangling");
        assert!(
            e.contains("#/components/responses/Gone") && e.contains("does not resolve"),
            "{e}"
        );
        let e = slice(&d, "Z").expect_err("undefined scheme");
        assert!(e.contains("`Nope`"), "{e}");
        let e = slice(&d, "W").expect_err("remote ref");
        assert!(e.contains("not a local reference"), "{e}");
    }
}
