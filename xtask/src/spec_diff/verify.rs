//! The independent check of the `rust_api` column: cargo-semver-checks on the whole
//! `astro-tokens` crate (generated module and hand-written wrapper), built once from the
//! OLD and once from the NEW fragment.
//!
//! Both sides are copies of the workspace (everything but `.git`, `.tools` and the target
//! directory, so the layout may change freely) under `<target>/spec-verify/{old,new}`,
//! with the side's fragment at `openapi/tokens.yaml`. The copies keep their paths and a
//! file is only rewritten when its bytes change, so cargo's fingerprints survive from one
//! pair to the next; both sides share `<target>/spec-verify/target`, so the dependency
//! tree is built for rustdoc once. With `--base REV` the OLD side is the whole workspace at
//! that revision (`git archive`). Only the default features are checked.
//!
//! A NEW side that does not compile is a verdict of its own ("does not compile":
//! breaking), not a tool failure. `cargo check` decides that first: rustdoc, which
//! cargo-semver-checks builds, does not type-check function bodies, so a wrapper whose
//! bodies no longer type-check against the NEW generated code would pass it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use super::Impact;

/// The pinned version `.ci/install-tools` installs.
pub const SEMVER_CHECKS_VERSION: &str = "0.51.0";

/// What cargo-semver-checks concluded about OLD → NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The NEW crate does not build: every user breaks.
    DoesNotCompile,
    Major,
    Minor,
    None,
    /// The OLD (baseline) crate does not build: there is no verdict on the pair. `--verify`
    /// makes it an error (exit 2); `--verify-corpus` shows the pair as not checked.
    OldDoesNotCompile,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::DoesNotCompile => "does not compile",
            Level::Major => "major",
            Level::Minor => "minor",
            Level::None => "none",
            Level::OldDoesNotCompile => "OLD does not compile",
        }
    }

    /// Whether the level means "breaking" for users of the crate.
    pub fn is_breaking(self) -> bool {
        matches!(self, Level::DoesNotCompile | Level::Major)
    }
}

/// Whether our `rust_api` verdict and cargo-semver-checks' say the same thing: breaking
/// exactly when semver-checks says major (or the NEW crate does not compile).
pub fn agrees(ours: Impact, theirs: Level) -> bool {
    (ours == Impact::Breaking) == theirs.is_breaking()
}

/// One run of cargo-semver-checks.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub level: Level,
    /// The lints that fired (`failure` and `warning` alike), in output order.
    pub lints: Vec<String>,
    /// For [`Level::DoesNotCompile`] and [`Level::OldDoesNotCompile`]: the first compiler
    /// error, for the reader.
    pub error: Option<String>,
    pub seconds: f64,
    /// Taken from the cache (`<target>/spec-verify/cache`): same bytes on both sides,
    /// same rustc and tool, already checked.
    pub cached: bool,
}

impl Verdict {
    fn to_cache(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.level.as_str(),
            self.lints.join(","),
            self.error.as_deref().unwrap_or_default().replace('\n', " ")
        )
    }

    fn from_cache(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        let level = match lines.next()? {
            "does not compile" => Level::DoesNotCompile,
            "major" => Level::Major,
            "minor" => Level::Minor,
            "none" => Level::None,
            "OLD does not compile" => Level::OldDoesNotCompile,
            _ => return None,
        };
        let lints = lines
            .next()?
            .split(',')
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let error = lines.next().filter(|e| !e.is_empty()).map(str::to_owned);
        Some(Self {
            level,
            lints,
            error,
            seconds: 0.0,
            cached: true,
        })
    }
}

/// Which copy of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

impl Side {
    fn dir(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }
}

/// The workspace, its copies and the tool.
pub struct Verifier {
    root: PathBuf,
    target: PathBuf,
    work: PathBuf,
    tool: PathBuf,
    /// What the cache key hashes, relative to a copy's root.
    inputs: Vec<PathBuf>,
    /// Whether verdicts are read from the cache (they are always written to it).
    pub use_cache: bool,
}

impl Verifier {
    /// Finds the workspace (`cargo metadata`) and cargo-semver-checks
    /// (`.tools/cargo/bin`, else `PATH`); checks its version.
    pub fn new() -> Result<Self, String> {
        let meta = metadata()?;
        let root = PathBuf::from(meta["workspace_root"].as_str().unwrap_or_default());
        let target = PathBuf::from(meta["target_directory"].as_str().unwrap_or_default());
        if root.as_os_str().is_empty() || target.as_os_str().is_empty() {
            return Err(
                "cargo metadata did not name the workspace root and target directory".to_owned(),
            );
        }
        let tool = find_tool(&root).ok_or_else(|| {
            format!(
                "cargo-semver-checks is not installed: run `bash .ci/install-tools` (installs {SEMVER_CHECKS_VERSION} into .tools/cargo) or `cargo install --locked --version {SEMVER_CHECKS_VERSION} cargo-semver-checks`"
            )
        })?;
        let version = Command::new(&tool)
            .args(["semver-checks", "--version"])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
        let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        if version != format!("cargo-semver-checks {SEMVER_CHECKS_VERSION}") {
            return Err(format!(
                "{} is `{version}`, not the pinned {SEMVER_CHECKS_VERSION}: run `bash .ci/install-tools`",
                tool.display()
            ));
        }
        let work = target.join("spec-verify");
        let mut inputs: Vec<PathBuf> = [
            "Cargo.toml",
            "Cargo.lock",
            "build.rs",
            "src",
            "openapi",
            ".cargo",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        inputs.extend(path_dependencies(&meta, &root));
        Ok(Self {
            root,
            target,
            work,
            tool,
            inputs,
            use_cache: true,
        })
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn side(&self, side: Side) -> PathBuf {
        self.work.join(side.dir())
    }

    /// Makes `side` the working tree with `fragment` at `openapi/tokens.yaml`.
    pub fn prepare_fragment(&self, side: Side, fragment: &str) -> Result<(), String> {
        let dir = self.side(side);
        let skip = self.skipped();
        sync_tree(&self.root, &dir, &skip)?;
        write_if_changed(&dir.join(crate::git::FRAGMENT), fragment.as_bytes())
    }

    /// Makes `side` the whole workspace at git revision `rev`.
    pub fn prepare_rev(&self, side: Side, rev: &str) -> Result<(), String> {
        let staging = self.work.join("rev");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| format!("{}: cannot clear: {e}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging)
            .map_err(|e| format!("{}: cannot create: {e}", staging.display()))?;
        let archive = staging.join("rev.tar");
        let out = Command::new("git")
            .args(["archive", "--format=tar", "-o"])
            .arg(&archive)
            .arg(rev)
            .current_dir(&self.root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git archive {rev} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let tree = staging.join("tree");
        std::fs::create_dir_all(&tree).map_err(|e| format!("{}: {e}", tree.display()))?;
        let out = Command::new("tar")
            .arg("-xf")
            .arg(&archive)
            .arg("-C")
            .arg(&tree)
            .output()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "tar could not unpack the archive of {rev}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        sync_tree(&tree, &self.side(side), &[])
    }

    /// Names skipped when copying the working tree: VCS data, tools, build output.
    fn skipped(&self) -> Vec<PathBuf> {
        let mut skip = vec![
            self.root.join(".git"),
            self.root.join(".tools"),
            self.root.join("target"),
            self.target.clone(),
        ];
        skip.dedup();
        skip
    }

    /// Runs cargo-semver-checks on the prepared copies (OLD is the baseline), or takes
    /// the verdict from the cache when both copies, rustc and the tool are unchanged.
    pub fn run(&self) -> Result<Verdict, String> {
        let key = self.cache_key()?;
        let cache = self.work.join("cache").join(format!("{key:016x}"));
        if let Some(v) = std::fs::read_to_string(&cache)
            .ok()
            .filter(|_| self.use_cache)
            .and_then(|t| Verdict::from_cache(&t))
        {
            return Ok(v);
        }
        let verdict = self.run_tool()?;
        write_if_changed(&cache, verdict.to_cache().as_bytes())?;
        Ok(verdict)
    }

    /// A hash of what the crate's build reads on both sides (its manifest and lockfile,
    /// `build.rs`, `src/`, `openapi/`, cargo config, and its path dependencies such as
    /// `codegen/`: not the other members, so editing xtask or docs keeps the cache), with
    /// rustc's and the tool's versions.
    fn cache_key(&self) -> Result<u64, String> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for side in [Side::Old, Side::New] {
            let dir = self.side(side);
            for rel in &self.inputs {
                let path = dir.join(rel);
                rel.hash(&mut h);
                if path.is_dir() {
                    hash_tree(&path, rel, &mut h)?;
                } else if let Ok(bytes) = std::fs::read(&path) {
                    bytes.hash(&mut h);
                }
            }
        }
        let rustc = Command::new("rustc")
            .arg("-V")
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        rustc.hash(&mut h);
        SEMVER_CHECKS_VERSION.hash(&mut h);
        // What a verdict is made of (bump when that changes).
        "cargo check, then cargo-semver-checks".hash(&mut h);
        Ok(h.finish())
    }

    fn run_tool(&self) -> Result<Verdict, String> {
        let started = Instant::now();
        // rustdoc (what cargo-semver-checks builds) does not type-check function bodies,
        // so a wrapper whose bodies no longer type-check would pass; the compiler decides.
        if let Some(error) = self.check_new()? {
            return Ok(Verdict {
                level: Level::DoesNotCompile,
                lints: Vec::new(),
                error: Some(error),
                seconds: started.elapsed().as_secs_f64(),
                cached: false,
            });
        }
        let new = self.side(Side::New);
        let out = Command::new(&self.tool)
            .args(["semver-checks", "check-release", "--color", "never"])
            .args(["--package", "astro-tokens", "--default-features"])
            .arg("--manifest-path")
            .arg(new.join("Cargo.toml"))
            .arg("--baseline-root")
            .arg(self.side(Side::Old))
            .env("CARGO_TARGET_DIR", self.work.join("target"))
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.tool.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut verdict = parse_output(&stdout, &stderr).map_err(|why| {
            let tail: Vec<&str> = stderr.lines().rev().take(25).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!(
                "cargo-semver-checks failed ({why}, exit status {:?}); last lines:\n{}",
                out.status.code(),
                tail.join("\n")
            )
        })?;
        verdict.seconds = started.elapsed().as_secs_f64();
        Ok(verdict)
    }
}

impl Verifier {
    /// `cargo check` of the NEW copy's library (default features, its own lockfile):
    /// `None` when it compiles, else the first error.
    fn check_new(&self) -> Result<Option<String>, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args([
                "check",
                "--lib",
                "--package",
                "astro-tokens",
                "--color",
                "never",
            ])
            .arg("--manifest-path")
            .arg(self.side(Side::New).join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", self.work.join("check-target"))
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .map_err(|e| format!("cannot run cargo check: {e}"))?;
        if out.status.success() {
            return Ok(None);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !(stderr.contains("could not compile `astro-tokens`")
            || stderr.contains("failed to run custom build command for `astro-tokens"))
        {
            let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "cargo check of the NEW crate failed for another reason:\n{}",
                tail.join("\n")
            ));
        }
        Ok(Some(first_error(&stderr).unwrap_or_else(|| {
            "error: the crate does not compile".to_owned()
        })))
    }
}

/// Reads a cargo-semver-checks run: its lint headers (stdout), its `Summary` line, or the
/// compile failure of a side (stderr).
pub fn parse_output(stdout: &str, stderr: &str) -> Result<Verdict, String> {
    let lints: Vec<String> = stdout
        .lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("--- failure ")
                .or_else(|| l.strip_prefix("--- warning "))?;
            Some(rest.split(':').next().unwrap_or(rest).trim().to_owned())
        })
        .collect();
    let summary = stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("Summary "));
    let level = match summary {
        Some(s) if s.contains("semver requires new major version") => Some(Level::Major),
        Some(s) if s.contains("semver requires new minor version") => Some(Level::Minor),
        Some(s) if s.contains("no semver update required") => Some(Level::None),
        _ => None,
    };
    if let Some(level) = level {
        return Ok(Verdict {
            level,
            lints,
            error: None,
            seconds: 0.0,
            cached: false,
        });
    }
    const FAILED: [&str; 3] = [
        "running cargo-doc on crate 'astro-tokens' failed",
        "could not compile `astro-tokens`",
        "failed to run custom build command for `astro-tokens",
    ];
    let Some(failed_at) = FAILED.iter().filter_map(|m| stderr.find(m)).min() else {
        return Err("no verdict in its output".to_owned());
    };
    let building = stderr[..failed_at]
        .lines()
        .rev()
        .find(|l| l.contains("Building astro-tokens"));
    let error = first_error(&stderr[failed_at..]);
    let level = if building.is_some_and(|l| l.contains("(baseline)")) {
        Level::OldDoesNotCompile
    } else {
        Level::DoesNotCompile
    };
    Ok(Verdict {
        level,
        lints,
        error,
        seconds: 0.0,
        cached: false,
    })
}

/// The first compiler error of a cargo log, with its place relative to the crate copy
/// (`error[E0432]: unresolved import ... (src/kind.rs:6:5)`); for a build script that
/// fails (the generator rejecting the fragment), the script's own `error:` line. Paths of
/// this machine are left out, so the same failure reads the same everywhere.
fn first_error(log: &str) -> Option<String> {
    if let Some(at) = log.find("failed to run custom build command for `astro-tokens") {
        let script = log[at..]
            .split("--- stderr")
            .nth(1)
            .and_then(|e| e.lines().map(str::trim).find(|l| l.starts_with("error:")));
        return Some(format!(
            "build script: {}",
            script.unwrap_or("error: failed to run custom build command")
        ));
    }
    let mut lines = log.lines().map(str::trim);
    let error = lines.find(|l| {
        (l.starts_with("error[") || l.starts_with("error:"))
            && !l.contains("running cargo-doc")
            && !l.contains("could not compile")
            && !l.contains("aborting")
    })?;
    let place = lines
        .next()
        .and_then(|l| l.strip_prefix("--> "))
        .map(|p| {
            let p = ["/spec-verify/new/", "/spec-verify/old/"]
                .iter()
                .find_map(|side| p.rsplit_once(side).map(|(_, rel)| rel))
                .unwrap_or(p);
            let p = match p.rsplit_once("/out/") {
                Some((_, file)) => format!("OUT_DIR/{file}"),
                None => p.to_owned(),
            };
            format!(" ({p})")
        })
        .unwrap_or_default();
    Some(format!("{error}{place}"))
}

/// Feeds every file under `dir` (sorted, but not `target`) into the hasher.
fn hash_tree(dir: &Path, rel: &Path, h: &mut impl std::hash::Hasher) -> Result<(), String> {
    use std::hash::Hash;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read: {e}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let path = entry.path();
        let rel = rel.join(&name);
        if path.is_dir() {
            hash_tree(&path, &rel, h)?;
        } else {
            rel.hash(h);
            std::fs::read(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?
                .hash(h);
        }
    }
    Ok(())
}

fn metadata() -> Result<Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

/// The directories (relative to the workspace root) of astro-tokens' path dependencies.
fn path_dependencies(meta: &Value, root: &Path) -> Vec<PathBuf> {
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let Some(sdk) = packages.iter().find(|p| p["name"] == "astro-tokens") else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = sdk["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .filter_map(|p| Path::new(p).strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn find_tool(root: &Path) -> Option<PathBuf> {
    let local = root.join(".tools/cargo/bin/cargo-semver-checks");
    if local.is_file() {
        return Some(local);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join("cargo-semver-checks"))
        .find(|p| p.is_file())
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Makes `dst` a copy of `src` without the `skip` paths: files whose bytes are unchanged
/// are left alone (so are their modification times), others are written, and files and
/// directories `src` no longer has are removed (except a `target` directory in `dst`).
pub fn sync_tree(src: &Path, dst: &Path, skip: &[PathBuf]) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("{}: cannot create: {e}", dst.display()))?;
    let entries =
        std::fs::read_dir(src).map_err(|e| format!("{}: cannot read: {e}", src.display()))?;
    let mut keep = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", src.display()))?;
        let path = entry.path();
        if skip.iter().any(|s| s == &path) {
            continue;
        }
        let to = dst.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            if to.is_file() {
                std::fs::remove_file(&to).map_err(|e| format!("{}: {e}", to.display()))?;
            }
            sync_tree(&path, &to, skip)?;
        } else if kind.is_file() {
            if to.is_dir() {
                std::fs::remove_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            write_if_changed(&to, &bytes)?;
        }
        keep.push(entry.file_name());
    }
    let existing =
        std::fs::read_dir(dst).map_err(|e| format!("{}: cannot read: {e}", dst.display()))?;
    for entry in existing.flatten() {
        let name = entry.file_name();
        if keep.contains(&name) || name == "target" {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| format!("{}: cannot remove: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_gives_the_level_and_the_headers_the_lints() {
        let stdout = "\n--- failure enum_variant_added: enum variant added on exhaustive enum ---\n\nDescription:\n...\n--- warning function_marked_deprecated: x ---\n";
        let stderr = "     Checking astro-tokens v0.1.0 -> v0.1.0 (no change; assume patch)\n     Summary semver requires new major version: 1 major and 0 minor checks failed\n";
        let v = parse_output(stdout, stderr).expect("a verdict");
        assert_eq!(v.level, Level::Major);
        assert_eq!(
            v.lints,
            ["enum_variant_added", "function_marked_deprecated"]
        );
        let v = parse_output("", "     Summary no semver update required\n").expect("a verdict");
        assert_eq!((v.level, v.lints.len()), (Level::None, 0));
        let v = parse_output(
            "",
            "     Summary semver requires new minor version: 0 major and 1 minor checks failed",
        )
        .expect("a verdict");
        assert_eq!(v.level, Level::Minor);
    }

    #[test]
    fn a_crate_that_does_not_compile_is_a_verdict_and_other_failures_are_errors() {
        let stderr = "    Building astro-tokens v0.1.0 (baseline)\n       Built [  1.0s] (baseline)\n    Building astro-tokens v0.1.0 (current)\nerror: running cargo-doc on crate 'astro-tokens' failed with output:\n-----\n Documenting astro-tokens v0.1.0 (/w/target/spec-verify/new)\nerror[E0432]: unresolved import `crate::generated::types::ListApiTokensKind`\n --> /w/target/spec-verify/new/src/kind.rs:6:5\n";
        let v = parse_output("", stderr).expect("a verdict");
        assert_eq!(v.level, Level::DoesNotCompile);
        assert_eq!(
            v.error.as_deref(),
            Some(
                "error[E0432]: unresolved import `crate::generated::types::ListApiTokensKind` (src/kind.rs:6:5)"
            )
        );
        let generated = "error[E0433]: cannot find `uuid` in the crate root\n --> /w/target/spec-verify/check-target/debug/build/astro-tokens-b146/out/astro_tokens_generated.rs:1360:39\n";
        assert_eq!(
            first_error(generated).as_deref(),
            Some(
                "error[E0433]: cannot find `uuid` in the crate root (OUT_DIR/astro_tokens_generated.rs:1360:39)"
            )
        );
        let script = "error: failed to run custom build command for `astro-tokens v0.1.0 (/w/target/spec-verify/new)`\n\nCaused by:\n  process didn't exit successfully\n  --- stdout\n  cargo:warning=x\n\n  --- stderr\n  error: openapi/tokens.yaml: progenitor rejected the fragment\n";
        assert_eq!(
            first_error(script).as_deref(),
            Some("build script: error: openapi/tokens.yaml: progenitor rejected the fragment")
        );
        let baseline = stderr.replace("(current)", "(baseline)");
        let v = parse_output("", &baseline).expect("a verdict on the baseline");
        assert_eq!(v.level, Level::OldDoesNotCompile);
        assert!(!v.level.is_breaking());
        assert!(v.error.is_some_and(|e| e.contains("E0432")));
        assert!(parse_output("", "error: failed to retrieve the index").is_err());
    }

    #[test]
    fn cached_verdicts_read_back_as_written() {
        let v = Verdict {
            level: Level::DoesNotCompile,
            lints: vec!["a".into(), "b".into()],
            error: Some("error[E0432]: x".into()),
            seconds: 3.0,
            cached: false,
        };
        let back = Verdict::from_cache(&v.to_cache()).expect("parses");
        assert_eq!(
            (back.level, &back.lints, &back.error, back.cached),
            (v.level, &v.lints, &v.error, true)
        );
        let old = Verdict::from_cache("OLD does not compile\n\nerror[E0425]: x\n").expect("parses");
        assert_eq!(old.level, Level::OldDoesNotCompile);
        let none = Verdict::from_cache("none\n\n\n").expect("parses");
        assert!(none.lints.is_empty() && none.error.is_none());
        assert!(Verdict::from_cache("garbage").is_none());
    }

    #[test]
    fn agreement_is_breaking_versus_major_or_does_not_compile() {
        assert!(agrees(Impact::Breaking, Level::Major));
        assert!(agrees(Impact::Breaking, Level::DoesNotCompile));
        assert!(agrees(Impact::Compatible, Level::Minor));
        assert!(agrees(Impact::None, Level::None));
        assert!(!agrees(Impact::Compatible, Level::Major));
        assert!(!agrees(Impact::Breaking, Level::None));
    }

    #[test]
    fn sync_tree_copies_skips_removes_and_keeps_unchanged_files_untouched() {
        let base = std::env::temp_dir().join(format!("xtask-sync-{}", std::process::id()));
        let (src, dst) = (base.join("src"), base.join("dst"));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(src.join("a/b")).expect("dirs");
        std::fs::create_dir_all(src.join("skipme")).expect("dirs");
        std::fs::write(src.join("a/b/f.txt"), "one").expect("write");
        std::fs::write(src.join("skipme/x"), "x").expect("write");
        std::fs::write(src.join("top"), "top").expect("write");
        sync_tree(&src, &dst, &[src.join("skipme")]).expect("sync");
        assert_eq!(
            std::fs::read_to_string(dst.join("a/b/f.txt"))
                .ok()
                .as_deref(),
            Some("one")
        );
        assert!(!dst.join("skipme").exists());
        let before = std::fs::metadata(dst.join("top"))
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::remove_file(src.join("a/b/f.txt")).expect("rm");
        std::fs::write(dst.join("stale"), "old").expect("write");
        std::thread::sleep(std::time::Duration::from_millis(20));
        sync_tree(&src, &dst, &[src.join("skipme")]).expect("sync again");
        assert!(!dst.join("a/b/f.txt").exists() && !dst.join("stale").exists());
        let after = std::fs::metadata(dst.join("top"))
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(before, after, "an unchanged file is not rewritten");
        let _ = std::fs::remove_dir_all(&base);
    }
}
