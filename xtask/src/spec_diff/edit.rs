//! Small, non-panicking edits of a parsed fragment (`serde_yaml::Value`), used by the
//! revision [`corpus`](super::corpus): every helper returns `None` when the node it edits
//! is not there, so an edit that no longer applies to `openapi/tokens.yaml` is reported
//! with the case's name instead of a panic.

use serde_yaml::{Mapping, Value};

/// The fragment's only path.
pub const PATH: &str = "/organizations/{organizationId}/tokens";
/// The fragment's only operation, as locations name it.
pub const OP: &str = "GET /organizations/{organizationId}/tokens";

/// The node at `keys` (mapping keys, or sequence indexes written as numbers).
pub fn at<'v>(v: &'v mut Value, keys: &[&str]) -> Option<&'v mut Value> {
    keys.iter().try_fold(v, |node, key| match node {
        Value::Sequence(items) => items.get_mut(key.parse::<usize>().ok()?),
        Value::Mapping(map) => map.get_mut(*key),
        _ => None,
    })
}

/// The operation (`paths./organizations/{organizationId}/tokens.get`).
pub fn op(v: &mut Value) -> Option<&mut Value> {
    at(v, &["paths", PATH, "get"])
}

/// The operation's parameter list.
pub fn params(v: &mut Value) -> Option<&mut Vec<Value>> {
    op(v)?.get_mut("parameters")?.as_sequence_mut()
}

/// The parameter named `name`.
pub fn param<'v>(v: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    params(v)?
        .iter_mut()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

/// The parameter's `schema`.
pub fn param_schema<'v>(v: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    param(v, name)?.get_mut("schema")
}

/// `components.schemas.<name>`.
pub fn schema<'v>(v: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    at(v, &["components", "schemas", name])
}

/// `components.schemas.<component>.properties.<name>`.
pub fn prop<'v>(v: &'v mut Value, component: &str, name: &str) -> Option<&'v mut Value> {
    schema(v, component)?.get_mut("properties")?.get_mut(name)
}

/// `components.schemas.<component>.properties`.
pub fn props<'v>(v: &'v mut Value, component: &str) -> Option<&'v mut Mapping> {
    schema(v, component)?
        .get_mut("properties")?
        .as_mapping_mut()
}

/// `components.schemas.<component>.required`.
pub fn required<'v>(v: &'v mut Value, component: &str) -> Option<&'v mut Value> {
    schema(v, component)?.get_mut("required")
}

/// The node as a sequence.
pub fn seq(v: &mut Value) -> Option<&mut Vec<Value>> {
    v.as_sequence_mut()
}

/// Sets `key` in a mapping node (adding it when absent).
pub fn set(node: &mut Value, key: &str, value: impl Into<Value>) -> Option<()> {
    node.as_mapping_mut()?.insert(key.into(), value.into());
    Some(())
}

/// Removes `key` from a mapping node; `None` when it was not there.
pub fn unset(node: &mut Value, key: &str) -> Option<Value> {
    node.as_mapping_mut()?.remove(key)
}

/// Removes the string `item` from a sequence node; `None` when it was not there.
pub fn remove_str(list: &mut Value, item: &str) -> Option<()> {
    let items = list.as_sequence_mut()?;
    let before = items.len();
    items.retain(|x| x.as_str() != Some(item));
    (items.len() < before).then_some(())
}

/// Appends the string `item` to a sequence node.
pub fn push_str(list: &mut Value, item: &str) -> Option<()> {
    list.as_sequence_mut()?.push(Value::from(item));
    Some(())
}

/// Moves the path item to another path (the operation keeps its operationId).
pub fn move_path(v: &mut Value, to: &str) -> Option<()> {
    let paths = v.get_mut("paths")?.as_mapping_mut()?;
    let item = paths.remove(PATH)?;
    paths.insert(to.into(), item);
    Some(())
}

/// The operation's effective security requirements (its own `security`, else the
/// document's): the list an edit must change for the operation's requirement to change.
pub fn security(v: &mut Value) -> Option<&mut Vec<Value>> {
    if op(v)?.get("security").is_some() {
        return op(v)?.get_mut("security")?.as_sequence_mut();
    }
    v.get_mut("security")?.as_sequence_mut()
}

/// The name of the security scheme the operation requires (the first scheme of its first
/// effective alternative), whatever the fragment calls it.
pub fn required_scheme(v: &mut Value) -> Option<String> {
    let first = security(v)?.first()?.as_mapping()?;
    first.keys().next()?.as_str().map(str::to_owned)
}

/// `components.securitySchemes.<name>`.
pub fn security_scheme<'v>(v: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    at(v, &["components", "securitySchemes", name])
}

/// Renames the security scheme `from` to `to`: its `components.securitySchemes` entry and
/// every requirement that names it, at the document level and in every operation. `None`
/// when `from` is not defined or `to` already is.
pub fn rename_scheme(v: &mut Value, from: &str, to: &str) -> Option<()> {
    let schemes = at(v, &["components", "securitySchemes"])?.as_mapping_mut()?;
    if schemes.contains_key(to) {
        return None;
    }
    let scheme = schemes.remove(from)?;
    schemes.insert(to.into(), scheme);
    let rename = |requirements: &mut Value| {
        for alternative in requirements.as_sequence_mut().into_iter().flatten() {
            if let Some(map) = alternative.as_mapping_mut()
                && let Some(scopes) = map.remove(from)
            {
                map.insert(to.into(), scopes);
            }
        }
    };
    if let Some(document) = v.get_mut("security") {
        rename(document);
    }
    let paths = v.get_mut("paths")?.as_mapping_mut()?;
    for item in paths.values_mut().filter_map(Value::as_mapping_mut) {
        for operation in item.values_mut() {
            if let Some(requirements) = operation.get_mut("security") {
                rename(requirements);
            }
        }
    }
    Some(())
}

/// YAML written in the corpus itself (flow style); `None` if it does not parse.
pub fn parse(text: &str) -> Option<Value> {
    serde_yaml::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_return_none_instead_of_panicking_on_missing_nodes() {
        let mut v = parse("{a: [x, {b: 1}], s: text}").expect("yaml");
        assert_eq!(
            at(&mut v, &["a", "1", "b"]).and_then(|n| n.as_i64()),
            Some(1)
        );
        assert!(at(&mut v, &["a", "7"]).is_none());
        assert!(at(&mut v, &["s", "deeper"]).is_none());
        assert!(op(&mut v).is_none());
        assert!(set(&mut Value::from("scalar"), "k", 1).is_none());
        let list = at(&mut v, &["a"]).expect("list");
        assert!(remove_str(list, "missing").is_none());
        assert!(remove_str(list, "x").is_some());
    }

    #[test]
    fn security_helpers_follow_the_effective_requirement_and_rename_every_use() {
        let doc = |op_security: &str| {
            parse(&format!(
                "{{security: [{{A: []}}], components: {{securitySchemes: {{A: {{type: http, scheme: bearer}}}}}}, paths: {{'{PATH}': {{get: {{{op_security}responses: {{}}}}}}}}}}"
            ))
            .expect("yaml")
        };
        // The document's requirement applies when the operation has none.
        let mut v = doc("");
        assert_eq!(required_scheme(&mut v).as_deref(), Some("A"));
        security(&mut v)
            .expect("effective")
            .push(parse("{B: []}").expect("yaml"));
        assert_eq!(v["security"].as_sequence().map(Vec::len), Some(2));
        // The operation's own requirement wins.
        let mut v = doc("security: [{A: [x]}], ");
        security(&mut v)
            .expect("effective")
            .push(parse("{B: []}").expect("yaml"));
        assert_eq!(v["security"].as_sequence().map(Vec::len), Some(1));
        assert_eq!(
            op(&mut v).expect("op")["security"]
                .as_sequence()
                .map(Vec::len),
            Some(2)
        );
        // A rename reaches the definition and both levels, scopes kept.
        assert!(rename_scheme(&mut v, "A", "C").is_some());
        assert!(security_scheme(&mut v, "C").is_some() && security_scheme(&mut v, "A").is_none());
        assert_eq!(v["security"][0]["C"], parse("[]").expect("yaml"));
        assert_eq!(
            op(&mut v).expect("op")["security"][0]["C"][0].as_str(),
            Some("x")
        );
        assert!(rename_scheme(&mut v, "A", "D").is_none(), "no such scheme");
        assert!(
            rename_scheme(&mut v, "C", "C").is_none(),
            "the new name is taken"
        );
    }
}
