//! dm3 names gateway: an EIP-3668 (CCIP-read) offchain resolver gateway that
//! serves signed ENS records — above all the dm3 profile `eth.dm3.profile` —
//! for subnames such as `alice.dm3.eth`.
//!
//! Layout, in the order data flows:
//! - [`protocol`]: decoding requests, DNS names, answer encoding, the signed digest (no I/O);
//! - [`store`]: the narrow store traits ([`store::RecordReader`], [`store::NameWriter`], …) and their backends (embedded `redb`, Redis, an L2 registry);
//! - [`lookup`]: the domain core that answers one lookup;
//! - [`http`]: thin axum handlers;
//! - [`listener`]: the HTTP edge (connections, timeouts, head limits, lingering close, shutdown);
//! - [`client`]: resolving through the chain with alloy, as wallets do;
//! - [`profile`]: dm3 profile records.

pub mod cache;
pub mod client;
pub mod clock;
pub mod config;
pub mod contracts;
pub mod http;
pub mod listener;
pub mod lookup;
pub mod names;
pub mod profile;
pub mod server;
pub mod signer;
pub mod store;
pub mod telemetry;
