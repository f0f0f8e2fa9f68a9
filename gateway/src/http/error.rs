//! The one place where errors become HTTP responses.

use crate::{store::StoreError, Error};
use axum::{
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An [`Error`] on its way to the client as `{"message": …, "code": …}` with a status.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

/// The HTTP status of each error: 4xx for what the client can fix, 5xx for
/// store, RPC and internal failures (so CCIP-read clients try their next URL).
pub(super) fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::InvalidHex { .. }
        | Error::InvalidJson(_)
        | Error::InvalidBody(_)
        | Error::Protocol(_)
        | Error::InvalidProfile(_)
        | Error::NameNotNormalized { .. }
        | Error::InvalidNameForClaim(_)
        | Error::NameTooShort { .. }
        | Error::NameReserved(_)
        | Error::InvalidRecords(_)
        | Error::Expired { .. }
        | Error::NameTooLong { .. } => StatusCode::BAD_REQUEST,
        Error::BadSignature(_) => StatusCode::UNAUTHORIZED,
        Error::ReadOnly(_) => StatusCode::METHOD_NOT_ALLOWED,
        Error::NotAvailable(_) => StatusCode::NOT_IMPLEMENTED,
        Error::UnknownResolver(_) | Error::NameNotServed(_) | Error::NameNotClaimed => StatusCode::NOT_FOUND,
        Error::NameTaken | Error::NonceMismatch { .. } | Error::OwnerLimit { .. } => StatusCode::CONFLICT,
        Error::Store(StoreError::Timeout(_)) => StatusCode::GATEWAY_TIMEOUT,
        Error::Store(
            StoreError::Redis(_)
            | StoreError::Embedded(_)
            | StoreError::Io(_)
            | StoreError::L2(_)
            | StoreError::NotReplicated { .. },
        )
        | Error::Rpc(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Store(StoreError::Corrupt { .. } | StoreError::Task(_) | StoreError::ReadOnly(_))
        | Error::Signing(_)
        | Error::SigningPoolStopped
        | Error::SigningKey(_)
        | Error::Config(_)
        | Error::NoResolver(_)
        | Error::BadAnswer(_)
        | Error::Api { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Shared(inner) => status_of(inner),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        // `501` names a missing feature in a fixed text: nothing failed, nothing to hide.
        let message = if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            // The cause (which may name hosts or files) goes to the log, not to the client.
            tracing::error!(target: "gateway::http", error = %self.0, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE if self.0.code() == "rpc_unavailable" => "rpc endpoint unavailable",
                StatusCode::SERVICE_UNAVAILABLE if self.0.code() == "write_not_replicated" => {
                    "write not acknowledged: too few replicas confirmed it in time; it may or may not \
                     survive a failover, so read the name before signing a new write"
                }
                StatusCode::SERVICE_UNAVAILABLE => "record store unavailable",
                StatusCode::GATEWAY_TIMEOUT => "record store timed out",
                _ => "internal error",
            }
            .to_owned()
        } else {
            self.0.to_string()
        };
        error_response(status, self.0.code(), message)
    }
}

/// `{"message", "code"}` with `status`.
pub(crate) fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({ "message": message, "code": code }))).into_response()
}

/// A JSON body that axum could not read becomes the same error format.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self(Error::InvalidBody(rejection.body_text()))
    }
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

    #[tokio::test]
    async fn an_unreplicated_write_is_a_503_that_says_so() {
        let error = Error::Store(StoreError::NotReplicated { acked: 0, wanted: 1 });
        let response = ApiError(error).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["code"], "write_not_replicated");
        assert!(json["message"].as_str().unwrap().starts_with("write not acknowledged"), "{json}");
    }
}
