//! `astro-tokens demo`: starts the embedded fake API on 127.0.0.1 (no credentials, no
//! network), lists its tokens through Astro API v1 (the fake's v1 URL) with the same client
//! and page loop as `list`, with a two-key sort over several pages, then prints the table
//! and a trace of the requests.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};

use astro_tokens::{ApiToken, Client, Page, SortField};
use astro_tokens_fake::FakeApi;

use crate::args::DemoArgs;
use crate::failure::Failure;
use crate::fetch::{Expect, each_page};
use crate::output::table;
use crate::printable::printable;
use crate::progress::Progress;

/// Runs the demo, writing to `out`.
pub async fn run(args: &DemoArgs, now: DateTime<Utc>, out: &mut impl Write) -> Result<(), Failure> {
    let fake = FakeApi::builder()
        .tokens(usize::from(args.tokens))
        .anchor(now)
        .latency(Duration::from_millis(args.latency_ms))
        .start()
        .await
        .map_err(|e| Failure::Runtime(format!("cannot start the fake API on 127.0.0.1: {e}")))?;
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()?;
    let org = fake.organization_id().to_owned();
    let sorts = [SortField::Name.asc(), SortField::CreatedAt.desc()];
    writeln!(
        out,
        "A fake Astro API v1 is listening on {}\n\
         with {} tokens of organization {org}.\n\
         Listing them {} per page, sorted by name, then newest first, as this would:\n\n  \
         astro-tokens list --organization-id {org} \\\n    \
         --sorts name:asc --sorts createdAt:desc --page-size {}\n",
        fake.base_url(),
        args.tokens,
        args.page_size,
        args.page_size
    )?;
    out.flush()?;

    let listing = client
        .list_tokens(org.clone())
        .sorts(sorts)
        .page_size(args.page_size);
    let mut pages: Vec<Page> = Vec::new();
    each_page(
        listing,
        Expect::default(),
        &mut Progress::for_stderr(),
        &mut pages,
    )
    .await?;
    let tokens: Vec<ApiToken> = pages
        .iter()
        .flat_map(|p| p.tokens.iter().cloned())
        .collect();
    out.write_all(table::tokens(&tokens, now, table::target_width()).as_bytes())?;

    let requests = fake.requests();
    let path = requests.first().map_or_else(
        || format!("/organizations/{org}/tokens"),
        |r| r.path.clone(),
    );
    writeln!(
        out,
        "\nRequests made, each GET {}\n\
         with Authorization: Bearer [redacted]:",
        printable(&path)
    )?;
    for line in trace(&fake, &pages) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out, "\n{}", order_check(&tokens))?;
    writeln!(
        out,
        "\nNext, against Astro (the token is read from the environment, never printed):\n  \
         export ASTRO_API_TOKEN=...   # an Organization, Workspace or Deployment API token\n  \
         astro-tokens list  --organization-id YOUR_ORG_ID --sorts createdAt:desc\n  \
         astro-tokens audit --organization-id YOUR_ORG_ID --expiring-within 30 --unused-for 90"
    )?;
    out.flush()?;
    if args.serve {
        serve(&fake, out).await?;
    }
    Ok(())
}

/// One line per request the fake received: the query, decoded, and what came back.
fn trace(fake: &FakeApi, pages: &[Page]) -> Vec<String> {
    fake.requests()
        .iter()
        .enumerate()
        .map(|(n, request)| {
            let query: Vec<String> = request
                .query
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            let id = astro_tokens_fake::request_id(n);
            let answer = match pages.iter().find(|p| p.request_id.as_deref() == Some(&id)) {
                Some(page) if page.tokens.is_empty() => {
                    format!("no tokens ({} in all)", page.total_count)
                }
                Some(page) => format!(
                    "tokens {}–{} of {}",
                    page.offset + 1,
                    page.offset + page.tokens.len() as u64,
                    page.total_count
                ),
                None => "(no page)".to_owned(),
            };
            format!("{}. ?{}  → {answer}", n + 1, query.join("&"))
        })
        .collect()
}

/// Checks, client-side, that the server's order is name ascending then newest first.
fn order_check(tokens: &[ApiToken]) -> String {
    let sorted = tokens.windows(2).all(|pair| {
        let (a, b) = (&pair[0], &pair[1]);
        a.name < b.name || (a.name == b.name && a.created_at >= b.created_at)
    });
    let repeated = tokens
        .windows(2)
        .filter(|pair| pair[0].name == pair[1].name)
        .count();
    if sorted {
        format!(
            "✓ Sorted by name, then newest first ({repeated} ties on name broken by createdAt), \
             across {} tokens.",
            tokens.len()
        )
    } else {
        "✗ The order is not name ascending then createdAt descending.".to_owned()
    }
}

/// Keeps the fake running until Ctrl-C, so `astro-tokens list` can be pointed at it.
async fn serve(fake: &FakeApi, out: &mut impl Write) -> Result<(), Failure> {
    writeln!(
        out,
        "\nThe fake keeps serving until Ctrl-C. In another terminal (the fake's own token, not a secret):\n  \
         export ASTRO_API_URL={}\n  \
         export ASTRO_API_TOKEN={}\n  \
         astro-tokens list --organization-id {org} --page-size 25\n  \
         astro-tokens audit --organization-id {org}   # its data has every finding",
        fake.base_url(),
        astro_tokens_fake::DEFAULT_TOKEN,
        org = fake.organization_id()
    )?;
    out.flush()?;
    let _ = tokio::signal::ctrl_c().await;
    writeln!(out, "Stopped the fake API.")?;
    Ok(())
}
