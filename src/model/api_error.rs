//! The API's error and delete vocabulary, shared by every front: [`ApiError`] carries what a
//! Kubernetes `Status` needs (reason, code, causes), [`Propagation`] is a delete's policy for
//! dependents. The simulation, `serve`, and the cluster target all speak these.

use crate::model::object::Kind;
use crate::model::validation::FieldError;

/// An API failure, carrying what a Kubernetes `Status` needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 404.
    #[error("{resource} \"{name}\" not found")]
    NotFound { resource: String, name: String },
    /// 409 AlreadyExists.
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists { resource: String, name: String },
    /// 409 Conflict.
    #[error("{0}")]
    Conflict(String),
    /// 422 Invalid, with one cause per field error.
    #[error("{message}")]
    Invalid {
        kind: Kind,
        name: String,
        message: String,
        causes: Vec<FieldError>,
    },
    /// 400.
    #[error("{0}")]
    BadRequest(String),
    /// 422 Invalid without field causes (a JSON patch operation that failed).
    #[error("{0}")]
    InvalidPatch(String),
    /// 403 Forbidden (e.g. creating in a terminating namespace).
    #[error("{0}")]
    Forbidden(String),
    /// 410 Gone.
    #[error("{0}")]
    Expired(String),
    /// Any other `Status` a remote API server answered with, as it came.
    #[error("{message}")]
    Remote {
        code: u16,
        reason: String,
        message: String,
    },
}

impl ApiError {
    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict(_) => 409,
            ApiError::Invalid { .. } | ApiError::InvalidPatch(_) => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Forbidden(_) => 403,
            ApiError::Expired(_) => 410,
            ApiError::Remote { code, .. } => *code,
        }
    }

    /// The `Status.reason`.
    pub fn reason(&self) -> &str {
        match self {
            ApiError::NotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict(_) => "Conflict",
            ApiError::Invalid { .. } | ApiError::InvalidPatch(_) => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::Expired(_) => "Expired",
            ApiError::Remote { reason, .. } => reason,
        }
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        self.code() == 404
    }

    /// Whether this is an AlreadyExists 409.
    pub fn is_already_exists(&self) -> bool {
        self.code() == 409 && self.reason() == "AlreadyExists"
    }
}

/// The resource name the API server uses in messages: `pods`, `statefulsets.apps`.
pub fn qualified_resource(kind: Kind) -> String {
    match kind.api_version().split_once('/') {
        Some((group, _)) => format!("{}.{group}", kind.plural()),
        None => kind.plural().to_owned(),
    }
}

/// The API group of a kind (`apps`, or `""` for the core group).
pub fn group_of(kind: Kind) -> &'static str {
    kind.api_version().split_once('/').map_or("", |(g, _)| g)
}

/// How a delete treats dependents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Delete the owner now; the garbage collector deletes dependents afterwards.
    Background,
    /// Delete dependents first; the owner goes last.
    Foreground,
    /// Remove the owner's references from dependents and keep them.
    Orphan,
}

impl Propagation {
    /// Parses `Background`, `Foreground` or `Orphan`.
    pub fn parse(s: &str) -> Option<Propagation> {
        match s {
            "Background" => Some(Propagation::Background),
            "Foreground" => Some(Propagation::Foreground),
            "Orphan" => Some(Propagation::Orphan),
            _ => None,
        }
    }
}
