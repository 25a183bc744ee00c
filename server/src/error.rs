//! [`AppError`]: every HTTP error the API returns. Internal details are logged,
//! never sent: the client gets a stable code and a sentence.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("board not found")]
    BoardNotFound,
    #[error("workspace not found")]
    WorkspaceNotFound,
    #[error("link revoked")]
    LinkRevoked,
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("internal: {0}")]
    Internal(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            AppError::BoardNotFound => (
                StatusCode::NOT_FOUND,
                "board_not_found",
                "There is no board at this address.".to_string(),
            ),
            AppError::WorkspaceNotFound => (
                StatusCode::NOT_FOUND,
                "workspace_not_found",
                "There is no workspace at this address.".to_string(),
            ),
            AppError::LinkRevoked => (
                StatusCode::GONE,
                "link_revoked",
                "This link has been replaced. Ask the facilitator for the new one.".to_string(),
            ),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            AppError::Storage(_) | AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on the server.".to_string(),
                )
            }
        };
        (status, Json(json!({ "error": code, "message": message }))).into_response()
    }
}
