//! The revision corpus: named edits of the real `openapi/tokens.yaml`, each with the exact
//! rule ids, locations and both columns the spec diff must report, and, where
//! cargo-semver-checks' verdict on the whole crate differs from our `rust_api` column,
//! the one-line reason why ([`Case::semver`]).
//!
//! The cases live in the library (not only in the tests) so that
//! `cargo xtask spec-diff --verify-corpus` can build the agreement table of
//! `docs/spec-diff.md` from the same data `tests/corpus.rs` asserts.
//!
//! Every case edits the parsed fragment (`serde_yaml::Value`) and re-serializes it, so
//! every case is also a reformat. An edit returns `None` when a node it needs is missing.

use serde_yaml::Value;

use super::Impact::{self, Breaking as B, Compatible as C, None as N};
use super::edit::*;

/// An edit of the parsed fragment; `None` when it does not apply.
pub type Edit = fn(&mut Value) -> Option<()>;

/// (rule, location suffix, wire, rust_api).
pub type Expect = (&'static str, &'static str, Impact, Impact);

/// Why cargo-semver-checks and our `rust_api` column disagree on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A change of behaviour that no lint can see: the code still compiles against the
    /// NEW crate but does something else (a required parameter now fails at `send()`,
    /// a field is parsed from another format, ...).
    Behaviour(&'static str),
    /// A change of the Rust API that cargo-semver-checks has no lint for (a field's type
    /// changes, `T` becomes `Option<T>`, ...).
    LintGap(&'static str),
}

impl Why {
    /// The category name used in the agreement table.
    pub fn kind(self) -> &'static str {
        match self {
            Why::Behaviour(_) => "behaviour change",
            Why::LintGap(_) => "lint gap",
        }
    }

    /// The reason itself.
    pub fn text(self) -> &'static str {
        match self {
            Why::Behaviour(t) | Why::LintGap(t) => t,
        }
    }
}

/// One revision pair.
pub struct Case {
    pub name: &'static str,
    /// Applied to the OLD side (most cases leave it as the real fragment, byte for byte).
    pub old: Option<Edit>,
    pub new: Edit,
    /// Compared as a sorted list; locations match by suffix.
    pub expect: &'static [Expect],
    /// When cargo-semver-checks' verdict (major / not major) differs from ours: why.
    pub semver: Option<Why>,
}

/// The fragment and its text, as the corpus edits them.
pub struct Fragment {
    pub text: String,
    pub value: Value,
}

impl Fragment {
    pub fn parse(text: String) -> Result<Self, String> {
        let value = serde_yaml::from_str(&text)
            .map_err(|e| format!("openapi/tokens.yaml: not YAML: {e}"))?;
        Ok(Self { text, value })
    }
}

impl Case {
    /// The OLD and NEW texts of the case.
    pub fn texts(&self, fragment: &Fragment) -> Result<(String, String), String> {
        let fail = |side| {
            format!(
                "corpus case `{}`: the {side} edit does not apply to openapi/tokens.yaml (a node it edits is missing)",
                self.name
            )
        };
        let mut old = fragment.value.clone();
        if let Some(edit) = self.old {
            edit(&mut old).ok_or_else(|| fail("OLD"))?;
        }
        let mut new = old.clone();
        (self.new)(&mut new).ok_or_else(|| fail("NEW"))?;
        let yaml = |v: &Value| serde_yaml::to_string(v).map_err(|e| format!("{}: {e}", self.name));
        let old_text = if self.old.is_some() {
            yaml(&old)?
        } else {
            fragment.text.clone()
        };
        Ok((old_text, yaml(&new)?))
    }
}

/// A request body used by the request-body cases (the fragment has none).
const BODY: &str = "{required: true, content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}, note: {type: string}, level: {type: integer, maximum: 5}}}}}}";

/// An inline object with an inline enum, nested in `ApiToken` (response direction).
const NESTED: &str =
    "{type: object, properties: {policy: {type: string, enum: [MANUAL, SCHEDULED]}}}";

/// An array of inline enum values in `ApiToken` (response direction).
const SCOPES: &str = "{type: array, items: {type: string, enum: [READ, WRITE]}}";

const REQUIRED_AT_SEND: Why = Why::Behaviour(
    "a required query parameter is a runtime check: code that never calls the setter still compiles and `send()` fails",
);

/// Every case, in report order.
pub fn cases() -> Vec<Case> {
    vec![
        // ---- no-ops: formatting, order, documentation ----
        Case {
            name: "reserialized_yaml_reports_nothing",
            old: None,
            new: |_| Some(()),
            expect: &[],
            semver: None,
        },
        Case {
            name: "reordered_parameters_required_and_properties_report_nothing",
            old: None,
            new: |v| {
                params(v)?.reverse();
                seq(required(v, "ApiToken")?)?.reverse();
                let props = props(v, "ApiToken")?;
                let mut pairs: Vec<(Value, Value)> = std::mem::take(props).into_iter().collect();
                pairs.reverse();
                *props = pairs.into_iter().collect();
                Some(())
            },
            expect: &[],
            semver: None,
        },
        Case {
            name: "description_summary_and_example_edits_report_nothing",
            old: None,
            new: |v| {
                set(op(v)?, "summary", "Lists tokens")?;
                set(op(v)?, "description", "Other words.")?;
                set(param(v, "limit")?, "description", "Page size")?;
                set(prop(v, "ApiToken", "id")?, "description", "ID")?;
                set(prop(v, "ApiToken", "id")?, "example", "x")?;
                set(v.get_mut("info")?, "description", "changed")
            },
            expect: &[],
            semver: None,
        },
        Case {
            name: "error_responses_inlined_or_shared_report_nothing",
            old: None,
            new: |v| {
                // Error responses written in place become shared `components/responses`
                // entries the operation refers to (v1beta1's layout), or, when they are
                // shared already, are written in place (v1.0's): `$ref`s are followed, so
                // either way nothing changes.
                let shared = at(v, &["components", "responses"])
                    .and_then(|r| r.as_mapping())
                    .cloned()
                    .unwrap_or_default();
                let r = op(v)?.get_mut("responses")?.as_mapping_mut()?;
                let mut moved = serde_yaml::Mapping::new();
                for (status, response) in r.iter_mut() {
                    // A status may be written as a number (`400:`) or a string.
                    let status = match status {
                        Value::Number(n) => n.to_string(),
                        other => other.as_str()?.to_owned(),
                    };
                    if status.starts_with('2') {
                        continue;
                    }
                    let target = response.get("$ref").and_then(Value::as_str);
                    if let Some(name) =
                        target.and_then(|t| t.strip_prefix("#/components/responses/"))
                    {
                        *response = shared.get(name)?.clone();
                    } else {
                        let name = format!("Error{status}");
                        let reference =
                            parse(&format!("{{$ref: '#/components/responses/{name}'}}"))?;
                        moved.insert(name.into(), std::mem::replace(response, reference));
                    }
                }
                // Inlined entries stay in `components/responses`, unused: nothing reads them.
                if !moved.is_empty() {
                    let components = v.get_mut("components")?.as_mapping_mut()?;
                    let responses = components
                        .entry("responses".into())
                        .or_insert_with(|| Value::Mapping(Default::default()));
                    responses.as_mapping_mut()?.extend(moved);
                }
                Some(())
            },
            expect: &[],
            semver: None,
        },
        // ---- parameters ----
        Case {
            name: "optional_param_added_is_compatible",
            old: None,
            new: |v| {
                params(v)?.push(parse("{name: search, in: query, schema: {type: string}}")?);
                Some(())
            },
            expect: &[("param.added", "param search", C, C)],
            semver: None,
        },
        Case {
            name: "required_param_added_breaks_both",
            old: None,
            new: |v| {
                params(v)?.push(parse(
                    "{name: region, in: query, required: true, schema: {type: string}}",
                )?);
                Some(())
            },
            expect: &[("param.added.required", "param region", B, B)],
            semver: Some(REQUIRED_AT_SEND),
        },
        Case {
            name: "param_removed_breaks_both",
            old: None,
            new: |v| {
                params(v)?.retain(|p| p["name"].as_str() != Some("dagId"));
                Some(())
            },
            expect: &[("param.removed", "param dagId", B, B)],
            semver: None,
        },
        Case {
            name: "query_param_renamed_is_one_rename_breaking_both",
            old: None,
            new: |v| set(param(v, "workspaceId")?, "name", "workspace"),
            expect: &[("param.renamed", "param workspaceId", B, B)],
            semver: None,
        },
        Case {
            name: "path_param_renamed_is_wire_none_rust_breaking",
            old: None,
            new: |v| {
                move_path(v, "/organizations/{orgId}/tokens")?;
                let p = at(
                    v,
                    &[
                        "paths",
                        "/organizations/{orgId}/tokens",
                        "get",
                        "parameters",
                        "0",
                    ],
                )?;
                set(p, "name", "orgId")
            },
            expect: &[("param.renamed", "param organizationId", N, B)],
            semver: None,
        },
        Case {
            name: "param_made_required_breaks_both",
            old: None,
            new: |v| set(param(v, "workspaceId")?, "required", true),
            expect: &[("param.required.added", "param workspaceId", B, B)],
            semver: Some(REQUIRED_AT_SEND),
        },
        Case {
            name: "param_made_optional_is_compatible",
            old: Some(|v| set(param(v, "workspaceId")?, "required", true)),
            new: |v| set(param(v, "workspaceId")?, "required", false),
            expect: &[("param.required.removed", "param workspaceId", C, C)],
            semver: None,
        },
        Case {
            // The builder setter stays, but the generated `query` module loses the field.
            name: "param_moved_to_header_breaks_both",
            old: None,
            new: |v| set(param(v, "dagId")?, "in", "header"),
            expect: &[("param.in.changed", "param dagId", B, B)],
            semver: None,
        },
        Case {
            // The other way, the `query` module gains a field in a `#[non_exhaustive]`
            // struct: only the wire breaks.
            name: "header_param_moved_to_query_breaks_the_wire_only",
            old: Some(|v| {
                params(v)?.push(parse("{name: region, in: header, schema: {type: string}}")?);
                Some(())
            }),
            new: |v| set(param(v, "region")?, "in", "query"),
            expect: &[("param.in.changed", "param region", B, C)],
            semver: None,
        },
        Case {
            name: "param_explode_changed_breaks_the_wire_only",
            old: None,
            new: |v| set(param(v, "dagTags")?, "explode", false),
            expect: &[("param.style.changed", "param dagTags", B, N)],
            semver: None,
        },
        Case {
            name: "param_deprecated_is_neutral",
            old: None,
            new: |v| set(param(v, "dagId")?, "deprecated", true),
            expect: &[("param.deprecated.changed", "param dagId", N, N)],
            semver: None,
        },
        // ---- request enums ----
        Case {
            name: "sort_value_removed_breaks_both",
            old: None,
            new: |v| {
                let items = param_schema(v, "sorts")?.get_mut("items")?;
                remove_str(items.get_mut("enum")?, "tokenStartAt:desc")
            },
            expect: &[("request.enum.value.removed", "param sorts[]", B, B)],
            semver: None,
        },
        Case {
            name: "sort_value_added_is_compatible",
            old: None,
            new: |v| {
                let items = param_schema(v, "sorts")?.get_mut("items")?;
                push_str(items.get_mut("enum")?, "lastUsedAt:asc")
            },
            expect: &[("request.enum.value.added", "param sorts[]", C, C)],
            semver: None,
        },
        Case {
            name: "sort_values_reordered_change_the_derived_ord",
            old: None,
            new: |v| {
                seq(param_schema(v, "sorts")?
                    .get_mut("items")?
                    .get_mut("enum")?)?
                .reverse();
                Some(())
            },
            expect: &[("schema.enum.reordered", "param sorts[]", N, B)],
            semver: None,
        },
        Case {
            name: "response_enum_values_reordered_change_the_derived_ord",
            old: None,
            new: |v| {
                seq(prop(v, "ApiTokenRole", "entityType")?.get_mut("enum")?)?.reverse();
                Some(())
            },
            expect: &[("schema.enum.reordered", "tokens[].roles[].entityType", N, B)],
            semver: Some(Why::Behaviour(
                "the open enum's derived `Ord` follows the new order: semver-checks reports `partial_ord_enum_variants_reordered` as a warning, not a major change, but sorting and comparisons change",
            )),
        },
        Case {
            name: "kind_value_added_and_removed",
            old: None,
            new: |v| {
                remove_str(param_schema(v, "kind")?.get_mut("enum")?, "DIRECT_ACCESS")?;
                push_str(param_schema(v, "kind")?.get_mut("enum")?, "SERVICE")
            },
            expect: &[
                ("request.enum.value.removed", "param kind", B, B),
                ("request.enum.value.added", "param kind", C, C),
            ],
            semver: None,
        },
        Case {
            name: "kind_value_added_is_compatible",
            old: None,
            new: |v| push_str(param_schema(v, "kind")?.get_mut("enum")?, "SERVICE"),
            expect: &[("request.enum.value.added", "param kind", C, C)],
            semver: None,
        },
        Case {
            name: "enum_added_to_free_string_param_breaks_both",
            old: None,
            new: |v| set(param_schema(v, "dagId")?, "enum", parse("[a, b]")?),
            expect: &[("schema.enum.added", "param dagId", B, B)],
            semver: Some(Why::LintGap(
                "`ListApiTokensQuery.dag_id` changes type from `Option<String>` to `Option<` a new enum `>`, and the `dag_id` setter's bound from `TryInto<String>` to `TryInto<` that enum `>`; semver-checks has no lint for a changed field type or bound",
            )),
        },
        // ---- response enums (open) ----
        Case {
            name: "response_enum_value_added_is_compatible_thanks_to_open_enums",
            old: None,
            new: |v| push_str(prop(v, "ApiToken", "kind")?.get_mut("enum")?, "SERVICE"),
            expect: &[(
                "response.enum.value.added",
                "ApiTokensPaginated.tokens[].kind",
                C,
                C,
            )],
            semver: None,
        },
        Case {
            name: "nested_response_enum_value_removed_is_wire_compatible_rust_breaking",
            old: None,
            new: |v| {
                remove_str(
                    prop(v, "ApiTokenRole", "entityType")?.get_mut("enum")?,
                    "DAG_TAG",
                )
            },
            expect: &[(
                "response.enum.value.removed",
                "ApiTokensPaginated.tokens[].roles[].entityType",
                C,
                B,
            )],
            semver: None,
        },
        Case {
            name: "enum_value_removed_inside_a_nested_inline_object",
            old: Some(|v| {
                props(v, "ApiToken")?.insert("rotation".into(), parse(NESTED)?);
                Some(())
            }),
            new: |v| {
                let policy = prop(v, "ApiToken", "rotation")?
                    .get_mut("properties")?
                    .get_mut("policy")?;
                remove_str(policy.get_mut("enum")?, "SCHEDULED")
            },
            expect: &[(
                "response.enum.value.removed",
                "ApiTokensPaginated.tokens[].rotation.policy",
                C,
                B,
            )],
            semver: None,
        },
        Case {
            name: "enum_value_removed_inside_array_items",
            old: Some(|v| {
                props(v, "ApiToken")?.insert("scopes".into(), parse(SCOPES)?);
                Some(())
            }),
            new: |v| {
                let items = prop(v, "ApiToken", "scopes")?.get_mut("items")?;
                remove_str(items.get_mut("enum")?, "WRITE")
            },
            expect: &[(
                "response.enum.value.removed",
                "ApiTokensPaginated.tokens[].scopes[]",
                C,
                B,
            )],
            semver: None,
        },
        Case {
            name: "response_enum_dropped_to_string_breaks_rust_only",
            old: None,
            new: |v| {
                unset(prop(v, "BasicSubjectProfile", "subjectType")?, "enum")?;
                Some(())
            },
            expect: &[(
                "schema.enum.removed",
                "tokens[].createdBy.subjectType",
                C,
                B,
            )],
            semver: None,
        },
        // ---- response properties ----
        Case {
            name: "response_property_added_is_compatible",
            old: None,
            new: |v| {
                props(v, "ApiToken")?.insert("scopes".into(), parse("{type: string}")?);
                Some(())
            },
            expect: &[("response.property.added", "tokens[].scopes", C, C)],
            semver: None,
        },
        Case {
            name: "required_response_property_removed_breaks_both",
            old: None,
            new: |v| {
                props(v, "ApiToken")?.remove("shortToken")?;
                remove_str(required(v, "ApiToken")?, "shortToken")
            },
            expect: &[("response.property.removed", "tokens[].shortToken", B, B)],
            semver: None,
        },
        Case {
            name: "optional_response_property_removed_breaks_rust_only",
            old: None,
            new: |v| {
                props(v, "ApiToken")?.remove("token")?;
                Some(())
            },
            expect: &[("response.property.removed", "tokens[].token", C, B)],
            semver: None,
        },
        Case {
            name: "response_property_made_optional_breaks_both",
            old: None,
            new: |v| remove_str(required(v, "ApiToken")?, "description"),
            expect: &[(
                "response.property.required.removed",
                "tokens[].description",
                B,
                B,
            )],
            semver: Some(Why::LintGap(
                "the field's type changes from `String` to `Option<String>`; semver-checks has no lint for a changed field type",
            )),
        },
        Case {
            name: "response_property_made_required_breaks_rust_only",
            old: None,
            new: |v| push_str(required(v, "ApiToken")?, "token"),
            expect: &[("response.property.required.added", "tokens[].token", C, B)],
            semver: Some(Why::LintGap(
                "`ApiToken.token` changes type from `Option<SensitiveString>` to `SensitiveString`; semver-checks has no lint for a changed field type",
            )),
        },
        Case {
            name: "response_property_made_nullable_breaks_both",
            old: None,
            new: |v| set(prop(v, "ApiToken", "name")?, "nullable", true),
            expect: &[("schema.nullable.added", "tokens[].name", B, B)],
            semver: Some(Why::LintGap(
                "`name: String` becomes `Option<String>`; semver-checks has no lint for a changed field type",
            )),
        },
        // ---- types, formats, ranges, defaults ----
        Case {
            name: "response_type_changed_breaks_both",
            old: None,
            new: |v| {
                set(
                    prop(v, "ApiTokensPaginated", "totalCount")?,
                    "type",
                    "string",
                )
            },
            expect: &[("schema.type.changed", "ApiTokensPaginated.totalCount", B, B)],
            semver: None,
        },
        Case {
            name: "array_item_type_changed_breaks_both",
            old: None,
            new: |v| {
                set(
                    param_schema(v, "dagTags")?.get_mut("items")?,
                    "type",
                    "integer",
                )
            },
            expect: &[("schema.type.changed", "param dagTags[]", B, B)],
            semver: Some(Why::LintGap(
                "`ListApiTokensQuery.dag_tags` changes type from `Vec<String>` to `Vec<i64>`, and the `dag_tags` setter's bound from `TryInto<Vec<String>>` to `TryInto<Vec<i64>>`; semver-checks has no lint for a changed field type or bound",
            )),
        },
        Case {
            name: "response_format_removed_breaks_both",
            old: None,
            new: |v| {
                unset(prop(v, "ApiToken", "createdAt")?, "format")?;
                Some(())
            },
            expect: &[("schema.format.changed", "tokens[].createdAt", B, B)],
            semver: Some(Why::LintGap(
                "`ApiToken.created_at` changes type from `DateTime<Utc>` to `String`; semver-checks has no lint for a changed field type",
            )),
        },
        Case {
            // The generator makes a component's `format: password` string a redacting
            // `SensitiveString`: without the format, `ApiToken.token` is a plain `String`.
            name: "response_password_format_removed_breaks_both",
            old: None,
            new: |v| {
                unset(prop(v, "ApiToken", "token")?, "format")?;
                Some(())
            },
            expect: &[("schema.format.changed", "tokens[].token", B, B)],
            semver: None,
        },
        Case {
            name: "request_format_added_breaks_both",
            old: None,
            new: |v| set(param_schema(v, "workspaceId")?, "format", "uuid"),
            expect: &[("schema.format.changed", "param workspaceId", B, B)],
            semver: None,
        },
        Case {
            name: "limit_maximum_lowered_breaks_the_wire",
            old: None,
            new: |v| set(param_schema(v, "limit")?, "maximum", 500),
            expect: &[("schema.maximum.lowered", "param limit", B, N)],
            semver: None,
        },
        Case {
            name: "limit_maximum_raised_is_compatible",
            old: None,
            new: |v| set(param_schema(v, "limit")?, "maximum", 5000),
            expect: &[("schema.maximum.raised", "param limit", C, N)],
            semver: None,
        },
        Case {
            name: "offset_minimum_removed_widens_the_wire_but_changes_u64_to_i64",
            old: None,
            new: |v| {
                unset(param_schema(v, "offset")?, "minimum")?;
                Some(())
            },
            // The setter's bound changes from `TryInto<u64>` to `TryInto<i64>`, which no lint
            // sees, but the constant `query::LIST_API_TOKENS_OFFSET_MINIMUM` goes too.
            expect: &[("schema.minimum.removed", "param offset", C, B)],
            semver: None,
        },
        Case {
            name: "offset_minimum_raised_breaks_the_wire",
            old: None,
            new: |v| set(param_schema(v, "offset")?, "minimum", 10),
            expect: &[("schema.minimum.raised", "param offset", B, B)],
            semver: None,
        },
        Case {
            name: "limit_default_changed_is_compatible",
            old: None,
            new: |v| set(param_schema(v, "limit")?, "default", 50),
            expect: &[("schema.default.changed", "param limit", C, N)],
            semver: None,
        },
        Case {
            name: "shared_error_schema_change_is_reported_once",
            old: None,
            new: |v| set(prop(v, "Error", "statusCode")?, "maximum", 599),
            expect: &[(
                "schema.maximum.lowered",
                "response 400 Error.statusCode",
                C,
                N,
            )],
            semver: None,
        },
        Case {
            name: "self_referencing_schema_terminates",
            old: Some(|v| {
                props(v, "ApiTokenRole")?.insert(
                    "children".into(),
                    parse("{type: array, items: {$ref: '#/components/schemas/ApiTokenRole'}}")?,
                );
                Some(())
            }),
            new: |v| {
                remove_str(
                    prop(v, "ApiTokenRole", "entityType")?.get_mut("enum")?,
                    "DAG",
                )
            },
            expect: &[(
                "response.enum.value.removed",
                "tokens[].roles[].entityType",
                C,
                B,
            )],
            semver: None,
        },
        Case {
            name: "component_renamed_breaks_rust_only",
            old: None,
            new: |v| {
                let s = at(v, &["components", "schemas"])?.as_mapping_mut()?;
                let profile = s.remove("BasicSubjectProfile")?;
                s.insert("SubjectProfile".into(), profile);
                for p in ["createdBy", "updatedBy"] {
                    set(
                        prop(v, "ApiToken", p)?,
                        "$ref",
                        "#/components/schemas/SubjectProfile",
                    )?;
                }
                Some(())
            },
            expect: &[
                ("schema.name.changed", "tokens[].createdBy", N, B),
                ("schema.name.changed", "tokens[].updatedBy", N, B),
            ],
            semver: None,
        },
        Case {
            name: "untyped_schema_changed_is_the_catch_all",
            old: Some(|v| {
                props(v, "ApiTokenRole")?.insert("scope".into(), parse("{}")?);
                Some(())
            }),
            new: |v| {
                *prop(v, "ApiTokenRole", "scope")? = parse("{maxLength: 64}")?;
                Some(())
            },
            expect: &[("schema.changed", "tokens[].roles[].scope", B, B)],
            semver: Some(Why::LintGap(
                "`ApiTokenRole.scope` changes type from `Option<serde_json::Value>` to `Option<` a length-checked newtype `>`; semver-checks has no lint for a changed field type",
            )),
        },
        // ---- operations, paths, responses, servers, security ----
        Case {
            name: "operation_id_renamed_breaks_rust_only",
            old: None,
            new: |v| set(op(v)?, "operationId", "ListTokens"),
            expect: &[("operation.id.changed", OP, N, B)],
            semver: None,
        },
        Case {
            name: "path_changed_breaks_the_wire_only",
            old: None,
            new: |v| move_path(v, "/organizations/{organizationId}/api-tokens"),
            expect: &[("path.changed", OP, B, N)],
            semver: None,
        },
        Case {
            name: "operation_removed_and_added",
            old: None,
            new: |v| {
                move_path(v, "/tokens")?;
                set(at(v, &["paths", "/tokens", "get"])?, "operationId", "Other")
            },
            expect: &[
                ("operation.removed", OP, B, B),
                ("operation.added", "GET /tokens", C, C),
            ],
            semver: None,
        },
        Case {
            name: "error_status_removed_is_compatible",
            old: None,
            new: |v| {
                unset(op(v)?.get_mut("responses")?, "404")?;
                Some(())
            },
            expect: &[("response.status.removed", "response 404", C, N)],
            semver: None,
        },
        Case {
            name: "success_status_replaced_breaks_both",
            old: None,
            new: |v| {
                let r = op(v)?.get_mut("responses")?.as_mapping_mut()?;
                let ok = r.remove("200")?;
                r.insert("201".into(), ok);
                Some(())
            },
            expect: &[
                ("response.status.removed", "response 200", B, B),
                ("response.status.added", "response 201", B, B),
            ],
            semver: None,
        },
        Case {
            name: "error_status_added_is_compatible",
            old: None,
            new: |v| {
                // 429 answers like 400 does, whether 400 is written in place or refers to
                // a shared `components/responses` entry.
                let r = op(v)?.get_mut("responses")?;
                let bad_request = r.get("400")?.clone();
                set(r, "429", bad_request)
            },
            expect: &[("response.status.added", "response 429", C, C)],
            semver: None,
        },
        Case {
            name: "response_media_type_replaced",
            old: None,
            new: |v| {
                let ok = at(op(v)?, &["responses", "200", "content"])?.as_mapping_mut()?;
                let json = ok.remove("application/json")?;
                ok.insert("application/x-ndjson".into(), json);
                Some(())
            },
            expect: &[
                ("media_type.removed", "response 200", B, B),
                ("media_type.added", "response 200", C, C),
            ],
            semver: None,
        },
        Case {
            name: "server_removed_breaks_the_wire",
            old: None,
            new: |v| {
                let servers = seq(v.get_mut("servers")?)?;
                (servers.len() > 1).then(|| servers.remove(1))?;
                Some(())
            },
            expect: &[("server.removed", "servers", B, N)],
            semver: None,
        },
        Case {
            name: "server_added_is_compatible",
            old: None,
            new: |v| {
                seq(v.get_mut("servers")?)?
                    .push(parse("{url: 'https://eu.api.astronomer.io/v1beta1'}")?);
                Some(())
            },
            expect: &[("server.added", "servers", C, N)],
            semver: None,
        },
        Case {
            name: "security_requirement_changed_breaks_the_wire",
            old: None,
            new: |v| {
                let schemes = at(v, &["components", "securitySchemes"])?;
                set(
                    schemes,
                    "ApiKey",
                    parse("{type: apiKey, in: header, name: X-Key}")?,
                )?;
                set(op(v)?, "security", parse("[{ApiKey: []}]")?)
            },
            expect: &[("security.changed", "security", B, N)],
            semver: None,
        },
        Case {
            name: "security_alternative_added_is_compatible",
            old: None,
            new: |v| {
                let schemes = at(v, &["components", "securitySchemes"])?;
                set(
                    schemes,
                    "ApiKey",
                    parse("{type: apiKey, in: header, name: X-Key}")?,
                )?;
                // Added next to the effective requirement, whatever its scheme is called.
                security(v)?.push(parse("{ApiKey: []}")?);
                Some(())
            },
            expect: &[("security.alternative.added", "security", C, N)],
            semver: None,
        },
        Case {
            name: "security_scheme_renamed_is_neutral",
            old: None,
            new: |v| {
                // The scheme the operation requires gets another name (v1.0's `JWT` gets
                // v1beta1's `BearerAuth` back, or the other way) in its definition and in
                // every requirement.
                let name = required_scheme(v)?;
                let other = if name == "BearerAuth" {
                    "JWT"
                } else {
                    "BearerAuth"
                };
                rename_scheme(v, &name, other)
            },
            expect: &[("security.scheme.renamed", "security", N, N)],
            semver: None,
        },
        Case {
            name: "security_scheme_changed_breaks_the_wire",
            old: None,
            new: |v| {
                let name = required_scheme(v)?;
                set(security_scheme(v, &name)?, "scheme", "basic")
            },
            expect: &[("security.scheme.changed", "securitySchemes.JWT", B, N)],
            semver: None,
        },
        Case {
            name: "operation_deprecated_is_neutral",
            old: None,
            new: |v| set(op(v)?, "deprecated", true),
            expect: &[("operation.deprecated.changed", OP, N, N)],
            semver: None,
        },
        // ---- less common schema rules ----
        Case {
            name: "request_pattern_added_breaks_the_wire_and_the_rust_type",
            old: None,
            new: |v| set(param_schema(v, "dagId")?, "pattern", "^[a-z]+$"),
            expect: &[("schema.pattern.changed", "param dagId", B, B)],
            semver: None,
        },
        Case {
            name: "request_max_length_added_breaks_the_wire_and_makes_a_newtype",
            old: None,
            new: |v| set(param_schema(v, "dagId")?, "maxLength", 64),
            expect: &[("schema.maxLength.added", "param dagId", B, B)],
            semver: Some(Why::LintGap(
                "`ListApiTokensQuery.dag_id` changes type from `Option<String>` to `Option<` a length-checked newtype `>`, and the `dag_id` setter's bound from `TryInto<String>` to `TryInto<` that newtype `>`; semver-checks has no lint for a changed field type or bound",
            )),
        },
        Case {
            name: "request_max_items_added_breaks_the_wire",
            old: None,
            new: |v| set(param_schema(v, "dagTags")?, "maxItems", 10),
            expect: &[("schema.maxItems.added", "param dagTags", B, N)],
            semver: None,
        },
        Case {
            name: "response_nullable_removed_is_wire_compatible",
            old: Some(|v| set(prop(v, "ApiToken", "name")?, "nullable", true)),
            new: |v| set(prop(v, "ApiToken", "name")?, "nullable", false),
            expect: &[("schema.nullable.removed", "tokens[].name", C, B)],
            semver: Some(Why::LintGap(
                "`name: Option<String>` becomes `String`; semver-checks has no lint for a changed field type",
            )),
        },
        Case {
            name: "array_items_removed_breaks_both",
            old: None,
            new: |v| {
                unset(param_schema(v, "dagTags")?, "items")?;
                Some(())
            },
            expect: &[("schema.items.changed", "param dagTags[]", B, B)],
            semver: None,
        },
        Case {
            name: "one_of_member_added_breaks_both",
            old: Some(|v| {
                *prop(v, "ApiTokenRole", "role")? = parse("{oneOf: [{type: string}]}")?;
                Some(())
            }),
            new: |v| {
                *prop(v, "ApiTokenRole", "role")? =
                    parse("{oneOf: [{type: string}, {type: integer}]}")?;
                Some(())
            },
            expect: &[("schema.composition.changed", "tokens[].roles[].role", B, B)],
            semver: Some(Why::LintGap(
                "`ApiTokenRole.role` changes type from `String` to a new untagged enum; semver-checks has no lint for a changed field type",
            )),
        },
        Case {
            name: "additional_properties_changed_breaks_both",
            old: None,
            new: |v| {
                set(
                    schema(v, "FieldValidationError")?,
                    "additionalProperties",
                    false,
                )
            },
            expect: &[(
                "schema.additionalProperties.changed",
                "response 400 Error.fieldErrors[]",
                B,
                B,
            )],
            semver: Some(Why::Behaviour(
                "no public item changes, but the NEW SDK deserializes `FieldValidationError` with `deny_unknown_fields`: a response with a field it does not know now fails",
            )),
        },
        Case {
            name: "param_schema_replaced_by_content_breaks_both",
            old: None,
            new: |v| {
                let p = param(v, "dagId")?;
                unset(p, "schema")?;
                set(
                    p,
                    "content",
                    parse("{application/json: {schema: {type: string}}}")?,
                )
            },
            expect: &[("param.serialization.changed", "param dagId", B, B)],
            semver: None,
        },
        // ---- request bodies (none in the fragment: the OLD side gets one) ----
        Case {
            name: "required_request_body_added_breaks_both",
            old: None,
            new: |v| set(op(v)?, "requestBody", parse(BODY)?),
            expect: &[("request_body.added", "request body", B, B)],
            semver: Some(Why::Behaviour(
                "a required body is a runtime check: code that never calls the new `body` setter still compiles and `send()` fails",
            )),
        },
        Case {
            name: "request_body_removed_breaks_both",
            old: Some(|v| set(op(v)?, "requestBody", parse(BODY)?)),
            new: |v| {
                unset(op(v)?, "requestBody")?;
                Some(())
            },
            expect: &[("request_body.removed", "request body", B, B)],
            semver: None,
        },
        Case {
            name: "request_body_made_required_breaks_both",
            old: Some(|v| {
                set(op(v)?, "requestBody", parse(BODY)?)?;
                set(op(v)?.get_mut("requestBody")?, "required", false)
            }),
            new: |v| set(op(v)?.get_mut("requestBody")?, "required", true),
            expect: &[("request_body.required.added", "request body", B, B)],
            semver: Some(Why::Behaviour(
                "a body made required is a runtime check: code that never calls the `body` setter still compiles and `send()` fails",
            )),
        },
        Case {
            name: "request_property_rules_use_request_variance",
            old: Some(|v| set(op(v)?, "requestBody", parse(BODY)?)),
            new: |v| {
                let body = at(
                    op(v)?,
                    &["requestBody", "content", "application/json", "schema"],
                )?;
                let properties = body.get_mut("properties")?;
                unset(properties, "note")?;
                set(properties, "extra", parse("{type: string}")?)?;
                set(properties, "mandatory", parse("{type: string}")?)?;
                set(properties.get_mut("level")?, "maximum", 3)?;
                set(body, "required", parse("[mandatory, level]")?)
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
            semver: None,
        },
        Case {
            name: "request_media_type_removed_breaks_both",
            old: Some(|v| set(op(v)?, "requestBody", parse(BODY)?)),
            new: |v| {
                let c = at(op(v)?, &["requestBody", "content"])?.as_mapping_mut()?;
                let json = c.remove("application/json")?;
                c.insert("application/yaml".into(), json);
                Some(())
            },
            expect: &[
                ("media_type.removed", "request body", B, B),
                ("media_type.added", "request body", C, C),
            ],
            semver: None,
        },
    ]
}
