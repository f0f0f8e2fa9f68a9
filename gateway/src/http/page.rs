//! The claim page: `GET /` (the HTML shell), `GET /assets/{file}` (the
//! script and the style sheet) and `GET /page/config.json` (the operator's
//! page options), all embedded in the binary so the gateway serves the page
//! with no files beside it.
//!
//! The script is built from `web/src/` by `web/build.mjs` (esbuild, pinned in
//! `package.json`); `scripts/test` checks that rebuilding reproduces the
//! committed `web/dist/app.js` byte for byte.
//!
//! Every answer carries `Cache-Control: no-cache` with a content `ETag` (a
//! matching `If-None-Match` gets `304`), so a browser revalidates and a new
//! gateway version is picked up at once, and a strict Content-Security-Policy:
//! scripts, styles and images only from this origin, no inline script,
//! connections only to this origin and the configured RPC origin, and no
//! framing.

use super::AppState;
use alloy::primitives::Address;
use axum::{
    extract::{Path, State},
    http::{
        header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY},
        HeaderMap, HeaderName, HeaderValue, StatusCode,
    },
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What the operator configures for the page (served at `/page/config.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageConfig {
    /// Delivery services a new profile lists by default (the user may edit them).
    pub delivery_services: Vec<String>,
    /// Chain the page resolves names on (the resolver's chain).
    pub chain_id: u64,
    /// JSON-RPC endpoint the browser reads the chain through; `None`: through
    /// the user's wallet.
    pub rpc_url: Option<String>,
    /// The ENS registry the page walks from.
    pub ens_registry: Address,
    /// An ENS UniversalResolver; when set, the page also resolves through it.
    pub universal_resolver: Option<Address>,
}

/// One embedded file.
struct Asset {
    body: &'static [u8],
    content_type: &'static str,
}

const INDEX: Asset = Asset {
    body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/index.html")),
    content_type: "text/html; charset=utf-8",
};
const SCRIPT: Asset = Asset {
    body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist/app.js")),
    content_type: "text/javascript; charset=utf-8",
};
const STYLE: Asset = Asset {
    body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/app.css")),
    content_type: "text/css; charset=utf-8",
};
const ICON: Asset = Asset {
    body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/icon.svg")),
    content_type: "image/svg+xml",
};

/// The page's routes; none when the page is off (then `GET /` is a 405: `/` only
/// takes the CCIP-read `POST`).
pub(super) fn router(config: Option<&PageConfig>) -> Router<AppState> {
    if config.is_none() {
        return Router::new();
    }
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
        .route("/page/config.json", get(config_json))
}

async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csp = state
        .page
        .as_deref()
        .map_or_else(|| content_security_policy(None), |c| content_security_policy(c.rpc_url.as_deref()));
    let mut response = cached(&headers, INDEX.body, INDEX.content_type);
    let h = response.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::try_from(csp).expect("the policy is ASCII without controls"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"));
    response
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let asset = match file.as_str() {
        "app.js" => SCRIPT,
        "app.css" => STYLE,
        "icon.svg" => ICON,
        _ => return super::error::not_found().await,
    };
    cached(&headers, asset.body, asset.content_type)
}

async fn config_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(config) = state.page.as_deref() else { return super::error::not_found().await };
    let body = serde_json::to_vec(config).expect("the page config serializes");
    cached(&headers, &body, "application/json")
}

/// `200` with `body`, or `304` when `If-None-Match` names its ETag; both with
/// `Cache-Control: no-cache` (always revalidate) and `nosniff`.
fn cached(request: &HeaderMap, body: &[u8], content_type: &'static str) -> Response {
    let etag = etag(body);
    let matches = request.get(IF_NONE_MATCH).is_some_and(|tags| {
        tags.as_bytes()
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag.as_bytes())
    });
    let mut response = if matches { StatusCode::NOT_MODIFIED.into_response() } else { body.to_vec().into_response() };
    let h = response.headers_mut();
    if !matches {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(ETAG, HeaderValue::try_from(etag).expect("hex in quotes"));
    h.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
    response
}

/// A strong ETag: the first 16 bytes of the body's SHA-256, in quotes.
fn etag(body: &[u8]) -> String {
    format!("\"{}\"", alloy::hex::encode(&Sha256::digest(body)[..16]))
}

/// The page's Content-Security-Policy: everything from this origin only, no
/// inline script or style, no plugins, no framing; `connect-src` adds the
/// origin (scheme, host, port) of the RPC URL, never its path or query (which
/// may hold an API key and need not be repeated in a header).
pub fn content_security_policy(rpc_url: Option<&str>) -> String {
    let rpc = rpc_url.and_then(rpc_origin).map(|origin| format!(" {origin}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'{rpc}; \
         object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// `scheme://host[:port]` of an http(s) URL; `None` for anything else.
fn rpc_origin(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_only_the_rpc_origin() {
        let csp = content_security_policy(Some("https://eth.example:8443/v3/SECRET?x=1"));
        assert!(csp.contains("connect-src 'self' https://eth.example:8443;"), "{csp}");
        assert!(!csp.contains("SECRET"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe"));
        assert!(content_security_policy(None).contains("connect-src 'self';"));
        for bad in ["javascript:alert(1)", "not a url", "ws://x; script-src *"] {
            assert!(content_security_policy(Some(bad)).contains("connect-src 'self';"), "{bad}");
        }
    }

    #[test]
    fn etags_follow_the_content() {
        assert_eq!(etag(b"a"), etag(b"a"));
        assert_ne!(etag(b"a"), etag(b"b"));
        assert_eq!(etag(b"a").len(), 34);
    }
}
