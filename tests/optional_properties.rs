//! Every optional property the fragment has, in three states: absent, `null` and a value.
//! The properties are read from `openapi/tokens.yaml` (the 200 and 400 examples hold each
//! of them), so a property added to the fragment is covered with no edit here. Absent and
//! `null` must read the same (Go servers send `null` for nil pointers and slices); a value
//! must read differently; nothing may fail. Exhaustively per property, then in random
//! combinations under several fixed, printed seeds.

use astro_tokens::generated::types::{ApiTokensPaginated, Error as ErrorBody};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;

const SEEDS: [u64; 4] = [1, 2, 3, 20_261_206];

fn fragment() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/tokens.yaml");
    let text = std::fs::read_to_string(path).expect("the fragment");
    serde_yaml::from_str(&text).expect("the fragment is YAML")
}

fn schema<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    &doc["components"]["schemas"][name]
}

/// JSON pointers (into `example`) of every optional property of `schema`, recursively
/// through `$ref`s and arrays, that the example holds.
fn optional_pointers(
    doc: &Value,
    schema_value: &Value,
    example: &Value,
    at: &str,
    out: &mut Vec<String>,
) {
    let schema_value = match schema_value.get("$ref").and_then(Value::as_str) {
        Some(reference) => schema(doc, reference),
        None => schema_value,
    };
    if let Some(items) = schema_value.get("items") {
        for (i, item) in example.as_array().into_iter().flatten().enumerate() {
            optional_pointers(doc, items, item, &format!("{at}/{i}"), out);
        }
        return;
    }
    let required: Vec<&str> = schema_value["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, property) in schema_value["properties"].as_object().into_iter().flatten() {
        let Some(value) = example.get(name) else {
            continue;
        };
        let pointer = format!("{at}/{name}");
        if !required.contains(&name.as_str()) {
            out.push(pointer.clone());
        }
        optional_pointers(doc, property, value, &pointer, out);
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Absent,
    Null,
    Value,
}

/// `example` with the property at each pointer put in its state.
fn with_states(example: &Value, states: &[(String, State)]) -> Value {
    let mut body = example.clone();
    for (pointer, state) in states {
        let (parent, name) = pointer.rsplit_once('/').expect("a pointer");
        let Some(object) = body.pointer_mut(parent).and_then(Value::as_object_mut) else {
            continue; // Its parent is absent or null in this combination.
        };
        match state {
            State::Absent => {
                object.remove(name);
            }
            State::Null => {
                object.insert(name.to_owned(), Value::Null);
            }
            State::Value => {}
        }
    }
    body
}

/// How a body parses: its `Debug` text, or serde's error.
type Parse = fn(&Value) -> Result<String, String>;

/// Both examples: (what it is, the body, its optional properties, how it parses).
fn cases() -> Vec<(&'static str, Value, Vec<String>, Parse)> {
    let doc = fragment();
    let responses = &doc["paths"]["/organizations/{organizationId}/tokens"]["get"]["responses"];
    let page = fn_page as Parse;
    let error = fn_error as Parse;
    let mut out = Vec::new();
    for (status, what, parse) in [("200", "a page", page), ("400", "an error", error)] {
        let media = &responses[status]["content"]["application/json"];
        let example = media["example"].clone();
        let mut pointers = Vec::new();
        optional_pointers(&doc, &media["schema"], &example, "", &mut pointers);
        out.push((what, example, pointers, parse));
    }
    out
}

fn fn_page(body: &Value) -> Result<String, String> {
    serde_json::from_value::<ApiTokensPaginated>(body.clone())
        .map(|page| format!("{page:?}"))
        .map_err(|e| e.to_string())
}

fn fn_error(body: &Value) -> Result<String, String> {
    serde_json::from_value::<ErrorBody>(body.clone())
        .map(|error| format!("{error:?}"))
        .map_err(|e| e.to_string())
}

#[test]
fn the_examples_hold_every_optional_property_of_the_fragment() {
    let cases = cases();
    let all: Vec<&String> = cases
        .iter()
        .flat_map(|(_, _, pointers, _)| pointers)
        .collect();
    // The token's optional properties, its subject's and its roles', and the error's.
    for expected in [
        "/tokens/0/createdBy",
        "/tokens/0/roles",
        "/tokens/0/token",
        "/tokens/0/createdBy/subjectType",
        "/tokens/0/roles/0/deploymentId",
        "/fieldErrors",
    ] {
        assert!(
            all.iter().any(|p| p.as_str() == expected),
            "{expected} not covered: {all:?}"
        );
    }
    assert!(all.len() >= 15, "{all:?}");
}

#[test]
fn each_optional_property_reads_null_as_absent_and_a_value_as_itself() {
    for (what, example, pointers, parse) in cases() {
        for pointer in &pointers {
            let read = |state| {
                parse(&with_states(&example, &[(pointer.clone(), state)]))
                    .unwrap_or_else(|e| panic!("{what}, {pointer} {state:?}: {e}"))
            };
            let (absent, null, value) =
                (read(State::Absent), read(State::Null), read(State::Value));
            assert_eq!(absent, null, "{what}: {pointer} null must read as absent");
            assert_ne!(
                absent, value,
                "{what}: {pointer} given must read differently from absent"
            );
        }
    }
}

#[test]
fn any_combination_of_states_reads_and_null_always_equals_absent() {
    for (what, example, pointers, parse) in cases() {
        for seed in SEEDS {
            println!("{what}: seed {seed} (replay: change SEEDS to [{seed}])");
            let config = Config {
                cases: 128,
                rng_seed: RngSeed::Fixed(seed),
                failure_persistence: None,
                ..Config::default()
            };
            let states = proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(State::Absent),
                    proptest::strategy::Just(State::Null),
                    proptest::strategy::Just(State::Value),
                ],
                pointers.len(),
            );
            let outcome = TestRunner::new(config).run(&states, |states| {
                let named: Vec<(String, State)> = pointers.iter().cloned().zip(states).collect();
                let read = parse(&with_states(&example, &named)).map_err(|e| {
                    proptest::test_runner::TestCaseError::fail(format!("{named:?}: {e}"))
                })?;
                let nulls_removed: Vec<(String, State)> = named
                    .iter()
                    .map(|(p, s)| {
                        (
                            p.clone(),
                            if *s == State::Null { State::Absent } else { *s },
                        )
                    })
                    .collect();
                let absent = parse(&with_states(&example, &nulls_removed))
                    .map_err(proptest::test_runner::TestCaseError::fail)?;
                proptest::prop_assert_eq!(read, absent, "{:?}", named);
                Ok(())
            });
            if let Err(failure) = outcome {
                panic!("{what}, seed {seed}: {failure}");
            }
        }
    }
}
