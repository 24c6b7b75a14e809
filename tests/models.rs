//! The generated models read what the API sends: the seed's example with every field,
//! and responses carrying enum values or fields the fragment does not know yet.

use astro_tokens::generated::types::ApiTokensPaginated;
use astro_tokens::{ApiTokenKind, ApiTokenRoleEntityType, ApiTokenScope, SubjectType};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

/// The 200 example of the fragment (the seed's response, unchanged), as JSON.
fn seed_example() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/tokens.yaml"))
        .expect("the fragment is readable");
    let spec: Value = serde_yaml::from_str(&text).expect("the fragment is YAML");
    spec["paths"]["/organizations/{organizationId}/tokens"]["get"]["responses"]["200"]["content"]["application/json"]
        ["example"]
        .clone()
}

#[test]
fn the_seed_example_deserializes_and_every_field_is_reachable() {
    let page: ApiTokensPaginated =
        serde_json::from_value(seed_example()).expect("the seed example is a page");
    assert_eq!((page.limit, page.offset, page.total_count), (10, 0, 100));
    assert_eq!(page.tokens.len(), 1);
    let token = &page.tokens[0];
    let at = Utc
        .with_ymd_and_hms(2022, 11, 22, 4, 37, 12)
        .single()
        .expect("a date");
    assert_eq!(token.id, "clm8q7f6q000008lcgyougpsk");
    assert_eq!(token.name, "My token");
    assert_eq!(token.description, "my token description");
    assert_eq!(token.short_token, "short-token");
    assert_eq!(token.kind, ApiTokenKind::Standard);
    assert_eq!(token.scope, ApiTokenScope::Workspace);
    assert_eq!(
        (token.created_at, token.start_at, token.updated_at),
        (at, at, at)
    );
    assert_eq!((token.end_at, token.last_used_at), (Some(at), Some(at)));
    assert_eq!(token.last_rotated_at, None);
    assert_eq!(token.expiry_period_in_days, Some(30));
    assert_eq!(
        token
            .token
            .as_ref()
            .map(astro_tokens::SensitiveString::expose_secret),
        Some("token")
    );
    for subject in [&token.created_by, &token.updated_by] {
        let subject = subject.as_ref().expect("a subject");
        assert_eq!(subject.id, "clm8qv74h000008mlf08scq7k");
        assert_eq!(subject.api_token_name.as_deref(), Some("my-token"));
        assert_eq!(subject.avatar_url.as_deref(), Some("https://avatar.url"));
        assert_eq!(subject.full_name.as_deref(), Some("Jane Doe"));
        assert_eq!(subject.subject_type, Some(SubjectType::User));
        assert_eq!(subject.username.as_deref(), Some("user1@company.com"));
    }
    let role = &token.roles[0];
    assert_eq!(role.entity_id, "clm8sgvai000008l794psbkdv");
    assert_eq!(role.entity_type, ApiTokenRoleEntityType::Workspace);
    assert_eq!(role.role, "WORKSPACE_MEMBER");
    assert_eq!(
        role.deployment_id.as_deref(),
        Some("clm8t5u4q000008jq4qoc3031")
    );
}

#[test]
fn unknown_enum_values_and_extra_fields_keep_the_page() {
    let mut page = seed_example();
    let token = &mut page["tokens"][0];
    token["scope"] = json!("TEAM");
    token["kind"] = json!("EPHEMERAL");
    token["createdBy"]["subjectType"] = json!("ROBOT");
    token["roles"][0]["entityType"] = json!("CLUSTER");
    token["brandNewField"] = json!({"nested": [1, 2, 3]});
    page["nextCursor"] = json!("abc");
    let page: ApiTokensPaginated = serde_json::from_value(page).expect("unknown values are kept");
    let token = &page.tokens[0];
    assert_eq!(token.scope, ApiTokenScope::Unknown("TEAM".into()));
    assert_eq!(token.kind.as_str(), "EPHEMERAL");
    assert!(token.kind.is_unknown());
    assert_eq!(
        token
            .created_by
            .as_ref()
            .and_then(|s| s.subject_type.clone()),
        Some(SubjectType::Unknown("ROBOT".into()))
    );
    assert_eq!(token.roles[0].entity_type.to_string(), "CLUSTER");
    // Unknown values serialize back as they came.
    let back = serde_json::to_value(token).expect("serializes");
    assert_eq!(back["scope"], "TEAM");
    assert_eq!(back["roles"][0]["entityType"], "CLUSTER");
}

#[test]
fn known_values_never_become_unknown() {
    for value in ApiTokenRoleEntityType::KNOWN {
        let parsed: ApiTokenRoleEntityType =
            serde_json::from_value(json!(value)).expect("a string");
        assert!(!parsed.is_unknown(), "{value}");
        assert_eq!(parsed.as_str(), *value);
    }
    assert_eq!(
        ApiTokenRoleEntityType::from("DAG_TAG"),
        ApiTokenRoleEntityType::DagTag
    );
}

#[test]
fn a_wrong_type_for_a_known_field_still_fails() {
    let mut page = seed_example();
    page["tokens"][0]["kind"] = json!(7);
    assert!(serde_json::from_value::<ApiTokensPaginated>(page).is_err());
}

#[test]
fn open_enums_honour_width_and_alignment_in_display() {
    assert_eq!(format!("{:<10}|", ApiTokenKind::Standard), "STANDARD  |");
    assert_eq!(
        format!("{:>9}|", ApiTokenScope::Unknown("TEAM".into())),
        "     TEAM|"
    );
}
