//! The one place where an [`Op`] becomes Automerge operations: each op is
//! checked against the board as it is now (so a refused op changes nothing)
//! and then written.
use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType};

use crate::board::{Board, NOTE_SIZE, check_coords, check_id, check_len, check_size};
use crate::doc::{self, boolean, number, string};
use crate::error::BoardError;
use crate::op::{Color, Ctx, Op};
use crate::schema::{self, connector, frame, meta, node, note, participant};

/// The stacking order of a note put on top now. Taken from the edit's time
/// rather than from the highest `z` on the board, which would cost a read of
/// every note per new note; concurrent ties are broken by id.
fn stack_top(ctx: &Ctx) -> f64 {
    ctx.now_ms as f64
}

impl Board {
    pub(crate) fn apply_ops(&mut self, op: &Op, ctx: &Ctx) -> Result<(), BoardError> {
        let now = ctx.now_ms;
        match op {
            Op::SetTitle { title } => self.set_meta_text(meta::TITLE, title)?,
            Op::SetTheme { theme } => self.set_meta_text(meta::THEME, theme)?,
            Op::SetLanguage { language } => {
                check_len(language, 16)?;
                let m = self.container(schema::META)?;
                self.doc.put(&m, meta::LANGUAGE, language.as_str())?;
            }
            Op::SetTemplate { template } => {
                check_len(template, 64)?;
                let m = self.container(schema::META)?;
                self.doc.put(&m, meta::TEMPLATE, template.as_str())?;
            }
            Op::SetParticipant { name, role, color } => {
                check_id(&ctx.participant)?;
                check_len(name, self.limits.max_title_chars)?;
                check_len(color, 32)?;
                let ps = self.container(schema::PARTICIPANTS)?;
                let p = match self.child(&ps, &ctx.participant) {
                    Some(p) => p,
                    None => {
                        self.check_room(&ps)?;
                        self.doc
                            .put_object(&ps, ctx.participant.as_str(), ObjType::Map)?
                    }
                };
                self.doc.put(&p, participant::NAME, name.as_str())?;
                self.doc.put(&p, participant::ROLE, role.as_str())?;
                self.doc.put(&p, participant::COLOR, color.as_str())?;
            }
            Op::SetNameConsent { consent } => {
                check_id(&ctx.participant)?;
                let ps = self.container(schema::PARTICIPANTS)?;
                let p = self
                    .child(&ps, &ctx.participant)
                    .ok_or_else(|| BoardError::NotFound(ctx.participant.clone()))?;
                self.doc.put(&p, participant::NAMED_CONSENT, *consent)?;
            }

            Op::CreateNote {
                id,
                x,
                y,
                color,
                text,
            } => {
                check_coords(&[*x, *y])?;
                let n = self.new_item(schema::NOTES, id, ctx)?;
                self.put_text(&n, note::TEXT, text, self.limits.max_note_chars)?;
                let z = stack_top(ctx);
                for (k, v) in [
                    (note::X, *x),
                    (note::Y, *y),
                    (note::W, NOTE_SIZE.0),
                    (note::H, NOTE_SIZE.1),
                    (note::Z, z),
                ] {
                    self.doc.put(&n, k, v)?;
                }
                self.doc.put(&n, note::COLOR, color.as_str())?;
                self.doc.put(&n, note::FRAME, "")?;
                self.doc.put(&n, note::EDITED_AT, now)?;
            }
            Op::EditText {
                id,
                index,
                delete,
                insert,
            } => {
                let n = self.live(schema::NOTES, id)?;
                self.splice(&n, *index, *delete, insert)?;
                self.doc.put(&n, note::EDITED_AT, now)?;
            }
            Op::MoveNote { id, x, y } => {
                check_coords(&[*x, *y])?;
                let n = self.live(schema::NOTES, id)?;
                let (fx, fy) = self.frame_origin(&n);
                self.doc.put(&n, note::X, x - fx)?;
                self.doc.put(&n, note::Y, y - fy)?;
            }
            Op::ResizeNote { id, w, h } => {
                check_size(*w, *h)?;
                let n = self.live(schema::NOTES, id)?;
                self.doc.put(&n, note::W, *w)?;
                self.doc.put(&n, note::H, *h)?;
            }
            Op::RecolorNote { id, color } => {
                let n = self.live(schema::NOTES, id)?;
                self.doc.put(&n, note::COLOR, color.as_str())?;
            }
            Op::BringToFront { id } => {
                let n = self.live(schema::NOTES, id)?;
                let z = stack_top(ctx).max(number(&self.doc, &n, note::Z).unwrap_or(0.0) + 1.0);
                self.doc.put(&n, note::Z, z)?;
            }
            Op::SetNoteZ { id, z } => {
                if !z.is_finite() {
                    return Err(BoardError::BadGeometry);
                }
                let n = self.live(schema::NOTES, id)?;
                self.doc.put(&n, note::Z, *z)?;
            }
            Op::DeleteNote { id } => {
                let n = self.live(schema::NOTES, id)?;
                self.doc.put(&n, note::DELETED, true)?;
            }
            Op::RestoreNote { id } => {
                let n = self.any(schema::NOTES, id)?;
                self.doc.put(&n, note::DELETED, false)?;
            }
            Op::SetNoteFrame { id, frame } => {
                let n = self.live(schema::NOTES, id)?;
                let (ox, oy) = self.frame_origin(&n);
                let x = number(&self.doc, &n, note::X).unwrap_or(0.0) + ox;
                let y = number(&self.doc, &n, note::Y).unwrap_or(0.0) + oy;
                let (fx, fy) = match frame {
                    Some(f) => {
                        let fo = self.live(schema::FRAMES, f)?;
                        (
                            number(&self.doc, &fo, frame::X).unwrap_or(0.0),
                            number(&self.doc, &fo, frame::Y).unwrap_or(0.0),
                        )
                    }
                    None => (0.0, 0.0),
                };
                self.doc
                    .put(&n, note::FRAME, frame.as_deref().unwrap_or(""))?;
                self.doc.put(&n, note::X, x - fx)?;
                self.doc.put(&n, note::Y, y - fy)?;
            }

            Op::CreateFrame {
                id,
                name,
                x,
                y,
                w,
                h,
                color,
            } => {
                check_coords(&[*x, *y])?;
                check_size(*w, *h)?;
                let f = self.new_item(schema::FRAMES, id, ctx)?;
                self.put_text(&f, frame::NAME, name, self.limits.max_title_chars)?;
                for (k, v) in [
                    (frame::X, *x),
                    (frame::Y, *y),
                    (frame::W, *w),
                    (frame::H, *h),
                ] {
                    self.doc.put(&f, k, v)?;
                }
                self.doc.put(&f, frame::COLOR, color.as_str())?;
            }
            Op::RenameFrame { id, name } => {
                check_len(name, self.limits.max_title_chars)?;
                let f = self.live(schema::FRAMES, id)?;
                let t = self.text_obj(&f, frame::NAME)?;
                self.doc.update_text(&t, name)?;
            }
            Op::MoveFrame { id, x, y } => {
                check_coords(&[*x, *y])?;
                let f = self.live(schema::FRAMES, id)?;
                self.doc.put(&f, frame::X, *x)?;
                self.doc.put(&f, frame::Y, *y)?;
            }
            Op::ResizeFrame { id, w, h } => {
                check_size(*w, *h)?;
                let f = self.live(schema::FRAMES, id)?;
                self.doc.put(&f, frame::W, *w)?;
                self.doc.put(&f, frame::H, *h)?;
            }
            Op::DeleteFrame { id } => {
                let f = self.live(schema::FRAMES, id)?;
                let fx = number(&self.doc, &f, frame::X).unwrap_or(0.0);
                let fy = number(&self.doc, &f, frame::Y).unwrap_or(0.0);
                let notes = self.container(schema::NOTES)?;
                let members: Vec<ObjId> = doc::children(&self.doc, &notes)
                    .into_iter()
                    .filter(|(_, n)| string(&self.doc, n, note::FRAME).as_deref() == Some(id))
                    .map(|(_, n)| n)
                    .collect();
                for n in members {
                    let x = number(&self.doc, &n, note::X).unwrap_or(0.0) + fx;
                    let y = number(&self.doc, &n, note::Y).unwrap_or(0.0) + fy;
                    self.doc.put(&n, note::FRAME, "")?;
                    self.doc.put(&n, note::X, x)?;
                    self.doc.put(&n, note::Y, y)?;
                }
                self.doc.put(&f, frame::DELETED, true)?;
            }
            Op::RestoreFrame { id } => {
                let f = self.any(schema::FRAMES, id)?;
                self.doc.put(&f, frame::DELETED, false)?;
            }

            Op::Connect {
                id,
                from,
                to,
                label,
            } => {
                if from == to {
                    return Err(BoardError::Invalid(
                        "a connector needs two different ends".into(),
                    ));
                }
                for end in [from, to] {
                    if !self.is_live_item(end) {
                        return Err(BoardError::NotFound(end.clone()));
                    }
                }
                let c = self.new_item(schema::CONNECTORS, id, ctx)?;
                self.doc.put(&c, connector::FROM, from.as_str())?;
                self.doc.put(&c, connector::TO, to.as_str())?;
                self.put_text(&c, connector::LABEL, label, self.limits.max_title_chars)?;
            }
            Op::SetConnectorLabel { id, label } => {
                check_len(label, self.limits.max_title_chars)?;
                let c = self.live(schema::CONNECTORS, id)?;
                let t = self.text_obj(&c, connector::LABEL)?;
                self.doc.update_text(&t, label)?;
            }
            Op::DeleteConnector { id } => {
                let c = self.live(schema::CONNECTORS, id)?;
                self.doc.put(&c, connector::DELETED, true)?;
            }
            Op::RestoreConnector { id } => {
                let c = self.any(schema::CONNECTORS, id)?;
                self.doc.put(&c, connector::DELETED, false)?;
            }

            Op::CreateMindMap { id, root, text } => {
                check_id(id)?;
                let maps = self.container(schema::MINDMAPS)?;
                if self.child(&maps, id).is_some() {
                    return Err(BoardError::Exists(id.clone()));
                }
                self.check_room(&maps)?;
                let m = self.doc.put_object(&maps, id.as_str(), ObjType::Map)?;
                self.doc.put(&m, schema::mindmap::ROOT, root.as_str())?;
                self.doc
                    .put_object(&m, schema::mindmap::NODES, ObjType::Map)?;
                self.new_node(id, root, "", 0.0, text, ctx)?;
            }
            Op::AddNode {
                map,
                id,
                parent,
                order,
                text,
            } => {
                self.live_node(map, parent)?;
                self.new_node(map, id, parent, *order, text, ctx)?;
            }
            Op::EditNodeText {
                map,
                id,
                index,
                delete,
                insert,
            } => {
                let n = self.live_node(map, id)?;
                self.splice(&n, *index, *delete, insert)?;
                self.doc.put(&n, node::EDITED_AT, now)?;
            }
            Op::Reparent {
                map,
                id,
                parent,
                order,
            } => {
                check_coords(&[*order])?;
                let n = self.live_node(map, id)?;
                self.live_node(map, parent)?;
                if self.root_of(map)? == *id {
                    return Err(BoardError::Invalid("the root cannot be moved".into()));
                }
                if self.is_in_subtree(map, parent, id) {
                    return Err(BoardError::Invalid(
                        "a node cannot move into its own subtree".into(),
                    ));
                }
                self.doc.put(&n, node::PARENT, parent.as_str())?;
                self.doc.put(&n, node::ORDER, *order)?;
            }
            Op::Reorder { map, id, order } => {
                check_coords(&[*order])?;
                let n = self.live_node(map, id)?;
                self.doc.put(&n, node::ORDER, *order)?;
            }
            Op::SetCollapsed { map, id, collapsed } => {
                let n = self.live_node(map, id)?;
                self.doc.put(&n, node::COLLAPSED, *collapsed)?;
            }
            Op::RecolorNode { map, id, color } => {
                let n = self.live_node(map, id)?;
                self.doc.put(&n, node::COLOR, color.as_str())?;
            }
            Op::DeleteNode { map, id } => {
                let n = self.live_node(map, id)?;
                if self.root_of(map)? == *id {
                    return Err(BoardError::Invalid(
                        "the root of a mind map cannot be deleted".into(),
                    ));
                }
                // The subtree goes with it, explicitly: a child added under
                // this node concurrently is not in this change and stays
                // visible (the view lifts it to the nearest live ancestor).
                let nodes = self.nodes_obj(map)?;
                let all = doc::children(&self.doc, &nodes);
                let mut doomed = vec![id.clone()];
                let mut i = 0;
                while i < doomed.len() {
                    for (cid, c) in &all {
                        if string(&self.doc, c, node::PARENT).as_deref() == Some(doomed[i].as_str())
                            && !doomed.contains(cid)
                            && boolean(&self.doc, c, node::DELETED) != Some(true)
                        {
                            doomed.push(cid.clone());
                        }
                    }
                    i += 1;
                }
                for (cid, c) in &all {
                    if doomed.contains(cid) && cid != id {
                        self.doc.put(c, node::DELETED, true)?;
                    }
                }
                self.doc.put(&n, node::DELETED, true)?;
            }
            Op::RestoreNode { map, id } => {
                let n = self.node_any(map, id)?;
                self.doc.put(&n, node::DELETED, false)?;
            }
            Op::NoteToNode {
                note: note_id,
                map,
                node: node_id,
                parent,
                order,
            } => {
                let n = self.live(schema::NOTES, note_id)?;
                self.live_node(map, parent)?;
                let text = self.text_of(&n, note::TEXT);
                self.new_node(map, node_id, parent, *order, &text, ctx)?;
                self.doc.put(&n, note::DELETED, true)?;
            }
            Op::NodeToNote {
                map,
                node: node_id,
                note: note_id,
                x,
                y,
            } => {
                check_coords(&[*x, *y])?;
                let n = self.live_node(map, node_id)?;
                if self.root_of(map)? == *node_id {
                    return Err(BoardError::Invalid(
                        "the root of a mind map cannot become a note".into(),
                    ));
                }
                let text = self.text_of(&n, node::TEXT);
                let parent = string(&self.doc, &n, node::PARENT).unwrap_or_default();
                let nodes = self.nodes_obj(map)?;
                for (_, child) in doc::children(&self.doc, &nodes) {
                    if string(&self.doc, &child, node::PARENT).as_deref() == Some(node_id) {
                        self.doc.put(&child, node::PARENT, parent.as_str())?;
                    }
                }
                self.doc.put(&n, node::DELETED, true)?;
                self.apply_ops(
                    &Op::CreateNote {
                        id: note_id.clone(),
                        x: *x,
                        y: *y,
                        color: Color::Yellow,
                        text,
                    },
                    ctx,
                )?;
            }
            Op::Facilitate { act } => self.apply_facil(act, ctx)?,
            Op::Outcome { act } => self.apply_outcome(act, ctx)?,
        }
        Ok(())
    }
}
