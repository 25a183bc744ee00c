//! What changed between two versions of a board: for incremental UI updates
//! and for "what changed since the last meeting".
use std::collections::BTreeSet;

use automerge::patches::PatchAction;
use automerge::{ChangeHash, ObjId, Prop, ROOT, ReadDoc, Value};
use serde::Serialize;

use crate::board::Board;
use crate::schema;

/// Items added, changed and removed (deleted) between two versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemChanges {
    pub added: BTreeSet<String>,
    pub changed: BTreeSet<String>,
    pub removed: BTreeSet<String>,
}

impl ItemChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Everything that differs between two versions, by kind of item. Mind-map
/// nodes are named `"<map>/<node>"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BoardDiff {
    /// Title, theme, language or template changed.
    pub meta: bool,
    pub participants: ItemChanges,
    pub notes: ItemChanges,
    pub frames: ItemChanges,
    pub connectors: ItemChanges,
    pub nodes: ItemChanges,
}

impl BoardDiff {
    pub fn is_empty(&self) -> bool {
        !self.meta
            && [
                &self.participants,
                &self.notes,
                &self.frames,
                &self.connectors,
                &self.nodes,
            ]
            .iter()
            .all(|c| c.is_empty())
    }
}

/// The kind name for a whole mind map in [`Board::touched`].
pub(crate) const MINDMAP: &str = "mindmap";

fn key(p: &Prop) -> Option<&str> {
    match p {
        Prop::Map(k) => Some(k.as_str()),
        Prop::Seq(_) => None,
    }
}

impl Board {
    /// What changed from the version at `before` to the version at `after`
    /// (both lists of heads; `&[]` is the empty board).
    pub fn diff(&mut self, before: &[ChangeHash], after: &[ChangeHash]) -> BoardDiff {
        let (meta, touched) = self.touched(before, after);
        let mut out = BoardDiff {
            meta,
            ..BoardDiff::default()
        };
        for (kind, id) in touched.into_iter().filter(|(k, _)| k != MINDMAP) {
            let was = self.live_at(&kind, &id, before);
            let is = self.live_at(&kind, &id, after);
            let bucket = match kind.as_str() {
                schema::PARTICIPANTS => &mut out.participants,
                schema::NOTES => &mut out.notes,
                schema::FRAMES => &mut out.frames,
                schema::CONNECTORS => &mut out.connectors,
                schema::MINDMAPS => &mut out.nodes,
                _ => continue,
            };
            match (was, is) {
                (false, true) => bucket.added.insert(id),
                (true, false) => bucket.removed.insert(id),
                (true, true) => bucket.changed.insert(id),
                (false, false) => false,
            };
        }
        out
    }

    /// The items the changes from `before` to `after` touched, as (kind, id)
    /// with kind a root container (nodes: `("mindmaps", "<map>/<node>")`,
    /// a mind map itself: `(MINDMAP, "<map>")`), and whether the board's
    /// metadata changed.
    pub(crate) fn touched(
        &mut self,
        before: &[ChangeHash],
        after: &[ChangeHash],
    ) -> (bool, BTreeSet<(String, String)>) {
        let patches = self.doc.diff(before, after);
        let mut touched: BTreeSet<(String, String)> = BTreeSet::new();
        let mut meta = false;
        for p in &patches {
            let mut props: Vec<&str> = p.path.iter().filter_map(|(_, prop)| key(prop)).collect();
            let leaf = match &p.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                    Some(key.as_str())
                }
                _ => None,
            };
            if let Some(k) = leaf.filter(|_| p.path.len() < 4) {
                props.push(k);
            }
            match props.as_slice() {
                [schema::META, ..] => meta = true,
                [schema::MINDMAPS, map, schema::mindmap::NODES, node, ..] => {
                    touched.insert((schema::MINDMAPS.into(), format!("{map}/{node}")));
                }
                [schema::MINDMAPS, map, ..] => {
                    touched.insert((MINDMAP.into(), map.to_string()));
                }
                [kind, id, ..] => {
                    touched.insert((kind.to_string(), id.to_string()));
                }
                _ => {}
            }
        }
        (meta, touched)
    }

    /// Whether an item exists and is not deleted at `heads`.
    fn live_at(&self, kind: &str, id: &str, heads: &[ChangeHash]) -> bool {
        let obj = |parent: &ObjId, k: &str| match self.doc.get_at(parent, k, heads) {
            Ok(Some((Value::Object(_), o))) => Some(o),
            _ => None,
        };
        let item = if kind == schema::MINDMAPS {
            let Some((map, node)) = id.split_once('/') else {
                return false;
            };
            obj(&ROOT, kind)
                .and_then(|m| obj(&m, map))
                .and_then(|m| obj(&m, schema::mindmap::NODES))
                .and_then(|n| obj(&n, node))
        } else {
            obj(&ROOT, kind).and_then(|c| obj(&c, id))
        };
        let Some(item) = item else { return false };
        !matches!(
            self.doc.get_at(&item, schema::DELETED, heads),
            Ok(Some((Value::Scalar(s), _))) if s.as_bool() == Some(true)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{Board, Color, Ctx, Op};

    #[test]
    fn diff_names_what_was_added_changed_and_removed_since_a_version() {
        let c = Ctx::new("anna", 0);
        let mut b = Board::new(&[1; 16]);
        for id in ["a", "b", "c"] {
            b.apply(
                &Op::CreateNote {
                    id: id.into(),
                    x: 0.0,
                    y: 0.0,
                    color: Color::Yellow,
                    text: "x".into(),
                },
                &c,
            )
            .unwrap();
        }
        b.apply(
            &Op::CreateMindMap {
                id: "m".into(),
                root: "r".into(),
                text: "T".into(),
            },
            &c,
        )
        .unwrap();
        let last_meeting = b.heads();
        b.apply(
            &Op::EditText {
                id: "a".into(),
                index: 1,
                delete: 0,
                insert: "y".into(),
            },
            &c,
        )
        .unwrap();
        b.apply(&Op::DeleteNote { id: "b".into() }, &c).unwrap();
        b.apply(
            &Op::CreateNote {
                id: "d".into(),
                x: 0.0,
                y: 0.0,
                color: Color::Yellow,
                text: String::new(),
            },
            &c,
        )
        .unwrap();
        b.apply(
            &Op::AddNode {
                map: "m".into(),
                id: "n".into(),
                parent: "r".into(),
                order: 0.0,
                text: "N".into(),
            },
            &c,
        )
        .unwrap();
        b.apply(
            &Op::SetTitle {
                title: "Møde 2".into(),
            },
            &c,
        )
        .unwrap();
        let now = b.heads();
        let d = b.diff(&last_meeting, &now);
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        assert_eq!(d.notes.added, set(&["d"]));
        assert_eq!(d.notes.changed, set(&["a"]));
        assert_eq!(d.notes.removed, set(&["b"]));
        assert_eq!(d.nodes.added, set(&["m/n"]));
        assert!(d.meta);
        assert!(d.frames.is_empty());
        assert!(b.diff(&now, &now).is_empty());
    }
}
