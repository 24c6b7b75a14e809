//! The project's local additions to upstream's document (`openapi/local.yaml`): an ordered
//! list of actions applied to the slice that `--upstream` cuts out of upstream's full
//! document, so `--upstream FULL.yaml --write openapi/tokens.yaml` can rebuild the fragment
//! with them, and a plain `--upstream` diff shows upstream's changes rather than our own.
//!
//! A small subset of the OpenAPI Overlay Specification 1.0, with JSON Pointer targets
//! (RFC 6901: `~1` stands for `/`, `~0` for `~`) instead of JSONPath:
//!
//! ```yaml
//! actions:
//!   - target: /components/schemas/ApiToken/properties/token/format
//!     update: password
//!     why: the token's value is a secret
//!   - target: /paths/~1x/get/tags
//!     remove: true
//!     why: ...
//! ```
//!
//! Actions apply in order. `update` merges into an existing mapping key by key,
//! recursively; any other value (a sequence, a scalar) replaces what is there. A missing key
//! (or `-` past the end of a sequence) is created when its parent exists. `remove` deletes
//! the target, which must exist. A target whose parent is missing is an error, as is an
//! action with neither or both of `update` and `remove`, or without a `why`: upstream
//! changed shape, or the file is wrong, and a person must look. Every error names the file,
//! the action's index and its target.

use serde_yaml::{Mapping, Value};

use super::Input;

/// The file's name; the default one sits next to the fragment (`openapi/local.yaml`).
pub const FILE_NAME: &str = "local.yaml";

/// What one action does at its target.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Deep-merge (mappings) or replace (anything else); create a missing key.
    Update(Value),
    /// Delete the target.
    Remove,
}

/// One action of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The JSON pointer as written.
    pub target: String,
    /// The pointer's reference tokens, unescaped.
    segments: Vec<String>,
    pub op: Op,
    /// Why the project adds it (one line).
    pub why: String,
}

/// A parsed local-additions file.
#[derive(Debug, Clone)]
pub struct Local {
    /// Names the file in messages.
    pub origin: String,
    pub actions: Vec<Action>,
}

impl Local {
    /// Parses the file. Errors name the file, and for an action its index and target.
    pub fn parse(input: &Input) -> Result<Self, String> {
        let origin = &input.origin;
        let root: Value = serde_yaml::from_str(&input.text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{}:{}: ", l.line(), l.column()))
                .unwrap_or_default();
            format!("{origin}:{at}not YAML: {e}")
        })?;
        if root.is_null() {
            // An empty file: no local additions.
            return Ok(Self {
                origin: origin.clone(),
                actions: Vec::new(),
            });
        }
        let Some(top) = root.as_mapping() else {
            return Err(format!(
                "{origin}: expected a mapping with `actions:` at the top level"
            ));
        };
        if let Some(other) = top.keys().find(|k| k.as_str() != Some("actions")) {
            return Err(format!(
                "{origin}: unknown top-level key `{}` (the file has only `actions:`)",
                key_text(other).unwrap_or_else(|| format!("{other:?}"))
            ));
        }
        let items = match top.get("actions") {
            Some(Value::Sequence(items)) => items,
            Some(Value::Null) | None => {
                return Ok(Self {
                    origin: origin.clone(),
                    actions: Vec::new(),
                });
            }
            Some(_) => return Err(format!("{origin}: `actions` must be a list")),
        };
        let actions = items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_action(item).map_err(|e| format!("{origin}: actions[{i}]{e}")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origin: origin.clone(),
            actions,
        })
    }

    /// Applies every action to `doc`, in order.
    pub fn apply(&self, doc: &mut Value) -> Result<(), String> {
        for (i, action) in self.actions.iter().enumerate() {
            let result = match &action.op {
                Op::Update(value) => update(doc, &action.segments, value.clone()),
                Op::Remove => remove(doc, &action.segments),
            };
            result.map_err(|problem| {
                format!(
                    "{}: actions[{i}] (target {}): {problem}",
                    self.origin, action.target
                )
            })?;
        }
        Ok(())
    }
}

/// One action; errors start with ` (target …): ` or `: ` so the caller can prefix the index.
fn parse_action(item: &Value) -> Result<Action, String> {
    let Some(map) = item.as_mapping() else {
        return Err(
            ": expected a mapping with `target`, `update` or `remove`, and `why`".to_owned(),
        );
    };
    let Some(target) = map.get("target") else {
        return Err(
            ": no `target` (a JSON pointer into the slice, such as /info/title)".to_owned(),
        );
    };
    let Some(target) = target.as_str().map(str::to_owned) else {
        return Err(": `target` must be a string (a JSON pointer)".to_owned());
    };
    let at = |what: String| format!(" (target {target}): {what}");
    if let Some(other) = map
        .keys()
        .find(|k| !matches!(k.as_str(), Some("target" | "update" | "remove" | "why")))
    {
        return Err(at(format!(
            "unknown key `{}` (an action has `target`, `update` or `remove`, and `why`)",
            key_text(other).unwrap_or_else(|| format!("{other:?}"))
        )));
    }
    let segments = pointer(&target).map_err(at)?;
    let op = match (map.get("update"), map.get("remove")) {
        (Some(_), Some(_)) => {
            return Err(at(
                "has both `update` and `remove`; an action does one of them".to_owned(),
            ));
        }
        (None, None) => {
            return Err(at(
                "has neither `update` nor `remove`; say what the action does".to_owned(),
            ));
        }
        (Some(value), None) => Op::Update(string_keys(value.clone()).map_err(at)?),
        (None, Some(Value::Bool(true))) => {
            if segments.is_empty() {
                return Err(at("the whole document cannot be removed".to_owned()));
            }
            Op::Remove
        }
        (None, Some(_)) => return Err(at("`remove` must be `true`".to_owned())),
    };
    let why = match map.get("why") {
        Some(Value::String(why)) if !why.trim().is_empty() => why.trim().to_owned(),
        Some(Value::String(_)) | None => {
            return Err(at(
                "no `why`: say in one line why the project adds this".to_owned()
            ));
        }
        Some(_) => return Err(at("`why` must be a string".to_owned())),
    };
    Ok(Action {
        target,
        segments,
        op,
        why,
    })
}

/// A JSON pointer's reference tokens (RFC 6901); `""` is the whole document.
pub fn pointer(target: &str) -> Result<Vec<String>, String> {
    if target.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = target.strip_prefix('/') else {
        return Err("not a JSON pointer: it must start with `/`".to_owned());
    };
    rest.split('/')
        .map(|token| {
            let mut out = String::new();
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    other => {
                        return Err(format!(
                            "`~{}` is not an escape (RFC 6901 has `~0` for `~` and `~1` for `/`)",
                            other.map(String::from).unwrap_or_default()
                        ));
                    }
                }
            }
            Ok(out)
        })
        .collect()
}

/// `segments` written back as a JSON pointer.
fn render(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// A mapping key as text: strings, numbers and booleans (`200:` and `'200':` are one key).
pub fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The same value with every mapping key a string, so keys written `200:` in the local
/// file match the `'200'` of the slice.
fn string_keys(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (k, v) in map {
                let key = key_text(&k).ok_or_else(|| {
                    format!("the update has a mapping key that is not text: {k:?}")
                })?;
                out.insert(Value::String(key), string_keys(v)?);
            }
            Value::Mapping(out)
        }
        Value::Sequence(items) => Value::Sequence(
            items
                .into_iter()
                .map(string_keys)
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a sequence",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The key of `map` that `segment` names.
fn find_key(map: &Mapping, segment: &str) -> Option<Value> {
    map.keys()
        .find(|k| key_text(k).as_deref() == Some(segment))
        .cloned()
}

/// A sequence index token: decimal digits without a leading zero (RFC 6901).
fn index(segment: &str) -> Option<usize> {
    let canonical = segment == "0" || (!segment.starts_with('0') && !segment.is_empty());
    if canonical && segment.bytes().all(|b| b.is_ascii_digit()) {
        segment.parse().ok()
    } else {
        None
    }
}

/// The node at `segments`, or why there is none (naming the first pointer that is missing).
fn resolve_mut<'v>(doc: &'v mut Value, segments: &[String]) -> Result<&'v mut Value, String> {
    let mut node = doc;
    for (depth, segment) in segments.iter().enumerate() {
        let here = render(&segments[..=depth]);
        let missing = || {
            format!(
                "{here} does not exist in the slice (upstream changed shape: look at this action)"
            )
        };
        node = match node {
            Value::Mapping(map) => {
                let key = find_key(map, segment).ok_or_else(missing)?;
                map.get_mut(&key).ok_or_else(missing)?
            }
            Value::Sequence(items) => {
                let len = items.len();
                let i = index(segment).ok_or_else(|| {
                    format!(
                        "{} is a sequence, and `{segment}` is not an index",
                        render(&segments[..depth])
                    )
                })?;
                items.get_mut(i).ok_or_else(|| {
                    format!("{here} does not exist in the slice (the sequence has {len} items): upstream changed shape, look at this action")
                })?
            }
            other => {
                return Err(format!(
                    "{} is {}, so {here} cannot exist (upstream changed shape: look at this action)",
                    render(&segments[..depth]),
                    kind(other)
                ));
            }
        };
    }
    Ok(node)
}

/// Merges `value` into `node`: mappings key by key, recursively; anything else replaces.
fn merge(node: &mut Value, value: Value) {
    match (node, value) {
        (Value::Mapping(into), Value::Mapping(from)) => {
            for (k, v) in from {
                let name = key_text(&k).unwrap_or_default();
                match find_key(into, &name).and_then(|key| into.get_mut(&key)) {
                    Some(existing) => merge(existing, v),
                    None => {
                        into.insert(k, v);
                    }
                }
            }
        }
        (node, value) => *node = value,
    }
}

fn update(doc: &mut Value, segments: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent_at)) = segments.split_last() else {
        merge(doc, value);
        return Ok(());
    };
    let parent = resolve_mut(doc, parent_at)?;
    match parent {
        Value::Mapping(map) => match find_key(map, last).and_then(|key| map.get_mut(&key)) {
            Some(existing) => merge(existing, value),
            None => {
                map.insert(Value::String(last.clone()), value);
            }
        },
        Value::Sequence(items) if last == "-" => items.push(value),
        Value::Sequence(items) => {
            let len = items.len();
            let existing = index(last).and_then(|i| items.get_mut(i)).ok_or_else(|| {
                format!(
                    "{} has {len} items: `{last}` is not one of them (use `-` to append)",
                    render(parent_at)
                )
            })?;
            merge(existing, value);
        }
        other => {
            return Err(format!(
                "{} is {}, not a mapping or a sequence, so nothing can be set inside it",
                render(parent_at),
                kind(other)
            ));
        }
    }
    Ok(())
}

fn remove(doc: &mut Value, segments: &[String]) -> Result<(), String> {
    let Some((last, parent_at)) = segments.split_last() else {
        return Err("the whole document cannot be removed".to_owned());
    };
    let missing = || {
        format!(
            "{} does not exist in the slice, so it cannot be removed (upstream changed shape: look at this action)",
            render(segments)
        )
    };
    match resolve_mut(doc, parent_at)? {
        Value::Mapping(map) => {
            let key = find_key(map, last).ok_or_else(missing)?;
            map.shift_remove(&key);
        }
        Value::Sequence(items) => {
            let i = index(last)
                .filter(|i| *i < items.len())
                .ok_or_else(missing)?;
            items.remove(i);
        }
        _ => return Err(missing()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).expect("test yaml")
    }

    fn local(text: &str) -> Result<Local, String> {
        Local::parse(&Input {
            origin: "local.yaml".to_owned(),
            text: text.to_owned(),
        })
    }

    fn applied(doc: &str, actions: &str) -> Result<Value, String> {
        let mut doc = yaml(doc);
        local(actions)?.apply(&mut doc)?;
        Ok(doc)
    }

    const DOC: &str = "
info: {title: t, version: v1.0}
servers: [{url: 'https://a'}, {url: 'https://b'}]
paths:
  /x/{id}:
    get:
      responses:
        '200': {description: OK, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    S:
      type: object
      properties:
        a: {type: string, enum: [A, B]}
        b: {type: integer}
";

    #[test]
    fn update_creates_a_missing_key_whose_parent_exists() {
        let doc = applied(
            DOC,
            "actions:\n- {target: /components/schemas/S/properties/a/format, update: password, why: secret}\n- {target: /info/description, update: made here, why: says what it is}",
        )
        .expect("applies");
        assert_eq!(
            doc["components"]["schemas"]["S"]["properties"]["a"]["format"],
            "password"
        );
        assert_eq!(doc["info"]["description"], "made here");
        assert_eq!(doc["info"]["title"], "t", "siblings stay");
        // A created key goes after the existing ones.
        let keys: Vec<&str> = doc["info"]
            .as_mapping()
            .expect("info")
            .keys()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(keys, ["title", "version", "description"]);
    }

    #[test]
    fn update_deep_merges_mappings_and_replaces_everything_else() {
        let doc = applied(
            DOC,
            "actions:
- target: /components/schemas/S
  update:
    properties:
      a: {description: the a, enum: [C]}
      c: {type: boolean}
    required: [a]
  why: merged
",
        )
        .expect("applies");
        let s = &doc["components"]["schemas"]["S"];
        assert_eq!(s["type"], "object", "untouched key kept");
        assert_eq!(s["properties"]["a"]["type"], "string", "nested key kept");
        assert_eq!(
            s["properties"]["a"]["description"], "the a",
            "nested key added"
        );
        assert_eq!(
            s["properties"]["a"]["enum"],
            yaml("[C]"),
            "an array replaces"
        );
        assert_eq!(s["properties"]["b"]["type"], "integer");
        assert_eq!(s["properties"]["c"]["type"], "boolean");
        assert_eq!(s["required"], yaml("[a]"));
    }

    #[test]
    fn update_replaces_an_array_whole() {
        let doc = applied(
            DOC,
            "actions:\n- target: /servers\n  update: [{url: 'https://c', description: C}]\n  why: ours",
        )
        .expect("applies");
        assert_eq!(doc["servers"], yaml("[{url: 'https://c', description: C}]"));
        let doc = applied(
            DOC,
            "actions:\n- {target: /servers/-, update: {url: 'https://c'}, why: appended}\n- {target: /servers/0/description, update: first, why: described}",
        )
        .expect("applies");
        assert_eq!(
            doc["servers"],
            yaml(
                "[{url: 'https://a', description: first}, {url: 'https://b'}, {url: 'https://c'}]"
            )
        );
    }

    #[test]
    fn remove_deletes_the_target_and_keeps_the_order_of_the_rest() {
        let doc = applied(
            DOC,
            "actions:\n- {target: /info/title, remove: true, why: gone}\n- {target: /servers/0, remove: true, why: gone too}",
        )
        .expect("applies");
        assert!(doc["info"].get("title").is_none());
        assert_eq!(doc["info"]["version"], "v1.0");
        assert_eq!(doc["servers"], yaml("[{url: 'https://b'}]"));
        let doc = applied(
            "m: {a: 1, b: 2, c: 3}",
            "actions: [{target: /m/a, remove: true, why: w}]",
        )
        .expect("applies");
        let keys: Vec<&str> = doc["m"]
            .as_mapping()
            .expect("m")
            .keys()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(keys, ["b", "c"]);
    }

    #[test]
    fn escapes_name_slashes_and_tildes() {
        let doc = applied(
            DOC,
            "actions:
- target: /paths/~1x~1{id}/get/responses/200/content/application~1json/example
  update: {a: 1}
  why: an example
- target: /info/x~0y
  update: tilde
  why: tilde key
",
        )
        .expect("applies");
        assert_eq!(
            doc["paths"]["/x/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
                ["a"],
            1
        );
        assert_eq!(doc["info"]["x~y"], "tilde");
        assert_eq!(pointer("/a~01/b~10").expect("valid"), ["a~1", "b/0"]);
        assert!(pointer("/a~2").expect_err("bad escape").contains("`~2`"));
        assert!(
            pointer("a/b")
                .expect_err("no slash")
                .contains("start with `/`")
        );
        assert_eq!(pointer("").expect("root"), Vec::<String>::new());
    }

    #[test]
    fn numeric_keys_of_the_local_file_match_quoted_keys_of_the_slice() {
        let doc = applied(
            DOC,
            "actions:\n- target: /paths/~1x~1{id}/get/responses\n  update: {200: {description: Fine}}\n  why: merge by text",
        )
        .expect("applies");
        let responses = doc["paths"]["/x/{id}"]["get"]["responses"]
            .as_mapping()
            .expect("responses");
        assert_eq!(responses.len(), 1, "{responses:?}");
        assert_eq!(responses["200"]["description"], "Fine");
        assert!(responses["200"].get("content").is_some());
    }

    fn error(actions: &str) -> String {
        applied(DOC, actions).expect_err("an error")
    }

    fn names(e: &str, index: usize, target: &str) {
        assert!(
            e.starts_with("local.yaml: ") && e.contains(&format!("actions[{index}]")),
            "names the file and index: {e}"
        );
        assert!(e.contains(target), "names the target {target}: {e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }

    #[test]
    fn a_missing_parent_is_an_error_naming_the_index_the_target_and_what_is_missing() {
        let e = error(
            "actions:\n- {target: /info/title, update: ok, why: fine}\n- {target: /components/schemas/Gone/properties/x/description, update: d, why: w}",
        );
        names(&e, 1, "/components/schemas/Gone/properties/x/description");
        assert!(
            e.contains("/components/schemas/Gone does not exist"),
            "says what is missing: {e}"
        );
        let e = error("actions:\n- {target: /info/title/x, update: d, why: w}");
        names(&e, 0, "/info/title/x");
        assert!(e.contains("/info/title is a string"), "{e}");
        let e = error("actions:\n- {target: /servers/7/description, update: d, why: w}");
        names(&e, 0, "/servers/7/description");
        assert!(e.contains("/servers/7 does not exist"), "{e}");
    }

    #[test]
    fn removing_a_missing_target_is_an_error() {
        let e = error("actions:\n- {target: /info/contact, remove: true, why: w}");
        names(&e, 0, "/info/contact");
        assert!(e.contains("cannot be removed"), "{e}");
        let e = error("actions:\n- {target: /servers/2, remove: true, why: w}");
        names(&e, 0, "/servers/2");
    }

    #[test]
    fn an_action_needs_exactly_one_of_update_and_remove_and_a_why() {
        let e = error(
            "actions:\n- {target: /info/title, update: x, why: w}\n- {target: /info/title, why: w}",
        );
        names(&e, 1, "/info/title");
        assert!(e.contains("neither `update` nor `remove`"), "{e}");
        let e = error("actions:\n- {target: /info/title, update: x, remove: true, why: w}");
        names(&e, 0, "/info/title");
        assert!(e.contains("both `update` and `remove`"), "{e}");
        let e = error("actions:\n- {target: /info/title, update: x}");
        names(&e, 0, "/info/title");
        assert!(e.contains("no `why`"), "{e}");
        let e = error("actions:\n- {target: /info/title, update: x, why: '  '}");
        assert!(e.contains("no `why`"), "{e}");
        let e = error("actions:\n- {target: /info/title, remove: false, why: w}");
        names(&e, 0, "/info/title");
        assert!(e.contains("`remove` must be `true`"), "{e}");
        let e = error("actions:\n- {target: /info/title, udpate: x, why: w}");
        names(&e, 0, "/info/title");
        assert!(e.contains("unknown key `udpate`"), "{e}");
        let e = error("actions:\n- {update: x, why: w}");
        assert!(e.contains("actions[0]") && e.contains("no `target`"), "{e}");
        let e = error("actions:\n- {target: info/title, update: x, why: w}");
        names(&e, 0, "info/title");
        let e = error("acts: []");
        assert!(e.contains("unknown top-level key `acts`"), "{e}");
    }

    #[test]
    fn an_empty_file_has_no_actions() {
        assert!(local("actions: []").expect("parses").actions.is_empty());
        assert!(local("actions:").expect("parses").actions.is_empty());
        assert!(local("# nothing yet\n").expect("parses").actions.is_empty());
        let e = local("actions: [\n").expect_err("not yaml");
        assert!(e.starts_with("local.yaml:"), "{e}");
    }
}
