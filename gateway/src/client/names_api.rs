//! A client of the names API, used by the CLI and the tests: it fetches the
//! EIP-712 domain and nonce, signs the change with a local key and sends it.

use super::{ClientError, Result};
use crate::names::{names_domain, records_hash, NameChange, RecordsInput};
use alloy::{
    primitives::{Address, Bytes},
    signers::{local::PrivateKeySigner, SignerSync},
    sol_types::Eip712Domain,
};
use serde_json::{json, Value};

/// Seconds a client-made signature stays usable.
const SIGNATURE_LIFETIME: u64 = 600;

/// What to ask the gateway to do.
#[derive(Debug, Clone)]
pub enum Request {
    /// Claim `name` for `owner` (defaults to the key's address).
    Claim {
        /// The owner; a contract wallet whose ERC-1271 check accepts the key's signatures.
        owner: Option<Address>,
        /// The records.
        records: RecordsInput,
    },
    /// Replace the records.
    Update(RecordsInput),
    /// Transfer to a new owner, optionally with the records it will have.
    Transfer {
        /// The receiver.
        new_owner: Address,
        /// Records after the transfer (none: only `addr` of the new owner).
        records: Option<RecordsInput>,
    },
    /// Release the name.
    Release,
}

/// The HTTP client.
#[derive(Debug, Clone)]
pub struct NamesClient {
    http: reqwest::Client,
    base: String,
}

impl NamesClient {
    /// A client of the gateway at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: impl Into<String>) -> Self {
        Self { http: reqwest::Client::new(), base: base.into().trim_end_matches('/').to_owned() }
    }

    async fn json(&self, response: reqwest::Response) -> Result<Value> {
        let status = response.status();
        let body: Value = response.json().await?;
        if status.is_success() {
            return Ok(body);
        }
        Err(ClientError::Api {
            status: status.as_u16(),
            code: body["code"].as_str().unwrap_or_default().to_owned(),
            message: body["message"].as_str().unwrap_or_default().to_owned(),
        })
    }

    async fn get(&self, path: &str) -> Result<Value> {
        let response = self.http.get(format!("{}{path}", self.base)).send().await?;
        self.json(response).await
    }

    /// The EIP-712 domain the gateway expects (from `/info`).
    pub async fn domain(&self) -> Result<Eip712Domain> {
        let info = self.get("/info").await?;
        let domain = &info["names"]["eip712Domain"];
        let chain_id =
            domain["chainId"].as_u64().ok_or(ClientError::UnexpectedAnswer("the gateway has no names API"))?;
        let resolver: Address = serde_json::from_value(domain["verifyingContract"].clone())
            .map_err(|_| ClientError::UnexpectedAnswer("/info has no valid names.eip712Domain.verifyingContract"))?;
        Ok(names_domain(chain_id, resolver))
    }

    /// A name's owner, nonce and records.
    pub async fn name(&self, name: &str) -> Result<Value> {
        self.get(&format!("/names/{name}")).await
    }

    /// The names an address holds.
    pub async fn names_of(&self, owner: Address) -> Result<Vec<String>> {
        let body = self.get(&format!("/owners/{owner}/names")).await?;
        serde_json::from_value(body["names"].clone())
            .map_err(|_| ClientError::UnexpectedAnswer("/owners/{owner}/names has no list of names"))
    }

    /// Signs `request` for `name` with `key` at the name's current nonce and sends it.
    pub async fn send(&self, key: &PrivateKeySigner, name: &str, request: Request) -> Result<Value> {
        let domain = self.domain().await?;
        let current = self.name(name).await?;
        let nonce = current["nonce"].as_u64().unwrap_or_default();
        let current_owner: Option<Address> = serde_json::from_value(current["owner"].clone()).ok().flatten();
        let deadline = crate::clock::unix_now() + SIGNATURE_LIFETIME;
        let write = prepare(&domain, key, name, request, current_owner, nonce, deadline)?;
        self.submit(&write).await
    }

    /// Sends a prepared write as is (for example, again).
    pub async fn submit(&self, write: &PreparedWrite) -> Result<Value> {
        let response = self
            .http
            .request(write.method.clone(), format!("{}{}", self.base, write.path))
            .header("content-type", "application/json")
            .body(write.body.clone())
            .send()
            .await?;
        self.json(response).await
    }
}

/// A signed names-API request, ready to send.
#[derive(Debug, Clone)]
pub struct PreparedWrite {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path, e.g. `/names`.
    pub path: String,
    /// The JSON body.
    pub body: String,
}

/// Signs `request` for `name` at `nonce` until `deadline` in `domain`.
/// `current_owner` is the name's owner, kept by an update.
pub fn prepare(
    domain: &Eip712Domain,
    key: &PrivateKeySigner,
    name: &str,
    request: Request,
    current_owner: Option<Address>,
    nonce: u64,
    deadline: u64,
) -> Result<PreparedWrite> {
    let (path, method, new_owner, records, mut body) = match request {
        Request::Claim { owner, records } => {
            let owner = owner.unwrap_or(key.address());
            (
                "/names".to_owned(),
                reqwest::Method::POST,
                Some(owner),
                Some(records),
                json!({ "name": name, "owner": owner }),
            )
        }
        Request::Update(records) => {
            (format!("/names/{name}"), reqwest::Method::PUT, current_owner, Some(records), json!({}))
        }
        Request::Transfer { new_owner, records } => (
            format!("/names/{name}/transfer"),
            reqwest::Method::POST,
            Some(new_owner),
            records,
            json!({ "newOwner": new_owner }),
        ),
        Request::Release => (format!("/names/{name}/release"), reqwest::Method::POST, None, None, json!({})),
    };
    let records_json = records.map(|r| serde_json::to_string(&r).expect("records serialize"));
    let change = NameChange::new(name, new_owner, records_hash(records_json.as_deref()), nonce, deadline);
    let signature: Bytes = key.sign_hash_sync(&change.digest(domain))?.as_bytes().to_vec().into();
    body["nonce"] = nonce.into();
    body["deadline"] = deadline.into();
    body["signature"] = json!(signature);
    // Splice the exact records text in, so the gateway hashes what was signed
    // (the body always has fields, so it ends in `}` after at least one).
    let mut text = body.to_string();
    if let Some(records_json) = records_json {
        text.insert_str(text.len() - 1, &format!(",\"records\":{records_json}"));
    }
    Ok(PreparedWrite { method, path, body: text })
}
