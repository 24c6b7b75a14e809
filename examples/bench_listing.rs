//! Benchmark of the listing against the fake API (`astro-tokens-fake`): requests per listing (and
//! against a server that caps pages), prefetch speedup, overlap of a busy consumer with
//! the network, CPU cost against a hand-written reqwest + serde_json loop, and memory
//! while streaming. Each figure is a ratio measured in this run, printed on one line,
//! followed by a PASS/FAIL line against its target (the exit status is 0 either way).
//!
//! ```text
//! cargo run --release --example bench_listing [-- memory requests capped prefetch overlap cpu]
//! ```
//!
//! With arguments, only the figures named run (in the order above).
//!
//! The fake runs on its own runtime (one worker thread); the client side runs on a
//! current-thread runtime on the main thread, except for `overlap`, whose consumer blocks
//! the main thread (as a CSV writer would) while the requests run on a runtime's workers.
//!
//! Memory and CPU are the client's alone: this program runs itself again as the fake
//! (`--serve-fake N`: serves N tokens and prints `base_url token organization` on one
//! line, until its stdin closes) and as the client (`--memory-child`, or `--cpu-child
//! sdk|hand`, pointed at that fake through the environment). The memory child measures its
//! own peak RSS growth. The CPU child runs under valgrind's callgrind, which counts the
//! instructions executed inside `cpu_measured` (the listing, after a warm-up page): a
//! count that does not depend on the machine's load, unlike CPU time. Without valgrind
//! (Debian package `valgrind`) the CPU figure is skipped.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use astro_tokens::generated::types::ApiTokensPaginated;
use astro_tokens::{Client, ListTokens};
use astro_tokens_fake::{FakeApi, FakeApiBuilder};
use futures::TryStreamExt;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const MIB: f64 = 1024.0 * 1024.0;

fn main() -> Result<()> {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let client_side = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let chosen: Vec<String> = std::env::args().skip(1).collect();
    match &chosen[..] {
        [flag, n] if flag == "--serve-fake" => return serve_fake(n.parse()?),
        [flag] if flag == "--memory-child" => return memory_child(),
        [flag, side] if flag == "--cpu-child" => return cpu_child(side.parse()?),
        _ => {}
    }
    let wanted = |name: &str| chosen.is_empty() || chosen.iter().any(|c| c == name);
    // Memory first, while the process has not yet grown for other figures.
    if wanted("memory") {
        memory(&server, &client_side)?;
    }
    if wanted("requests") {
        requests(&server, &client_side)?;
    }
    if wanted("capped") {
        capped(&server, &client_side)?;
    }
    if wanted("prefetch") {
        prefetch(&server, &client_side)?;
    }
    if wanted("overlap") {
        overlap(&server)?;
    }
    if wanted("cpu") {
        cpu()?;
    }
    Ok(())
}

fn start(
    server: &tokio::runtime::Runtime,
    tokens: usize,
    latency: Option<Duration>,
) -> Result<FakeApi> {
    start_with(server, FakeApi::builder().tokens(tokens), latency)
}

fn start_with(
    server: &tokio::runtime::Runtime,
    mut builder: FakeApiBuilder,
    latency: Option<Duration>,
) -> Result<FakeApi> {
    if let Some(latency) = latency {
        builder = builder.latency(latency);
    }
    Ok(server.block_on(builder.start())?)
}

fn listing(fake: &FakeApi) -> Result<ListTokens> {
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()?;
    Ok(client.list_tokens(fake.organization_id()))
}

fn verdict(name: &str, pass: bool, target: &str) {
    let word = if pass { "PASS" } else { "FAIL" };
    println!("  {name}: {word} (target {target})");
}

/// `requests: X for N tokens (minimum Y)`.
fn requests(server: &tokio::runtime::Runtime, client: &tokio::runtime::Runtime) -> Result<()> {
    const N: usize = 2345;
    const PAGE: u32 = 100;
    let fake = start(server, N, None)?;
    let listed = client.block_on(listing(&fake)?.page_size(PAGE).collect_all())?;
    let minimum = N.div_ceil(PAGE as usize);
    let made = fake.request_count();
    println!(
        "requests: {made} for {} tokens (minimum {minimum})",
        listed.len()
    );
    verdict(
        "requests",
        made == minimum && listed.len() == N,
        "= minimum",
    );
    Ok(())
}

/// `capped_requests: ... concurrency 1: X, 4: Y, 8: Z requests (minimum M)`.
fn capped(server: &tokio::runtime::Runtime, client: &tokio::runtime::Runtime) -> Result<()> {
    const N: usize = 2000;
    const CAP: usize = 100;
    const ASKED: u32 = 1000;
    let minimum = N.div_ceil(CAP);
    let mut made = Vec::new();
    for concurrency in [1, 4, 8] {
        let fake = start_with(server, FakeApi::builder().tokens(N).max_limit(CAP), None)?;
        let list = listing(&fake)?.page_size(ASKED).concurrency(concurrency);
        let listed = client.block_on(list.collect_all())?;
        if listed.len() != N {
            return Err(format!("listed {} of {N} tokens", listed.len()).into());
        }
        made.push((concurrency, fake.request_count()));
    }
    let counts: Vec<String> = made.iter().map(|(n, r)| format!("{n}: {r}")).collect();
    println!(
        "capped_requests: {N} tokens at page_size({ASKED}) from a server that serves at most \
         {CAP} a page, concurrency {} requests (minimum {minimum})",
        counts.join(", ")
    );
    verdict(
        "capped_requests",
        made.iter().all(|&(_, r)| r == minimum),
        "= minimum at every concurrency",
    );
    Ok(())
}

/// `prefetch_speedup: concurrency 8 vs 1 over 40 pages with 25 ms latency: R x`.
fn prefetch(server: &tokio::runtime::Runtime, client: &tokio::runtime::Runtime) -> Result<()> {
    const PAGE: u32 = 100;
    let fake = start(server, 40 * PAGE as usize, Some(Duration::from_millis(25)))?;
    let time = |concurrency: usize| -> Result<Duration> {
        let list = listing(&fake)?.page_size(PAGE).concurrency(concurrency);
        let began = Instant::now();
        let tokens = client.block_on(list.collect_all())?;
        let took = began.elapsed();
        if tokens.len() != 40 * PAGE as usize {
            return Err(format!("listed {} tokens", tokens.len()).into());
        }
        Ok(took)
    };
    // Warm the connection pool's first connection, then alternate.
    time(1)?;
    let mut sequential = Vec::new();
    let mut prefetched = Vec::new();
    for _ in 0..3 {
        sequential.push(time(1)?);
        prefetched.push(time(8)?);
    }
    let ratio = median(sequential.iter().map(Duration::as_secs_f64).collect())
        / median(prefetched.iter().map(Duration::as_secs_f64).collect());
    println!("prefetch_speedup: concurrency 8 vs 1 over 40 pages with 25 ms latency: {ratio:.2} x");
    verdict("prefetch_speedup", ratio >= 5.0, ">= 5 x");
    Ok(())
}

/// `overlap: ... R of ideal`: a consumer that is busy W per page (blocking its thread, as
/// a CSV writer or a database insert would) against a fake with latency L, at
/// concurrency n. Ideally the requests run meanwhile, so the listing takes the first
/// page's latency plus, per page, the longer of the consumer's work and L / n.
fn overlap(server: &tokio::runtime::Runtime) -> Result<()> {
    const PAGES: u32 = 40;
    const PAGE: u32 = 100;
    const N: usize = 4;
    const RUNS: usize = 3;
    let latency = Duration::from_millis(40);
    let work = latency / 2;
    let fake = start(server, (PAGES * PAGE) as usize, Some(latency))?;
    // The consumer runs on the main thread (`block_on`); the requests on the workers.
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let once = || -> Result<Duration> {
        let list = listing(&fake)?.page_size(PAGE).concurrency(N);
        let began = Instant::now();
        let pages = client.block_on(async {
            let mut pages = list.pages();
            let mut count = 0u32;
            while let Some(page) = pages.try_next().await? {
                black_box(&page);
                std::thread::sleep(work);
                count += 1;
            }
            Ok::<u32, Box<dyn Error>>(count)
        })?;
        let took = began.elapsed();
        if pages != PAGES {
            return Err(format!("listed {pages} pages").into());
        }
        Ok(took)
    };
    once()?; // warm-up: connections
    let measured: Vec<f64> = (0..RUNS)
        .map(|_| once().map(|d| d.as_secs_f64()))
        .collect::<Result<_>>()?;
    let ideal = latency.as_secs_f64()
        + f64::from(PAGES) * work.as_secs_f64().max(latency.as_secs_f64() / N as f64);
    let wall = median(measured.clone());
    let ratio = ideal / wall;
    println!(
        "overlap: {PAGES} pages, {} ms latency, consumer busy {} ms a page, concurrency {N}: \
         {ratio:.2} of ideal",
        latency.as_millis(),
        work.as_millis()
    );
    let runs: Vec<String> = measured.iter().map(|s| format!("{:.0}", s * 1e3)).collect();
    println!(
        "  (ideal L + P x max(W, L/n) = {:.0} ms; measured {:.0} ms, median of {RUNS}: {} ms; \
         without overlap it would be about {:.0} ms)",
        ideal * 1e3,
        wall * 1e3,
        runs.join(", "),
        (latency.as_secs_f64() + work.as_secs_f64()) * f64::from(PAGES) * 1e3
    );
    verdict("overlap", ratio >= 0.85, ">= 0.85 of ideal");
    Ok(())
}

/// The two sides of the CPU figure.
#[derive(Clone, Copy, Debug)]
enum Side {
    /// `items()` of the SDK.
    Sdk,
    /// The loop a user would write without it.
    Hand,
}

impl std::str::FromStr for Side {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "sdk" => Ok(Self::Sdk),
            "hand" => Ok(Self::Hand),
            other => Err(format!("--cpu-child takes sdk or hand, not {other:?}")),
        }
    }
}

impl Side {
    fn arg(self) -> &'static str {
        match self {
            Self::Sdk => "sdk",
            Self::Hand => "hand",
        }
    }
}

const CPU_TOKENS: usize = 100_000;
const CPU_PAGE: u32 = 1000;

/// `cpu_ratio: items() vs a hand-written reqwest + serde_json loop over N tokens,
/// instructions under callgrind: R`. Each side runs RUNS times, alternating, each in its
/// own process under callgrind against one fake in another process; the ratio is that of
/// the means, and the spread of each side and of the ratio is printed.
fn cpu() -> Result<()> {
    // Two runs a side show the spread; the counts repeat to a few parts in a million.
    const RUNS: usize = 2;
    let valgrind = std::process::Command::new("valgrind")
        .arg("--version")
        .output();
    let Ok(version) = valgrind.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()) else {
        println!("cpu_ratio: not measured");
        println!(
            "  cpu_ratio: SKIP (valgrind not found; install it, e.g. apt-get install valgrind)"
        );
        return Ok(());
    };
    let fake = FakeProcess::start(CPU_TOKENS)?;
    let (mut sdk, mut hand) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        sdk.push(callgrind(Side::Sdk, &fake)? as f64);
        hand.push(callgrind(Side::Hand, &fake)? as f64);
    }
    drop(fake);
    let ratios: Vec<f64> = sdk.iter().zip(&hand).map(|(s, h)| s / h).collect();
    let ratio = mean(&sdk) / mean(&hand);
    println!(
        "cpu_ratio: items() vs a hand-written reqwest + serde_json loop over {CPU_TOKENS} \
         tokens, instructions under callgrind: {ratio:.3}"
    );
    println!(
        "  ({version}, {RUNS} alternating runs a side: items() {:.4} G instructions (spread \
         {:.3} %), hand-written {:.4} G (spread {:.3} %); ratio per run {}, spread {:.3} %)",
        mean(&sdk) / 1e9,
        spread(&sdk) * 100.0,
        mean(&hand) / 1e9,
        spread(&hand) * 100.0,
        ratios
            .iter()
            .map(|r| format!("{r:.5}"))
            .collect::<Vec<_>>()
            .join(" "),
        spread(&ratios) * 100.0,
    );
    verdict("cpu_ratio", ratio <= 1.10, "<= 1.10, aim <= 1.03");
    Ok(())
}

/// (max - min) / mean.
fn spread(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    (max - min) / mean(values)
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Runs `--cpu-child side` under callgrind against `fake`; returns the instructions
/// executed inside `cpu_measured`.
fn callgrind(side: Side, fake: &FakeProcess) -> Result<u64> {
    let out = std::env::temp_dir().join(format!(
        "bench_listing.{}.{}.callgrind",
        std::process::id(),
        side.arg()
    ));
    let output = std::process::Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=*cpu_measured*",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(std::env::current_exe()?)
        .args(["--cpu-child", side.arg()])
        .env("BENCH_FAKE_URL", &fake.base_url)
        .env("BENCH_FAKE_TOKEN", &fake.token)
        .env("BENCH_FAKE_ORG", &fake.organization_id)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let counted: usize = text.trim().parse().map_err(|e| {
        format!(
            "cpu child {side:?}: {e}: {text:?}, stderr {:?}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    if counted != CPU_TOKENS {
        return Err(format!("cpu child {side:?} listed {counted} tokens").into());
    }
    let profile = std::fs::read_to_string(&out)?;
    let _ = std::fs::remove_file(&out);
    let total = profile
        .lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or_else(|| format!("no summary in {}", out.display()))?;
    Ok(total.parse()?)
}

/// `--cpu-child sdk|hand`: lists every token of the fake named by the environment, after a
/// warm-up page, inside [`cpu_measured`]; prints how many tokens it listed.
fn cpu_child(side: Side) -> Result<()> {
    let var = |name: &str| std::env::var(name).map_err(|e| format!("{name}: {e}"));
    let (url, token, org) = (
        var("BENCH_FAKE_URL")?,
        var("BENCH_FAKE_TOKEN")?,
        var("BENCH_FAKE_ORG")?,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sdk = Client::builder().token(&token).base_url(&url).build()?;
    let list = sdk.list_tokens(&org).page_size(CPU_PAGE);
    let http = reqwest::Client::new();
    let tokens_url = format!("{url}/organizations/{org}/tokens");
    // Warm-up: one page each way (connections, lazily built state).
    runtime.block_on(list.clone().first_page())?;
    runtime.block_on(hand_written(&http, &tokens_url, &token, CPU_PAGE, Some(1)))?;
    let count = cpu_measured(&runtime, side, list, &http, &tokens_url, &token)?;
    println!("{count}");
    Ok(())
}

/// The code whose instructions the CPU figure counts (callgrind's `--toggle-collect`).
#[inline(never)]
fn cpu_measured(
    runtime: &tokio::runtime::Runtime,
    side: Side,
    list: ListTokens,
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> Result<usize> {
    match side {
        Side::Sdk => runtime.block_on(async {
            let mut items = list.items();
            let mut count = 0usize;
            while let Some(token) = items.try_next().await? {
                black_box(&token);
                count += 1;
            }
            Ok(count)
        }),
        Side::Hand => runtime.block_on(hand_written(http, url, token, CPU_PAGE, None)),
    }
}

/// The loop a user would write without the SDK: same page size, same generated type; at
/// most `pages` pages if given.
async fn hand_written(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    page: u32,
    pages: Option<usize>,
) -> Result<usize> {
    let mut offset: u64 = 0;
    let mut count = 0usize;
    let mut fetched = 0usize;
    loop {
        let body: ApiTokensPaginated = http
            .get(url)
            .bearer_auth(token)
            .query(&[("offset", offset), ("limit", u64::from(page))])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let received = body.tokens.len() as u64;
        for token in body.tokens {
            black_box(&token);
            count += 1;
        }
        offset += received;
        fetched += 1;
        if received == 0
            || offset >= u64::try_from(body.total_count)?
            || pages.is_some_and(|pages| fetched >= pages)
        {
            return Ok(count);
        }
    }
}

/// `memory: peak RSS growth while streaming 200000 tokens: M MiB (page of 1000 = P MiB)`.
///
/// Each size is measured in a fresh client process (this program, run with
/// `--memory-child`) against a fake in another process (`--serve-fake N`), so that the
/// figure holds only what the client holds, and memory freed by one measurement cannot
/// hide the next.
fn memory(_: &tokio::runtime::Runtime, _: &tokio::runtime::Runtime) -> Result<()> {
    const SIZES: [usize; 2] = [50_000, 200_000];
    let mut results = Vec::new();
    for n in SIZES {
        let fake = FakeProcess::start(n)?;
        let output = std::process::Command::new(std::env::current_exe()?)
            .arg("--memory-child")
            .env("BENCH_FAKE_URL", &fake.base_url)
            .env("BENCH_FAKE_TOKEN", &fake.token)
            .env("BENCH_FAKE_ORG", &fake.organization_id)
            .stderr(std::process::Stdio::inherit())
            .output()?;
        drop(fake);
        let text = String::from_utf8_lossy(&output.stdout);
        let numbers: Vec<f64> = text
            .split_whitespace()
            .map(str::parse)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| format!("memory child for {n}: {e}: {text:?}"))?;
        let [growth, json, decoded, count, baseline] = numbers[..] else {
            return Err(format!("memory child for {n} printed {text:?}").into());
        };
        if count as usize != n {
            return Err(format!("memory child for {n} streamed {count} tokens").into());
        }
        results.push((growth, json, decoded, baseline));
    }
    let (small, _, _, _) = results[0];
    let (growth, json, decoded, baseline) = results[1];
    println!(
        "memory: peak RSS growth while streaming {} tokens: {:.1} MiB (page of 1000 = {:.1} MiB)",
        SIZES[1],
        growth / MIB,
        decoded / MIB
    );
    let slope = (growth - small) / (SIZES[1] - SIZES[0]) as f64;
    println!(
        "  (client process only, fake in another process; items() at page_size(1000); page \
         of 1000: {:.2} MiB decoded, {:.2} MiB as JSON; growth for {} tokens: {:.2} MiB, for \
         {}: {:.2} MiB, {slope:+.1} B per extra token; baseline {:.1} MiB after the client \
         was built and one page fetched)",
        decoded / MIB,
        json / MIB,
        SIZES[0],
        small / MIB,
        SIZES[1],
        growth / MIB,
        baseline / MIB,
    );
    let flat = growth - small <= (0.5 * MIB).max(0.25 * small);
    let within = growth <= 3.0 * decoded;
    verdict(
        "memory",
        flat && within,
        "flat in N (within 0.5 MiB or 25 %), within 3 decoded pages",
    );
    Ok(())
}

/// A fake API in a child process (this program, run with `--serve-fake N`), killed when
/// dropped.
struct FakeProcess {
    child: std::process::Child,
    base_url: String,
    token: String,
    organization_id: String,
}

impl FakeProcess {
    fn start(tokens: usize) -> Result<Self> {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let child = Command::new(std::env::current_exe()?)
            .args(["--serve-fake", &tokens.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        // From here on the guard kills the child, whatever happens.
        let mut guard = Self {
            child,
            base_url: String::new(),
            token: String::new(),
            organization_id: String::new(),
        };
        let stdout = guard.child.stdout.take().ok_or("no stdout from the fake")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let [base_url, token, organization_id] = line.split_whitespace().collect::<Vec<_>>()[..]
        else {
            return Err(format!("the fake process printed {line:?}").into());
        };
        guard.base_url = base_url.to_owned();
        guard.token = token.to_owned();
        guard.organization_id = organization_id.to_owned();
        Ok(guard)
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        // Closing stdin asks it to stop; killing makes sure it does.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--serve-fake N`: serves N tokens until stdin closes, after printing
/// `base_url token organization_id` on one line.
fn serve_fake(n: usize) -> Result<()> {
    use std::io::{Read, Write};
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let fake = start(&server, n, None)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{} {} {}",
        fake.base_url(),
        fake.token(),
        fake.organization_id()
    )?;
    stdout.flush()?;
    // Blocks until the parent closes stdin (or dies); the runtime serves meanwhile.
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(fake);
    Ok(())
}

/// The client side of [`memory`], against the fake named by `BENCH_FAKE_URL`,
/// `BENCH_FAKE_TOKEN` and `BENCH_FAKE_ORG`: prints growth, page JSON bytes, page decoded
/// bytes, the number of tokens streamed, and the baseline, all in bytes.
fn memory_child() -> Result<()> {
    const PAGE: u32 = 1000;
    let var = |name: &str| std::env::var(name).map_err(|e| format!("{name}: {e}"));
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sdk = Client::builder()
        .token(var("BENCH_FAKE_TOKEN")?)
        .base_url(var("BENCH_FAKE_URL")?)
        .build()?;
    let list = sdk.list_tokens(var("BENCH_FAKE_ORG")?).page_size(PAGE);
    // Warm-up: one page fetched (connection, pools); its sizes are the unit of the target.
    let page = client.block_on(list.clone().first_page())?;
    let decoded: usize = page.tokens.iter().map(decoded_size).sum();
    let json = serde_json::to_vec(&ApiTokensPaginated::try_from(
        ApiTokensPaginated::builder()
            .limit(i64::from(PAGE))
            .offset(0)
            .tokens(page.tokens)
            .total_count(i64::try_from(page.total_count)?),
    )?)?
    .len();

    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let baseline = status_kib("VmRSS")?;
    let mut sampled_peak = baseline;
    let count = client.block_on(async {
        let mut items = list.items();
        let mut count = 0usize;
        while let Some(token) = items.try_next().await? {
            black_box(&token);
            count += 1;
            if count.is_multiple_of(1000) {
                sampled_peak = sampled_peak.max(status_kib("VmRSS")?);
            }
        }
        Ok::<_, Box<dyn Error>>(count)
    })?;
    let peak = if hwm_reset {
        status_kib("VmHWM")?.max(sampled_peak)
    } else {
        sampled_peak
    };
    let growth = peak.saturating_sub(baseline) * 1024;
    println!("{growth} {json} {decoded} {count} {}", baseline * 1024);
    Ok(())
}

/// The heap and inline bytes of one decoded token.
fn decoded_size(token: &astro_tokens::ApiToken) -> usize {
    let text = |s: &String| s.capacity();
    let maybe = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
    let profile = |p: &Option<astro_tokens::BasicSubjectProfile>| {
        p.as_ref().map_or(0, |p| {
            text(&p.id)
                + maybe(&p.api_token_name)
                + maybe(&p.avatar_url)
                + maybe(&p.full_name)
                + maybe(&p.username)
        })
    };
    std::mem::size_of::<astro_tokens::ApiToken>()
        + text(&token.id)
        + text(&token.name)
        + text(&token.description)
        + text(&token.short_token)
        + token.token.as_ref().map_or(0, |t| t.expose_secret().len())
        + profile(&token.created_by)
        + profile(&token.updated_by)
        + token.roles.capacity() * std::mem::size_of::<astro_tokens::ApiTokenRole>()
        + token
            .roles
            .iter()
            .map(|r| text(&r.entity_id) + text(&r.role) + maybe(&r.deployment_id))
            .sum::<usize>()
}

/// A `kB` line of `/proc/self/status`, e.g. `VmRSS`.
fn status_kib(key: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .ok_or_else(|| format!("no {key} in /proc/self/status"))?;
    let value = line[key.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(value)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
