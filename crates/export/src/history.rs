//! A board's history: its versions grouped into sessions, a past version
//! to look at, a past version restored as new changes on top (nothing is
//! lost: the history keeps every version), and "what changed since" in a
//! few words.
use std::collections::{BTreeMap, BTreeSet};

use samskab_board::automerge::{ChangeHash, ReadDoc};
use samskab_board::{Board, BoardDiff, Ctx, Op, text_splice};
use serde::Serialize;

/// A new session starts after this long without a change.
pub const SESSION_GAP_SECS: i64 = 30 * 60;

/// One working session: changes with no gap longer than [`SESSION_GAP_SECS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// Seconds since the Unix epoch of the first and last change.
    pub start: i64,
    pub end: i64,
    pub changes: usize,
    /// Replicas (Automerge actors, hex) that made changes in it.
    pub actors: Vec<String>,
    /// The version at the session's end (hex change hashes).
    pub heads: Vec<String>,
}

/// The board's history as sessions, oldest first. The genesis change (time
/// 0) belongs to the first session. `heads` of a session is the version at
/// its end: pass it to [`at`] to see it or to [`restore`] to bring it back.
pub fn sessions(board: &mut Board) -> Vec<Session> {
    let changes = board.doc_mut().get_changes(&[]);
    let mut out: Vec<Session> = Vec::new();
    let mut heads: BTreeSet<ChangeHash> = BTreeSet::new();
    let mut actors: BTreeSet<String> = BTreeSet::new();
    let mut last_time: Option<i64> = None;
    for c in changes {
        let t = c.timestamp();
        let gap = matches!(last_time, Some(prev) if t > 0 && t - prev > SESSION_GAP_SECS);
        if gap && let Some(s) = out.last_mut() {
            s.heads = heads.iter().map(|h| h.to_string()).collect();
            s.actors = std::mem::take(&mut actors).into_iter().collect();
        }
        if gap || out.is_empty() {
            out.push(Session {
                start: t,
                end: t,
                changes: 0,
                actors: Vec::new(),
                heads: Vec::new(),
            });
        }
        for d in c.deps() {
            heads.remove(d);
        }
        heads.insert(c.hash());
        if c.actor_id().to_bytes() != samskab_board::schema::GENESIS_ACTOR {
            actors.insert(c.actor_id().to_hex_string());
        }
        let s = out.last_mut().expect("a session was pushed");
        if s.start == 0 {
            s.start = t;
        }
        s.end = s.end.max(t);
        s.changes += 1;
        if t > 0 {
            last_time = Some(t);
        }
    }
    if let Some(s) = out.last_mut() {
        s.heads = heads.iter().map(|h| h.to_string()).collect();
        s.actors = actors.into_iter().collect();
    }
    out
}

/// Parses heads given as hex hashes (separated by commas or in a list).
pub fn parse_heads<S: AsRef<str>>(list: &[S]) -> Result<Vec<ChangeHash>, String> {
    list.iter()
        .flat_map(|s| {
            s.as_ref()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| format!("not a version: {h:?}"))
        })
        .collect()
}

/// The board as it was at `heads` (a read-only copy).
pub fn at(board: &mut Board, heads: &[ChangeHash]) -> Result<Board, String> {
    for h in heads {
        if board.doc().get_change_by_hash(h).is_none() {
            return Err(format!("this board has no version {h}"));
        }
    }
    let doc = board
        .doc_mut()
        .fork_at(heads)
        .map_err(|e| format!("cannot read that version: {e}"))?;
    Board::from_doc(doc).map_err(|e| e.to_string())
}

/// Brings the board back to how it was at `heads`, as new changes made by
/// `ctx` on top of the current version: every earlier version stays in the
/// history (restore the current heads to undo the restore). Items added
/// since are deleted (tombstoned), deleted ones restored, changed ones set
/// back. Returns how many edits it took. Mind maps created since stay (the
/// model has no way to delete a whole mind map), emptied to their root.
pub fn restore(board: &mut Board, heads: &[ChangeHash], ctx: &Ctx) -> Result<usize, String> {
    let old = at(board, heads)?;
    let mut ops: Vec<Op> = Vec::new();
    let mut later: Vec<Op> = Vec::new();
    if board.title() != old.title() {
        later.push(Op::SetTitle { title: old.title() });
    }
    if board.theme() != old.theme() {
        later.push(Op::SetTheme { theme: old.theme() });
    }
    // Frames first (notes refer to them).
    let now_f: BTreeMap<String, _> = board
        .frames()
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let old_f: BTreeMap<String, _> = old
        .frames()
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    for id in now_f.keys().filter(|k| !old_f.contains_key(*k)) {
        ops.push(Op::DeleteFrame { id: id.clone() });
    }
    for (id, f) in &old_f {
        match now_f.get(id) {
            None => {
                ops.push(Op::RestoreFrame { id: id.clone() });
                ops.push(Op::MoveFrame {
                    id: id.clone(),
                    x: f.x,
                    y: f.y,
                });
                ops.push(Op::ResizeFrame {
                    id: id.clone(),
                    w: f.w,
                    h: f.h,
                });
                ops.push(Op::RenameFrame {
                    id: id.clone(),
                    name: f.name.clone(),
                });
            }
            Some(n) => {
                if (n.x, n.y) != (f.x, f.y) {
                    ops.push(Op::MoveFrame {
                        id: id.clone(),
                        x: f.x,
                        y: f.y,
                    });
                }
                if (n.w, n.h) != (f.w, f.h) {
                    ops.push(Op::ResizeFrame {
                        id: id.clone(),
                        w: f.w,
                        h: f.h,
                    });
                }
                if n.name != f.name {
                    ops.push(Op::RenameFrame {
                        id: id.clone(),
                        name: f.name.clone(),
                    });
                }
            }
        }
    }
    let now_n: BTreeMap<String, _> = board
        .notes()
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect();
    for id in now_n.keys() {
        if old.note(id).is_none() {
            ops.push(Op::DeleteNote { id: id.clone() });
        }
    }
    for o in old.notes() {
        let id = o.id.clone();
        let cur = match now_n.get(&id) {
            Some(c) => c.clone(),
            None => {
                ops.push(Op::RestoreNote { id: id.clone() });
                // Compare against what the restored tombstone holds.
                let mut probe = board.clone();
                probe
                    .apply(&Op::RestoreNote { id: id.clone() }, ctx)
                    .map_err(|e| format!("note {id}: {e}"))?;
                probe
                    .note(&id)
                    .ok_or_else(|| format!("note {id} cannot be restored"))?
            }
        };
        if cur.frame != o.frame {
            ops.push(Op::SetNoteFrame {
                id: id.clone(),
                frame: o.frame.clone(),
            });
        }
        if (cur.x, cur.y) != (o.x, o.y) || cur.frame != o.frame {
            ops.push(Op::MoveNote {
                id: id.clone(),
                x: o.x,
                y: o.y,
            });
        }
        if (cur.w, cur.h) != (o.w, o.h) {
            ops.push(Op::ResizeNote {
                id: id.clone(),
                w: o.w,
                h: o.h,
            });
        }
        if cur.color != o.color {
            ops.push(Op::RecolorNote {
                id: id.clone(),
                color: o.color,
            });
        }
        if cur.z != o.z {
            ops.push(Op::SetNoteZ {
                id: id.clone(),
                z: o.z,
            });
        }
        if let Some((index, delete, insert)) = text_splice(&cur.text, &o.text) {
            ops.push(Op::EditText {
                id,
                index,
                delete,
                insert,
            });
        }
    }
    let old_maps: BTreeMap<String, _> = old
        .mindmaps()
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    for m in board.mindmaps() {
        let old_nodes: BTreeMap<&str, _> = old_maps
            .get(&m.id)
            .map(|om| om.nodes.iter().map(|n| (n.id.as_str(), n)).collect())
            .unwrap_or_default();
        for n in m.nodes.iter().skip(1) {
            if !old_nodes.contains_key(n.id.as_str()) {
                ops.push(Op::DeleteNode {
                    map: m.id.clone(),
                    id: n.id.clone(),
                });
            }
        }
    }
    for om in old_maps.values() {
        let cur = board.mindmap(&om.id);
        let cur_nodes: BTreeMap<String, _> = cur
            .map(|m| m.nodes.into_iter().map(|n| (n.id.clone(), n)).collect())
            .unwrap_or_default();
        // Pre-order: a parent is back before its children.
        for n in &om.nodes {
            let map = om.id.clone();
            let id = n.id.clone();
            let c = cur_nodes.get(&id);
            if c.is_none() {
                later.push(Op::RestoreNode {
                    map: map.clone(),
                    id: id.clone(),
                });
            }
            if let Some(p) = &n.parent
                && c.and_then(|c| c.parent.as_ref()) != Some(p)
            {
                later.push(Op::Reparent {
                    map: map.clone(),
                    id: id.clone(),
                    parent: p.clone(),
                    order: n.order,
                });
            } else if c.is_some_and(|c| c.order != n.order) {
                later.push(Op::Reorder {
                    map: map.clone(),
                    id: id.clone(),
                    order: n.order,
                });
            }
            let cur_text = c.map(|c| c.text.clone()).unwrap_or_else(|| {
                // A deleted node's text is still in its tombstone.
                let mut probe = board.clone();
                let _ = probe.apply(
                    &Op::RestoreNode {
                        map: map.clone(),
                        id: id.clone(),
                    },
                    ctx,
                );
                probe
                    .mindmap(&map)
                    .and_then(|m| m.nodes.into_iter().find(|x| x.id == id))
                    .map(|x| x.text)
                    .unwrap_or_default()
            });
            if let Some((index, delete, insert)) = text_splice(&cur_text, &n.text) {
                later.push(Op::EditNodeText {
                    map: map.clone(),
                    id: id.clone(),
                    index,
                    delete,
                    insert,
                });
            }
            if c.is_none_or(|c| c.collapsed != n.collapsed) {
                later.push(Op::SetCollapsed {
                    map: map.clone(),
                    id: id.clone(),
                    collapsed: n.collapsed,
                });
            }
            if c.is_none_or(|c| c.color != n.color) {
                later.push(Op::RecolorNode {
                    map,
                    id,
                    color: n.color,
                });
            }
        }
    }
    // Connectors last: their ends are back by then.
    let old_c: BTreeMap<String, _> = old
        .connectors()
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let now_c: BTreeMap<String, _> = board
        .connectors()
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    for id in now_c.keys().filter(|k| !old_c.contains_key(*k)) {
        ops.push(Op::DeleteConnector { id: id.clone() });
    }
    for (id, c) in &old_c {
        match now_c.get(id) {
            None => {
                later.push(Op::RestoreConnector { id: id.clone() });
                later.push(Op::SetConnectorLabel {
                    id: id.clone(),
                    label: c.label.clone(),
                });
            }
            Some(n) if n.label != c.label => {
                later.push(Op::SetConnectorLabel {
                    id: id.clone(),
                    label: c.label.clone(),
                });
            }
            Some(_) => {}
        }
    }
    ops.extend(later);
    let mut applied = 0;
    for op in &ops {
        match board.apply(op, ctx) {
            Ok(_) => applied += 1,
            // A subtree delete may already have taken a node, and a
            // connector comes back with its end: those are not errors.
            Err(samskab_board::BoardError::NotFound(_))
                if matches!(op, Op::DeleteNode { .. } | Op::DeleteConnector { .. }) => {}
            Err(e) => return Err(format!("{}: {e}", op.name())),
        }
    }
    Ok(applied)
}

/// "What changed since": a few lines in Danish or English, each with its
/// count ("1 new note", "3 nye sedler"), in the app's own words.
pub fn summary(d: &BoardDiff, lang: &str) -> Vec<String> {
    let en = lang == "en";
    let mut out = Vec::new();
    // (Danish one, Danish more, English one, English more)
    let mut line = |n: usize, words: [&str; 4]| {
        if n > 0 {
            let i = usize::from(en) * 2 + usize::from(n != 1);
            out.push(format!("{n} {}", words[i]));
        }
    };
    line(
        d.notes.added.len(),
        ["ny seddel", "nye sedler", "new note", "new notes"],
    );
    line(
        d.notes.changed.len(),
        [
            "ændret seddel",
            "ændrede sedler",
            "changed note",
            "changed notes",
        ],
    );
    line(
        d.notes.removed.len(),
        [
            "slettet seddel",
            "slettede sedler",
            "deleted note",
            "deleted notes",
        ],
    );
    line(
        d.frames.added.len() + d.frames.changed.len() + d.frames.removed.len(),
        [
            "ændring i rammer",
            "ændringer i rammer",
            "frame change",
            "frame changes",
        ],
    );
    line(
        d.nodes.added.len(),
        [
            "nyt punkt i mindmappet",
            "nye punkter i mindmappet",
            "new mind-map node",
            "new mind-map nodes",
        ],
    );
    line(
        d.nodes.changed.len() + d.nodes.removed.len(),
        [
            "ændret eller slettet punkt i mindmappet",
            "ændrede eller slettede punkter i mindmappet",
            "changed or deleted mind-map node",
            "changed or deleted mind-map nodes",
        ],
    );
    line(
        d.connectors.added.len() + d.connectors.changed.len() + d.connectors.removed.len(),
        [
            "ændring i forbindelser",
            "ændringer i forbindelser",
            "connector change",
            "connector changes",
        ],
    );
    line(
        d.participants.added.len(),
        [
            "ny deltager",
            "nye deltagere",
            "new participant",
            "new participants",
        ],
    );
    if d.meta {
        out.push(if en {
            "title or question changed".into()
        } else {
            "titel eller spørgsmål ændret".into()
        });
    }
    if out.is_empty() {
        out.push(if en {
            "nothing changed".into()
        } else {
            "intet er ændret".into()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_in_singular_and_plural() {
        let mut d = BoardDiff::default();
        d.notes.added.insert("a".into());
        d.notes.removed.extend(["b".to_string(), "c".to_string()]);
        d.participants.added.insert("p".into());
        assert_eq!(
            summary(&d, "en"),
            ["1 new note", "2 deleted notes", "1 new participant"]
        );
        assert_eq!(
            summary(&d, "da"),
            ["1 ny seddel", "2 slettede sedler", "1 ny deltager"]
        );
        assert_eq!(summary(&BoardDiff::default(), "da"), ["intet er ændret"]);
    }
}
