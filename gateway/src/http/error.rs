//! The one place where errors become HTTP responses.

use crate::{store::StoreError, Error};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An [`Error`] on its way to the client as `{"message": …}` with a status.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            Error::InvalidHex { .. }
            | Error::InvalidJson(_)
            | Error::InvalidCalldata(_)
            | Error::InvalidName(_)
            | Error::NodeMismatch { .. }
            | Error::UnsupportedFunction(_)
            | Error::MulticallTooLarge { .. }
            | Error::NestedMulticall
            | Error::InvalidProfile(_) => StatusCode::BAD_REQUEST,
            Error::UnknownResolver(_) | Error::NameNotServed(_) => StatusCode::NOT_FOUND,
            Error::Store(StoreError::Timeout(_)) => StatusCode::GATEWAY_TIMEOUT,
            Error::Store(StoreError::Redis(_) | StoreError::Embedded(_) | StoreError::Io(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Store(StoreError::Corrupt { .. } | StoreError::Task(_))
            | Error::Signing(_)
            | Error::SigningKey(_)
            | Error::Rpc(_)
            | Error::NoResolver(_)
            | Error::BadAnswer(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = if status.is_server_error() {
            // The cause (which may name hosts or files) goes to the log, not to the client.
            tracing::error!(target: "gateway::http", error = %self.0, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => "record store unavailable".to_owned(),
                StatusCode::GATEWAY_TIMEOUT => "record store timed out".to_owned(),
                _ => "internal error".to_owned(),
            }
        } else {
            self.0.to_string()
        };
        (status, Json(json!({ "message": message }))).into_response()
    }
}

/// `404` for any route this gateway does not have.
pub(super) async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "message": "no such route" }))).into_response()
}
