//! Benchmark of the listing against the fake API (`astro-tokens-fake`): requests per listing, prefetch
//! speedup, CPU cost against a hand-written reqwest + serde_json loop, and memory while
//! streaming. Each figure is a ratio measured in this run, printed on one line, followed
//! by a PASS/FAIL line against its target (the exit status is 0 either way).
//!
//! ```text
//! cargo run --release --example bench_listing [-- memory requests prefetch cpu]
//! ```
//!
//! With arguments, only the figures named run (in the order above).
//!
//! The fake runs on its own runtime (one worker thread); the client side runs on a
//! current-thread runtime on the main thread, so the CPU time of the main thread
//! (`/proc/thread-self/stat`) is the client's alone.
//!
//! Memory is the client's alone: for each size, this program runs itself twice more, once
//! as the fake (`--serve-fake N`: serves N tokens and prints `base_url token organization`
//! on one line, until its stdin closes) and once as the client (`--memory-child`, pointed
//! at that fake through the environment), which measures its own peak RSS growth.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use astro_tokens::generated::types::ApiTokensPaginated;
use astro_tokens::{Client, ListTokens};
use astro_tokens_fake::FakeApi;
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
    if wanted("prefetch") {
        prefetch(&server, &client_side)?;
    }
    if wanted("cpu") {
        cpu(&server, &client_side)?;
    }
    Ok(())
}

fn start(
    server: &tokio::runtime::Runtime,
    tokens: usize,
    latency: Option<Duration>,
) -> Result<FakeApi> {
    let mut builder = FakeApi::builder().tokens(tokens);
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

/// `cpu_ratio: items() vs a hand-written reqwest + serde_json loop over 100000 tokens: R`.
fn cpu(server: &tokio::runtime::Runtime, client: &tokio::runtime::Runtime) -> Result<()> {
    const N: usize = 100_000;
    const PAGE: u32 = 1000;
    const RUNS: usize = 11;
    let fake = start(server, N, None)?;
    let http = reqwest::Client::new();

    let sdk = |fake: &FakeApi| -> Result<(f64, f64)> {
        let list = listing(fake)?.page_size(PAGE);
        measure(|| {
            client.block_on(async {
                let mut items = list.items();
                let mut count = 0usize;
                while let Some(token) = items.try_next().await? {
                    black_box(&token);
                    count += 1;
                }
                Ok::<usize, Box<dyn Error>>(count)
            })
        })
    };
    let hand = |fake: &FakeApi| -> Result<(f64, f64)> {
        measure(|| client.block_on(hand_written(&http, fake, PAGE)))
    };

    sdk(&fake)?; // warm-up of both paths (connections, the fake's caches)
    hand(&fake)?;
    let (mut sdk_cpu, mut hand_cpu, mut sdk_wall, mut hand_wall) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (c, w) = sdk(&fake)?;
        sdk_cpu.push(c);
        sdk_wall.push(w);
        let (c, w) = hand(&fake)?;
        hand_cpu.push(c);
        hand_wall.push(w);
    }
    let ratio = median(sdk_cpu.clone()) / median(hand_cpu.clone());
    let wall = median(sdk_wall) / median(hand_wall);
    println!(
        "cpu_ratio: items() vs a hand-written reqwest + serde_json loop over {N} tokens: {ratio:.3}"
    );
    println!(
        "  (client-thread CPU, median of {RUNS}: items() {:.0} ms, hand-written {:.0} ms; wall-time ratio {wall:.3})",
        median(sdk_cpu) * 1e3,
        median(hand_cpu) * 1e3
    );
    verdict("cpu_ratio", ratio <= 1.10, "<= 1.10");
    Ok(())
}

/// The loop a user would write without the SDK: same page size, same generated type.
async fn hand_written(http: &reqwest::Client, fake: &FakeApi, page: u32) -> Result<usize> {
    let url = fake.tokens_url();
    let mut offset: u64 = 0;
    let mut count = 0usize;
    loop {
        let body: ApiTokensPaginated = http
            .get(&url)
            .bearer_auth(fake.token())
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
        if received == 0 || offset >= u64::try_from(body.total_count)? {
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

/// Runs `work`, returning the main thread's CPU seconds and the wall seconds it took.
fn measure(work: impl FnOnce() -> Result<usize>) -> Result<(f64, f64)> {
    let cpu_before = thread_cpu_seconds()?;
    let began = Instant::now();
    let count = work()?;
    let wall = began.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds()? - cpu_before;
    black_box(count);
    Ok((cpu, wall))
}

/// utime + stime of the calling thread, from `/proc/thread-self/stat`.
fn thread_cpu_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat")?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("unexpected /proc/thread-self/stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    let ticks: u64 = fields
        .get(11..13)
        .ok_or("short /proc/thread-self/stat")?
        .iter()
        .map(|f| f.parse::<u64>())
        .sum::<std::result::Result<u64, _>>()?;
    Ok(ticks as f64 / clock_ticks_per_second())
}

/// `USER_HZ`: 100 on every Linux ABI in use (reading it needs `sysconf`).
fn clock_ticks_per_second() -> f64 {
    100.0
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
