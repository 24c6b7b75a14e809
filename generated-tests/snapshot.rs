//! The committed snapshot `generated-tests/snapshot/astro_tokens_generated.rs` is exactly
//! the code the SDK is compiled from.
//!
//! What this proves:
//! - the snapshot is byte-identical to what `astro_tokens_codegen::generate_file` makes from
//!   `openapi/tokens.yaml` today (stale → the test fails with a unified diff and the one
//!   refresh command, `EXPECTORATE=overwrite cargo test --test generated_snapshot`);
//! - it is byte-identical to the file `build.rs` wrote into `OUT_DIR`, which
//!   `astro_tokens::generated` includes (so the reviewed copy is the compiled copy);
//! - the compiled crate exposes the types the snapshot declares, with the field types it
//!   declares (a compile-time check);
//! - a spec change that alters the generated code makes this check fail until refreshed,
//!   and the refreshed diff shows exactly that change and nothing else.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// What `build.rs` passes as the origin (it is printed in the generated header).
const FRAGMENT: &str = "openapi/tokens.yaml";
/// The committed snapshot, relative to the package root.
const SNAPSHOT: &str = "generated-tests/snapshot/astro_tokens_generated.rs";
/// The one command that refreshes the snapshot.
const REFRESH: &str = "EXPECTORATE=overwrite cargo test --test generated_snapshot";

/// What `build.rs` wrote and `src/generated.rs` includes.
const BUILT: &str = include_str!(concat!(env!("OUT_DIR"), "/astro_tokens_generated.rs"));

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    astro_tokens_codegen::generate_file(&root().join(FRAGMENT), FRAGMENT)
        .unwrap_or_else(|e| panic!("the fragment no longer generates: {e}"))
}

fn committed() -> String {
    let path = root().join(SNAPSHOT);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the snapshot {}: {e}\ncreate it with:\n\n    {REFRESH}\n",
            path.display()
        )
    })
}

/// The snapshot check: expectorate compares (or, with `EXPECTORATE=overwrite`, rewrites)
/// and prints a unified diff; when it fails, the failure message also names the one
/// refresh command and what to do after it.
fn check_snapshot(path: &Path, generated: &str) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        expectorate::assert_contents(path, generated);
    }));
    if let Err(payload) = outcome {
        let expectorate_says = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        panic!(
            "{expectorate_says}\n\n{} is stale: it no longer matches the code generated from \
             {FRAGMENT} (unified diff above).\nRefresh it with:\n\n    {REFRESH}\n\n\
             then review `git diff generated-tests/` and commit it together with the fragment.\n",
            path.display()
        );
    }
}

/// Unified-diff hunks (changed lines only, with their `+`/`-`) from `old` to `new`.
fn changed_hunks(old: &str, new: &str) -> Vec<Vec<String>> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(0)
        .iter_hunks()
        .map(|hunk| {
            hunk.iter_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
                .collect()
        })
        .collect()
}

#[test]
fn snapshot_matches_code_generated_from_the_fragment() {
    check_snapshot(&root().join(SNAPSHOT), &generate());
}

#[test]
fn snapshot_is_byte_identical_to_what_build_rs_compiled() {
    // build.rs and this test run the same function on the same file.
    let generated = generate();
    if generated != BUILT {
        let hunks = changed_hunks(BUILT, &generated);
        panic!(
            "$OUT_DIR/astro_tokens_generated.rs is not what generate_file makes now \
             ({} hunk(s) differ; first: {:#?}); rebuild with `cargo build`",
            hunks.len(),
            hunks.first()
        );
    }
    // And the committed copy is that file, byte for byte.
    check_snapshot(&root().join(SNAPSHOT), BUILT);
}

#[test]
fn snapshot_header_says_it_is_generated_and_from_what() {
    let snapshot = committed();
    assert!(
        snapshot.starts_with(&astro_tokens_codegen::header(FRAGMENT)),
        "the snapshot must start with codegen's header for {FRAGMENT}; it starts with {:?}",
        snapshot.lines().take(2).collect::<Vec<_>>()
    );
    assert!(snapshot.starts_with("// @generated"));
}

/// Fails to compile if the compiled crate's types drift from what the snapshot declares.
#[test]
fn compiled_crate_has_the_snapshot_types_and_field_types() {
    use astro_tokens::generated::{Client, open_enums, types};

    use astro_tokens::generated::sensitive::SensitiveString;
    use chrono::{DateTime, Utc};

    // Models are built through their generated builders: they are #[non_exhaustive].
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let created_by: types::BasicSubjectProfile = types::BasicSubjectProfile::builder()
        .id("u")
        .subject_type(Some(open_enums::SubjectType::User))
        .try_into()
        .expect("a complete profile");
    let role: types::ApiTokenRole = types::ApiTokenRole::builder()
        .entity_id("e")
        .entity_type(open_enums::ApiTokenRoleEntityType::DagTag)
        .role("WORKSPACE_MEMBER")
        .try_into()
        .expect("a complete role");
    let token: types::ApiToken = types::ApiToken::builder()
        .id("id")
        .name("name")
        .description("")
        .short_token("short")
        .scope(open_enums::ApiTokenScope::Workspace)
        .kind(open_enums::ApiTokenKind::Standard)
        .created_at(epoch)
        .start_at(epoch)
        .updated_at(epoch)
        .expiry_period_in_days(Some(30_i64))
        .created_by(Some(created_by))
        .roles(vec![role])
        .token(Some(SensitiveString::from("secret")))
        .try_into()
        .expect("a complete token");
    let page: types::ApiTokensPaginated = types::ApiTokensPaginated::builder()
        .limit(10_i64)
        .offset(0_i64)
        .total_count(1_i64)
        .tokens(vec![token])
        .try_into()
        .expect("a complete page");
    let error: types::Error = types::Error::builder()
        .message("m")
        .request_id("r")
        .status_code(400_i64)
        .field_errors(vec![
            types::FieldValidationError::builder()
                .code("max")
                .field("limit")
                .message("too big")
                .try_into()
                .expect("a complete field error"),
        ])
        .try_into()
        .expect("a complete error");

    // Every field, read back with the type the snapshot declares.
    let t = &page.tokens[0];
    let _: (&String, &String, &String, &String) = (&t.id, &t.name, &t.description, &t.short_token);
    let _: (&open_enums::ApiTokenScope, &open_enums::ApiTokenKind) = (&t.scope, &t.kind);
    let _: [&DateTime<Utc>; 3] = [&t.created_at, &t.start_at, &t.updated_at];
    let _: [&Option<DateTime<Utc>>; 3] = [&t.end_at, &t.last_used_at, &t.last_rotated_at];
    let _: &Option<i64> = &t.expiry_period_in_days;
    let _: [&Option<types::BasicSubjectProfile>; 2] = [&t.created_by, &t.updated_by];
    let _: &Option<SensitiveString> = &t.token;
    let p = t.created_by.as_ref().expect("set above");
    let _: (&String, &Option<open_enums::SubjectType>) = (&p.id, &p.subject_type);
    let _: [&Option<String>; 4] = [&p.api_token_name, &p.avatar_url, &p.full_name, &p.username];
    let r = &t.roles[0];
    let _: (&String, &String, &Option<String>) = (&r.entity_id, &r.role, &r.deployment_id);
    let _: (i64, i64, i64) = (page.limit, page.offset, page.total_count);
    let _: (&String, &String, i64) = (&error.message, &error.request_id, error.status_code);
    let f = &error.field_errors[0];
    let _: (&String, &String, &String) = (&f.code, &f.field, &f.message);
    let client = Client::new("http://127.0.0.1:9");
    let _request = client
        .list_api_tokens()
        .organization_id("org")
        .kind(types::TokenKind::DirectAccess)
        .sorts(vec![types::ListApiTokensSortsItem::TokenStartAtDesc]);

    // The names used above are the ones the snapshot declares.
    let snapshot = committed();
    for declaration in [
        "pub struct ApiTokensPaginated {",
        "pub struct SensitiveString(",
        "pub struct ApiToken {",
        "pub struct ApiTokenRole {",
        "pub struct BasicSubjectProfile {",
        "pub struct Error {",
        "pub struct FieldValidationError {",
        "pub enum TokenKind {",
        "pub enum ListApiTokensSortsItem {",
        "pub enum ApiTokenScope {",
        "pub enum ApiTokenKind {",
        "pub enum SubjectType {",
        "pub enum ApiTokenRoleEntityType {",
        "pub fn list_api_tokens(&self) -> builder::ListApiTokens<'_> {",
    ] {
        assert!(
            snapshot.contains(declaration),
            "snapshot lacks `{declaration}`"
        );
    }
    assert_eq!(page.tokens[0].roles[0].entity_type.as_str(), "DAG_TAG");
    assert_eq!(error.field_errors.len(), 1);
}

/// The fragment with one more optional query parameter, `includeExpired`.
fn fragment_with_new_parameter() -> String {
    let text = std::fs::read_to_string(root().join(FRAGMENT)).expect("read the fragment");
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("the fragment is YAML");
    let parameters = doc["paths"]["/organizations/{organizationId}/tokens"]["get"]["parameters"]
        .as_sequence_mut()
        .expect("ListApiTokens has a parameters list");
    let parameter: serde_yaml::Value = serde_yaml::from_str(
        "name: includeExpired\n\
         in: query\n\
         description: Whether to include expired API tokens.\n\
         schema:\n  type: boolean\n",
    )
    .expect("valid YAML");
    parameters.push(parameter);
    serde_yaml::to_string(&doc).expect("serialize YAML")
}

#[test]
fn spec_change_fails_the_snapshot_check_until_refreshed_and_the_diff_is_exactly_that_change() {
    let snapshot = committed();
    let changed = astro_tokens_codegen::generate_str(&fragment_with_new_parameter(), FRAGMENT)
        .expect("the modified fragment generates");

    // Work on a copy of the committed snapshot: under `EXPECTORATE=overwrite` the check
    // rewrites its file, and the committed one must never receive the modified code.
    let copy = std::env::temp_dir().join(format!(
        "astro-tokens-snapshot-copy-{}.rs",
        std::process::id()
    ));
    std::fs::write(&copy, &snapshot).expect("write a copy of the snapshot");
    let outcome = catch_unwind(AssertUnwindSafe(|| check_snapshot(&copy, &changed)));
    if std::env::var("EXPECTORATE").as_deref() == Ok("overwrite") {
        // Refreshing: the check rewrote the copy instead of failing.
        assert!(
            outcome.is_ok(),
            "EXPECTORATE=overwrite must refresh, not fail"
        );
    } else {
        // 1. The check fails, naming the snapshot and the refresh command.
        let payload = outcome.expect_err("a changed fragment must fail the snapshot check");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains(&copy.display().to_string()) && message.contains(REFRESH),
            "unexpected failure message: {message}"
        );
        // What `EXPECTORATE=overwrite` does to the file.
        std::fs::write(&copy, &changed).expect("refresh the copy");
    }

    // 2. Refreshed, the check passes.
    check_snapshot(&copy, &changed);
    let refreshed_text = std::fs::read_to_string(&copy).expect("read the refreshed copy");
    let _ = std::fs::remove_file(&copy);
    assert_eq!(refreshed_text, changed);

    // 3. The diff from the committed snapshot adds lines only, and every hunk of it is
    //    about the new parameter (its wire name or its Rust name).
    let hunks = changed_hunks(&snapshot, &refreshed_text);
    assert!(!hunks.is_empty(), "the new parameter changed nothing");
    for hunk in &hunks {
        assert!(
            hunk.iter().all(|line| line.starts_with('+')),
            "the new parameter must only add code; this hunk removes some: {hunk:#?}"
        );
        assert!(
            hunk.iter()
                .any(|line| line.contains("includeExpired") || line.contains("include_expired")),
            "a hunk of the diff is not about the new parameter: {hunk:#?}"
        );
    }
    let added: String = hunks.concat().join("\n");
    for expected in [
        "pub fn include_expired<V>(mut self, value: V) -> Self",
        "\"includeExpired\",",
        "&include_expired,",
        "let include_expired = include_expired.map_err(Error::InvalidRequest)?;",
        "Whether to include expired API tokens.",
    ] {
        assert!(
            added.contains(expected),
            "the diff lacks `{expected}`:\n{added}"
        );
    }
}
