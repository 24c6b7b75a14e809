//! The SDK in a few lines, against the fake API (`astro-tokens-fake`) (no credentials needed):
//! a client, a listing with a filter and a two-key sort over several pages, a table.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Against Astro, build the client with `Client::from_env()` (reads `ASTRO_API_TOKEN`)
//! and pass your organization id instead.

use astro_tokens::{Client, SortField};
use astro_tokens_fake::FakeApi;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeApi::builder().tokens(40).start().await?;
    let client: Client = fake.client()?; // pointed at the fake, with its token

    let mut pages = client
        .list_tokens(fake.organization_id())
        .sort(SortField::Name.asc())
        .sort(SortField::CreatedAt.desc())
        .page_size(15)
        .pages();

    println!(
        "{:<20} {:<26} {:<13} {:<14} {:<20}",
        "NAME", "ID", "SCOPE", "KIND", "CREATED"
    );
    while let Some(page) = pages.try_next().await? {
        for token in &page.tokens {
            println!(
                "{:<20} {:<26} {:<13} {:<14} {:<20}",
                token.name,
                token.id,
                token.scope,
                token.kind,
                token.created_at.format("%Y-%m-%d %H:%M").to_string(),
            );
        }
        println!(
            "-- page at offset {} with {} tokens of {} (request id {})",
            page.offset,
            page.tokens.len(),
            page.total_count,
            page.request_id.as_deref().unwrap_or("none"),
        );
    }
    let report = pages.report();
    println!(
        "{} tokens in {} requests, sorted by name then newest first",
        report.items, report.requests
    );
    Ok(())
}
