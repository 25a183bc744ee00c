//! Checks a whole board against the schema and the size limits. The server
//! runs this on the result of every incoming change before anyone else sees it.
use std::fmt;

use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::board::{Board, Limits, MAX_COORD, check_id};
use crate::op::Color;
use crate::read::scalar_number;
use crate::schema::{self, note};

/// One thing wrong with a document, with the path where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub problem: String,
}

/// Everything wrong with a document (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self
            .violations
            .iter()
            .take(5)
            .map(|v| format!("{}: {}", v.path, v.problem))
            .collect();
        write!(f, "{}", shown.join("; "))?;
        if self.violations.len() > 5 {
            write!(f, " (and {} more)", self.violations.len() - 5)?;
        }
        Ok(())
    }
}

struct Checker<'a> {
    board: &'a Board,
    limits: &'a Limits,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn bad(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.out.push(Violation {
            path: path.into(),
            problem: problem.into(),
        });
    }

    fn value(&self, obj: &ObjId, key: &str) -> Option<(Value<'_>, ObjId)> {
        self.board.doc().get(obj, key).ok().flatten()
    }

    fn object(&mut self, obj: &ObjId, key: &str, path: &str, ty: ObjType) -> Option<ObjId> {
        match self.value(obj, key) {
            Some((Value::Object(t), id)) if t == ty => Some(id),
            Some(_) => {
                self.bad(path, format!("must be a {ty:?}"));
                None
            }
            None => {
                self.bad(path, "is missing");
                None
            }
        }
    }

    fn only_keys(&mut self, obj: &ObjId, path: &str, allowed: &[&str]) {
        let unknown: Vec<String> = self
            .board
            .doc()
            .keys(obj)
            .filter(|k| !allowed.contains(&k.as_str()))
            .collect();
        for k in unknown {
            self.bad(format!("{path}/{k}"), "unknown key");
        }
    }

    fn text(&mut self, obj: &ObjId, key: &str, path: &str, max: usize) {
        if let Some(t) = self.object(obj, key, path, ObjType::Text) {
            let len = self.board.doc().length(&t);
            if len > max {
                self.bad(path, format!("{len} characters, at most {max}"));
            }
        }
    }

    fn scalar(&mut self, obj: &ObjId, key: &str, path: &str) -> Option<ScalarValue> {
        match self.value(obj, key) {
            Some((Value::Scalar(s), _)) => Some(s.into_owned()),
            Some(_) => {
                self.bad(path, "must be a plain value");
                None
            }
            None => {
                self.bad(path, "is missing");
                None
            }
        }
    }

    fn number(&mut self, obj: &ObjId, key: &str, path: &str) {
        if let Some(s) = self.scalar(obj, key, path) {
            match scalar_number(&s) {
                Some(v) if v.is_finite() && v.abs() <= MAX_COORD => {}
                Some(_) => self.bad(path, "number out of range"),
                None => self.bad(path, "must be a number"),
            }
        }
    }

    fn int(&mut self, obj: &ObjId, key: &str, path: &str) {
        if let Some(s) = self.scalar(obj, key, path)
            && !matches!(
                s,
                ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::Timestamp(_)
            )
        {
            self.bad(path, "must be an integer");
        }
    }

    fn string(&mut self, obj: &ObjId, key: &str, path: &str, max: usize) -> Option<String> {
        match self.scalar(obj, key, path)? {
            ScalarValue::Str(s) if s.chars().count() <= max => Some(s.to_string()),
            ScalarValue::Str(_) => {
                self.bad(path, format!("longer than {max} characters"));
                None
            }
            _ => {
                self.bad(path, "must be a string");
                None
            }
        }
    }

    fn note(&mut self, notes: &ObjId, id: &str) {
        let path = format!("/notes/{id}");
        if check_id(id).is_err() {
            self.bad(&path, "invalid note id");
        }
        let Some(n) = self.object(notes, id, &path, ObjType::Map) else {
            return;
        };
        self.only_keys(&n, &path, &note::ALL);
        self.text(
            &n,
            note::TEXT,
            &format!("{path}/text"),
            self.limits.max_note_chars,
        );
        for key in [note::X, note::Y, note::W, note::H, note::Z] {
            self.number(&n, key, &format!("{path}/{key}"));
        }
        let color_path = format!("{path}/color");
        if let Some(c) = self.string(&n, note::COLOR, &color_path, 16)
            && Color::parse(&c).is_none()
        {
            self.bad(color_path, format!("unknown colour {c:?}"));
        }
        self.string(&n, note::AUTHOR, &format!("{path}/author"), 64);
        self.int(&n, note::CREATED_AT, &format!("{path}/created_at"));
        self.int(&n, note::EDITED_AT, &format!("{path}/edited_at"));
    }
}

/// Checks every part of `board` against the schema and `limits`.
pub fn validate(board: &Board, limits: &Limits) -> Result<(), ValidationError> {
    let mut c = Checker {
        board,
        limits,
        out: Vec::new(),
    };
    c.only_keys(
        &ROOT,
        "",
        &[schema::SCHEMA_VERSION_KEY, schema::META, schema::NOTES],
    );
    match c.scalar(&ROOT, schema::SCHEMA_VERSION_KEY, "/schema_version") {
        Some(ScalarValue::Uint(v)) if v == schema::SCHEMA_VERSION => {}
        Some(ScalarValue::Int(v)) if v as u64 == schema::SCHEMA_VERSION => {}
        Some(other) => c.bad("/schema_version", format!("unsupported: {other}")),
        None => {}
    }
    if let Some(meta) = c.object(&ROOT, schema::META, "/meta", ObjType::Map) {
        c.only_keys(&meta, "/meta", &[schema::TITLE, schema::CREATED_AT]);
        c.text(&meta, schema::TITLE, "/meta/title", limits.max_title_chars);
        c.int(&meta, schema::CREATED_AT, "/meta/created_at");
    }
    if let Some(notes) = c.object(&ROOT, schema::NOTES, "/notes", ObjType::Map) {
        let ids: Vec<String> = board.doc().keys(&notes).collect();
        if ids.len() > limits.max_notes {
            c.bad(
                "/notes",
                format!("{} notes, at most {}", ids.len(), limits.max_notes),
            );
        }
        for id in ids.iter().take(limits.max_notes + 1) {
            c.note(&notes, id);
        }
    }
    if c.out.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { violations: c.out })
    }
}
