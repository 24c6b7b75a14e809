//! Go-style nulls ([`FakeApiBuilder::go_nulls`](crate::FakeApiBuilder::go_nulls)): the JSON
//! a Go server writes from structs with nil pointers and nil slices and no `omitempty`.
//! Every optional property without a value is sent as `null` instead of being left out, an
//! empty `roles` is `null`, an empty page is `"tokens": null`, and an error without field
//! errors has `"fieldErrors": null`. Required properties keep their values (a Go `string`
//! is never nil: an empty description stays `""`).
//!
//! The property lists follow the fragment's schemas (`required` versus `properties`); the
//! fake's tests (`fake/tests/go_nulls.rs`) check them against `openapi/tokens.yaml`.

use serde_json::{Map, Value};

/// `ApiToken`'s optional properties.
const API_TOKEN_OPTIONAL: [&str; 8] = [
    "createdBy",
    "endAt",
    "expiryPeriodInDays",
    "lastRotatedAt",
    "lastUsedAt",
    "roles",
    "token",
    "updatedBy",
];
/// `BasicSubjectProfile`'s optional properties (in `createdBy` and `updatedBy`).
const SUBJECT_OPTIONAL: [&str; 5] = [
    "apiTokenName",
    "avatarUrl",
    "fullName",
    "subjectType",
    "username",
];
/// `ApiTokenRole`'s optional properties (in `roles`).
const ROLE_OPTIONAL: [&str; 1] = ["deploymentId"];

/// Sets each missing key of `keys` to `null`.
fn fill(fields: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        fields.entry(*key).or_insert(Value::Null);
    }
}

/// An empty array at `key` becomes `null`.
fn null_if_empty(fields: &mut Map<String, Value>, key: &str) {
    if let Some(value) = fields.get_mut(key)
        && value.as_array().is_some_and(Vec::is_empty)
    {
        *value = Value::Null;
    }
}

/// One `ApiToken` object, in place.
pub(crate) fn token(token: &mut Value) {
    let Some(fields) = token.as_object_mut() else {
        return;
    };
    fill(fields, &API_TOKEN_OPTIONAL);
    null_if_empty(fields, "roles");
    for subject in ["createdBy", "updatedBy"] {
        if let Some(Value::Object(profile)) = fields.get_mut(subject) {
            fill(profile, &SUBJECT_OPTIONAL);
        }
    }
    if let Some(Value::Array(roles)) = fields.get_mut("roles") {
        for role in roles.iter_mut().filter_map(Value::as_object_mut) {
            fill(role, &ROLE_OPTIONAL);
        }
    }
}

/// An `ApiTokensPaginated` object, in place: each token, and an empty `tokens` as `null`.
pub(crate) fn page(page: &mut Value) {
    let Some(fields) = page.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(tokens)) = fields.get_mut("tokens") {
        tokens.iter_mut().for_each(token);
    }
    null_if_empty(fields, "tokens");
}

/// An `Error` object, in place: no field errors is `"fieldErrors": null`.
pub(crate) fn error(error: &mut Value) {
    if let Some(fields) = error.as_object_mut() {
        fill(fields, &["fieldErrors"]);
        null_if_empty(fields, "fieldErrors");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_optionals_become_null_and_values_stay() {
        let mut value = json!({
            "id": "c1",
            "description": "",
            "scope": "WORKSPACE",
            "endAt": "2026-01-01T00:00:00Z",
            "roles": [{"entityId": "w", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER"}],
            "createdBy": {"id": "u1", "fullName": "Jane Doe"},
        });
        token(&mut value);
        assert_eq!(value["endAt"], "2026-01-01T00:00:00Z");
        assert_eq!(value["description"], "");
        for key in [
            "expiryPeriodInDays",
            "lastRotatedAt",
            "lastUsedAt",
            "token",
            "updatedBy",
        ] {
            assert_eq!(value.get(key), Some(&Value::Null), "{key}");
        }
        assert_eq!(value["createdBy"]["fullName"], "Jane Doe");
        for key in ["apiTokenName", "avatarUrl", "subjectType", "username"] {
            assert_eq!(value["createdBy"].get(key), Some(&Value::Null), "{key}");
        }
        assert_eq!(value["roles"][0].get("deploymentId"), Some(&Value::Null));
    }

    #[test]
    fn empty_arrays_become_null() {
        let mut value = json!({"id": "c1", "roles": []});
        token(&mut value);
        assert_eq!(value["roles"], Value::Null);
        let mut value = json!({"limit": 20, "offset": 0, "tokens": [], "totalCount": 0});
        page(&mut value);
        assert_eq!(value.get("tokens"), Some(&Value::Null));
        let mut value = json!({"message": "m", "requestId": "r", "statusCode": 404});
        error(&mut value);
        assert_eq!(value.get("fieldErrors"), Some(&Value::Null));
        let mut value = json!({"message": "m", "fieldErrors": [{"field": "limit"}]});
        error(&mut value);
        assert_eq!(value["fieldErrors"][0]["field"], "limit");
    }
}
