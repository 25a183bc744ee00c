use thiserror::Error;

/// Why an [`crate::Op`] could not be applied. Nothing is changed when this is returned.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BoardError {
    #[error("{0} does not exist (or was deleted)")]
    NotFound(String),
    #[error("{0} exists already")]
    Exists(String),
    #[error("an id must be 1 to 64 letters, digits, '-' or '_': {0:?}")]
    BadId(String),
    #[error("the text is too long: {len} characters, at most {max}")]
    TextTooLong { len: usize, max: usize },
    #[error("the board is full: at most {max} items of a kind")]
    TooManyItems { max: usize },
    #[error("a coordinate or size is not a finite number in range")]
    BadGeometry,
    #[error("the text edit is out of range: the text has {len} characters")]
    EditOutOfRange { len: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("this is not a Samskab board: {0}")]
    NotABoard(String),
    /// Data from outside declares more than the limits allow (see [`crate::wire`]).
    #[error("too large for a board: {0}")]
    TooLarge(String),
    #[error("automerge: {0}")]
    Automerge(String),
}

impl From<automerge::AutomergeError> for BoardError {
    fn from(e: automerge::AutomergeError) -> Self {
        BoardError::Automerge(e.to_string())
    }
}

impl From<crate::wire::WireError> for BoardError {
    fn from(e: crate::wire::WireError) -> Self {
        match e {
            crate::wire::WireError::Malformed(m) => {
                BoardError::NotABoard(format!("damaged data: {m}"))
            }
            crate::wire::WireError::Unsupported(m) => BoardError::NotABoard(m),
            crate::wire::WireError::TooLarge(m) => BoardError::TooLarge(m),
        }
    }
}
