//! The one place where errors become HTTP responses.
//!
//! Every error a handler can meet is an [`ApiError`], which wraps the error
//! type of the layer it came from (lookup, names, store) or names a problem
//! of the HTTP request itself. [`outcome`] decides status, code and whether
//! the message may be shown, in one exhaustive `match`: 4xx for what the
//! client can fix, 5xx for store, RPC and internal failures (so CCIP-read
//! clients try their next URL). A 5xx never shows its cause (which may name
//! hosts or files): the response carries it as a [`FailureCause`] extension,
//! and [`log_failures`] (the request trace's response hook) logs it — nothing
//! is logged while building responses.

use crate::{
    lookup::LookupError,
    names::{NamesError, RecordsError},
    signer::SigningError,
    store::StoreError,
};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use dm3_protocol::ProtocolError;
use serde_json::json;
use std::{sync::Arc, time::Duration};
use tower_http::trace::{DefaultOnResponse, OnResponse};
use tracing::Span;

/// Why an HTTP request was refused or failed, as the client will be told.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A CCIP-read lookup was refused or failed.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A names-API request was refused or failed.
    #[error(transparent)]
    Names(#[from] NamesError),
    /// A read of the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A hex field of the request (sender, calldata, owner) is malformed.
    #[error("invalid hex in {field}: {reason}")]
    InvalidHex {
        /// Which field.
        field: &'static str,
        /// What is wrong with it.
        reason: HexProblem,
    },
    /// The body is not the JSON the endpoint expects (syntax, types, missing
    /// or unknown fields). Every JSON body of the gateway is read through
    /// `parse_json`, so this is the only route malformed JSON takes.
    #[error("invalid JSON body: {0}")]
    InvalidJson(#[source] serde_json::Error),
    /// The names API is off on this gateway (names are read-only here).
    #[error("the names API is not available on this gateway")]
    NamesReadOnly,
    /// The backend in use cannot answer this read (e.g. names by owner on
    /// the L2 registry, which keeps no such index).
    #[error("{0}")]
    NotAvailable(&'static str),
}

/// What is wrong with a hex field.
#[derive(Debug, thiserror::Error)]
pub enum HexProblem {
    /// The text does not start with `0x`.
    #[error("missing 0x prefix")]
    MissingPrefix,
    /// The text is hex, but not of a 20-byte address.
    #[error("expected a 20-byte address")]
    NotAnAddress,
    /// The text is not hex.
    #[error("{0}")]
    NotHex(#[from] alloy::hex::FromHexError),
}

/// Reads a JSON request body (whatever the `Content-Type` says: old CCIP-read
/// clients send none) into `T`.
pub(super) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(ApiError::InvalidJson)
}

/// How one error is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Outcome {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable, machine-readable code (`name_taken`, `store_timeout`, …).
    pub code: &'static str,
    /// For failures whose cause must not reach the client: the fixed text
    /// shown instead (the cause is logged). `None`: the error's own message is shown.
    pub shown: Option<&'static str>,
}

const fn refused(status: StatusCode, code: &'static str) -> Outcome {
    Outcome { status, code, shown: None }
}

const fn failed(status: StatusCode, code: &'static str, shown: &'static str) -> Outcome {
    Outcome { status, code, shown: Some(shown) }
}

const INTERNAL: Outcome = failed(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error");
const RPC_UNAVAILABLE: Outcome = failed(StatusCode::SERVICE_UNAVAILABLE, "rpc_unavailable", "rpc endpoint unavailable");

/// Status, code and shown message of every error the HTTP layer answers.
pub(super) fn outcome(error: &ApiError) -> Outcome {
    use StatusCode as S;
    match error {
        ApiError::Lookup(error) => match error.cause() {
            LookupError::Protocol(error) => protocol_outcome(error),
            LookupError::UnknownResolver(_) => refused(S::NOT_FOUND, "unknown_resolver"),
            LookupError::NameTooLong { .. } => refused(S::BAD_REQUEST, "name_too_long"),
            LookupError::NameNotServed(_) => refused(S::NOT_FOUND, "name_not_served"),
            LookupError::Store(error) => store_outcome(error),
            LookupError::Signing(SigningError::Sign(_) | SigningError::PoolStopped | SigningError::Key(_)) => INTERNAL,
            LookupError::Shared(_) => unreachable!("cause() looks through Shared"),
        },
        ApiError::Names(error) => names_outcome(error),
        ApiError::Store(error) => store_outcome(error),
        ApiError::InvalidHex { .. } => refused(S::BAD_REQUEST, "invalid_hex"),
        ApiError::InvalidJson(_) => refused(S::BAD_REQUEST, "invalid_json"),
        ApiError::NamesReadOnly => refused(S::METHOD_NOT_ALLOWED, "read_only"),
        // A missing feature, in a fixed text: nothing failed, nothing to hide or log.
        ApiError::NotAvailable(_) => refused(S::NOT_IMPLEMENTED, "not_available"),
    }
}

fn protocol_outcome(error: &ProtocolError) -> Outcome {
    let code = match error {
        ProtocolError::InvalidCalldata(_) => "invalid_calldata",
        ProtocolError::InvalidName(_) => "invalid_dns_name",
        ProtocolError::NodeMismatch { .. } => "node_mismatch",
        ProtocolError::UnsupportedFunction(_) => "unsupported_function",
        ProtocolError::MulticallTooLarge { .. } => "multicall_too_large",
        ProtocolError::NestedMulticall => "nested_multicall",
    };
    refused(StatusCode::BAD_REQUEST, code)
}

/// The outcome of a names-API error (also used by dm3's profile API).
pub(super) fn names_outcome(error: &NamesError) -> Outcome {
    use StatusCode as S;
    match error {
        NamesError::NameNotNormalized { .. } => refused(S::BAD_REQUEST, "name_not_normalized"),
        NamesError::InvalidNameForClaim(_) => refused(S::BAD_REQUEST, "invalid_name"),
        NamesError::NameTooShort { .. } => refused(S::BAD_REQUEST, "name_too_short"),
        NamesError::NameReserved(_) => refused(S::BAD_REQUEST, "name_reserved"),
        NamesError::InvalidRecords(
            RecordsError::TooLarge(_)
            | RecordsError::Json(_)
            | RecordsError::TooManyTexts(_)
            | RecordsError::TextKeyLength(_)
            | RecordsError::TextTooLong { .. }
            | RecordsError::TooManyAddresses(_)
            | RecordsError::CoinTypeNotNumber(_)
            | RecordsError::EvmAddressLength(_)
            | RecordsError::AddressTooLong { .. }
            | RecordsError::ContenthashTooLong(_)
            | RecordsError::ProfileUnderManyKeys
            | RecordsError::ReleaseWithRecords
            | RecordsError::Missing,
        ) => refused(S::BAD_REQUEST, "invalid_records"),
        NamesError::InvalidProfile(_) => refused(S::BAD_REQUEST, "invalid_profile"),
        NamesError::Expired { .. } => refused(S::BAD_REQUEST, "expired"),
        NamesError::BadSignature(_) => refused(S::UNAUTHORIZED, "bad_signature"),
        NamesError::NameNotClaimed => refused(S::NOT_FOUND, "name_not_claimed"),
        NamesError::NameTaken => refused(S::CONFLICT, "name_taken"),
        NamesError::NonceMismatch { .. } => refused(S::CONFLICT, "nonce_mismatch"),
        NamesError::OwnerLimit { .. } => refused(S::CONFLICT, "owner_limit"),
        NamesError::Store(error) => store_outcome(error),
        NamesError::Rpc(_) => RPC_UNAVAILABLE,
    }
}

fn store_outcome(error: &StoreError) -> Outcome {
    use StatusCode as S;
    match error {
        StoreError::Timeout(_) => failed(S::GATEWAY_TIMEOUT, "store_timeout", "record store timed out"),
        StoreError::NotReplicated { .. } => failed(
            S::SERVICE_UNAVAILABLE,
            "write_not_replicated",
            "write not acknowledged: too few replicas confirmed it in time; it may or may not survive a \
             failover, so read the name before signing a new write",
        ),
        StoreError::Redis(_) | StoreError::Embedded(_) | StoreError::Io(_) | StoreError::L2(_) => {
            failed(S::SERVICE_UNAVAILABLE, "store_unavailable", "record store unavailable")
        }
        // The same refusal as a names API that is off: the write belongs elsewhere.
        StoreError::ReadOnly(_) => refused(S::METHOD_NOT_ALLOWED, "read_only"),
        StoreError::Corrupt { .. } | StoreError::Task(_) => {
            failed(S::INTERNAL_SERVER_ERROR, "store_unavailable", "internal error")
        }
    }
}

/// The cause of a failure whose message was not shown to the client,
/// carried on the response for [`log_failures`]. Extensions never reach the wire.
#[derive(Debug, Clone)]
pub(super) struct FailureCause(pub Arc<str>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Outcome { status, code, shown } = outcome(&self);
        let cause = self.to_string();
        let mut response = error_response(status, code, shown.map_or_else(|| cause.clone(), str::to_owned));
        if shown.is_some() {
            response.extensions_mut().insert(FailureCause(cause.into()));
        }
        response
    }
}

/// Logs the cause of every failure whose message was hidden from the client
/// (the response's [`FailureCause`]): the one place request errors are
/// logged. It is the request trace's `on_response` hook (after tower-http's
/// own), so that logging adds no layer, and no boxed future, to any request.
pub(super) fn log_failures<B>(response: &axum::http::Response<B>, latency: Duration, span: &Span) {
    DefaultOnResponse::default().on_response(response, latency, span);
    if let Some(FailureCause(cause)) = response.extensions().get::<FailureCause>() {
        tracing::error!(target: "gateway::http", status = response.status().as_u16(), error = %cause, "request failed");
    }
}

/// `{"message", "code"}` with `status`.
pub(crate) fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({ "message": message, "code": code }))).into_response()
}

/// `405` for a known path with another method.
pub(super) async fn method_not_allowed() -> Response {
    error_response(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed".into())
}

/// `404` for any route this gateway does not have.
pub(super) async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "no_such_route", "no such route".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> serde_json::Value {
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    #[tokio::test]
    async fn an_unreplicated_write_is_a_503_that_says_so() {
        let error = ApiError::Names(StoreError::NotReplicated { acked: 0, wanted: 1 }.into());
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let json = body(response).await;
        assert_eq!(json["code"], "write_not_replicated");
        assert!(json["message"].as_str().unwrap().starts_with("write not acknowledged"), "{json}");
    }

    #[tokio::test]
    async fn a_failure_hides_its_cause_from_the_client_and_hands_it_to_the_log() {
        let cause = std::io::Error::other("/var/lib/secret-path is gone");
        let response = ApiError::Store(StoreError::Io(cause)).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let logged = response.extensions().get::<FailureCause>().expect("the cause rides along").0.clone();
        assert!(logged.contains("secret-path"), "{logged}");
        let json = body(response).await;
        assert_eq!(json["message"], "record store unavailable");
        assert!(!json.to_string().contains("secret-path"), "{json}");
    }

    #[tokio::test]
    async fn a_refusal_shows_its_message_and_logs_nothing() {
        let response = ApiError::Names(NamesError::NameTaken).into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.extensions().get::<FailureCause>().is_none());
        assert_eq!(body(response).await, json!({ "message": "name is already taken", "code": "name_taken" }));
    }

    /// A log sink for one test.
    #[derive(Clone, Default)]
    struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_hidden_cause_of_a_failure_is_logged_once_and_a_refusal_logs_nothing() {
        let logs = Logs::default();
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
        tracing::subscriber::with_default(subscriber, || {
            let failure = ApiError::Store(StoreError::Io(std::io::Error::other("disk /srv/x is gone"))).into_response();
            log_failures(&failure, Duration::from_millis(3), &Span::none());
            let refusal = ApiError::Names(NamesError::NameTaken).into_response();
            log_failures(&refusal, Duration::from_millis(3), &Span::none());
        });
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.matches("request failed").count(), 1, "{text}");
        assert!(text.contains("disk /srv/x is gone") && text.contains("status=503"), "{text}");
        assert!(!text.contains("already taken"), "{text}");
    }

    #[test]
    fn a_read_only_store_refuses_a_write_as_the_names_api_does() {
        let store = outcome(&ApiError::Names(StoreError::ReadOnly("names live on the L2").into()));
        assert_eq!(store, outcome(&ApiError::NamesReadOnly));
        assert_eq!(store, refused(StatusCode::METHOD_NOT_ALLOWED, "read_only"));
    }

    #[test]
    fn a_shared_lookup_failure_is_answered_as_its_cause() {
        let shared = Arc::new(LookupError::NameNotServed("x.eth".into()));
        let error = ApiError::Lookup(LookupError::Shared(Arc::clone(&shared)));
        assert_eq!(outcome(&error), refused(StatusCode::NOT_FOUND, "name_not_served"));
        assert_eq!(error.to_string(), shared.to_string());
    }
}
