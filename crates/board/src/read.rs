//! Typed read views of a board, for the UI, the exporters and tests. This
//! is where the conflict rules that need the whole board are applied, so that
//! every replica with the same document shows the same valid board.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::board::{Board, NOTE_SIZE};
use automerge::hydrate::Map;

use crate::doc::{self, hydrated as h};
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
    /// Agreed to be named in public snapshots (absent in the document: no).
    #[serde(default)]
    pub named_consent: bool,
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

fn color(m: &Map) -> Color {
    h::string(m, schema::COLOR)
        .and_then(|c| Color::parse(&c))
        .unwrap_or_default()
}

fn live(m: &Map) -> bool {
    !h::boolean(m, schema::DELETED).unwrap_or(false)
}

fn author(m: &Map) -> String {
    h::string(m, schema::AUTHOR).unwrap_or_default()
}

/// A note from its hydrated map and, if it names one, its frame's (deleted
/// frames too: they still give the corner the note's position is relative to).
fn note_from(id: &str, n: &Map, frame_map: Option<&Map>) -> NoteView {
    let (fx, fy) = frame_map
        .map(|f| {
            (
                h::number(f, frame::X).unwrap_or(0.0),
                h::number(f, frame::Y).unwrap_or(0.0),
            )
        })
        .unwrap_or((0.0, 0.0));
    NoteView {
        id: id.to_string(),
        text: h::text(n, note::TEXT),
        x: h::number(n, note::X).unwrap_or(0.0) + fx,
        y: h::number(n, note::Y).unwrap_or(0.0) + fy,
        w: h::number(n, note::W).unwrap_or(NOTE_SIZE.0),
        h: h::number(n, note::H).unwrap_or(NOTE_SIZE.1),
        z: h::number(n, note::Z).unwrap_or(0.0),
        color: color(n),
        frame: frame_map
            .filter(|f| live(f))
            .and_then(|_| h::string(n, note::FRAME)),
        author: author(n),
        created_at: h::number(n, schema::CREATED_AT).unwrap_or(0.0) as i64,
        edited_at: h::number(n, note::EDITED_AT).unwrap_or(0.0) as i64,
    }
}

fn frame_id(n: &Map) -> Option<String> {
    h::string(n, note::FRAME).filter(|f| !f.is_empty())
}

impl Board {
    /// One whole subtree, read in one pass.
    fn hydrated(&self, obj: &ObjId) -> Option<Map> {
        match self.doc.hydrate(obj, None) {
            Ok(automerge::hydrate::Value::Map(m)) => Some(m),
            _ => None,
        }
    }

    fn container_map(&self, kind: &str) -> Map {
        self.container(kind)
            .ok()
            .and_then(|c| self.hydrated(&c))
            .unwrap_or_default()
    }

    fn meta_map(&self) -> Map {
        self.container_map(schema::META)
    }

    pub fn title(&self) -> String {
        h::text(&self.meta_map(), meta::TITLE)
    }

    /// The question the meeting works on.
    pub fn theme(&self) -> String {
        h::text(&self.meta_map(), meta::THEME)
    }

    pub fn language(&self) -> String {
        h::string(&self.meta_map(), meta::LANGUAGE).unwrap_or_default()
    }

    pub fn template(&self) -> String {
        h::string(&self.meta_map(), meta::TEMPLATE).unwrap_or_default()
    }

    pub fn created_at(&self) -> i64 {
        h::number(&self.meta_map(), meta::CREATED_AT).unwrap_or(0.0) as i64
    }

    pub fn participants(&self) -> Vec<ParticipantView> {
        let mut out: Vec<ParticipantView> = h::children(&self.container_map(schema::PARTICIPANTS))
            .map(|(id, p)| ParticipantView {
                id: id.clone(),
                name: h::string(p, participant::NAME).unwrap_or_default(),
                role: h::string(p, participant::ROLE)
                    .and_then(|r| RoleGroup::parse(&r))
                    .unwrap_or_default(),
                color: h::string(p, participant::COLOR).unwrap_or_default(),
                named_consent: h::boolean(p, participant::NAMED_CONSENT).unwrap_or(false),
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.id.cmp(&b.id));
        out
    }

    /// All notes that are not deleted, bottom to top.
    pub fn notes(&self) -> Vec<NoteView> {
        let notes = self.container_map(schema::NOTES);
        let frames = self.container_map(schema::FRAMES);
        let mut out: Vec<NoteView> = h::children(&notes)
            .filter(|(_, n)| live(n))
            .map(|(id, n)| note_from(id, n, frame_id(n).and_then(|f| h::map(&frames, &f))))
            .collect();
        crate::sort::sort_by(&mut out, |a, b| {
            a.z.total_cmp(&b.z).then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    /// One note, if it exists and is not deleted.
    pub fn note(&self, id: &str) -> Option<NoteView> {
        let notes = self.container(schema::NOTES).ok()?;
        let n = self.hydrated(&self.child(&notes, id)?).filter(live)?;
        let frame = frame_id(&n).and_then(|f| {
            let frames = self.container(schema::FRAMES).ok()?;
            self.hydrated(&self.child(&frames, &f)?)
        });
        Some(note_from(id, &n, frame.as_ref()))
    }

    pub fn note_count(&self) -> usize {
        let Ok(notes) = self.container(schema::NOTES) else {
            return 0;
        };
        doc::children(&self.doc, &notes)
            .iter()
            .filter(|(_, n)| !doc::boolean(&self.doc, n, schema::DELETED).unwrap_or(false))
            .count()
    }

    pub fn frames(&self) -> Vec<FrameView> {
        let mut out: Vec<FrameView> = h::children(&self.container_map(schema::FRAMES))
            .filter(|(_, f)| live(f))
            .map(|(id, f)| FrameView {
                id: id.clone(),
                name: h::text(f, frame::NAME),
                x: h::number(f, frame::X).unwrap_or(0.0),
                y: h::number(f, frame::Y).unwrap_or(0.0),
                w: h::number(f, frame::W).unwrap_or(NOTE_SIZE.0),
                h: h::number(f, frame::H).unwrap_or(NOTE_SIZE.1),
                color: color(f),
                author: author(f),
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.id.cmp(&b.id));
        out
    }

    /// Connectors whose both ends are shown (a connector to a deleted or
    /// hidden item is not drawn; it comes back if the item does).
    pub fn connectors(&self) -> Vec<ConnectorView> {
        let mut shown: BTreeSet<String> = self.notes().into_iter().map(|n| n.id).collect();
        shown.extend(self.frames().into_iter().map(|f| f.id));
        for m in self.mindmaps() {
            shown.extend(m.nodes.into_iter().map(|n| n.id));
        }
        let mut out: Vec<ConnectorView> = h::children(&self.container_map(schema::CONNECTORS))
            .filter(|(_, c)| live(c))
            .map(|(id, c)| ConnectorView {
                id: id.clone(),
                from: h::string(c, connector::FROM).unwrap_or_default(),
                to: h::string(c, connector::TO).unwrap_or_default(),
                label: h::text(c, connector::LABEL),
                author: author(c),
            })
            .filter(|c| shown.contains(&c.from) && shown.contains(&c.to))
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.id.cmp(&b.id));
        out
    }

    pub fn mindmaps(&self) -> Vec<MindMapView> {
        let maps = self.container_map(schema::MINDMAPS);
        let mut out: Vec<MindMapView> = h::children(&maps)
            .filter_map(|(id, m)| mindmap_view(id, m))
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.id.cmp(&b.id));
        out
    }

    pub fn mindmap(&self, id: &str) -> Option<MindMapView> {
        let maps = self.container(schema::MINDMAPS).ok()?;
        let m = self.hydrated(&self.child(&maps, id)?)?;
        mindmap_view(id, &m)
    }
}

/// Resolves the stored parent pointers into a tree:
/// 1. a node whose parent is missing or deleted hangs under its nearest
///    live ancestor (so a child added concurrently with the deletion of its
///    parent is kept), or under the root;
/// 2. nodes caught in a cycle (two concurrent reparents) are cut loose by
///    attaching the one with the smallest id to the root.
fn mindmap_view(id: &str, m: &Map) -> Option<MindMapView> {
    let root = h::string(m, mindmap::ROOT)?;
    let nodes = h::map(m, mindmap::NODES)?;
    let all: HashMap<&str, &Map> = h::children(nodes).map(|(k, v)| (k.as_str(), v)).collect();
    let root_map = *all.get(root.as_str())?;
    let stored_parent = |id: &str| -> Option<String> {
        all.get(id)
            .and_then(|n| h::string(n, node::PARENT))
            .filter(|p| !p.is_empty())
    };
    let is_live = |id: &str| id == root || all.get(id).is_some_and(|n| live(n));
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
            .filter(|p| is_live(p) && all.contains_key(p.as_str()))
            .unwrap_or_else(|| root.clone());
        parent.insert(nid.to_string(), p);
    }
    // Rule 2: break cycles until every node reaches the root.
    loop {
        let mut stranded: Option<String> = None;
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
                stranded = Some(nid.clone());
                break;
            }
        }
        let Some(first) = stranded else { break };
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
            .and_then(|n| h::number(n, node::ORDER))
            .unwrap_or(0.0)
    };
    let mut kids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (c, p) in &parent {
        kids.entry(p.clone()).or_default().push(c.clone());
    }
    for list in kids.values_mut() {
        crate::sort::sort_by(list, |a, b| {
            order_of(a).total_cmp(&order_of(b)).then_with(|| a.cmp(b))
        });
    }
    let view = |nid: &str, p: Option<String>, depth: usize| {
        let n = all.get(nid).copied().unwrap_or(root_map);
        NodeView {
            id: nid.to_string(),
            text: h::text(n, node::TEXT),
            parent: p,
            order: order_of(nid),
            depth,
            collapsed: h::boolean(n, node::COLLAPSED).unwrap_or(false),
            color: color(n),
            author: author(n),
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
        id: id.to_string(),
        root,
        nodes: out,
    })
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
