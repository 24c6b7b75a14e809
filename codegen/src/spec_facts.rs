//! Facts of the fragment the wrapper needs at run time but progenitor does not emit:
//! the servers (the first is the SDK's default base URL).

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use quote::quote;

/// Emits `pub mod spec { pub const SERVERS: &[(&str, &str)]; pub const DEFAULT_BASE_URL }`.
pub fn emit(spec: &OpenAPI) -> Result<TokenStream, String> {
    let first = spec.servers.first().ok_or_else(|| {
        "servers: the fragment lists no server; the first one is the SDK's default base URL"
            .to_owned()
    })?;
    let default = first.url.trim_end_matches('/');
    let urls = spec
        .servers
        .iter()
        .map(|s| s.url.trim_end_matches('/').to_owned());
    let descriptions = spec
        .servers
        .iter()
        .map(|s| s.description.clone().unwrap_or_default());
    Ok(quote! {
        /// Facts taken from the fragment's top level.
        pub mod spec {
            /// The fragment's `servers`: (URL, description), in its order.
            pub const SERVERS: &[(&str, &str)] = &[#((#urls, #descriptions)),*];
            /// The first server: the SDK's default base URL.
            pub const DEFAULT_BASE_URL: &str = #default;
        }
    })
}
