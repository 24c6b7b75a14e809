//! The revision corpus: each case edits the real `openapi/tokens.yaml` (parsed as a
//! `serde_yaml::Value`, re-serialized, so every case is also a reformat) and asserts the
//! exact rule ids found with both columns. Every implemented rule has a case.

mod common;

use common::*;
use serde_yaml::Value;
use xtask::spec_diff::{self, Impact, Input};

use Impact::{Breaking as B, Compatible as C, None as N};

type Edit = fn(&mut Value);

struct Case {
    name: &'static str,
    /// Applied to the OLD side (most cases leave it as the real fragment).
    old: Option<Edit>,
    new: Edit,
    /// (rule, location suffix, wire, rust_api), compared as a sorted list.
    expect: &'static [(&'static str, &'static str, Impact, Impact)],
}

fn run(case: &Case) -> spec_diff::Diff {
    let mut old = fragment();
    if let Some(edit) = case.old {
        edit(&mut old);
    }
    let mut new = old.clone();
    (case.new)(&mut new);
    let old_text = if case.old.is_some() {
        yaml(&old)
    } else {
        fragment_text()
    };
    let old_in = Input {
        origin: "old.yaml".into(),
        text: old_text,
    };
    let new_in = Input {
        origin: "new.yaml".into(),
        text: yaml(&new),
    };
    match spec_diff::compare_texts(&old_in, &new_in, false) {
        Ok(outcome) => outcome.diff,
        Err(e) => panic!("{}: comparison failed: {e}", case.name),
    }
}

fn check(case: &Case) {
    let diff = run(case);
    let mut got: Vec<(String, String, Impact, Impact)> = diff
        .changes
        .iter()
        .map(|c| (c.rule.clone(), c.location.clone(), c.wire, c.rust_api))
        .collect();
    got.sort();
    let mut want: Vec<(&str, &str, Impact, Impact)> = case.expect.to_vec();
    want.sort();
    let matches = got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|(g, w)| g.0 == w.0 && g.1.ends_with(w.1) && g.2 == w.2 && g.3 == w.3);
    assert!(
        matches,
        "case `{}`:\n  got  {got:#?}\n  want {want:#?}",
        case.name
    );
    assert_eq!(
        diff.wire_breaking(),
        want.iter().any(|w| w.2 == B),
        "{}: wire verdict",
        case.name
    );
    assert_eq!(
        diff.rust_api_breaking(),
        want.iter().any(|w| w.3 == B),
        "{}: rust_api verdict",
        case.name
    );
    for c in &diff.changes {
        assert!(
            !c.message.is_empty(),
            "{}: every change explains itself",
            case.name
        );
    }
}

const BODY: &str = "{required: true, content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}, note: {type: string}, level: {type: integer, maximum: 5}}}}}}";

fn cases() -> Vec<Case> {
    vec![
        // ---- no-ops: formatting, order, documentation ----
        Case {
            name: "reserialized_yaml_reports_nothing",
            old: None,
            new: |_| {},
            expect: &[],
        },
        Case {
            name: "reordered_parameters_enum_values_required_and_properties_report_nothing",
            old: None,
            new: |v| {
                params(v).reverse();
                seq(&mut param(v, "sorts")["schema"]["items"]["enum"]).reverse();
                seq(&mut schema(v, "ApiToken")["required"]).reverse();
                let reversed: serde_yaml::Mapping = {
                    let mut pairs: Vec<(Value, Value)> =
                        props(v, "ApiToken").clone().into_iter().collect();
                    pairs.reverse();
                    pairs.into_iter().collect()
                };
                *props(v, "ApiToken") = reversed;
            },
            expect: &[],
        },
        Case {
            name: "description_summary_and_example_edits_report_nothing",
            old: None,
            new: |v| {
                op(v)["summary"] = "Lists tokens".into();
                op(v)["description"] = "Other words.".into();
                param(v, "limit")["description"] = "Page size".into();
                prop(v, "ApiToken", "id")["description"] = "ID".into();
                prop(v, "ApiToken", "id")["example"] = "x".into();
                v["info"]["description"] = "changed".into();
            },
            expect: &[],
        },
        // ---- parameters ----
        Case {
            name: "optional_param_added_is_compatible",
            old: None,
            new: |v| params(v).push(parse("{name: search, in: query, schema: {type: string}}")),
            expect: &[("param.added", "param search", C, C)],
        },
        Case {
            name: "required_param_added_breaks_both",
            old: None,
            new: |v| {
                params(v).push(parse(
                    "{name: region, in: query, required: true, schema: {type: string}}",
                ))
            },
            expect: &[("param.added.required", "param region", B, B)],
        },
        Case {
            name: "param_removed_breaks_both",
            old: None,
            new: |v| params(v).retain(|p| p["name"].as_str() != Some("dagId")),
            expect: &[("param.removed", "param dagId", B, B)],
        },
        Case {
            name: "query_param_renamed_is_one_rename_breaking_both",
            old: None,
            new: |v| param(v, "workspaceId")["name"] = "workspace".into(),
            expect: &[("param.renamed", "param workspaceId", B, B)],
        },
        Case {
            name: "path_param_renamed_is_wire_none_rust_breaking",
            old: None,
            new: |v| {
                let item = v["paths"]
                    .as_mapping_mut()
                    .expect("paths")
                    .remove(PATH)
                    .expect("path");
                v["paths"]["/organizations/{orgId}/tokens"] = item;
                v["paths"]["/organizations/{orgId}/tokens"]["get"]["parameters"][0]["name"] =
                    "orgId".into();
            },
            expect: &[("param.renamed", "param organizationId", N, B)],
        },
        Case {
            name: "param_made_required_breaks_both",
            old: None,
            new: |v| param(v, "workspaceId")["required"] = true.into(),
            expect: &[("param.required.added", "param workspaceId", B, B)],
        },
        Case {
            name: "param_made_optional_is_compatible",
            old: Some(|v| param(v, "workspaceId")["required"] = true.into()),
            new: |v| param(v, "workspaceId")["required"] = false.into(),
            expect: &[("param.required.removed", "param workspaceId", C, C)],
        },
        Case {
            name: "param_moved_to_header_breaks_the_wire_only",
            old: None,
            new: |v| param(v, "dagId")["in"] = "header".into(),
            expect: &[("param.in.changed", "param dagId", B, N)],
        },
        Case {
            name: "param_explode_changed_breaks_the_wire_only",
            old: None,
            new: |v| param(v, "dagTags")["explode"] = false.into(),
            expect: &[("param.style.changed", "param dagTags", B, N)],
        },
        Case {
            name: "param_deprecated_is_neutral",
            old: None,
            new: |v| param(v, "dagId")["deprecated"] = true.into(),
            expect: &[("param.deprecated.changed", "param dagId", N, N)],
        },
        // ---- request enums ----
        Case {
            name: "sort_value_removed_breaks_both",
            old: None,
            new: |v| {
                remove_str(
                    &mut param(v, "sorts")["schema"]["items"]["enum"],
                    "tokenStartAt:desc",
                )
            },
            expect: &[("request.enum.value.removed", "param sorts[]", B, B)],
        },
        Case {
            name: "sort_value_added_is_compatible",
            old: None,
            new: |v| {
                push_str(
                    &mut param(v, "sorts")["schema"]["items"]["enum"],
                    "lastUsedAt:asc",
                )
            },
            expect: &[("request.enum.value.added", "param sorts[]", C, C)],
        },
        Case {
            name: "kind_value_added_and_removed",
            old: None,
            new: |v| {
                remove_str(&mut param(v, "kind")["schema"]["enum"], "DIRECT_ACCESS");
                push_str(&mut param(v, "kind")["schema"]["enum"], "SERVICE");
            },
            expect: &[
                ("request.enum.value.removed", "param kind", B, B),
                ("request.enum.value.added", "param kind", C, C),
            ],
        },
        Case {
            name: "enum_added_to_free_string_param_breaks_both",
            old: None,
            new: |v| param(v, "dagId")["schema"]["enum"] = parse("[a, b]"),
            expect: &[("schema.enum.added", "param dagId", B, B)],
        },
        // ---- response enums (open) ----
        Case {
            name: "response_enum_value_added_is_compatible_thanks_to_open_enums",
            old: None,
            new: |v| push_str(&mut prop(v, "ApiToken", "kind")["enum"], "SERVICE"),
            expect: &[(
                "response.enum.value.added",
                "ApiTokensPaginated.tokens[].kind",
                C,
                C,
            )],
        },
        Case {
            name: "nested_response_enum_value_removed_is_wire_compatible_rust_breaking",
            old: None,
            new: |v| {
                remove_str(
                    &mut prop(v, "ApiTokenRole", "entityType")["enum"],
                    "DAG_TAG",
                )
            },
            expect: &[(
                "response.enum.value.removed",
                "ApiTokensPaginated.tokens[].roles[].entityType",
                C,
                B,
            )],
        },
        Case {
            name: "response_enum_dropped_to_string_breaks_rust_only",
            old: None,
            new: |v| {
                let p = prop(v, "BasicSubjectProfile", "subjectType");
                p.as_mapping_mut().expect("map").remove("enum");
            },
            expect: &[(
                "schema.enum.removed",
                "tokens[].createdBy.subjectType",
                C,
                B,
            )],
        },
        // ---- response properties ----
        Case {
            name: "response_property_added_is_compatible",
            old: None,
            new: |v| {
                props(v, "ApiToken").insert("scopes".into(), parse("{type: string}"));
            },
            expect: &[("response.property.added", "tokens[].scopes", C, C)],
        },
        Case {
            name: "required_response_property_removed_breaks_both",
            old: None,
            new: |v| {
                props(v, "ApiToken").remove("shortToken");
                remove_str(&mut schema(v, "ApiToken")["required"], "shortToken");
            },
            expect: &[("response.property.removed", "tokens[].shortToken", B, B)],
        },
        Case {
            name: "optional_response_property_removed_breaks_rust_only",
            old: None,
            new: |v| {
                props(v, "ApiToken").remove("token");
            },
            expect: &[("response.property.removed", "tokens[].token", C, B)],
        },
        Case {
            name: "response_property_made_optional_breaks_both",
            old: None,
            new: |v| remove_str(&mut schema(v, "ApiToken")["required"], "description"),
            expect: &[(
                "response.property.required.removed",
                "tokens[].description",
                B,
                B,
            )],
        },
        Case {
            name: "response_property_made_required_breaks_rust_only",
            old: None,
            new: |v| push_str(&mut schema(v, "ApiToken")["required"], "token"),
            expect: &[("response.property.required.added", "tokens[].token", C, B)],
        },
        Case {
            name: "response_property_made_nullable_breaks_both",
            old: None,
            new: |v| prop(v, "ApiToken", "name")["nullable"] = true.into(),
            expect: &[("schema.nullable.added", "tokens[].name", B, B)],
        },
        // ---- types, formats, ranges, defaults ----
        Case {
            name: "response_type_changed_breaks_both",
            old: None,
            new: |v| prop(v, "ApiTokensPaginated", "totalCount")["type"] = "string".into(),
            expect: &[("schema.type.changed", "ApiTokensPaginated.totalCount", B, B)],
        },
        Case {
            name: "array_item_type_changed_breaks_both",
            old: None,
            new: |v| param(v, "dagTags")["schema"]["items"]["type"] = "integer".into(),
            expect: &[("schema.type.changed", "param dagTags[]", B, B)],
        },
        Case {
            name: "response_format_removed_breaks_both",
            old: None,
            new: |v| {
                prop(v, "ApiToken", "createdAt")
                    .as_mapping_mut()
                    .expect("map")
                    .remove("format");
            },
            expect: &[("schema.format.changed", "tokens[].createdAt", B, B)],
        },
        Case {
            name: "request_format_added_breaks_both",
            old: None,
            new: |v| param(v, "workspaceId")["schema"]["format"] = "uuid".into(),
            expect: &[("schema.format.changed", "param workspaceId", B, B)],
        },
        Case {
            name: "limit_maximum_lowered_breaks_the_wire",
            old: None,
            new: |v| param(v, "limit")["schema"]["maximum"] = 500.into(),
            expect: &[("schema.maximum.lowered", "param limit", B, N)],
        },
        Case {
            name: "limit_maximum_raised_is_compatible",
            old: None,
            new: |v| param(v, "limit")["schema"]["maximum"] = 5000.into(),
            expect: &[("schema.maximum.raised", "param limit", C, N)],
        },
        Case {
            name: "offset_minimum_removed_widens_the_wire_but_changes_u64_to_i64",
            old: None,
            new: |v| {
                param(v, "offset")["schema"]
                    .as_mapping_mut()
                    .expect("map")
                    .remove("minimum");
            },
            expect: &[("schema.minimum.removed", "param offset", C, B)],
        },
        Case {
            name: "offset_minimum_raised_breaks_the_wire",
            old: None,
            new: |v| param(v, "offset")["schema"]["minimum"] = 10.into(),
            expect: &[("schema.minimum.raised", "param offset", B, B)],
        },
        Case {
            name: "limit_default_changed_is_compatible",
            old: None,
            new: |v| param(v, "limit")["schema"]["default"] = 50.into(),
            expect: &[("schema.default.changed", "param limit", C, N)],
        },
        Case {
            name: "shared_error_schema_change_is_reported_once",
            old: None,
            new: |v| prop(v, "Error", "statusCode")["maximum"] = 599.into(),
            expect: &[(
                "schema.maximum.lowered",
                "response 400 Error.statusCode",
                C,
                N,
            )],
        },
        Case {
            name: "self_referencing_schema_terminates",
            old: Some(|v| {
                props(v, "ApiTokenRole").insert(
                    "children".into(),
                    parse("{type: array, items: {$ref: '#/components/schemas/ApiTokenRole'}}"),
                );
            }),
            new: |v| remove_str(&mut prop(v, "ApiTokenRole", "entityType")["enum"], "DAG"),
            expect: &[(
                "response.enum.value.removed",
                "tokens[].roles[].entityType",
                C,
                B,
            )],
        },
        Case {
            name: "component_renamed_breaks_rust_only",
            old: None,
            new: |v| {
                let s = v["components"]["schemas"]
                    .as_mapping_mut()
                    .expect("schemas");
                let profile = s.remove("BasicSubjectProfile").expect("component");
                s.insert("SubjectProfile".into(), profile);
                for p in ["createdBy", "updatedBy"] {
                    prop(v, "ApiToken", p)["$ref"] = "#/components/schemas/SubjectProfile".into();
                }
            },
            expect: &[
                ("schema.name.changed", "tokens[].createdBy", N, B),
                ("schema.name.changed", "tokens[].updatedBy", N, B),
            ],
        },
        // ---- operations, paths, responses, servers, security ----
        Case {
            name: "operation_id_renamed_breaks_rust_only",
            old: None,
            new: |v| op(v)["operationId"] = "ListTokens".into(),
            expect: &[("operation.id.changed", OP, N, B)],
        },
        Case {
            name: "path_changed_breaks_the_wire_only",
            old: None,
            new: |v| {
                let item = v["paths"]
                    .as_mapping_mut()
                    .expect("paths")
                    .remove(PATH)
                    .expect("path");
                v["paths"]["/organizations/{organizationId}/api-tokens"] = item;
            },
            expect: &[("path.changed", OP, B, N)],
        },
        Case {
            name: "operation_removed_and_added",
            old: None,
            new: |v| {
                let item = v["paths"]
                    .as_mapping_mut()
                    .expect("paths")
                    .remove(PATH)
                    .expect("path");
                v["paths"]["/tokens"] = item;
                v["paths"]["/tokens"]["get"]["operationId"] = "Other".into();
            },
            expect: &[
                ("operation.removed", OP, B, B),
                ("operation.added", "GET /tokens", C, C),
            ],
        },
        Case {
            name: "error_status_removed_is_compatible",
            old: None,
            new: |v| {
                op(v)["responses"]
                    .as_mapping_mut()
                    .expect("responses")
                    .remove("404");
            },
            expect: &[("response.status.removed", "response 404", C, N)],
        },
        Case {
            name: "success_status_replaced_breaks_both",
            old: None,
            new: |v| {
                let r = op(v)["responses"].as_mapping_mut().expect("responses");
                let ok = r.remove("200").expect("200");
                r.insert("201".into(), ok);
            },
            expect: &[
                ("response.status.removed", "response 200", B, B),
                ("response.status.added", "response 201", B, B),
            ],
        },
        Case {
            name: "error_status_added_is_compatible",
            old: None,
            new: |v| {
                op(v)["responses"]["429"] = parse("{$ref: '#/components/responses/BadRequest'}")
            },
            expect: &[("response.status.added", "response 429", C, C)],
        },
        Case {
            name: "response_media_type_replaced",
            old: None,
            new: |v| {
                let c = op(v)["responses"]["200"]["content"]
                    .as_mapping_mut()
                    .expect("content");
                let json = c.remove("application/json").expect("json");
                c.insert("application/x-ndjson".into(), json);
            },
            expect: &[
                ("media_type.removed", "response 200", B, B),
                ("media_type.added", "response 200", C, C),
            ],
        },
        Case {
            name: "server_removed_breaks_the_wire",
            old: None,
            new: |v| {
                seq(&mut v["servers"]).remove(1);
            },
            expect: &[("server.removed", "servers", B, N)],
        },
        Case {
            name: "server_added_is_compatible",
            old: None,
            new: |v| {
                seq(&mut v["servers"]).push(parse("{url: 'https://eu.api.astronomer.io/v1beta1'}"))
            },
            expect: &[("server.added", "servers", C, N)],
        },
        Case {
            name: "security_requirement_changed_breaks_the_wire",
            old: None,
            new: |v| {
                v["components"]["securitySchemes"]["ApiKey"] =
                    parse("{type: apiKey, in: header, name: X-Key}");
                op(v)["security"] = parse("[{ApiKey: []}]");
            },
            expect: &[("security.changed", "security", B, N)],
        },
        Case {
            name: "security_alternative_added_is_compatible",
            old: None,
            new: |v| {
                v["components"]["securitySchemes"]["ApiKey"] =
                    parse("{type: apiKey, in: header, name: X-Key}");
                op(v)["security"] = parse("[{BearerAuth: []}, {ApiKey: []}]");
            },
            expect: &[("security.alternative.added", "security", C, N)],
        },
        Case {
            name: "security_scheme_changed_breaks_the_wire",
            old: None,
            new: |v| v["components"]["securitySchemes"]["BearerAuth"]["scheme"] = "basic".into(),
            expect: &[("security.scheme.changed", "BearerAuth", B, N)],
        },
        Case {
            name: "operation_deprecated_is_neutral",
            old: None,
            new: |v| op(v)["deprecated"] = true.into(),
            expect: &[("operation.deprecated.changed", OP, N, N)],
        },
        // ---- less common schema rules ----
        Case {
            name: "request_pattern_added_breaks_the_wire_and_the_rust_type",
            old: None,
            new: |v| param(v, "dagId")["schema"]["pattern"] = "^[a-z]+$".into(),
            expect: &[("schema.pattern.changed", "param dagId", B, B)],
        },
        Case {
            name: "request_max_length_added_breaks_the_wire_and_makes_a_newtype",
            old: None,
            new: |v| param(v, "dagId")["schema"]["maxLength"] = 64.into(),
            expect: &[("schema.maxLength.added", "param dagId", B, B)],
        },
        Case {
            name: "request_max_items_added_breaks_the_wire",
            old: None,
            new: |v| param(v, "dagTags")["schema"]["maxItems"] = 10.into(),
            expect: &[("schema.maxItems.added", "param dagTags", B, N)],
        },
        Case {
            name: "response_nullable_removed_is_wire_compatible",
            old: Some(|v| prop(v, "ApiToken", "name")["nullable"] = true.into()),
            new: |v| prop(v, "ApiToken", "name")["nullable"] = false.into(),
            expect: &[("schema.nullable.removed", "tokens[].name", C, B)],
        },
        Case {
            name: "array_items_removed_breaks_both",
            old: None,
            new: |v| {
                param(v, "dagTags")["schema"]
                    .as_mapping_mut()
                    .expect("map")
                    .remove("items");
            },
            expect: &[("schema.items.changed", "param dagTags[]", B, B)],
        },
        Case {
            name: "one_of_member_added_breaks_both",
            old: Some(|v| *prop(v, "ApiTokenRole", "role") = parse("{oneOf: [{type: string}]}")),
            new: |v| {
                *prop(v, "ApiTokenRole", "role") =
                    parse("{oneOf: [{type: string}, {type: integer}]}")
            },
            expect: &[("schema.composition.changed", "tokens[].roles[].role", B, B)],
        },
        Case {
            name: "additional_properties_changed_breaks_both",
            old: None,
            new: |v| schema(v, "FieldValidationError")["additionalProperties"] = false.into(),
            expect: &[(
                "schema.additionalProperties.changed",
                "response 400 Error.fieldErrors[]",
                B,
                B,
            )],
        },
        Case {
            name: "param_schema_replaced_by_content_breaks_both",
            old: None,
            new: |v| {
                let p = param(v, "dagId").as_mapping_mut().expect("map");
                p.remove("schema");
                p.insert(
                    "content".into(),
                    parse("{application/json: {schema: {type: string}}}"),
                );
            },
            expect: &[("param.serialization.changed", "param dagId", B, B)],
        },
        // ---- request bodies (none in the fragment: the OLD side gets one) ----
        Case {
            name: "required_request_body_added_breaks_both",
            old: None,
            new: |v| op(v)["requestBody"] = parse(BODY),
            expect: &[("request_body.added", "request body", B, B)],
        },
        Case {
            name: "request_body_removed_breaks_both",
            old: Some(|v| op(v)["requestBody"] = parse(BODY)),
            new: |v| {
                op(v).as_mapping_mut().expect("map").remove("requestBody");
            },
            expect: &[("request_body.removed", "request body", B, B)],
        },
        Case {
            name: "request_body_made_required_breaks_both",
            old: Some(|v| {
                op(v)["requestBody"] = parse(BODY);
                op(v)["requestBody"]["required"] = false.into();
            }),
            new: |v| op(v)["requestBody"]["required"] = true.into(),
            expect: &[("request_body.required.added", "request body", B, B)],
        },
        Case {
            name: "request_property_rules_use_request_variance",
            old: Some(|v| op(v)["requestBody"] = parse(BODY)),
            new: |v| {
                let body = &mut op(v)["requestBody"]["content"]["application/json"]["schema"];
                body["properties"]
                    .as_mapping_mut()
                    .expect("map")
                    .remove("note");
                body["properties"]["extra"] = parse("{type: string}");
                body["properties"]["mandatory"] = parse("{type: string}");
                body["required"] = parse("[mandatory, level]");
                body["properties"]["level"]["maximum"] = 3.into();
            },
            expect: &[
                ("request.property.removed", "request body.note", B, B),
                ("request.property.added", "request body.extra", C, C),
                ("request.property.added", "request body.mandatory", B, B),
                (
                    "request.property.required.added",
                    "request body.level",
                    B,
                    B,
                ),
                (
                    "request.property.required.removed",
                    "request body.name",
                    C,
                    B,
                ),
                ("schema.maximum.lowered", "request body.level", B, N),
            ],
        },
        Case {
            name: "request_media_type_removed_breaks_both",
            old: Some(|v| op(v)["requestBody"] = parse(BODY)),
            new: |v| {
                let c = op(v)["requestBody"]["content"]
                    .as_mapping_mut()
                    .expect("content");
                let json = c.remove("application/json").expect("json");
                c.insert("application/yaml".into(), json);
            },
            expect: &[
                ("media_type.removed", "request body", B, B),
                ("media_type.added", "request body", C, C),
            ],
        },
    ]
}

#[test]
fn corpus_has_at_least_25_cases_with_unique_names() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}

#[test]
fn every_corpus_case_reports_the_expected_rules_and_columns() {
    let mut failures = Vec::new();
    for case in cases() {
        if let Err(e) = std::panic::catch_unwind(|| check(&case)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_reformat_of_the_whole_file_reports_nothing() {
    let json = serde_json::to_string_pretty(&fragment()).expect("json");
    let outcome = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new.json".into(),
            text: json,
        },
        true,
    )
    .expect("both parse");
    assert!(
        outcome.diff.changes.is_empty(),
        "{:#?}",
        outcome.diff.changes
    );
    assert_eq!(outcome.rust.map(|s| s.is_empty()), Ok(true));
}

#[test]
fn shared_schema_change_names_the_other_use_sites() {
    let mut new = fragment();
    prop(&mut new, "Error", "statusCode")["maximum"] = 599.into();
    let outcome = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new".into(),
            text: yaml(&new),
        },
        false,
    )
    .expect("both parse");
    let msg = &outcome.diff.changes[0].message;
    for status in ["401", "403", "404", "500"] {
        assert!(msg.contains(&format!("response {status} Error")), "{msg}");
    }
}

#[test]
fn malformed_yaml_is_an_error_naming_file_and_line() {
    let bad = fragment_text().replacen("  version: v1beta1", "  version: [v1beta1", 1);
    let err = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "bad.yaml".into(),
            text: bad,
        },
        false,
    )
    .expect_err("bad YAML is rejected");
    assert!(err.starts_with("bad.yaml:"), "{err}");
    assert!(
        err.split(':')
            .nth(1)
            .is_some_and(|l| l.parse::<usize>().is_ok()),
        "{err}"
    );
}

#[test]
fn unresolved_ref_is_an_error_naming_the_file() {
    let mut new = fragment();
    prop(&mut new, "ApiToken", "createdBy")["$ref"] = "#/components/schemas/Missing".into();
    let err = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new.yaml".into(),
            text: yaml(&new),
        },
        false,
    )
    .expect_err("unresolved");
    assert!(err.contains("new.yaml") && err.contains("Missing"), "{err}");
}

/// The rules predict the Rust API effect; the generated code is the ground truth. For
/// every case both sides generate, a removed or changed public item must be explained by
/// a rule that says `rust_api: breaking` (otherwise `rust.generated.changed` appears).
#[test]
fn rule_predictions_agree_with_the_generated_code() {
    let mut problems = Vec::new();
    for case in cases() {
        let mut old = fragment();
        if let Some(edit) = case.old {
            edit(&mut old);
        }
        let mut new = old.clone();
        (case.new)(&mut new);
        let outcome = spec_diff::compare_texts(
            &Input {
                origin: "old".into(),
                text: yaml(&old),
            },
            &Input {
                origin: "new".into(),
                text: yaml(&new),
            },
            true,
        )
        .expect("both parse");
        if outcome.diff.rules().contains(&"rust.generated.changed") {
            problems.push(format!("{}: {:?}", case.name, outcome.rust));
        }
        if let Ok(summary) = &outcome.rust {
            let predicted_none = outcome
                .diff
                .changes
                .iter()
                .all(|c| c.rust_api == Impact::None);
            if predicted_none && !summary.is_empty() {
                problems.push(format!(
                    "{}: rules say no Rust effect, generated code says {summary:?}",
                    case.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
