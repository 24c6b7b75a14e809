//! The no-build.rs baseline: a copy of the SDK package whose `src/generated.rs` includes the
//! committed snapshot instead of build.rs output, with the build script and the
//! build-dependency removed. Everything else (features, dependencies, sources) is the
//! checkout's, so the only difference a consumer sees is the generation step.

use std::path::Path;

use toml::{Table, Value};

/// Where the snapshot of the generated code is committed, relative to the checkout.
pub const SNAPSHOT: &str = "generated-tests/snapshot/astro_tokens_generated.rs";
/// The module that includes the generated code.
const GENERATED_RS: &str = "src/generated.rs";
/// The line of `src/generated.rs` that includes build.rs output.
const INCLUDE_OUT_DIR: &str =
    r#"include!(concat!(env!("OUT_DIR"), "/astro_tokens_generated.rs"));"#;
/// What replaces it: the snapshot, copied next to the module.
const INCLUDE_SNAPSHOT: &str = r#"include!("astro_tokens_generated.rs");"#;

/// Writes the baseline package into `dest` (created; must not exist yet).
pub fn write(checkout: &Path, dest: &Path) -> Result<(), String> {
    let manifest_path = checkout.join("Cargo.toml");
    let text = read(&manifest_path)?;
    let manifest = static_manifest(&text, checkout)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    copy_dir(&checkout.join("src"), &dest.join("src"))?;
    if checkout.join("openapi").is_dir() {
        copy_dir(&checkout.join("openapi"), &dest.join("openapi"))?;
    }
    write_file(&dest.join("Cargo.toml"), &manifest)?;
    let module = read(&checkout.join(GENERATED_RS))?;
    write_file(
        &dest.join(GENERATED_RS),
        &include_snapshot(&module).map_err(|e| format!("{GENERATED_RS}: {e}"))?,
    )?;
    let snapshot = read(&checkout.join(SNAPSHOT))?;
    write_file(&dest.join("src/astro_tokens_generated.rs"), &snapshot)
}

/// `src/generated.rs` with the build.rs include replaced by the snapshot's.
pub fn include_snapshot(module: &str) -> Result<String, String> {
    match module.matches(INCLUDE_OUT_DIR).count() {
        1 => Ok(module.replace(INCLUDE_OUT_DIR, INCLUDE_SNAPSHOT)),
        n => Err(format!(
            "expected the line `{INCLUDE_OUT_DIR}` once, found it {n} times"
        )),
    }
}

/// The SDK's manifest as a stand-alone package without build.rs: workspace inheritance
/// resolved, build script, build- and dev-dependencies, targets and lints dropped, and
/// relative `path` dependencies made absolute (relative to `checkout`).
pub fn static_manifest(text: &str, checkout: &Path) -> Result<String, String> {
    let mut manifest: Table = text
        .parse()
        .map_err(|e| format!("not a valid manifest: {e}"))?;
    let workspace = match manifest.remove("workspace") {
        Some(Value::Table(ws)) => ws,
        _ => Table::new(),
    };
    let ws_package = table_at(&workspace, "package");
    let ws_deps = table_at(&workspace, "dependencies");

    for key in [
        "build-dependencies",
        "dev-dependencies",
        "test",
        "example",
        "bench",
        "bin",
        "lints",
        "patch",
        "profile",
    ] {
        manifest.remove(key);
    }
    let package = match manifest.get_mut("package") {
        Some(Value::Table(p)) => p,
        _ => return Err("no [package] table".to_owned()),
    };
    package.remove("build");
    package.remove("include");
    package.remove("exclude");
    package.insert("build".to_owned(), Value::Boolean(false));
    for auto in ["autotests", "autoexamples", "autobenches", "autobins"] {
        package.insert(auto.to_owned(), Value::Boolean(false));
    }
    package.insert("publish".to_owned(), Value::Boolean(false));
    for (key, value) in package.iter_mut() {
        if is_inherited(value) {
            *value = ws_package.get(key).cloned().ok_or_else(|| {
                format!("package.{key} is inherited, but [workspace.package] lacks it")
            })?;
        }
    }
    if let Some(Value::Table(deps)) = manifest.get_mut("dependencies") {
        resolve_dependencies(deps, &ws_deps, checkout)?;
    }
    if let Some(Value::Table(targets)) = manifest.get_mut("target") {
        for (_, target) in targets.iter_mut() {
            if let Value::Table(target) = target {
                target.remove("build-dependencies");
                target.remove("dev-dependencies");
                if let Some(Value::Table(deps)) = target.get_mut("dependencies") {
                    resolve_dependencies(deps, &ws_deps, checkout)?;
                }
            }
        }
    }
    Ok(manifest.to_string())
}

fn table_at(table: &Table, key: &str) -> Table {
    match table.get(key) {
        Some(Value::Table(t)) => t.clone(),
        _ => Table::new(),
    }
}

fn is_inherited(value: &Value) -> bool {
    matches!(value, Value::Table(t) if t.get("workspace") == Some(&Value::Boolean(true)))
}

fn resolve_dependencies(deps: &mut Table, ws_deps: &Table, checkout: &Path) -> Result<(), String> {
    for (name, dep) in deps.iter_mut() {
        if let Value::Table(local) = dep
            && local.get("workspace") == Some(&Value::Boolean(true))
        {
            let local = std::mem::take(local);
            let mut merged = match ws_deps.get(name) {
                Some(Value::String(version)) => {
                    Table::from_iter([("version".to_owned(), Value::String(version.clone()))])
                }
                Some(Value::Table(t)) => t.clone(),
                _ => {
                    return Err(format!(
                        "dependency {name} is inherited, but [workspace.dependencies] lacks it"
                    ));
                }
            };
            for (key, value) in local {
                match (key.as_str(), merged.get_mut("features"), value) {
                    ("workspace", _, _) => {}
                    ("features", Some(Value::Array(base)), Value::Array(extra)) => {
                        base.extend(extra);
                    }
                    (_, _, value) => {
                        merged.insert(key, value);
                    }
                }
            }
            *dep = Value::Table(merged);
        }
        if let Value::Table(t) = dep
            && let Some(Value::String(path)) = t.get("path")
            && Path::new(path).is_relative()
        {
            let absolute = checkout.join(path).display().to_string();
            t.insert("path".to_owned(), Value::String(absolute));
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| {
                format!(
                    "cannot copy {} to {}: {e}",
                    source.display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[workspace]
members = [".", "codegen"]

[workspace.package]
edition = "2024"
license = "Apache-2.0"

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[package]
name = "astro-tokens"
version = "0.1.0"
edition.workspace = true
license.workspace = true
build = "build.rs"
include = ["build.rs", "src/**"]

[features]
default = ["rustls-ring"]
rustls-ring = []

[dependencies]
serde = { workspace = true, features = ["std"] }
serde_json = { workspace = true, optional = true }
local = { path = "local" }

[build-dependencies]
astro-tokens-codegen = { path = "codegen", version = "0.1.0" }

[dev-dependencies]
expectorate = "1"

[[test]]
name = "generated_snapshot"
path = "generated-tests/snapshot.rs"
"#;

    fn normalized() -> Table {
        static_manifest(MANIFEST, Path::new("/checkout"))
            .expect("normalizes")
            .parse()
            .expect("valid TOML")
    }

    #[test]
    fn the_build_script_and_everything_but_the_library_go() {
        let manifest = normalized();
        for gone in [
            "workspace",
            "build-dependencies",
            "dev-dependencies",
            "test",
        ] {
            assert!(!manifest.contains_key(gone), "{gone} kept");
        }
        let package = table_at(&manifest, "package");
        assert_eq!(package.get("build"), Some(&Value::Boolean(false)));
        assert!(!package.contains_key("include"));
        assert_eq!(
            table_at(&manifest, "features").get("default"),
            Some(&Value::Array(vec![Value::String("rustls-ring".into())]))
        );
    }

    #[test]
    fn workspace_inheritance_is_resolved() {
        let manifest = normalized();
        let package = table_at(&manifest, "package");
        assert_eq!(package.get("edition"), Some(&Value::String("2024".into())));
        assert_eq!(
            package.get("license"),
            Some(&Value::String("Apache-2.0".into()))
        );
        let deps = table_at(&manifest, "dependencies");
        let serde = deps.get("serde").and_then(Value::as_table).expect("serde");
        assert_eq!(serde.get("version"), Some(&Value::String("1".into())));
        assert_eq!(
            serde.get("features"),
            Some(&Value::Array(vec![
                Value::String("derive".into()),
                Value::String("std".into())
            ]))
        );
        assert!(!serde.contains_key("workspace"));
        let json = deps
            .get("serde_json")
            .and_then(Value::as_table)
            .expect("json");
        assert_eq!(json.get("version"), Some(&Value::String("1".into())));
        assert_eq!(json.get("optional"), Some(&Value::Boolean(true)));
        let local = deps.get("local").and_then(Value::as_table).expect("local");
        assert_eq!(
            local.get("path"),
            Some(&Value::String(
                Path::new("/checkout").join("local").display().to_string()
            ))
        );
    }

    #[test]
    fn an_inherited_key_missing_from_the_workspace_is_an_error() {
        let broken = MANIFEST.replace("license = \"Apache-2.0\"\n", "");
        let error = static_manifest(&broken, Path::new("/c")).expect_err("refused");
        assert!(error.contains("package.license"), "{error}");
    }

    #[test]
    fn the_module_includes_the_snapshot_instead_of_out_dir() {
        let module = format!("//! doc\n\n{INCLUDE_OUT_DIR}\n");
        let rewritten = include_snapshot(&module).expect("rewritten");
        assert!(rewritten.contains(INCLUDE_SNAPSHOT), "{rewritten}");
        assert!(!rewritten.contains("OUT_DIR"), "{rewritten}");
        assert!(include_snapshot("//! no include here\n").is_err());
    }

    #[test]
    fn the_checkout_module_has_the_include_this_rewrites() {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let module = std::fs::read_to_string(checkout.join(GENERATED_RS)).expect("read");
        include_snapshot(&module).expect("src/generated.rs includes OUT_DIR output once");
        assert!(checkout.join(SNAPSHOT).is_file());
    }
}
