//! Public names for generated types whose progenitor name would leak an implementation
//! detail. progenitor names an inline parameter enum `{OperationId}{Parameter}`
//! (`ListApiTokensKind`); the SDK's users know it as `TokenKind`, so the type is generated
//! under that name (a typify patch), and rustdoc, errors and the snapshot all show it.
//! A rename that stops applying (the fragment renamed the operation or the parameter)
//! shows up at once: the SDK re-exports `generated::types::TokenKind`, which then no longer
//! exists.

/// `(progenitor's name, the public name)`, applied as typify renames.
pub const RENAMES: &[(&str, &str)] = &[("ListApiTokensKind", "TokenKind")];

/// Registers every rename with progenitor.
pub fn apply(settings: &mut progenitor::GenerationSettings) {
    for (generated, public) in RENAMES {
        let mut patch = progenitor::TypePatch::default();
        patch.with_rename(*public);
        settings.with_patch(generated, &patch);
    }
}
