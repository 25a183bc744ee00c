use thiserror::Error;

/// Why an [`crate::Op`] could not be applied. Nothing is changed when this is returned.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BoardError {
    #[error("there is no note with id {0}")]
    NoSuchNote(String),
    #[error("a note with id {0} exists already")]
    NoteExists(String),
    #[error("an id must be 1 to 64 letters, digits, '-' or '_': {0:?}")]
    BadId(String),
    #[error("the text is too long: {len} characters, at most {max}")]
    TextTooLong { len: usize, max: usize },
    #[error("the title is too long: {len} characters, at most {max}")]
    TitleTooLong { len: usize, max: usize },
    #[error("the board is full: at most {max} notes")]
    TooManyNotes { max: usize },
    #[error("a coordinate or size is not a finite number in range")]
    BadGeometry,
    #[error("the text edit is out of range: the note has {len} characters")]
    EditOutOfRange { len: usize },
    #[error("this is not a Samskab board: {0}")]
    NotABoard(String),
    #[error("automerge: {0}")]
    Automerge(String),
}

impl From<automerge::AutomergeError> for BoardError {
    fn from(e: automerge::AutomergeError) -> Self {
        BoardError::Automerge(e.to_string())
    }
}
