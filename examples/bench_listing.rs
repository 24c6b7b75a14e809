//! Benchmark of the listing against the embedded fake API: requests per listing, prefetch
//! speedup, CPU cost against a hand-written reqwest + serde_json loop, and memory while
//! streaming. Each figure is a ratio measured in this run, printed on one line, followed
//! by a PASS/FAIL line against its target (the exit status is 0 either way).
//!
//! ```text
//! cargo run --release --example bench_listing --features testing
//! ```
//!
//! The fake runs on its own multi-threaded runtime; the client side runs on a
//! current-thread runtime on the main thread, so the CPU time of the main thread
//! (`/proc/thread-self/stat`) is the client's alone. Memory is the whole process's (the
//! fake's data lives in it too): the baseline is taken after the fake started.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use astro_tokens::fake::FakeApi;
use astro_tokens::generated::types::ApiTokensPaginated;
use astro_tokens::{Client, ListTokens};
use futures::TryStreamExt;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const MIB: f64 = 1024.0 * 1024.0;

fn main() -> Result<()> {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()?;
    let client_side = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Memory first, while the process has not yet grown for other figures.
    memory(&server, &client_side)?;
    requests(&server, &client_side)?;
    prefetch(&server, &client_side)?;
    cpu(&server, &client_side)?;
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
    for _ in 0..7 {
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
        "  (client-thread CPU, median of 7: items() {:.0} ms, hand-written {:.0} ms; wall-time ratio {wall:.3})",
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
fn memory(server: &tokio::runtime::Runtime, client: &tokio::runtime::Runtime) -> Result<()> {
    const N: usize = 200_000;
    const PAGE: u32 = 1000;
    let fake = start(server, N, None)?;
    // One page, fetched and kept: its JSON size is the unit of the target.
    let page = client.block_on(listing(&fake)?.page_size(PAGE).first_page())?;
    let page_bytes = serde_json::to_vec(&ApiTokensPaginated {
        limit: i64::from(PAGE),
        offset: 0,
        tokens: page.tokens.clone(),
        total_count: i64::try_from(page.total_count)?,
    })?
    .len() as f64;
    drop(page);

    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let baseline = status_kib("VmRSS")?;
    let mut sampled_peak = baseline;
    let list = listing(&fake)?.page_size(PAGE);
    let count = client.block_on(async {
        let mut pages = list.pages();
        let mut count = 0usize;
        while let Some(page) = pages.try_next().await? {
            sampled_peak = sampled_peak.max(status_kib("VmRSS")?);
            for token in page.tokens {
                black_box(&token);
                count += 1;
            }
        }
        Ok::<_, Box<dyn Error>>(count)
    })?;
    let peak = if hwm_reset {
        status_kib("VmHWM")?.max(sampled_peak)
    } else {
        sampled_peak
    };
    let growth = peak.saturating_sub(baseline) as f64 * 1024.0;
    println!(
        "memory: peak RSS growth while streaming {count} tokens: {:.1} MiB (page of {PAGE} = {:.1} MiB)",
        growth / MIB,
        page_bytes / MIB
    );
    let how = if hwm_reset {
        "VmHWM reset via clear_refs, and VmRSS sampled per page"
    } else {
        "VmRSS sampled per page"
    };
    println!(
        "  (baseline {:.1} MiB after the fake's data was built; {how}; includes the fake's own per-request buffers)",
        baseline as f64 / 1024.0
    );
    verdict(
        "memory",
        growth <= 3.0 * page_bytes && count == N,
        "<= 3 pages, flat in N",
    );
    Ok(())
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
