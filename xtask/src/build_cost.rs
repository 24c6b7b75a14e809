//! `cargo xtask build-cost`: what depending on astro-tokens costs a consumer's clean build.
//!
//! In one run it builds a one-file consumer crate (`cargo build`, debug, a fresh empty target
//! directory per build, the shared cargo registry) against this checkout as a path
//! dependency, once per variant:
//! - with build.rs generation, at the default features and at each TLS choice alone;
//! - with the committed snapshot included statically (the no-build.rs baseline, see
//!   [`static_copy`]), at the same feature sets.
//!
//! It prints the wall time and the number of crates compiled, the ratios to the default and
//! to the baseline, and PASS/FAIL lines against the targets in [`report`]. With `--runs N`
//! the variants are built N times, interleaved (each run builds every variant once, in a
//! rotating order), so a busy machine slows all of them alike; ratios are paired run by run.
//! Crates are fetched before anything is timed (`cargo fetch`, offline first), so a warm
//! registry needs no network and a fresh machine downloads once.

mod report;
mod static_copy;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use report::{Results, Sample};

/// The TLS features of astro-tokens, each measured alone.
pub const TLS_FEATURES: &[&str] = &["rustls-aws-lc", "rustls-ring", "native-tls"];
/// Today's default TLS stack, the reference of the lightest-choice target.
pub const REFERENCE_TLS: &str = "rustls-aws-lc";

/// The options of `cargo xtask build-cost`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Build every variant this many times, interleaved; prints min/median/max.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub runs: u32,
    /// Build only these variants (repeat, or separate with commas): default, static,
    /// a TLS feature (rustls-aws-lc, rustls-ring, native-tls) or static-<TLS feature>.
    #[arg(long, value_delimiter = ',', value_name = "VARIANT")]
    pub only: Vec<String>,
    /// Leave out the static baselines at each TLS choice (keeps `static`, the default's).
    #[arg(long)]
    pub no_static_tls: bool,
    /// The astro-tokens checkout to measure (default: the one this xtask belongs to).
    #[arg(long, value_name = "DIR")]
    pub checkout: Option<PathBuf>,
    /// Where the scratch directory goes (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the scratch directory (consumers, the static copy) instead of removing it.
    #[arg(long)]
    pub keep: bool,
    /// Also save cargo's `--timings` report of every build in the scratch directory
    /// (implies --keep), to see the critical path.
    #[arg(long)]
    pub timings: bool,
}

/// How the SDK gets its generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// build.rs runs astro-tokens-codegen (what users get).
    BuildRs,
    /// The committed snapshot, included statically (the baseline).
    Snapshot,
}

/// One thing to build: a source of the generated code at a feature set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub source: Source,
    /// One feature with `default-features = false`, or `None` for the default features.
    pub feature: Option<&'static str>,
}

impl Variant {
    pub fn default_features(source: Source) -> Self {
        Self {
            source,
            feature: None,
        }
    }

    pub fn with_feature(source: Source, feature: &'static str) -> Self {
        Self {
            source,
            feature: Some(feature),
        }
    }

    /// The same features, from the snapshot.
    pub fn baseline(&self) -> Self {
        Self {
            source: Source::Snapshot,
            feature: self.feature,
        }
    }

    /// The name `--only` takes.
    pub fn name(&self) -> String {
        match (self.source, self.feature) {
            (Source::BuildRs, None) => "default".to_owned(),
            (Source::BuildRs, Some(f)) => f.to_owned(),
            (Source::Snapshot, None) => "static".to_owned(),
            (Source::Snapshot, Some(f)) => format!("static-{f}"),
        }
    }

    /// When the default features are exactly one TLS feature, the default build is that
    /// feature's build: one of the two is measured, under this (the feature's) name.
    pub fn canonical(self, default_alias: Option<&str>) -> Self {
        match (self.feature, default_alias) {
            (None, Some(alias)) => Self {
                feature: TLS_FEATURES.iter().copied().find(|f| *f == alias),
                ..self
            },
            _ => self,
        }
    }

    /// The feature set, for the PASS/FAIL lines.
    pub fn features_label(&self, default_alias: Option<&str>) -> String {
        match (self.feature, default_alias) {
            (None, _) => "the default features".to_owned(),
            (Some(f), Some(alias)) if f == alias => format!("the default features (= {f})"),
            (Some(f), _) => format!("`{f}`"),
        }
    }

    /// The name in the table; the default's alias is shown.
    pub fn label(&self, default_alias: Option<&str>) -> String {
        match (self.feature, default_alias) {
            (Some(f), Some(alias)) if f == alias => match self.source {
                Source::BuildRs => format!("default = {f}"),
                Source::Snapshot => format!("static = static-{f}"),
            },
            _ => self.name(),
        }
    }
}

/// Every variant, in the order they are reported.
fn all_variants(static_tls: bool) -> Vec<Variant> {
    let mut all = vec![Variant::default_features(Source::BuildRs)];
    all.extend(
        TLS_FEATURES
            .iter()
            .map(|f| Variant::with_feature(Source::BuildRs, f)),
    );
    all.push(Variant::default_features(Source::Snapshot));
    if static_tls {
        all.extend(
            TLS_FEATURES
                .iter()
                .map(|f| Variant::with_feature(Source::Snapshot, f)),
        );
    }
    all
}

/// The variants to build: `--only` (checked against the known names), deduplicated once the
/// default is resolved to its TLS feature.
fn selected(args: &Args, default_alias: Option<&str>) -> Result<Vec<Variant>, String> {
    let known = all_variants(true);
    let wanted: Vec<Variant> = if args.only.is_empty() {
        all_variants(!args.no_static_tls)
    } else {
        args.only
            .iter()
            .map(|name| {
                known
                    .iter()
                    .find(|v| v.name() == name.trim())
                    .cloned()
                    .ok_or_else(|| {
                        let names: Vec<String> = known.iter().map(Variant::name).collect();
                        format!(
                            "--only {name}: no such variant; choose from {}",
                            names.join(", ")
                        )
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let mut out: Vec<Variant> = Vec::new();
    for v in wanted {
        let v = v.canonical(default_alias);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Runs the command; `Ok(true)` when every target measured passes.
pub fn run(args: &Args) -> Result<bool, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let checkout = match &args.checkout {
        Some(dir) => dir.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    let checkout = checkout
        .canonicalize()
        .map_err(|e| format!("{}: {e}", checkout.display()))?;
    let features = sdk_features(&checkout)?;
    let default_alias = default_alias(&features);
    let variants = selected(args, default_alias.as_deref())?;
    for v in &variants {
        if let Some(f) = v.feature
            && !features.iter().any(|(name, _)| name == f)
        {
            return Err(format!(
                "{}: astro-tokens has no feature `{f}` (variant {})",
                checkout.display(),
                v.name()
            ));
        }
    }

    let scratch = Scratch::new(args)?;
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "build-cost: astro-tokens at {}\n  {} variant(s) x {} run(s), {cpus} CPU(s), {}\n  scratch: {}{}",
        checkout.display(),
        variants.len(),
        args.runs,
        tool_version(&cargo),
        scratch.dir.display(),
        if scratch.keep {
            " (kept)"
        } else {
            " (removed at the end)"
        }
    );
    if std::env::var_os("RUSTFLAGS").is_some() {
        println!("  note: RUSTFLAGS is set and applies to every build");
    }

    let baseline_sdk = scratch.dir.join("sdk-static");
    if variants.iter().any(|v| v.source == Source::Snapshot) {
        static_copy::write(&checkout, &baseline_sdk)?;
    }
    let mut consumers = Vec::new();
    for v in &variants {
        let sdk = match v.source {
            Source::BuildRs => checkout.as_path(),
            Source::Snapshot => baseline_sdk.as_path(),
        };
        let dir = scratch.dir.join(format!("consumer-{}", v.name()));
        write_consumer(&dir, sdk, v.feature, &checkout)?;
        fetch(&cargo, &dir)?;
        consumers.push(dir);
    }

    let mut results = Results {
        measured: variants.iter().map(|v| (v.clone(), Vec::new())).collect(),
    };
    let runs = args.runs as usize;
    for run in 0..runs {
        for i in 0..variants.len() {
            // Rotate the order, so no variant always goes first (or last) in a run.
            let index = (i + run) % variants.len();
            let target = scratch.dir.join(format!("target-{index}"));
            let timings = args.timings.then(|| {
                scratch.dir.join(format!(
                    "timings-{}-run{}.html",
                    variants[index].name(),
                    run + 1
                ))
            });
            print!(
                "run {}/{runs}  {:<26}",
                run + 1,
                variants[index].label(default_alias.as_deref())
            );
            let _ = std::io::stdout().flush();
            let load_before = load_average();
            let sample = build(&cargo, &consumers[index], &target, timings.as_deref())?;
            println!(
                " {:>7.1} s wall {:>7} cpu {:>5} crates  (load {} -> {}){}",
                sample.seconds,
                sample.cpu.map_or("n/a".to_owned(), |c| format!("{c:.1} s")),
                sample.crates,
                load_before,
                load_average(),
                if sample.waited_for_lock {
                    "  [waited for another cargo's lock: wall time includes the wait]"
                } else {
                    ""
                }
            );
            results.measured[index].1.push(sample);
        }
    }

    println!();
    print!(
        "{}",
        report::table(&results, default_alias.as_deref(), runs)
    );
    println!();
    let verdicts = report::verdicts(&results, TLS_FEATURES, default_alias.as_deref());
    for v in &verdicts {
        println!("{}", v.line);
    }
    Ok(verdicts.iter().all(|v| v.pass != Some(false)))
}

/// The SDK's `[features]`: each name with what it enables.
fn sdk_features(checkout: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let path = checkout.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: not a valid manifest: {e}", path.display()))?;
    let Some(toml::Value::Table(features)) = manifest.get("features") else {
        return Ok(Vec::new());
    };
    Ok(features
        .iter()
        .map(|(name, enables)| {
            let enables = enables
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (name.clone(), enables)
        })
        .collect())
}

/// The TLS feature the default features consist of, if exactly one.
fn default_alias(features: &[(String, Vec<String>)]) -> Option<String> {
    let (_, default) = features.iter().find(|(name, _)| name == "default")?;
    match default.as_slice() {
        [one] if TLS_FEATURES.contains(&one.as_str()) => Some(one.clone()),
        _ => None,
    }
}

/// The consumer: one `main.rs` that builds a client, and a manifest depending on `sdk`.
/// Its lock file starts as the checkout's, so the versions are the ones the project tests.
fn write_consumer(
    dir: &Path,
    sdk: &Path,
    feature: Option<&str>,
    checkout: &Path,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(io)?;
    let mut dependency = toml::Table::new();
    dependency.insert("path".into(), sdk.display().to_string().into());
    if let Some(feature) = feature {
        dependency.insert("default-features".into(), false.into());
        dependency.insert("features".into(), vec![toml::Value::from(feature)].into());
    }
    let manifest = format!(
        "[package]\nname = \"build-cost-consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[workspace]\n\n[dependencies]\nastro-tokens = {}\n",
        toml::Value::Table(dependency)
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(io)?;
    std::fs::write(dir.join("src/main.rs"), CONSUMER_MAIN).map_err(io)?;
    let lock = checkout.join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(io)?;
    }
    Ok(())
}

/// What the consumer does: build a client (to loopback, so no TLS feature is needed).
const CONSUMER_MAIN: &str = r#"//! A one-file consumer of astro-tokens, built by `cargo xtask build-cost`.
fn main() {
    let client = astro_tokens::Client::builder()
        .token("token")
        .base_url("http://127.0.0.1:9")
        .build();
    match client {
        Ok(client) => println!("{client:?}"),
        Err(error) => eprintln!("{error}"),
    }
}
"#;

/// Downloads what the consumer needs, offline first (a warm registry needs no network).
fn fetch(cargo: &std::ffi::OsStr, consumer: &Path) -> Result<(), String> {
    let manifest = consumer.join("Cargo.toml");
    let attempt = |offline: bool| {
        let mut command = cargo_command(cargo);
        command.arg("fetch").arg("--manifest-path").arg(&manifest);
        if offline {
            command.arg("--offline");
        }
        command.stdout(Stdio::null()).output()
    };
    let offline = attempt(true).map_err(|e| format!("cannot run cargo: {e}"))?;
    if offline.status.success() {
        return Ok(());
    }
    println!("  fetching crates for {} (registry)", consumer.display());
    let online = attempt(false).map_err(|e| format!("cannot run cargo: {e}"))?;
    if online.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo fetch failed for {}:\n{}",
            consumer.display(),
            tail(&String::from_utf8_lossy(&online.stderr), 30)
        ))
    }
}

/// One clean build into an empty `target`, timed; the target directory is removed after.
fn build(
    cargo: &std::ffi::OsStr,
    consumer: &Path,
    target: &Path,
    timings: Option<&Path>,
) -> Result<Sample, String> {
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let mut command = cargo_command(cargo);
    command
        .arg("build")
        .arg("--frozen")
        .arg("--manifest-path")
        .arg(consumer.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if timings.is_some() {
        command.arg("--timings");
    }
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = children_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "\ncargo build failed for {}:\n{}",
            consumer.display(),
            tail(&stderr, 40)
        ));
    }
    if let Some(report) = timings {
        let html = target.join("cargo-timings/cargo-timing.html");
        std::fs::copy(&html, report).map_err(|e| format!("{}: {e}", html.display()))?;
    }
    std::fs::remove_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(Sample {
        seconds,
        cpu,
        crates: compiled_crates(&stderr),
        waited_for_lock: stderr.contains("Blocking waiting for file lock"),
    })
}

/// User plus system CPU time of this process's finished children (cargo, rustc, build
/// scripts, C compilers), in seconds, from `/proc/self/stat` (Linux; clock ticks of
/// 1/100 s, the fixed USER_HZ). Less sensitive than wall time to what else the machine runs.
fn children_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // cutime and cstime are fields 16 and 17 of the line; fields[0] is field 3.
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(13)? + ticks(14)?) as f64 / 100.0)
}

/// Cargo prints one `Compiling NAME VERSION` line per crate it compiles.
fn compiled_crates(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count()
}

/// A cargo command with nothing from the caller that would skip or redirect work.
fn cargo_command(cargo: &std::ffi::OsStr) -> Command {
    let mut command = Command::new(cargo);
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TERM_PROGRESS_WHEN",
    ] {
        command.env_remove(var);
    }
    // The consumer gets astro-tokens and its codegen from a registry, where nothing is
    // built incrementally; as path dependencies here they would be.
    command.env("CARGO_INCREMENTAL", "0");
    command.env("CARGO_TERM_COLOR", "never");
    command
}

fn tool_version(cargo: &std::ffi::OsStr) -> String {
    Command::new(cargo)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("cargo (unknown version)".to_owned(), |o| {
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
        })
}

/// The 1-minute load average (Linux), to show how busy the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "n/a".to_owned())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The scratch directory: fresh, and removed on drop unless kept.
struct Scratch {
    dir: PathBuf,
    keep: bool,
}

impl Scratch {
    fn new(args: &Args) -> Result<Self, String> {
        let base = args.work_dir.clone().unwrap_or_else(std::env::temp_dir);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let dir = base.join(format!(
            "astro-tokens-build-cost-{}-{stamp}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self {
            dir,
            keep: args.keep || args.timings,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(only: &[&str]) -> Args {
        Args {
            runs: 1,
            only: only.iter().map(|s| (*s).to_owned()).collect(),
            no_static_tls: false,
            checkout: None,
            work_dir: None,
            keep: false,
            timings: false,
        }
    }

    #[test]
    fn the_default_is_measured_once_when_it_is_one_tls_feature() {
        let all = selected(&args(&[]), Some("rustls-ring")).expect("all");
        let names: Vec<String> = all.iter().map(Variant::name).collect();
        assert_eq!(
            names,
            [
                "rustls-ring",
                "rustls-aws-lc",
                "native-tls",
                "static-rustls-ring",
                "static-rustls-aws-lc",
                "static-native-tls"
            ]
        );
        let unaliased = selected(&args(&[]), None).expect("all");
        assert_eq!(unaliased.len(), 8);
    }

    #[test]
    fn only_picks_known_variants_and_names_the_choices() {
        let picked = selected(&args(&["static", "rustls-aws-lc"]), None).expect("known");
        assert_eq!(
            picked,
            [
                Variant::default_features(Source::Snapshot),
                Variant::with_feature(Source::BuildRs, "rustls-aws-lc")
            ]
        );
        let error = selected(&args(&["rustls"]), None).expect_err("unknown");
        assert!(error.contains("static-native-tls"), "{error}");
    }

    #[test]
    fn compiling_lines_are_counted() {
        let stderr = "   Compiling a v1\n   Compiling b v2\nwarning: x\n    Finished `dev`\n";
        assert_eq!(compiled_crates(stderr), 2);
    }

    #[test]
    fn the_default_alias_is_a_single_tls_feature() {
        let features = |default: &[&str]| {
            vec![(
                "default".to_owned(),
                default.iter().map(|s| (*s).to_owned()).collect(),
            )]
        };
        assert_eq!(
            default_alias(&features(&["rustls-ring"])).as_deref(),
            Some("rustls-ring")
        );
        assert_eq!(default_alias(&features(&["rustls-ring", "x"])), None);
        assert_eq!(default_alias(&features(&[])), None);
    }

    #[test]
    fn the_checkout_has_every_tls_feature_measured() {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let features = sdk_features(&checkout).expect("reads Cargo.toml");
        for tls in TLS_FEATURES {
            assert!(
                features.iter().any(|(name, _)| name == tls),
                "astro-tokens lacks the feature {tls}"
            );
        }
    }
}
