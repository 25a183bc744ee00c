//! What the board page shows besides the board itself: the camera, the
//! selection, the tool, the view (canvas, mind map, list), whom I follow.
//! Shared through context as `Copy` signal handles.
use std::collections::BTreeSet;

use leptos::prelude::*;
use samskab_board::{FrameView, NoteView, Op};
use samskab_protocol::{Dragging, Presence, Viewport};

use crate::camera::{Camera, Rect};
use crate::{controller, platform};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Drag notes, pan the background.
    Select,
    /// Drag on the background draws a selection rectangle.
    Area,
    /// Tap one note, then another: an arrow between them.
    Connect,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Canvas,
    MindMap(String),
    List,
}

#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub camera: RwSignal<Camera>,
    /// The canvas element's size in CSS pixels.
    pub size: RwSignal<(f64, f64)>,
    pub selected: RwSignal<BTreeSet<String>>,
    pub tool: RwSignal<Tool>,
    pub connect_from: RwSignal<Option<String>>,
    /// The selection being dragged: offset in board units.
    pub group_drag: RwSignal<Option<(f64, f64)>>,
    pub view: RwSignal<View>,
    pub following: RwSignal<Option<u64>>,
    /// What I share with the others (sent as one message).
    presence: StoredValue<Presence>,
    last_sent: StoredValue<f64>,
    pending: StoredValue<bool>,
}

impl Ui {
    pub fn provide() -> Ui {
        let ui = Ui {
            camera: RwSignal::new(Camera::default()),
            size: RwSignal::new((1024.0, 700.0)),
            selected: RwSignal::new(BTreeSet::new()),
            tool: RwSignal::new(Tool::Select),
            connect_from: RwSignal::new(None),
            group_drag: RwSignal::new(None),
            view: RwSignal::new(View::Canvas),
            following: RwSignal::new(None),
            presence: StoredValue::new(Presence::default()),
            last_sent: StoredValue::new(0.0),
            pending: StoredValue::new(false),
        };
        provide_context(ui);
        ui
    }

    pub fn get() -> Ui {
        expect_context::<Ui>()
    }

    /// The board point at the centre of the canvas.
    pub fn center(self) -> (f64, f64) {
        let (w, h) = self.size.get_untracked();
        self.camera.get_untracked().to_board(w / 2.0, h / 2.0)
    }

    pub fn visible(self) -> Rect {
        let (w, h) = self.size.get_untracked();
        self.camera.get_untracked().visible(w, h)
    }

    pub fn select_only(self, id: &str) {
        if !self
            .selected
            .with_untracked(|s| s.len() == 1 && s.contains(id))
        {
            self.selected.set(BTreeSet::from([id.to_string()]));
        }
    }

    pub fn toggle_selected(self, id: &str) {
        self.selected.update(|s| {
            if !s.remove(id) {
                s.insert(id.to_string());
            }
        });
    }

    /// Shares my cursor (board units).
    pub fn share_cursor(self, at: Option<(f64, f64)>) {
        self.presence.update_value(|p| p.cursor = at);
        self.send_presence(false);
    }

    pub fn share_dragging(self, d: Option<Dragging>) {
        let now = d.is_none();
        self.presence.update_value(|p| p.dragging = d);
        self.send_presence(now);
    }

    pub fn share_view(self) {
        let (w, h) = self.size.get_untracked();
        let c = self.camera.get_untracked();
        let v = c.visible(w, h);
        self.presence.update_value(|p| {
            p.viewport = Some(Viewport {
                x: v.x,
                y: v.y,
                w: v.w,
                h: v.h,
                zoom: c.zoom,
            });
            p.selection = self.selected.get_untracked().into_iter().collect();
        });
        self.send_presence(false);
    }

    /// At most 20 presence messages a second; the last state always goes out.
    fn send_presence(self, now: bool) {
        let t = platform::now_ms() as f64;
        if now || t - self.last_sent.get_value() >= 50.0 {
            self.last_sent.set_value(t);
            self.pending.set_value(false);
            controller::share_presence(self.presence.get_value());
        } else if !self.pending.get_value() {
            self.pending.set_value(true);
            platform::set_timeout(60, move || {
                if self.pending.get_value() {
                    self.send_presence(true);
                }
            });
        }
    }

    /// Moves the camera so that the board rectangle `r` is in view above
    /// the on-screen keyboard (`visible_height`: the visual viewport's
    /// height below the canvas top).
    pub fn reveal(self, r: Rect, visible_height: f64) {
        let (w, _) = self.size.get_untracked();
        let mut c = self.camera.get_untracked();
        let (sx, sy) = c.to_screen(r.x, r.y);
        let (ex, ey) = c.to_screen(r.x + r.w, r.y + r.h);
        let margin = 12.0;
        let mut dx = 0.0;
        let mut dy = 0.0;
        if ey > visible_height - margin {
            dy = (visible_height - margin) - ey;
        }
        if sy + dy < margin {
            dy = margin - sy;
        }
        if ex > w - margin {
            dx = (w - margin) - ex;
        }
        if sx + dx < margin {
            dx = margin - sx;
        }
        if dx != 0.0 || dy != 0.0 {
            c.pan_by(dx, dy);
            self.camera.set(c);
        }
    }
}

/// The innermost live frame whose box holds the point, if any.
pub fn frame_at(frames: &[FrameView], x: f64, y: f64) -> Option<String> {
    frames
        .iter()
        .filter(|f| {
            Rect {
                x: f.x,
                y: f.y,
                w: f.w,
                h: f.h,
            }
            .contains(x, y)
        })
        .min_by(|a, b| (a.w * a.h).total_cmp(&(b.w * b.h)))
        .map(|f| f.id.clone())
}

/// The edits that move `notes` by `(dx, dy)` and put each into the frame
/// its centre lands in (or out of any frame).
pub fn move_ops(notes: &[NoteView], frames: &[FrameView], dx: f64, dy: f64) -> Vec<Op> {
    let mut ops = Vec::new();
    for n in notes {
        let (x, y) = (n.x + dx, n.y + dy);
        ops.push(Op::MoveNote {
            id: n.id.clone(),
            x,
            y,
        });
        let frame = frame_at(frames, x + n.w / 2.0, y + n.h / 2.0);
        if frame != n.frame {
            ops.push(Op::SetNoteFrame {
                id: n.id.clone(),
                frame,
            });
        }
    }
    ops
}
