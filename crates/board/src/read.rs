//! Typed read views of a board, for the UI, the exporters and tests. This
//! is where the conflict rules that need the whole board are applied, so that
//! every replica with the same document shows the same valid board.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::ObjId;
use serde::{Deserialize, Serialize};

use crate::board::{Board, NOTE_SIZE};
use crate::doc::{self, boolean, number, string, text};
use crate::op::{Color, RoleGroup};
use crate::schema::{self, connector, frame, meta, mindmap, node, note, participant};

/// A sticky note as the UI shows it. `x`, `y` are absolute.
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
    /// The frame it is in (only a frame that still exists).
    pub frame: Option<String>,
    pub author: String,
    pub created_at: i64,
    pub edited_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameView {
    pub id: String,
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub color: Color,
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorView {
    pub id: String,
    pub from: String,
    pub to: String,
    pub label: String,
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantView {
    pub id: String,
    pub name: String,
    pub role: RoleGroup,
    pub color: String,
}

/// A mind-map node with its parent as resolved by the conflict rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: String,
    pub text: String,
    /// `None` for the root.
    pub parent: Option<String>,
    pub order: f64,
    pub depth: usize,
    pub collapsed: bool,
    pub color: Color,
    pub author: String,
}

/// A mind map: its nodes in pre-order (root first, siblings by order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MindMapView {
    pub id: String,
    pub root: String,
    pub nodes: Vec<NodeView>,
}

fn color(board: &Board, obj: &ObjId) -> Color {
    string(&board.doc, obj, schema::COLOR)
        .and_then(|c| Color::parse(&c))
        .unwrap_or_default()
}

fn live(board: &Board, obj: &ObjId) -> bool {
    !boolean(&board.doc, obj, schema::DELETED).unwrap_or(false)
}

impl Board {
    fn meta_text(&self, key: &str) -> String {
        self.container(schema::META)
            .map(|m| text(&self.doc, &m, key))
            .unwrap_or_default()
    }

    fn meta_str(&self, key: &str) -> String {
        self.container(schema::META)
            .ok()
            .and_then(|m| string(&self.doc, &m, key))
            .unwrap_or_default()
    }

    pub fn title(&self) -> String {
        self.meta_text(meta::TITLE)
    }

    /// The question the meeting works on.
    pub fn theme(&self) -> String {
        self.meta_text(meta::THEME)
    }

    pub fn language(&self) -> String {
        self.meta_str(meta::LANGUAGE)
    }

    pub fn template(&self) -> String {
        self.meta_str(meta::TEMPLATE)
    }

    pub fn created_at(&self) -> i64 {
        self.container(schema::META)
            .ok()
            .and_then(|m| number(&self.doc, &m, meta::CREATED_AT))
            .unwrap_or(0.0) as i64
    }

    fn items(&self, kind: &str) -> Vec<(String, ObjId)> {
        self.container(kind)
            .map(|c| doc::children(&self.doc, &c))
            .unwrap_or_default()
    }

    pub fn participants(&self) -> Vec<ParticipantView> {
        self.items(schema::PARTICIPANTS)
            .into_iter()
            .map(|(id, p)| ParticipantView {
                id,
                name: string(&self.doc, &p, participant::NAME).unwrap_or_default(),
                role: string(&self.doc, &p, participant::ROLE)
                    .and_then(|r| RoleGroup::parse(&r))
                    .unwrap_or_default(),
                color: string(&self.doc, &p, participant::COLOR).unwrap_or_default(),
            })
            .collect()
    }

    /// All notes that are not deleted, bottom to top.
    pub fn notes(&self) -> Vec<NoteView> {
        let mut out: Vec<NoteView> = self
            .items(schema::NOTES)
            .into_iter()
            .filter(|(_, n)| live(self, n))
            .map(|(id, n)| self.note_view(id, &n))
            .collect();
        out.sort_by(|a, b| a.z.total_cmp(&b.z).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// One note, if it exists and is not deleted.
    pub fn note(&self, id: &str) -> Option<NoteView> {
        let notes = self.container(schema::NOTES).ok()?;
        let n = self.child(&notes, id).filter(|n| live(self, n))?;
        Some(self.note_view(id.to_string(), &n))
    }

    pub fn note_count(&self) -> usize {
        self.items(schema::NOTES)
            .iter()
            .filter(|(_, n)| live(self, n))
            .count()
    }

    fn note_view(&self, id: String, n: &ObjId) -> NoteView {
        let (fx, fy) = self.frame_origin(n);
        let frame = string(&self.doc, n, note::FRAME)
            .filter(|f| !f.is_empty())
            .filter(|f| {
                self.container(schema::FRAMES)
                    .ok()
                    .and_then(|c| self.child(&c, f))
                    .is_some_and(|fo| live(self, &fo))
            });
        NoteView {
            id,
            text: text(&self.doc, n, note::TEXT),
            x: number(&self.doc, n, note::X).unwrap_or(0.0) + fx,
            y: number(&self.doc, n, note::Y).unwrap_or(0.0) + fy,
            w: number(&self.doc, n, note::W).unwrap_or(NOTE_SIZE.0),
            h: number(&self.doc, n, note::H).unwrap_or(NOTE_SIZE.1),
            z: number(&self.doc, n, note::Z).unwrap_or(0.0),
            color: color(self, n),
            frame,
            author: string(&self.doc, n, schema::AUTHOR).unwrap_or_default(),
            created_at: number(&self.doc, n, schema::CREATED_AT).unwrap_or(0.0) as i64,
            edited_at: number(&self.doc, n, note::EDITED_AT).unwrap_or(0.0) as i64,
        }
    }

    pub fn frames(&self) -> Vec<FrameView> {
        self.items(schema::FRAMES)
            .into_iter()
            .filter(|(_, f)| live(self, f))
            .map(|(id, f)| FrameView {
                id,
                name: text(&self.doc, &f, frame::NAME),
                x: number(&self.doc, &f, frame::X).unwrap_or(0.0),
                y: number(&self.doc, &f, frame::Y).unwrap_or(0.0),
                w: number(&self.doc, &f, frame::W).unwrap_or(NOTE_SIZE.0),
                h: number(&self.doc, &f, frame::H).unwrap_or(NOTE_SIZE.1),
                color: color(self, &f),
                author: string(&self.doc, &f, schema::AUTHOR).unwrap_or_default(),
            })
            .collect()
    }

    /// Connectors whose both ends are shown (a connector to a deleted or
    /// hidden item is not drawn; it comes back if the item does).
    pub fn connectors(&self) -> Vec<ConnectorView> {
        let mut shown: BTreeSet<String> = self.notes().into_iter().map(|n| n.id).collect();
        shown.extend(self.frames().into_iter().map(|f| f.id));
        for m in self.mindmaps() {
            shown.extend(m.nodes.into_iter().map(|n| n.id));
        }
        self.items(schema::CONNECTORS)
            .into_iter()
            .filter(|(_, c)| live(self, c))
            .map(|(id, c)| ConnectorView {
                id,
                from: string(&self.doc, &c, connector::FROM).unwrap_or_default(),
                to: string(&self.doc, &c, connector::TO).unwrap_or_default(),
                label: text(&self.doc, &c, connector::LABEL),
                author: string(&self.doc, &c, schema::AUTHOR).unwrap_or_default(),
            })
            .filter(|c| shown.contains(&c.from) && shown.contains(&c.to))
            .collect()
    }

    pub fn mindmaps(&self) -> Vec<MindMapView> {
        self.items(schema::MINDMAPS)
            .into_iter()
            .filter_map(|(id, m)| self.mindmap_view(id, &m))
            .collect()
    }

    pub fn mindmap(&self, id: &str) -> Option<MindMapView> {
        let maps = self.container(schema::MINDMAPS).ok()?;
        let m = self.child(&maps, id)?;
        self.mindmap_view(id.to_string(), &m)
    }

    /// Resolves the stored parent pointers into a tree:
    /// 1. a node whose parent is missing or deleted hangs under its nearest
    ///    live ancestor (so a child added concurrently with the deletion of
    ///    its parent is kept), or under the root;
    /// 2. nodes caught in a cycle (two concurrent reparents) are cut loose by
    ///    attaching the one with the smallest id to the root.
    fn mindmap_view(&self, id: String, m: &ObjId) -> Option<MindMapView> {
        let root = string(&self.doc, m, mindmap::ROOT)?;
        let nodes_obj = doc::object(&self.doc, m, mindmap::NODES)?;
        let all: HashMap<String, ObjId> =
            doc::children(&self.doc, &nodes_obj).into_iter().collect();
        let root_obj = all.get(&root)?;
        let stored_parent = |id: &str| -> Option<String> {
            all.get(id)
                .and_then(|n| string(&self.doc, n, node::PARENT))
                .filter(|p| !p.is_empty())
        };
        let is_live = |id: &str| all.get(id).is_some_and(|n| live(self, n)) || id == root;
        // Rule 1: nearest live ancestor (bounded walk; cycles handled below).
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        for nid in all.keys().filter(|n| is_live(n) && **n != root) {
            let mut p = stored_parent(nid);
            let mut steps = 0;
            while let Some(cur) = p.clone() {
                if is_live(&cur) || steps > all.len() {
                    break;
                }
                p = stored_parent(&cur);
                steps += 1;
            }
            let p = p
                .filter(|p| is_live(p) && all.contains_key(p))
                .unwrap_or_else(|| root.clone());
            parent.insert(nid.clone(), p);
        }
        // Rule 2: break cycles until every node reaches the root.
        loop {
            let mut stranded: Vec<String> = Vec::new();
            for nid in parent.keys() {
                let mut cur = nid.clone();
                let mut reached = false;
                for _ in 0..=parent.len() {
                    if cur == root {
                        reached = true;
                        break;
                    }
                    match parent.get(&cur) {
                        Some(p) => cur = p.clone(),
                        None => break,
                    }
                }
                if !reached {
                    stranded.push(nid.clone());
                }
            }
            let Some(first) = stranded.first().cloned() else {
                break;
            };
            // Follow `first` until a node repeats: that loop is a cycle.
            let mut seen = BTreeSet::new();
            let mut cur = first;
            while seen.insert(cur.clone()) {
                cur = parent[&cur].clone();
            }
            let mut cycle = vec![cur.clone()];
            let mut next = parent[&cur].clone();
            while next != cur {
                cycle.push(next.clone());
                next = parent[&next].clone();
            }
            let cut = cycle.into_iter().min().expect("a cycle has members");
            parent.insert(cut, root.clone());
        }
        // Pre-order walk, siblings by (order, id).
        let order_of = |id: &str| {
            all.get(id)
                .and_then(|n| number(&self.doc, n, node::ORDER))
                .unwrap_or(0.0)
        };
        let mut kids: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (c, p) in &parent {
            kids.entry(p.clone()).or_default().push(c.clone());
        }
        for list in kids.values_mut() {
            list.sort_by(|a, b| order_of(a).total_cmp(&order_of(b)).then_with(|| a.cmp(b)));
        }
        let view = |nid: &str, p: Option<String>, depth: usize| {
            let n = all.get(nid).unwrap_or(root_obj);
            NodeView {
                id: nid.to_string(),
                text: text(&self.doc, n, node::TEXT),
                parent: p,
                order: order_of(nid),
                depth,
                collapsed: boolean(&self.doc, n, node::COLLAPSED).unwrap_or(false),
                color: color(self, n),
                author: string(&self.doc, n, schema::AUTHOR).unwrap_or_default(),
            }
        };
        let mut out = Vec::with_capacity(parent.len() + 1);
        let mut stack = vec![(root.clone(), None::<String>, 0usize)];
        while let Some((nid, p, depth)) = stack.pop() {
            out.push(view(&nid, p, depth));
            if let Some(children) = kids.get(&nid) {
                for c in children.iter().rev() {
                    stack.push((c.clone(), Some(nid.clone()), depth + 1));
                }
            }
        }
        Some(MindMapView {
            id,
            root,
            nodes: out,
        })
    }
}

impl MindMapView {
    /// Positions for the shown nodes (collapsed subtrees hidden), from the
    /// shared tidy-tree layout. `size` measures a node's box.
    pub fn layout(
        &self,
        size: impl Fn(&NodeView) -> crate::layout::Size,
        spacing: crate::layout::Spacing,
    ) -> Vec<crate::layout::Placed> {
        let inputs: Vec<crate::layout::LayoutInput<'_>> = self
            .nodes
            .iter()
            .map(|n| crate::layout::LayoutInput {
                id: &n.id,
                parent: n.parent.as_deref(),
                order: n.order,
                size: size(n),
                collapsed: n.collapsed,
            })
            .collect();
        crate::layout::layout(&inputs, spacing)
    }
}
