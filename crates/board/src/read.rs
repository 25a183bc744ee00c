//! Typed read views of a board, for the UI, the exporters and tests.
use automerge::{AutoCommit, ObjId, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::board::NOTE_SIZE;
use crate::op::Color;
use crate::schema::note;

/// A sticky note as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: String,
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub z: f64,
    pub color: Color,
    pub author: String,
    pub created_at: i64,
    pub edited_at: i64,
}

pub(crate) fn note_view(doc: &AutoCommit, id: &str, n: &ObjId) -> NoteView {
    let text = match doc.get(n, note::TEXT) {
        Ok(Some((Value::Object(_), t))) => doc.text(&t).unwrap_or_default(),
        _ => String::new(),
    };
    NoteView {
        id: id.to_string(),
        text,
        x: number(doc, n, note::X).unwrap_or(0.0),
        y: number(doc, n, note::Y).unwrap_or(0.0),
        w: number(doc, n, note::W).unwrap_or(NOTE_SIZE.0),
        h: number(doc, n, note::H).unwrap_or(NOTE_SIZE.1),
        z: number(doc, n, note::Z).unwrap_or(0.0),
        color: string(doc, n, note::COLOR)
            .and_then(|c| Color::parse(&c))
            .unwrap_or_default(),
        author: string(doc, n, note::AUTHOR).unwrap_or_default(),
        created_at: number(doc, n, note::CREATED_AT).unwrap_or(0.0) as i64,
        edited_at: number(doc, n, note::EDITED_AT).unwrap_or(0.0) as i64,
    }
}

/// A scalar read as a number, whichever numeric type the writer used
/// (JavaScript clients write whole numbers as integers).
pub(crate) fn scalar_number(v: &ScalarValue) -> Option<f64> {
    match v {
        ScalarValue::F64(f) => Some(*f),
        ScalarValue::Int(i) => Some(*i as f64),
        ScalarValue::Uint(u) => Some(*u as f64),
        ScalarValue::Timestamp(t) => Some(*t as f64),
        _ => None,
    }
}

fn number(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<f64> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => scalar_number(&s),
        _ => None,
    }
}

fn string(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}
