//! The figures: min/median/max per variant, ratios paired run by run, and the PASS/FAIL
//! lines against the build-cost targets.

use std::fmt::Write as _;

use super::{REFERENCE_TLS, Source, Variant};

/// The lightest TLS choice must build in at most this fraction of today's default.
pub const LIGHTEST_TLS_TARGET: f64 = 0.75;
/// Build-time generation may cost at most this multiple of the static baseline.
pub const GENERATION_TARGET: f64 = 1.25;

/// One clean build.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Wall time of `cargo build`, in seconds.
    pub seconds: f64,
    /// CPU time (user + system) of the build's processes, in seconds, where known.
    pub cpu: Option<f64>,
    /// How many `Compiling` lines cargo printed (one per crate compiled).
    pub crates: usize,
    /// Whether cargo had to wait for another cargo's lock (the shared package cache).
    pub waited_for_lock: bool,
}

/// The samples of every measured variant, the k-th sample of each from the k-th run.
#[derive(Debug, Default)]
pub struct Results {
    pub measured: Vec<(Variant, Vec<Sample>)>,
}

impl Results {
    /// The samples of a variant, if it was measured.
    pub fn get(&self, variant: &Variant) -> Option<&[Sample]> {
        self.measured
            .iter()
            .find(|(v, _)| v == variant)
            .map(|(_, s)| s.as_slice())
    }
}

/// `(min, median, max)`; the median of an even count is the mean of the middle two.
pub fn spread(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = match n {
        0 => return None,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    };
    Some((sorted[0], median, sorted[n - 1]))
}

/// `a / b` run by run: both were built close together, so they saw similar load.
pub fn paired_ratios(a: &[Sample], b: &[Sample]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .filter(|(_, b)| b.seconds > 0.0)
        .map(|(a, b)| a.seconds / b.seconds)
        .collect()
}

/// The median of the paired ratios, with all of them for the record.
fn ratio(a: &[Sample], b: &[Sample]) -> Option<(f64, Vec<f64>)> {
    let ratios = paired_ratios(a, b);
    spread(&ratios).map(|(_, median, _)| (median, ratios))
}

/// The median ratio of CPU times run by run against the same target, as
/// `; cpu time 0.70x: PASS`, or nothing if unknown. CPU time varies far less than wall time
/// with what else a shared machine runs; the verdict itself stays on wall time.
fn cpu_note(a: &[Sample], b: &[Sample], target: f64) -> String {
    let ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(a, b)| Some(a.cpu? / b.cpu.filter(|c| *c > 0.0)?))
        .collect();
    spread(&ratios).map_or(String::new(), |(_, median, _)| {
        let verdict = if median <= target { "PASS" } else { "FAIL" };
        format!("; cpu time {median:.2}x ({}): {verdict}", list(&ratios))
    })
}

fn cpu_median(samples: &[Sample]) -> String {
    let cpu: Vec<f64> = samples.iter().filter_map(|s| s.cpu).collect();
    spread(&cpu).map_or("-".to_owned(), |(_, median, _)| format!("{median:.1}"))
}

fn seconds(samples: &[Sample]) -> Vec<f64> {
    samples.iter().map(|s| s.seconds).collect()
}

fn crates(samples: &[Sample]) -> String {
    let mut counts: Vec<usize> = samples.iter().map(|s| s.crates).collect();
    counts.sort_unstable();
    counts.dedup();
    match counts.as_slice() {
        [one] => one.to_string(),
        many => many
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("/"),
    }
}

fn list(ratios: &[f64]) -> String {
    ratios
        .iter()
        .map(|r| format!("{r:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table of figures, one row per measured variant.
pub fn table(results: &Results, default_alias: Option<&str>, runs: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "clean debug build of a one-file consumer; wall seconds over {runs} run(s): min / median / \
         max, and the median CPU seconds; ratios are medians of per-run wall-time ratios"
    );
    let _ = writeln!(
        out,
        "{:<28} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>10}",
        "variant", "min", "median", "max", "cpu", "crates", "x default", "x baseline"
    );
    let default = Variant::default_features(Source::BuildRs).canonical(default_alias);
    for (variant, samples) in &results.measured {
        let Some((min, median, max)) = spread(&seconds(samples)) else {
            continue;
        };
        let to_default = results
            .get(&default)
            .and_then(|d| ratio(samples, d))
            .map_or("-".to_owned(), |(r, _)| format!("{r:.2}"));
        let to_baseline = match variant.source {
            Source::BuildRs => results
                .get(&variant.baseline())
                .and_then(|b| ratio(samples, b))
                .map_or("-".to_owned(), |(r, _)| format!("{r:.2}")),
            Source::Snapshot => "1.00".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<28} {min:>7.1} {median:>7.1} {max:>7.1} {:>7} {:>7} {to_default:>9} {to_baseline:>10}",
            variant.label(default_alias),
            cpu_median(samples),
            crates(samples),
        );
    }
    out
}

/// A target's outcome: `None` when what it compares was not measured.
pub struct Verdict {
    pub pass: Option<bool>,
    pub line: String,
}

/// The PASS/FAIL lines: the lightest TLS choice against today's default (rustls with
/// aws-lc-rs, build.rs generation), and build-time generation against the static baseline
/// at each feature set measured both ways.
pub fn verdicts(
    results: &Results,
    tls: &[&'static str],
    default_alias: Option<&str>,
) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let reference = Variant::with_feature(Source::BuildRs, REFERENCE_TLS);
    let lightest = tls
        .iter()
        .map(|f| Variant::with_feature(Source::BuildRs, f))
        .filter_map(|v| {
            let median = spread(&seconds(results.get(&v)?))?.1;
            Some((v, median))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    verdicts.push(match (results.get(&reference), lightest) {
        (Some(reference_samples), Some((lightest, _))) => {
            let lightest_samples = results.get(&lightest).unwrap_or(&[]);
            let (r, all) =
                ratio(lightest_samples, reference_samples).unwrap_or((f64::NAN, Vec::new()));
            let pass = r <= LIGHTEST_TLS_TARGET;
            Verdict {
                pass: Some(pass),
                line: format!(
                    "{}  lightest TLS choice ({}) = {r:.2}x today's default ({}, build.rs) \
                     [target <= {LIGHTEST_TLS_TARGET:.2}x; wall per run: {}{}]",
                    if pass { "PASS" } else { "FAIL" },
                    lightest.label(default_alias),
                    reference.label(default_alias),
                    list(&all),
                    cpu_note(lightest_samples, reference_samples, LIGHTEST_TLS_TARGET)
                ),
            }
        }
        _ => Verdict {
            pass: None,
            line: format!(
                "SKIP  lightest TLS choice: needs `{REFERENCE_TLS}` and the other TLS choices measured"
            ),
        },
    });
    let mut feature_sets = vec![Variant::default_features(Source::BuildRs)];
    feature_sets.extend(
        tls.iter()
            .map(|f| Variant::with_feature(Source::BuildRs, f)),
    );
    let mut seen = Vec::new();
    let mut any = false;
    for generated in feature_sets {
        let generated = generated.canonical(default_alias);
        if seen.contains(&generated) {
            continue;
        }
        seen.push(generated.clone());
        let (Some(g), Some(b)) = (results.get(&generated), results.get(&generated.baseline()))
        else {
            continue;
        };
        any = true;
        let (r, all) = ratio(g, b).unwrap_or((f64::NAN, Vec::new()));
        let pass = r <= GENERATION_TARGET;
        verdicts.push(Verdict {
            pass: Some(pass),
            line: format!(
                "{}  build-time generation at {} = {r:.2}x the static baseline \
                 [target <= {GENERATION_TARGET:.2}x; wall per run: {}{}]",
                if pass { "PASS" } else { "FAIL" },
                generated.features_label(default_alias),
                list(&all),
                cpu_note(g, b, GENERATION_TARGET)
            ),
        });
    }
    if !any {
        verdicts.push(Verdict {
            pass: None,
            line:
                "SKIP  build-time generation: no feature set measured both with build.rs and static"
                    .to_owned(),
        });
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(seconds: &[f64]) -> Vec<Sample> {
        seconds
            .iter()
            .map(|&seconds| Sample {
                seconds,
                cpu: Some(seconds * 2.0),
                crates: 100,
                waited_for_lock: false,
            })
            .collect()
    }

    const TLS: &[&str] = &["rustls-aws-lc", "rustls-ring", "native-tls"];

    fn results(rows: &[(Variant, &[f64])]) -> Results {
        Results {
            measured: rows.iter().map(|(v, s)| (v.clone(), samples(s))).collect(),
        }
    }

    #[test]
    fn spread_is_min_median_max() {
        assert_eq!(spread(&[3.0, 1.0, 2.0]), Some((1.0, 2.0, 3.0)));
        assert_eq!(spread(&[4.0, 1.0, 2.0, 3.0]), Some((1.0, 2.5, 4.0)));
        assert_eq!(spread(&[]), None);
    }

    #[test]
    fn ratios_pair_runs() {
        let ratios = paired_ratios(&samples(&[10.0, 20.0]), &samples(&[20.0, 20.0]));
        assert_eq!(ratios, vec![0.5, 1.0]);
    }

    #[test]
    fn the_targets_pass_and_fail_on_their_thresholds() {
        let build = |f| Variant::with_feature(Source::BuildRs, f);
        let snap = |f| Variant::with_feature(Source::Snapshot, f);
        let r = results(&[
            (build("rustls-aws-lc"), &[100.0, 100.0, 100.0]),
            (build("rustls-ring"), &[70.0, 80.0, 74.0]),
            (build("native-tls"), &[90.0, 90.0, 90.0]),
            (snap("rustls-ring"), &[50.0, 60.0, 60.0]),
            (snap("rustls-aws-lc"), &[90.0, 90.0, 90.0]),
        ]);
        let verdicts = verdicts(&r, TLS, Some("rustls-ring"));
        let lines: Vec<&str> = verdicts.iter().map(|v| v.line.as_str()).collect();
        // Lightest: rustls-ring, median of 0.70, 0.80, 0.74 is 0.74.
        assert!(lines[0].starts_with("PASS"), "{lines:?}");
        assert!(lines[0].contains("0.74x"), "{lines:?}");
        assert!(lines[0].contains("cpu time 0.74x"), "{lines:?}");
        assert!(lines[0].ends_with(": PASS]"), "{lines:?}");
        assert!(lines[1].ends_with(": FAIL]"), "{lines:?}");
        // rustls-ring (the default): 70/50, 80/60, 74/60 -> median 1.33: fails.
        assert!(lines[1].starts_with("FAIL"), "{lines:?}");
        assert!(lines[1].contains("1.33x"), "{lines:?}");
        // rustls-aws-lc: 100/90 = 1.11: passes.
        assert!(lines[2].starts_with("PASS"), "{lines:?}");
        assert_eq!(verdicts.len(), 3, "{lines:?}");
    }

    #[test]
    fn unmeasured_targets_are_skipped() {
        let r = results(&[(
            Variant::with_feature(Source::BuildRs, "rustls-ring"),
            &[1.0],
        )]);
        let verdicts = verdicts(&r, TLS, None);
        assert!(verdicts.iter().all(|v| v.pass.is_none()));
        assert!(verdicts.iter().all(|v| v.line.starts_with("SKIP")));
    }

    #[test]
    fn the_table_has_a_row_per_variant_with_its_ratios() {
        let r = results(&[
            (
                Variant::default_features(Source::BuildRs),
                &[12.0, 10.0, 11.0],
            ),
            (
                Variant::default_features(Source::Snapshot),
                &[10.0, 10.0, 10.0],
            ),
        ]);
        let table = table(&r, None, 3);
        let row = table
            .lines()
            .find(|l| l.starts_with("default"))
            .expect("a default row");
        assert!(row.contains("10.0"), "{row}");
        assert!(row.contains("12.0"), "{row}");
        assert!(row.contains("1.10"), "{row}");
        assert!(table.lines().any(|l| l.starts_with("static")), "{table}");
    }
}
