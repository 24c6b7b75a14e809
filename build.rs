//! Generates the client and models from `openapi/tokens.yaml` into `OUT_DIR`.
//! All the logic lives in `astro-tokens-codegen` (a build-dependency, so a change to it
//! re-runs this script); a broken fragment fails the build with one readable line.

use std::path::Path;

const FRAGMENT: &str = "openapi/tokens.yaml";

fn main() {
    println!("cargo:rerun-if-changed={FRAGMENT}");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let out_dir = std::env::var_os("OUT_DIR").unwrap_or_default();
    let source =
        match astro_tokens_codegen::generate_file(&Path::new(&manifest).join(FRAGMENT), FRAGMENT) {
            Ok(source) => source,
            Err(error) => fail(&error.to_string()),
        };
    let target = Path::new(&out_dir).join("astro_tokens_generated.rs");
    if let Err(error) = std::fs::write(&target, source) {
        fail(&format!("cannot write {}: {error}", target.display()));
    }
}

fn fail(message: &str) -> ! {
    // `cargo:warning` puts the line in cargo's summary; stderr keeps it in the failure log.
    println!("cargo:warning={message}");
    eprintln!("error: {message}");
    std::process::exit(1);
}
