//! What each published package contains, as `cargo package --list` reports it: exactly the
//! files it needs (sources, its README and LICENSE, the fragment for the SDK) and nothing
//! else — no `.tools/`, `node_modules`, `target/`, tests or editor leftovers. A file that
//! matches no rule below fails the test, naming the package and the file.

use std::path::Path;
use std::process::Command;

/// Files cargo itself adds to every package.
const CARGO_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.toml.orig",
    "Cargo.lock",
    ".cargo_vcs_info.json",
];

/// The publishable packages, with the files each must hold besides `src/**/*.rs`.
const PACKAGES: &[(&str, &[&str])] = &[
    (
        "astro-tokens",
        &["README.md", "LICENSE", "build.rs", "openapi/tokens.yaml"],
    ),
    ("astro-tokens-codegen", &["README.md", "LICENSE"]),
    ("astro-tokens-fake", &["README.md", "LICENSE"]),
    ("astro-tokens-cli", &["README.md", "LICENSE"]),
];

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn package_list(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--quiet",
            "-p",
            package,
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo package --list -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The files of `list` that no rule allows.
fn strays(list: &[String], required: &[&str]) -> Vec<String> {
    list.iter()
        .filter(|path| {
            let source = path.starts_with("src/") && path.ends_with(".rs");
            !(source || CARGO_FILES.contains(&path.as_str()) || required.contains(&path.as_str()))
        })
        .cloned()
        .collect()
}

#[test]
fn every_package_holds_exactly_what_it_needs() {
    for (package, required) in PACKAGES {
        let list = package_list(package);
        let missing: Vec<_> = required
            .iter()
            .filter(|file| !list.iter().any(|path| path == *file))
            .collect();
        assert!(missing.is_empty(), "{package} lacks {missing:?}: {list:?}");
        assert!(
            list.iter()
                .any(|path| path == "src/lib.rs" || path == "src/main.rs"),
            "{package} has no sources: {list:?}"
        );
        let strays = strays(&list, required);
        assert!(
            strays.is_empty(),
            "{package} would publish files it does not need: {strays:?} (tighten `include` in its Cargo.toml)"
        );
    }
}

#[test]
fn the_stray_rule_flags_tool_and_test_files() {
    let list: Vec<String> = [
        "Cargo.toml",
        "src/lib.rs",
        "README.md",
        ".tools/node/node_modules/x/README.md",
        "tests/wire.rs",
        "src/lib.rs.orig",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(
        strays(&list, &["README.md"]),
        [
            ".tools/node/node_modules/x/README.md",
            "tests/wire.rs",
            "src/lib.rs.orig"
        ]
    );
}

#[test]
fn every_package_license_is_the_license_its_manifest_names() {
    let license = std::fs::read_to_string(workspace_root().join("LICENSE")).expect("LICENSE");
    assert!(
        license.contains("Apache License") && license.contains("Version 2.0, January 2004"),
        "LICENSE is not the Apache License 2.0"
    );
    let manifest =
        std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("license = \"Apache-2.0\""),
        "the workspace license is not Apache-2.0"
    );
    for dir in ["codegen", "fake", "cli"] {
        let copy = std::fs::read_to_string(workspace_root().join(dir).join("LICENSE"))
            .unwrap_or_else(|e| panic!("{dir}/LICENSE: {e}"));
        assert_eq!(copy, license, "{dir}/LICENSE differs from LICENSE");
        let manifest = std::fs::read_to_string(workspace_root().join(dir).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
        assert!(
            manifest.contains("license.workspace = true"),
            "{dir}/Cargo.toml does not take the workspace license"
        );
    }
}

/// `(major, minor)` of a `rust-version` such as `1.88` or `1.88.0`.
fn version(text: &str) -> (u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
fn rust_version_is_at_least_what_every_dependency_needs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let ours: Vec<&serde_json::Value> = packages
        .iter()
        .filter(|p| PACKAGES.iter().any(|(name, _)| p["name"] == *name))
        .collect();
    assert_eq!(ours.len(), PACKAGES.len());
    let msrv = version(ours[0]["rust_version"].as_str().expect("a rust-version"));
    for package in &ours {
        assert_eq!(
            version(package["rust_version"].as_str().unwrap_or("")),
            msrv,
            "{} states another rust-version",
            package["name"]
        );
    }
    // Every package of the lock file: what users build, and what the tests build.
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needed = version(p["rust_version"].as_str()?);
            (needed > msrv).then(|| format!("{} {} needs {needed:?}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "rust-version {msrv:?} is below what these dependencies need: {too_new:?}"
    );
}
