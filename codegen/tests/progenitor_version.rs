//! The progenitor version the generated header names is the one `Cargo.lock` resolves.

#[test]
fn the_header_names_the_locked_progenitor_release() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    let locked = lock
        .split("[[package]]")
        .find(|entry| entry.contains("\nname = \"progenitor-impl\"\n"))
        .and_then(|entry| entry.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("progenitor-impl is locked");
    let named = astro_tokens_codegen::PROGENITOR_VERSION;
    assert!(
        locked.starts_with(&format!("{named}.")),
        "Cargo.lock resolves progenitor-impl {locked}, but PROGENITOR_VERSION (codegen/src/lib.rs) says {named}: update it"
    );
    assert!(astro_tokens_codegen::header("x").contains(&format!("progenitor {named}")));
}
