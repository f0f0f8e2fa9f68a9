//! dm3 names gateway: an EIP-3668 (CCIP-read) offchain resolver gateway that
//! serves signed ENS records — above all the dm3 profile `eth.dm3.profile` —
//! for subnames such as `alice.dm3.eth`.
//!
//! The wire protocol itself (DNS names, calldata, answer encoding, digests)
//! is the pure [`dm3_protocol`] crate. The modules, from the top of the data
//! flow down (no module imports one above it):
//! - [`server`]: building the gateway from [`config`] and serving it until a signal;
//! - [`listener`]: the HTTP edge (connections, timeouts, head limits, lingering close, shutdown);
//! - [`http`]: thin axum handlers, and the one place errors become responses;
//! - [`lookup`]: the CCIP-read core that answers one lookup, over [`cache`] and [`signer`];
//! - [`names`]: the names-API core (claims, updates, transfers, releases; dm3's profile API);
//! - [`store`]: the narrow store traits ([`store::RecordReader`], [`store::NameWriter`], [`store::OwnerIndex`],
//!   [`store::Health`]) and their backends (embedded `redb`, Redis, the L2 registry);
//! - [`profile`]: dm3 profile records;
//! - [`client`]: the CLI's and tests' clients (resolving through the chain; the names API);
//! - [`contracts`]: `sol!(rpc)` bindings of the contracts the gateway calls;
//! - [`clock`]: Unix time; [`telemetry`]: Prometheus metrics.

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
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
