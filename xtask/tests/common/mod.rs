//! Helpers shared by the tests: the real fragment as a `serde_yaml::Value`, and small
//! edit functions that make revision pairs out of it.
#![allow(dead_code)]

use serde_yaml::{Mapping, Value};

pub const PATH: &str = "/organizations/{organizationId}/tokens";
pub const OP: &str = "GET /organizations/{organizationId}/tokens";

pub fn fragment_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/tokens.yaml"
    ))
    .expect("the fragment is readable")
}

pub fn fragment() -> Value {
    serde_yaml::from_str(&fragment_text()).expect("the fragment is YAML")
}

pub fn yaml(v: &Value) -> String {
    serde_yaml::to_string(v).expect("serializable")
}

pub fn op(v: &mut Value) -> &mut Value {
    &mut v["paths"][PATH]["get"]
}

pub fn params(v: &mut Value) -> &mut Vec<Value> {
    op(v)["parameters"].as_sequence_mut().expect("parameters")
}

pub fn param<'v>(v: &'v mut Value, name: &str) -> &'v mut Value {
    params(v)
        .iter_mut()
        .find(|p| p["name"].as_str() == Some(name))
        .expect("parameter exists")
}

pub fn schema<'v>(v: &'v mut Value, name: &str) -> &'v mut Value {
    &mut v["components"]["schemas"][name]
}

pub fn prop<'v>(v: &'v mut Value, component: &str, name: &str) -> &'v mut Value {
    &mut schema(v, component)["properties"][name]
}

pub fn props<'v>(v: &'v mut Value, component: &str) -> &'v mut Mapping {
    schema(v, component)["properties"]
        .as_mapping_mut()
        .expect("properties")
}

pub fn seq(v: &mut Value) -> &mut Vec<Value> {
    v.as_sequence_mut().expect("a sequence")
}

pub fn remove_str(list: &mut Value, item: &str) {
    seq(list).retain(|x| x.as_str() != Some(item));
}

pub fn push_str(list: &mut Value, item: &str) {
    seq(list).push(Value::from(item));
}

pub fn parse(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}
