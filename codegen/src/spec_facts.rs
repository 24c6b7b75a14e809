//! Facts of the fragment the wrapper needs at run time but progenitor does not emit: the
//! servers (the first is the SDK's default base URL), the API version to pin, and the
//! operation ids as the fragment spells them.

use heck::ToSnakeCase;
use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use quote::quote;

/// The `X-API-Version` value `info.version` names: `v1.0` → `1.0`; `None` for a version
/// with no minor number to pin (`v1beta1`).
pub fn api_version(info_version: &str) -> Option<String> {
    let version = info_version.strip_prefix('v').unwrap_or(info_version);
    let (major, minor) = version.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| version.to_owned())
}

/// Emits `pub mod spec`.
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
    let info_version = &spec.info.version;
    let pin = match api_version(info_version) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let ids: Vec<String> = spec
        .operations()
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect();
    let rust_ids = ids.iter().map(|id| id.to_snake_case());
    Ok(quote! {
        /// Facts taken from the fragment's top level.
        pub mod spec {
            /// The fragment's `servers`: (URL, description), in its order.
            pub const SERVERS: &[(&str, &str)] = &[#((#urls, #descriptions)),*];
            /// The first server: the SDK's default base URL.
            pub const DEFAULT_BASE_URL: &str = #default;
            /// The fragment's `info.version`.
            pub const INFO_VERSION: &str = #info_version;
            /// The minor API version the fragment describes, as the `X-API-Version` header
            /// takes it (`v1.0` → `1.0`); `None` when `info.version` names no minor version.
            pub const API_VERSION: Option<&str> = #pin;
            /// Each operation as progenitor names it (snake_case) and as the fragment does.
            pub const OPERATION_IDS: &[(&str, &str)] = &[#((#rust_ids, #ids)),*];

            /// The operation id as the fragment spells it, for progenitor's name of it (the
            /// name itself when the fragment has no such operation).
            pub fn operation_id(rust_name: &str) -> &str {
                OPERATION_IDS
                    .iter()
                    .find(|(rust, _)| *rust == rust_name)
                    .map_or(rust_name, |(_, id)| id)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::api_version;

    #[test]
    fn the_pin_is_the_major_and_minor_of_info_version() {
        assert_eq!(api_version("v1.0").as_deref(), Some("1.0"));
        assert_eq!(api_version("1.12").as_deref(), Some("1.12"));
        for none in ["v1beta1", "v1", "", "v1.x", "v.1"] {
            assert_eq!(api_version(none), None, "{none}");
        }
    }
}
