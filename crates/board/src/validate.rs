//! Checks a whole board against the schema and the size limits. The server
//! runs this on the result of every incoming change before anyone else sees it.
use std::collections::BTreeSet;
use std::fmt;

use automerge::{ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::board::{Board, Limits, MAX_COORD, check_id};
use crate::doc::scalar_number;
use crate::op::{Color, RoleGroup};
use crate::schema::{self, connector, frame, meta, mindmap, node, note, participant};

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
    /// Check only these items (`None`: all of them).
    scope: Option<&'a BTreeSet<(String, String)>>,
}

#[derive(Clone, Copy)]
enum Kind {
    Text(usize),
    Number,
    /// Any finite number (stacking order: a time).
    Finite,
    Int,
    Bool,
    /// `true`, `false` or absent (a key added after schema 1 was frozen).
    OptBool,
    Str(usize),
    Color,
    Role,
    Id,
    /// An id or "" (no frame, no parent).
    OptId,
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

    fn field(&mut self, obj: &ObjId, key: &str, path: &str, kind: Kind) {
        let path = format!("{path}/{key}");
        if let Kind::Text(max) = kind {
            if let Some(t) = self.object(obj, key, &path, ObjType::Text) {
                let len = self.board.doc().length(&t);
                if len > max {
                    self.bad(path, format!("{len} characters, at most {max}"));
                }
            }
            return;
        }
        let s = match self.value(obj, key) {
            Some((Value::Scalar(s), _)) => s.into_owned(),
            Some(_) => return self.bad(path, "must be a plain value"),
            None if matches!(kind, Kind::OptBool) => return,
            None => return self.bad(path, "is missing"),
        };
        let problem = match (kind, &s) {
            (Kind::Number, v) => match scalar_number(v) {
                Some(n) if n.is_finite() && n.abs() <= MAX_COORD => None,
                Some(_) => Some("number out of range".to_string()),
                None => Some("must be a number".to_string()),
            },
            (Kind::Finite, v) => match scalar_number(v) {
                Some(n) if n.is_finite() => None,
                _ => Some("must be a finite number".to_string()),
            },
            (Kind::Int, ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::Timestamp(_)) => {
                None
            }
            (Kind::Int, _) => Some("must be an integer".into()),
            (Kind::Bool | Kind::OptBool, ScalarValue::Boolean(_)) => None,
            (Kind::Bool | Kind::OptBool, _) => Some("must be true or false".into()),
            (Kind::Str(max), ScalarValue::Str(v)) if v.chars().count() <= max => None,
            (Kind::Color, ScalarValue::Str(v)) if Color::parse(v).is_some() => None,
            (Kind::Role, ScalarValue::Str(v)) if RoleGroup::parse(v).is_some() => None,
            (Kind::Id, ScalarValue::Str(v)) if check_id(v).is_ok() => None,
            (Kind::OptId, ScalarValue::Str(v)) if v.is_empty() || check_id(v).is_ok() => None,
            (Kind::Str(max), _) => Some(format!("must be a string of at most {max} characters")),
            (Kind::Color, _) => Some(format!("unknown colour {s}")),
            (Kind::Role, _) => Some(format!("unknown role group {s}")),
            (Kind::Id | Kind::OptId, _) => Some(format!("not a valid id: {s}")),
            (Kind::Text(_), _) => None,
        };
        if let Some(p) = problem {
            self.bad(path, p);
        }
    }

    /// Every entry of a container: a map with an id key and the given fields.
    fn items(&mut self, parent: &ObjId, key: &str, path: &str, fields: &[(&str, Kind)]) {
        let Some(c) = self.object(parent, key, path, ObjType::Map) else {
            return;
        };
        let count = self.board.doc().length(&c);
        if count > self.limits.max_items {
            self.bad(
                path,
                format!("{count} items, at most {}", self.limits.max_items),
            );
            return;
        }
        let ids: Vec<String> = match self.scope {
            None => self.board.doc().keys(&c).collect(),
            Some(scope) => scope
                .iter()
                .filter_map(|(k, id)| match (k.as_str(), key) {
                    (schema::MINDMAPS, schema::mindmap::NODES) => {
                        let (map, node) = id.split_once('/')?;
                        path.starts_with(&format!("/mindmaps/{map}/"))
                            .then(|| node.to_string())
                    }
                    (k, key) if k == key => Some(id.clone()),
                    _ => None,
                })
                .filter(|id| {
                    self.board
                        .doc()
                        .get(&c, id.as_str())
                        .ok()
                        .flatten()
                        .is_some()
                })
                .collect(),
        };
        let allowed: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        for id in ids {
            let item_path = format!("{path}/{id}");
            if check_id(&id).is_err() {
                self.bad(&item_path, "invalid id");
            }
            let Some(obj) = self.object(&c, &id, &item_path, ObjType::Map) else {
                continue;
            };
            self.only_keys(&obj, &item_path, &allowed);
            for (k, kind) in fields {
                self.field(&obj, k, &item_path, *kind);
            }
        }
    }
}

/// Checks every part of `board` against the schema and `limits`.
pub fn validate(board: &Board, limits: &Limits) -> Result<(), ValidationError> {
    let mut violations = check(board, limits, None)
        .err()
        .map_or(Vec::new(), |e| e.violations);
    violations.extend(crate::facilitation::validate_extension(board));
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { violations })
    }
}

/// Checks what the changes since `before` touched (plus the board's root and
/// metadata): the same verdict as [`validate`] for a board that was valid at
/// `before`, at the cost of the change rather than of the board when
/// `before` came from [`Board::mark`] (otherwise Automerge scans the board
/// to find what changed).
pub fn validate_changes(
    board: &mut Board,
    before: &[ChangeHash],
    limits: &Limits,
) -> Result<(), ValidationError> {
    let after = board.heads();
    let (_, touched) = board.touched(before, &after);
    check(board, limits, Some(&touched))
}

fn check(
    board: &Board,
    limits: &Limits,
    scope: Option<&BTreeSet<(String, String)>>,
) -> Result<(), ValidationError> {
    let mut c = Checker {
        board,
        limits,
        out: Vec::new(),
        scope,
    };
    let text = Kind::Text(limits.max_note_chars);
    let title = Kind::Text(limits.max_title_chars);
    c.only_keys(&ROOT, "", &schema::ALL_ROOT_KEYS);
    match c.value(&ROOT, schema::SCHEMA_VERSION_KEY).map(|(v, _)| v) {
        Some(Value::Scalar(v)) if scalar_number(&v) == Some(schema::SCHEMA_VERSION as f64) => {}
        Some(other) => c.bad("/schema_version", format!("unsupported: {other}")),
        None => c.bad("/schema_version", "is missing"),
    }
    if let Some(m) = c.object(&ROOT, schema::META, "/meta", ObjType::Map) {
        c.only_keys(&m, "/meta", &meta::ALL);
        c.field(&m, meta::TITLE, "/meta", title);
        c.field(&m, meta::THEME, "/meta", title);
        c.field(&m, meta::LANGUAGE, "/meta", Kind::Str(16));
        c.field(&m, meta::TEMPLATE, "/meta", Kind::Str(64));
        c.field(&m, meta::CREATED_AT, "/meta", Kind::Int);
    }
    let common = [
        (schema::AUTHOR, Kind::Str(64)),
        (schema::CREATED_AT, Kind::Int),
        (schema::DELETED, Kind::Bool),
    ];
    c.items(
        &ROOT,
        schema::PARTICIPANTS,
        "/participants",
        &[
            (participant::NAME, Kind::Str(limits.max_title_chars)),
            (participant::ROLE, Kind::Role),
            (participant::COLOR, Kind::Str(32)),
            (participant::NAMED_CONSENT, Kind::OptBool),
        ],
    );
    let mut note_fields = vec![
        (note::TEXT, text),
        (note::X, Kind::Number),
        (note::Y, Kind::Number),
        (note::W, Kind::Number),
        (note::H, Kind::Number),
        (note::Z, Kind::Finite),
        (note::COLOR, Kind::Color),
        (note::FRAME, Kind::OptId),
        (note::EDITED_AT, Kind::Int),
    ];
    note_fields.extend(common);
    c.items(&ROOT, schema::NOTES, "/notes", &note_fields);
    let mut frame_fields = vec![
        (frame::NAME, title),
        (frame::X, Kind::Number),
        (frame::Y, Kind::Number),
        (frame::W, Kind::Number),
        (frame::H, Kind::Number),
        (frame::COLOR, Kind::Color),
    ];
    frame_fields.extend(common);
    c.items(&ROOT, schema::FRAMES, "/frames", &frame_fields);
    let mut connector_fields = vec![
        (connector::FROM, Kind::Id),
        (connector::TO, Kind::Id),
        (connector::LABEL, title),
    ];
    connector_fields.extend(common);
    c.items(&ROOT, schema::CONNECTORS, "/connectors", &connector_fields);

    let mut node_fields = vec![
        (node::TEXT, text),
        (node::PARENT, Kind::OptId),
        (node::ORDER, Kind::Number),
        (node::COLLAPSED, Kind::Bool),
        (node::COLOR, Kind::Color),
        (node::EDITED_AT, Kind::Int),
    ];
    node_fields.extend(common);
    if let Some(maps) = c.object(&ROOT, schema::MINDMAPS, "/mindmaps", ObjType::Map) {
        let ids: Vec<String> = match scope {
            None => board.doc().keys(&maps).collect(),
            Some(scope) => scope
                .iter()
                .filter_map(|(k, id)| match k.as_str() {
                    crate::diff::MINDMAP => Some(id.clone()),
                    schema::MINDMAPS => id.split_once('/').map(|(m, _)| m.to_string()),
                    _ => None,
                })
                .collect::<BTreeSet<String>>()
                .into_iter()
                .filter(|m| board.doc().get(&maps, m.as_str()).ok().flatten().is_some())
                .collect(),
        };
        if ids.len() > limits.max_items {
            c.bad("/mindmaps", "too many mind maps");
        }
        for id in ids.into_iter().take(limits.max_items) {
            let path = format!("/mindmaps/{id}");
            if check_id(&id).is_err() {
                c.bad(&path, "invalid id");
            }
            let Some(m) = c.object(&maps, &id, &path, ObjType::Map) else {
                continue;
            };
            c.only_keys(&m, &path, &mindmap::ALL);
            c.field(&m, mindmap::ROOT, &path, Kind::Id);
            c.items(&m, mindmap::NODES, &format!("{path}/nodes"), &node_fields);
        }
    }
    if c.out.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { violations: c.out })
    }
}
