//! Public names for generated types whose generated name would leak an implementation
//! detail. progenitor names an inline parameter enum `{OperationId}{Parameter}`
//! (`ListApiTokensKind`) and the open-enum hoisting names a property's enum
//! `{Schema}{Property}` (`BasicSubjectProfileSubjectType`); the SDK's users know them as
//! `TokenKind` and `SubjectType`, so the types are generated under those names (a typify
//! patch, or the hoisted component's name), and rustdoc, errors and the snapshot show them.
//! A rename that stops applying (the fragment renamed the operation or the parameter)
//! shows up at once: the SDK re-exports `generated::types::TokenKind`, which then no longer
//! exists.

/// `(progenitor's name, the public name)`, applied as typify renames.
pub const RENAMES: &[(&str, &str)] = &[
    ("ListApiTokensKind", "TokenKind"),
    ("BasicSubjectProfileSubjectType", "SubjectType"),
];

/// The public name of a generated type: its rename, or the name itself.
pub fn public_name(generated: &str) -> String {
    RENAMES
        .iter()
        .find(|(from, _)| *from == generated)
        .map_or(generated, |(_, to)| to)
        .to_owned()
}

/// Registers every rename with progenitor.
pub fn apply(settings: &mut progenitor_impl::GenerationSettings) {
    for (generated, public) in RENAMES {
        let mut patch = progenitor_impl::TypePatch::default();
        patch.with_rename(*public);
        settings.with_patch(generated, &patch);
    }
}
