//! End to end for free dm3 subnames: users claim, update, transfer and release
//! names through the gateway's names API (with the CLI and the Rust client),
//! and alloy and ethers resolve the result through the chain.

use alloy::{primitives::Address, signers::local::PrivateKeySigner, sol_types::SolValue};
use dm3_e2e::{
    ethers_resolve, free_port, gateway_command, random_profile_keys, write_key_file, Chain, Gateway, RedisServer,
};
use dm3_gateway::{
    client::{prepare, ClientError as Error, NameResolver, NamesClient, PreparedWrite, Request},
    names::RecordsInput,
    profile::{SignedUserProfile, UserProfile},
};
use std::path::PathBuf;

struct Setup {
    chain: Chain,
    gateway: Gateway,
    dir: tempfile::TempDir,
    _redis: Option<RedisServer>,
}

/// Anvil with the ENS registry and resolver, and a gateway whose names API
/// signs in the anvil chain's EIP-712 domain and checks ERC-1271 on anvil.
async fn setup(use_redis: bool, extra: &[&str]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let signer = PrivateKeySigner::random();
    let key_file = write_key_file(dir.path(), "signer.key", &signer);
    let port = free_port();
    let chain = Chain::start(vec![format!("http://127.0.0.1:{port}")], vec![signer.address()]).await.unwrap();
    let redis = if use_redis { Some(RedisServer::start().await.unwrap()) } else { None };
    let mut args = chain.gateway_args(&key_file);
    args.extend(["--rpc-url".into(), chain.anvil.endpoint()]);
    match &redis {
        Some(redis) => args.extend(["--redis-url".into(), redis.url.clone()]),
        None => args.extend(["--data-dir".into(), dir.path().join("data").display().to_string()]),
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let gateway = Gateway::start(port, &args).await.unwrap();
    Setup { chain, gateway, dir, _redis: redis }
}

fn key_file(setup: &Setup, key: &PrivateKeySigner, file: &str) -> PathBuf {
    write_key_file(setup.dir.path(), file, key)
}

fn cli(setup: &Setup, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let mut all: Vec<String> = vec!["names".into()];
    all.push(args[0].into());
    all.extend(["--gateway".into(), setup.gateway.url.clone()]);
    all.extend(args[1..].iter().map(|s| s.to_string()));
    Ok(serde_json::from_str(&gateway_command(&all)?)?)
}

async fn resolved_profile(setup: &Setup, name: &str) -> String {
    NameResolver::new(setup.chain.reader(), setup.chain.registry).text(name, "eth.dm3.profile").await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn claim_update_transfer_release_with_the_cli() {
    let setup = setup(false, &[]).await;
    let resolver = NameResolver::new(setup.chain.reader(), setup.chain.registry);
    let alice = PrivateKeySigner::random();
    let alice_key = key_file(&setup, &alice, "alice.key");
    let alice_key = alice_key.to_str().unwrap();
    let name = "alice.dm3.eth";

    // Claim with a dm3 profile.
    let (enc, sig) = random_profile_keys();
    let claimed = cli(
        &setup,
        &[
            "claim",
            name,
            "--key-file",
            alice_key,
            "--encryption-key",
            &enc,
            "--signing-key",
            &sig,
            "--delivery-service",
            "ds.dm3.eth",
            "--text",
            "url=https://dm3.chat",
        ],
    )
    .unwrap();
    assert_eq!(claimed["owner"].as_str().unwrap().parse::<Address>().unwrap(), alice.address());
    let profile = resolver.dm3_profile(name).await.unwrap().expect("profile");
    assert_eq!(profile.profile.public_encryption_key, enc);
    assert_eq!(resolver.addr(name).await.unwrap(), alice.address());
    let ethers = ethers_resolve(&setup.chain, name, &["eth.dm3.profile", "url"]).unwrap();
    assert_eq!(ethers.texts["eth.dm3.profile"].as_deref(), Some(profile.to_text_record().as_str()));
    assert_eq!(ethers.texts["url"].as_deref(), Some("https://dm3.chat"));
    assert_eq!(ethers.address.unwrap().parse::<Address>().unwrap(), alice.address());

    // A second claim of the same name by someone else is refused.
    let mallory = PrivateKeySigner::random();
    let mallory_key = key_file(&setup, &mallory, "mallory.key");
    let taken = cli(&setup, &["claim", name, "--key-file", mallory_key.to_str().unwrap()]).unwrap_err();
    assert!(taken.to_string().contains("name_taken"), "{taken}");
    // A non-owner cannot update.
    let not_owner = cli(&setup, &["update", name, "--key-file", mallory_key.to_str().unwrap()]).unwrap_err();
    assert!(not_owner.to_string().contains("bad_signature"), "{not_owner}");

    // Update: both clients see the new profile.
    let (enc2, sig2) = random_profile_keys();
    cli(
        &setup,
        &[
            "update",
            name,
            "--key-file",
            alice_key,
            "--encryption-key",
            &enc2,
            "--signing-key",
            &sig2,
            "--delivery-service",
            "ds.dm3.eth",
        ],
    )
    .unwrap();
    let updated = resolver.dm3_profile(name).await.unwrap().expect("profile");
    assert_eq!(updated.profile.public_encryption_key, enc2);
    let ethers = ethers_resolve(&setup.chain, name, &["eth.dm3.profile", "url"]).unwrap();
    assert_eq!(ethers.texts["eth.dm3.profile"].as_deref(), Some(updated.to_text_record().as_str()));
    assert_eq!(ethers.texts["url"].as_deref(), Some(""), "update replaces all records");

    // Transfer: addr follows the new owner; the old owner's profile is gone.
    let bob = PrivateKeySigner::random();
    let bob_key = key_file(&setup, &bob, "bob.key");
    cli(&setup, &["transfer", name, "--key-file", alice_key, "--to", &bob.address().to_string()]).unwrap();
    assert_eq!(resolver.addr(name).await.unwrap(), bob.address());
    assert_eq!(resolved_profile(&setup, name).await, "");
    let ethers = ethers_resolve(&setup.chain, name, &[]).unwrap();
    assert_eq!(ethers.address.unwrap().parse::<Address>().unwrap(), bob.address());
    let client = NamesClient::new(&setup.gateway.url);
    assert!(client.names_of(alice.address()).await.unwrap().is_empty());
    assert_eq!(client.names_of(bob.address()).await.unwrap(), [name]);
    // Alice's key no longer controls it.
    let stale = cli(&setup, &["release", name, "--key-file", alice_key]).unwrap_err();
    assert!(stale.to_string().contains("bad_signature"), "{stale}");

    // Release: the name resolves empty and can be claimed again.
    cli(&setup, &["release", name, "--key-file", bob_key.to_str().unwrap()]).unwrap();
    assert_eq!(resolver.addr(name).await.unwrap(), Address::ZERO);
    assert_eq!(resolver.dm3_profile(name).await.unwrap(), None);
    let ethers = ethers_resolve(&setup.chain, name, &["eth.dm3.profile"]).unwrap();
    assert_eq!(ethers.address, None);
    assert_eq!(ethers.texts["eth.dm3.profile"].as_deref(), Some(""));
    cli(&setup, &["claim", name, "--key-file", mallory_key.to_str().unwrap()]).unwrap();
    assert_eq!(resolver.addr(name).await.unwrap(), mallory.address());
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn api_code(outcome: Result<serde_json::Value, Error>) -> (u16, String) {
    match outcome {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replayed_reordered_expired_and_cross_name_writes_are_refused() {
    let setup = setup(false, &["--write-burst", "100"]).await;
    let client = NamesClient::new(&setup.gateway.url);
    let domain = client.domain().await.unwrap();
    let alice = PrivateKeySigner::random();
    let name = "carol.dm3.eth";
    let records = |url: &str| {
        let mut r = RecordsInput::default();
        r.texts.insert("url".into(), url.into());
        r
    };
    let deadline = now() + 300;
    let claim = Request::Claim { owner: None, records: records("a") };

    // Expired, and too far ahead.
    let expired = prepare(&domain, &alice, name, claim.clone(), None, 0, now() - 1).unwrap();
    assert_eq!(api_code(client.submit(&expired).await), (400, "expired".into()));
    let far = prepare(&domain, &alice, name, claim.clone(), None, 0, now() + 30 * 24 * 3600).unwrap();
    assert_eq!(api_code(client.submit(&far).await), (400, "expired".into()));

    // Cross-name: a signature for carol.dm3.eth sent for dave.dm3.eth.
    let good = prepare(&domain, &alice, name, claim, None, 0, deadline).unwrap();
    let cross = PreparedWrite { body: good.body.replace(name, "dave.dm3.eth"), ..good.clone() };
    assert_eq!(api_code(client.submit(&cross).await), (401, "bad_signature".into()));
    // Tampered records: the signed hash no longer matches.
    let tampered = PreparedWrite { body: good.body.replace("\"url\":\"a\"", "\"url\":\"b\""), ..good.clone() };
    assert_eq!(api_code(client.submit(&tampered).await), (401, "bad_signature".into()));

    client.submit(&good).await.unwrap();
    // Replay of the claim.
    assert_eq!(api_code(client.submit(&good).await).0, 409);

    // Two updates signed in advance at nonces 1 and 2, sent out of order.
    let first =
        prepare(&domain, &alice, name, Request::Update(records("1")), Some(alice.address()), 1, deadline).unwrap();
    let second =
        prepare(&domain, &alice, name, Request::Update(records("2")), Some(alice.address()), 2, deadline).unwrap();
    assert_eq!(api_code(client.submit(&second).await), (409, "nonce_mismatch".into()));
    client.submit(&first).await.unwrap();
    client.submit(&second).await.unwrap();
    // Replaying the first update would roll the records back: refused.
    assert_eq!(api_code(client.submit(&first).await), (409, "nonce_mismatch".into()));
    let view = client.name(name).await.unwrap();
    assert_eq!(view["texts"]["url"], "2");
    assert_eq!(view["nonce"], 3);

    // One name per address by default, and only normalized names.
    let second_name =
        client.send(&alice, "carol2.dm3.eth", Request::Claim { owner: None, records: records("x") }).await;
    assert_eq!(api_code(second_name), (409, "owner_limit".into()));
    let upper = client
        .send(&PrivateKeySigner::random(), "Carol3.dm3.eth", Request::Claim { owner: None, records: records("x") })
        .await;
    assert_eq!(api_code(upper), (400, "name_not_normalized".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_rate_limited_per_client_ip() {
    let setup = setup(false, &["--write-burst", "2", "--write-replenish-ms", "60000"]).await;
    let client = NamesClient::new(&setup.gateway.url);
    let domain = client.domain().await.unwrap();
    let key = PrivateKeySigner::random();
    let write = prepare(&domain, &key, "slow.dm3.eth", Request::Release, Some(key.address()), 0, now() + 60).unwrap();
    // Two writes pass the limiter (and fail on their merits), the third is throttled.
    assert_eq!(api_code(client.submit(&write).await).0, 404);
    assert_eq!(api_code(client.submit(&write).await).0, 404);
    assert_eq!(api_code(client.submit(&write).await), (429, "too_many_requests".into()));
    // Reads are not limited.
    client.name("slow.dm3.eth").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contract_wallet_claims_through_erc1271() {
    let setup = setup(false, &[]).await;
    let owner_eoa = PrivateKeySigner::random();
    let wallet =
        setup.chain.deploy("ERC1271Wallet.sol", "ERC1271Wallet", owner_eoa.address().abi_encode()).await.unwrap();
    let key = key_file(&setup, &owner_eoa, "eoa.key");
    let (enc, sig) = random_profile_keys();
    let name = "wallet.dm3.eth";
    let claimed = cli(
        &setup,
        &[
            "claim",
            name,
            "--key-file",
            key.to_str().unwrap(),
            "--owner",
            &wallet.to_string(),
            "--encryption-key",
            &enc,
            "--signing-key",
            &sig,
            "--delivery-service",
            "ds.dm3.eth",
        ],
    )
    .unwrap();
    assert_eq!(claimed["owner"].as_str().unwrap().parse::<Address>().unwrap(), wallet);
    let resolver = NameResolver::new(setup.chain.reader(), setup.chain.registry);
    assert_eq!(resolver.addr(name).await.unwrap(), wallet);
    let record = resolved_profile(&setup, name).await;
    let profile = SignedUserProfile::from_text_record(&record).unwrap();
    assert_eq!(profile.profile.public_encryption_key, enc);

    // Another EOA cannot claim for the wallet.
    let other = PrivateKeySigner::random();
    let refused = NamesClient::new(&setup.gateway.url)
        .send(&other, "wallet2.dm3.eth", Request::Claim { owner: Some(wallet), records: RecordsInput::default() })
        .await;
    assert!(matches!(refused, Err(Error::Api { status: 401, .. })), "{refused:?}");
}

async fn race(use_redis: bool) {
    let setup = setup(use_redis, &["--write-burst", "0"]).await;
    let client = NamesClient::new(&setup.gateway.url);
    let name = "race.dm3.eth";
    let keys: Vec<PrivateKeySigner> = (0..100).map(|_| PrivateKeySigner::random()).collect();
    let profile = UserProfile {
        delivery_services: vec!["ds.dm3.eth".into()],
        public_encryption_key: random_profile_keys().0,
        public_signing_key: random_profile_keys().1,
    };
    let tasks: Vec<_> = keys
        .iter()
        .map(|key| {
            let (client, key, profile) = (client.clone(), key.clone(), profile.clone());
            tokio::spawn(async move {
                let mut records = RecordsInput::default();
                let signed = SignedUserProfile::sign(profile, &key).unwrap();
                records.texts.insert("eth.dm3.profile".into(), signed.to_text_record());
                (key.address(), client.send(&key, name, Request::Claim { owner: None, records }).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (address, outcome) = task.await.unwrap();
        match outcome {
            Ok(_) => winners.push(address),
            Err(Error::Api { status: 409, code, .. }) => assert_eq!(code, "name_taken"),
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one claim wins");
    let winner = winners[0];
    let view = client.name(name).await.unwrap();
    assert_eq!(view["owner"].as_str().unwrap().parse::<Address>().unwrap(), winner);
    assert_eq!(view["nonce"], 1);
    for key in &keys {
        let names = client.names_of(key.address()).await.unwrap();
        let expected: &[&str] = if key.address() == winner { &[name] } else { &[] };
        assert_eq!(names, expected, "owner → names index agrees with name → owner");
    }
    let resolver = NameResolver::new(setup.chain.reader(), setup.chain.registry);
    assert_eq!(resolver.addr(name).await.unwrap(), winner);
    assert!(resolver.dm3_profile(name).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn hundred_concurrent_claims_have_one_winner_on_the_embedded_store() {
    race(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hundred_concurrent_claims_have_one_winner_on_redis() {
    race(true).await;
}
