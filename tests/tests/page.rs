//! End to end for the claim page: the gateway binary serves it (content types,
//! caching, Content-Security-Policy, its config), it does not shadow the
//! CCIP-read routes, it can be turned off, and a real headless Chromium claims,
//! updates, transfers and releases a name through it with an injected wallet
//! over anvil (`tests/browser/claim.mjs`, which checks every step through the
//! names API and CCIP-read as well).

use alloy::signers::local::PrivateKeySigner;
use dm3_e2e::{free_port, repo_root, write_key_file, Chain, Gateway};
use reqwest::{header, StatusCode};
use std::{
    process::Command,
    time::{Duration, Instant},
};

struct Setup {
    chain: Chain,
    gateway: Gateway,
    _dir: tempfile::TempDir,
}

/// Anvil with the ENS registry and `OffchainResolver`, and a gateway whose
/// names API signs in anvil's domain and whose page reads anvil.
async fn setup(extra: &[&str]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let signer = PrivateKeySigner::random();
    let key_file = write_key_file(dir.path(), "signer.key", &signer);
    let port = free_port();
    let chain = Chain::start(vec![format!("http://127.0.0.1:{port}")], vec![signer.address()]).await.unwrap();
    let mut args = chain.gateway_args(&key_file);
    args.extend([
        "--data-dir".into(),
        dir.path().join("data").display().to_string(),
        "--write-burst".into(),
        "100".into(),
        "--page-rpc-url".into(),
        chain.anvil.endpoint(),
        "--page-ens-registry".into(),
        chain.registry.to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let gateway = Gateway::start(port, &args).await.unwrap();
    Setup { chain, gateway, _dir: dir }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_serves_the_page_its_assets_and_its_config() {
    let setup = setup(&["--page-delivery-service", "ds.dm3.eth,backup.dm3.eth"]).await;
    let http = reqwest::Client::new();
    let url = &setup.gateway.url;

    let index = http.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    let headers = index.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let anvil_origin = setup.chain.anvil.endpoint();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "no inline script: {csp}");
    assert!(csp.contains(&format!("connect-src 'self' {anvil_origin};")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = index.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    assert!(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from another host");

    for (path, content_type) in [
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/assets/app.css", "text/css; charset=utf-8"),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let response = http.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type, "{path}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let etag = response.headers()[header::ETAG].clone();
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty());
        let again = http.get(format!("{url}{path}")).header(header::IF_NONE_MATCH, etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} revalidates");
    }
    assert_eq!(http.get(format!("{url}/assets/nope.js")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let config: serde_json::Value =
        http.get(format!("{url}/page/config.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(config["deliveryServices"], serde_json::json!(["ds.dm3.eth", "backup.dm3.eth"]));
    assert_eq!(config["chainId"], 31337, "defaults to --chain-id");
    assert_eq!(config["rpcUrl"], anvil_origin);
    assert_eq!(config["ensRegistry"].as_str().unwrap().to_lowercase(), setup.chain.registry.to_string().to_lowercase());
    assert!(config["universalResolver"].is_null());

    // The page's static segments do not shadow the CCIP-read routes, and POST / is still a lookup.
    let post = http.post(format!("{url}/")).body("{}").send().await.unwrap();
    assert_eq!(post.status(), StatusCode::BAD_REQUEST);
    let lookup = http.get(format!("{url}/{}/0x1234.json", setup.chain.resolver)).send().await.unwrap();
    assert_eq!(lookup.status(), StatusCode::BAD_REQUEST, "routed to the CCIP-read handler");
    let body: serde_json::Value = lookup.json().await.unwrap();
    assert_eq!(body["code"], "invalid_calldata");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_can_be_turned_off() {
    let setup = setup(&["--page", "false"]).await;
    let http = reqwest::Client::new();
    // Without the page these paths are CCIP-read lookups with a malformed sender.
    for path in ["/assets/app.js", "/page/config.json"] {
        let response = http.get(format!("{}{path}", setup.gateway.url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    }
    // `/` only takes the CCIP-read POST then.
    let index = http.get(format!("{}/", setup.gateway.url)).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::METHOD_NOT_ALLOWED);
    let post = http.post(format!("{}/", setup.gateway.url)).body("{}").send().await.unwrap();
    assert_eq!(post.status(), StatusCode::BAD_REQUEST, "CCIP-read POST / is unaffected");
}

/// The whole claim flow in headless Chromium. Screenshots go to
/// `target/page-screenshots/`; `DM3_PAGE_SCREENSHOTS=docs` refreshes the
/// committed ones that the README shows.
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_claims_updates_transfers_and_releases_a_name() {
    let setup = setup(&[]).await;
    let shots: std::path::PathBuf = std::env::var_os("DM3_PAGE_SCREENSHOTS")
        .map_or_else(|| repo_root().join("target/page-screenshots"), |dir| repo_root().join(dir));
    std::fs::create_dir_all(&shots).unwrap();
    let started = Instant::now();
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/browser/claim.mjs"))
        .args([&setup.gateway.url, &setup.chain.anvil.endpoint(), &setup.chain.registry.to_string()])
        .arg(&shots)
        .current_dir(repo_root())
        .spawn()
        .expect("run node (scripts/test installs it)");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser test did not finish within 180 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "tests/browser/claim.mjs failed: {status}");
}
