//! An independent validator accepts `openapi/tokens.yaml` as OpenAPI 3.0.
//!
//! What this proves: `openapi-spec-validator` (PyPI; installed by `.ci/install-tools`)
//! finds the fragment valid against the OpenAPI 3.0 schema, and the same check rejects a
//! broken copy (a parameter without `in`, a `$ref` to a missing schema), so it can fail.
//! The tool missing is a failure that says to run `.ci/install-tools`
//! (`ASTRO_TOKENS_SKIP_EXTERNAL=1` skips instead; CI never sets it).

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the validator on one file, for OpenAPI 3.0 (what progenitor reads).
fn validate(validator: &Path, file: &Path) -> Output {
    Command::new(validator)
        .arg("--schema")
        .arg("3.0")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", validator.display()))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Validates a copy of the fragment changed by `edit`; returns the outcome.
fn validate_edited(validator: &Path, tag: &str, edit: impl Fn(&str) -> String) -> Output {
    let original = std::fs::read_to_string(common::fragment_path()).expect("read the fragment");
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit {tag} changed nothing");
    let file = common::scratch(tag, "yaml");
    std::fs::write(&file, edited).expect("write the broken copy");
    let output = validate(validator, &file);
    let _ = std::fs::remove_file(&file);
    output
}

#[test]
fn fragment_is_valid_openapi_3_0_for_openapi_spec_validator() {
    let Some(validator) =
        common::openapi_spec_validator("fragment_is_valid_openapi_3_0_for_openapi_spec_validator")
    else {
        return;
    };
    let output = validate(&validator, &common::fragment_path());
    assert!(
        output.status.success(),
        "openapi-spec-validator rejects {}:\n{}",
        common::FRAGMENT,
        text(&output)
    );
    assert!(
        text(&output).contains("OK"),
        "unexpected validator output: {}",
        text(&output)
    );
}

#[test]
fn validator_rejects_a_parameter_without_in() {
    let Some(validator) =
        common::openapi_spec_validator("validator_rejects_a_parameter_without_in")
    else {
        return;
    };
    let output = validate_edited(&validator, "no-in", |text| {
        text.replacen(
            "        in: query\n        name: workspaceId\n",
            "        name: workspaceId\n",
            1,
        )
    });
    assert!(
        !output.status.success(),
        "the validator accepted a parameter without `in`"
    );
    assert!(
        text(&output).contains("'in' is a required property"),
        "the validator failed for another reason:\n{}",
        text(&output)
    );
}

#[test]
fn validator_rejects_a_ref_to_a_missing_schema() {
    let Some(validator) =
        common::openapi_spec_validator("validator_rejects_a_ref_to_a_missing_schema")
    else {
        return;
    };
    let output = validate_edited(&validator, "bad-ref", |text| {
        text.replacen(
            "$ref: '#/components/schemas/ApiTokenRole'",
            "$ref: '#/components/schemas/NoSuchSchema'",
            1,
        )
    });
    assert!(
        !output.status.success(),
        "the validator accepted a $ref to a missing schema"
    );
    assert!(
        text(&output).contains("NoSuchSchema"),
        "the validator failed for another reason:\n{}",
        text(&output)
    );
}
