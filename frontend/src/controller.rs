//! The board controller: owns the sync session and the websocket, turns
//! edits into `Op`s through `crates/board`, and publishes what the UI shows
//! as signals. It lives in a thread-local (the browser has one thread), so
//! that reactive closures only ever hold `Copy` signal handles.
use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use samskab_board::{BoardError, ConnectorView, Ctx, FrameView, MindMapView, NoteView, Op};
use samskab_protocol::{
    ClientSession, ErrorReason, Event, Participant, PeerPresence, Phase, Presence,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::platform;
use crate::store::{self, Kept};

/// One note in the list the canvas renders; its content has its own signal
/// so that a change to one note re-renders only that note.
#[derive(Debug, Clone)]
pub struct NoteEntry {
    pub id: String,
    pub view: RwSignal<NoteView>,
}

/// What the connection indicator says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connecting { unsaved: usize },
    Saved,
    Saving { unsaved: usize },
    Offline { unsaved: usize },
}

/// Something that stops the board from being shown at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fatal {
    NotFound,
    Revoked,
    Refused(String),
}

/// The signals the board page renders from.
#[derive(Debug, Clone, Copy)]
pub struct BoardSignals {
    pub notes: RwSignal<Vec<NoteEntry>>,
    pub title: RwSignal<String>,
    pub status: RwSignal<Status>,
    pub fatal: RwSignal<Option<Fatal>>,
    /// A message for the person, shown briefly (an edit that was refused…).
    pub notice: RwSignal<Option<String>>,
    pub can_edit: RwSignal<bool>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    /// Everyone else here, with their cursors and drags.
    pub peers: RwSignal<Vec<PeerPresence>>,
    pub frames: RwSignal<Vec<FrameView>>,
    pub connectors: RwSignal<Vec<ConnectorView>>,
    pub mindmaps: RwSignal<Vec<MindMapView>>,
    pub theme: RwSignal<String>,
    pub template: RwSignal<String>,
    /// Whether the person may edit: known from the server, or from a
    /// previous visit while offline.
    pub joined: RwSignal<bool>,
}

struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

struct Controller {
    board_id: String,
    participant: String,
    session: ClientSession,
    ws: Option<WebSocket>,
    handlers: Option<Handlers>,
    signals: BoardSignals,
    entries: HashMap<String, RwSignal<NoteView>>,
    /// The owner of the board's signals: a note's signal belongs to the
    /// board, not to whichever view was showing when the note appeared
    /// (else leaving that view would dispose it).
    owner: Owner,
    retries: u32,
    stopped: bool,
    /// The server's last "forbidden" on this connection. A refused command
    /// leaves the connection open and is only a notice; if the server
    /// closes the connection for it (close code 4003: a link that may not
    /// do this at all), reconnecting would be refused again: the board
    /// stops with it.
    forbidden: Option<String>,
    /// A write to IndexedDB is under way / another is wanted after it.
    saving: bool,
    dirty: bool,
    _online: Option<Closure<dyn FnMut()>>,
}

thread_local! {
    static CONTROLLER: RefCell<Option<Controller>> = const { RefCell::new(None) };
}

fn with<R>(f: impl FnOnce(&mut Controller) -> R) -> Option<R> {
    CONTROLLER.with(|c| c.borrow_mut().as_mut().map(f))
}

/// The name shown to others (asked for on joining; "Gæst"/"Guest" until then).
pub fn display_name() -> String {
    platform::local_get("samskab.name").unwrap_or_default()
}

/// The participant id of this device, kept across visits.
pub fn participant_id() -> String {
    const KEY: &str = "samskab.participant";
    platform::local_get(KEY).unwrap_or_else(|| {
        let id = platform::random_id();
        platform::local_set(KEY, &id);
        id
    })
}

/// This device's secret for its participant id (see `Hello::participant_key`).
pub fn participant_key() -> String {
    const KEY: &str = "samskab.participant_key";
    platform::local_get(KEY).unwrap_or_else(|| {
        let key = format!("{}{}", platform::random_id(), platform::random_id());
        platform::local_set(KEY, &key);
        key
    })
}

/// Asks the server to carry out a facilitation command.
/// A private note or dots given offline wait on this device
/// (`private_queue`) and are sent once the connection is back.
pub fn command(command: samskab_protocol::Command) {
    use samskab_protocol::Command;
    with(|c| {
        let private = matches!(command, Command::PrivateNote { .. } | Command::Vote { .. });
        if matches!(command, Command::Vote { .. }) {
            crate::components::facilitation::signals()
                .too_late
                .set(false);
        }
        if !c.session.command(command.clone()) && private {
            crate::private_queue::keep(&c.board_id, command);
            crate::components::facilitation::show_waiting(&c.board_id);
        }
        c.flush();
    });
}

/// The role group this device's person chose ("citizen", …), if any.
pub fn role_group() -> Option<String> {
    platform::local_get("samskab.role").filter(|r| samskab_board::RoleGroup::parse(r).is_some())
}

/// The colour of a role group (cursors, avatars).
pub fn role_color(role: &str) -> &'static str {
    match role {
        "citizen" => "#2e7d32",
        "politician" => "#1d5fa8",
        "administrator" => "#8e44ad",
        _ => "#c25e00",
    }
}

/// Opens the board `board_id` and starts syncing it, starting from the copy
/// kept on this device if there is one.
pub fn open(board_id: &str, key: &str, title: &str, kept: Option<Kept>) -> BoardSignals {
    let signals = BoardSignals {
        notes: RwSignal::new(Vec::new()),
        title: RwSignal::new(title.to_string()),
        status: RwSignal::new(Status::Connecting { unsaved: 0 }),
        fatal: RwSignal::new(None),
        notice: RwSignal::new(None),
        can_edit: RwSignal::new(false),
        can_undo: RwSignal::new(false),
        can_redo: RwSignal::new(false),
        peers: RwSignal::new(Vec::new()),
        frames: RwSignal::new(Vec::new()),
        connectors: RwSignal::new(Vec::new()),
        mindmaps: RwSignal::new(Vec::new()),
        theme: RwSignal::new(String::new()),
        template: RwSignal::new(String::new()),
        joined: RwSignal::new(false),
    };
    let participant = participant_id();
    let actor = platform::random_bytes::<16>();
    let mut unacked = Vec::new();
    let replica = kept
        .and_then(|k| {
            unacked = k
                .unacked
                .iter()
                .filter_map(|h| h.parse::<samskab_board::automerge::ChangeHash>().ok())
                .collect();
            // This device's own copy (IndexedDB): read as the server reads
            // its database, without the caps on data from outside, so that
            // a long-lived board's copy never fails to load.
            samskab_board::Board::load_stored(&k.doc, &actor).ok()
        })
        .unwrap_or_else(|| samskab_board::Board::new(&actor));
    let role = role_group().unwrap_or_else(|| "other".into());
    let mut session = ClientSession::new(
        board_id,
        Some(key.to_string()),
        Participant {
            id: participant.clone(),
            name: display_name(),
            color: role_color(&role).into(),
            role,
        },
        replica,
    );
    session.set_participant_key(Some(participant_key()));
    session.restore_unacknowledged(unacked);
    // Someone who could edit before may keep editing offline.
    if crate::boards::recall(board_id).is_some_and(|r| r.can_edit) {
        signals.can_edit.set(true);
        crate::components::facilitation::signals()
            .can_edit
            .set(true);
    }
    crate::components::facilitation::show_waiting(board_id);
    CONTROLLER.with(|c| {
        *c.borrow_mut() = Some(Controller {
            board_id: board_id.to_string(),
            participant,
            session,
            ws: None,
            handlers: None,
            signals,
            entries: HashMap::new(),
            owner: Owner::new_root(None),
            retries: 0,
            stopped: false,
            forbidden: None,
            saving: false,
            dirty: false,
            _online: None,
        })
    });
    with(|c| c.refresh());
    // Back online: try at once instead of waiting for the next retry.
    let online = Closure::<dyn FnMut()>::new(|| {
        let idle = with(|c| c.ws.is_none() && !c.stopped).unwrap_or(false);
        if idle {
            connect();
        }
    });
    let _ = platform::window()
        .add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    with(|c| c._online = Some(online));
    connect();
    signals
}

/// Applies several edits as one gesture (moving a selection…).
pub fn apply_all(ops: Vec<Op>) {
    for op in ops {
        apply(op);
    }
}

/// The board as it is now (for tools that need more than the signals).
pub fn read<R>(f: impl FnOnce(&samskab_board::Board) -> R) -> Option<R> {
    with(|c| f(c.session.board()))
}

/// Applies one edit made by the person at this device.
pub fn apply(op: Op) {
    with(|c| {
        let ctx = Ctx::new(c.participant.clone(), platform::now_ms());
        match c.session.apply(&op, &ctx) {
            Ok(()) => {}
            Err(BoardError::TextTooLong { .. }) => {
                let s = crate::i18n::strings();
                c.signals.notice.set(Some(s.note_too_long.to_string()));
            }
            Err(e) => c.signals.notice.set(Some(e.to_string())),
        }
        c.flush();
        c.refresh();
        c.persist();
    });
}

/// Shares what I am doing (dragging a note, …) with everyone here.
pub fn share_presence(presence: Presence) {
    with(|c| {
        c.session.set_presence(&presence);
        c.flush();
    });
}

/// Undoes this person's last edit (never anyone else's).
pub fn undo() {
    step_history(true);
}

pub fn redo() {
    step_history(false);
}

fn step_history(back: bool) {
    with(|c| {
        let ctx = Ctx::new(c.participant.clone(), platform::now_ms());
        let result = if back {
            c.session.undo(&ctx)
        } else {
            c.session.redo(&ctx)
        };
        if let Err(e) = result {
            c.signals.notice.set(Some(e.to_string()));
        }
        c.flush();
        c.refresh();
        c.persist();
    });
}

/// The id of the board being shown.
pub fn board_id() -> Option<String> {
    with(|c| c.board_id.clone())
}

fn connect() {
    let Ok(ws) = WebSocket::new(&platform::ws_url()) else {
        schedule_reconnect();
        return;
    };
    ws.set_binary_type(BinaryType::Arraybuffer);
    let open = Closure::<dyn FnMut()>::new(|| {
        with(|c| {
            c.retries = 0;
            c.session.connected();
            c.flush();
            c.update_status();
        });
    });
    let message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
            let bytes = js_sys::Uint8Array::new(&buf).to_vec();
            with(|c| c.on_frame(&bytes));
        }
    });
    let close = Closure::<dyn FnMut(CloseEvent)>::new(|e: CloseEvent| {
        let code = e.code();
        let retry = with(|c| {
            c.ws = None;
            let forbidden = c.forbidden.take();
            if code == ErrorReason::Forbidden.close_code() && !c.stopped {
                c.stopped = true;
                let message = forbidden.unwrap_or_else(|| e.reason());
                c.signals.fatal.set(Some(Fatal::Refused(message)));
            }
            c.session.disconnected();
            c.signals.peers.set(Vec::new());
            c.update_status();
            !c.stopped
        });
        if retry == Some(true) {
            schedule_reconnect();
        }
    });
    ws.set_onopen(Some(open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(close.as_ref().unchecked_ref()));
    with(|c| {
        c.ws = Some(ws);
        c.handlers = Some(Handlers {
            _open: open,
            _message: message,
            _close: close,
        });
    });
}

fn schedule_reconnect() {
    let delay = with(|c| {
        c.retries += 1;
        (500 * 2_i32.saturating_pow(c.retries.min(5))).min(4_000)
    })
    .unwrap_or(1_000);
    platform::set_timeout(delay, || {
        if with(|c| c.ws.is_none() && !c.stopped).unwrap_or(false) {
            connect();
        }
    });
}

/// Writes the board to IndexedDB (one write at a time; edits made during a
/// write are written right after it).
fn save_now() {
    let job = with(|c| {
        if c.saving {
            c.dirty = true;
            return None;
        }
        c.saving = true;
        c.dirty = false;
        let kept = Kept {
            doc: c.session.save(),
            unacked: c
                .session
                .unacknowledged_hashes()
                .iter()
                .map(ToString::to_string)
                .collect(),
            title: c.signals.title.get_untracked(),
        };
        Some((c.board_id.clone(), kept))
    })
    .flatten();
    let Some((id, kept)) = job else { return };
    leptos::task::spawn_local(async move {
        if store::save(&id, &kept).await.is_err() {
            let s = crate::i18n::strings();
            with(|c| c.signals.notice.set(Some(s.not_kept.to_string())));
        }
        let again = with(|c| {
            c.saving = false;
            c.dirty
        });
        if again == Some(true) {
            save_now();
        }
    });
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(sig: RwSignal<T>, value: T) {
    if sig.with_untracked(|v| v != &value) {
        sig.set(value);
    }
}

impl Controller {
    fn on_frame(&mut self, bytes: &[u8]) {
        let events = match self.session.receive(bytes) {
            Ok(events) => events,
            Err(e) => {
                self.signals.notice.set(Some(e.to_string()));
                return;
            }
        };
        for event in events {
            match event {
                Event::Welcomed(w) => {
                    let can = w.permission.can_edit();
                    self.signals.can_edit.set(can);
                    self.signals.joined.set(true);
                    let mut r = crate::boards::recall(&self.board_id).unwrap_or_default();
                    if r.can_edit != can {
                        r.can_edit = can;
                        crate::boards::remember(&self.board_id, &r);
                    }
                    if let Some(t) = w.server_time_ms {
                        self.session.sync_clock(t, platform::now_ms());
                    }
                    // Private notes and dots given offline go now.
                    for kept in crate::private_queue::take(&self.board_id) {
                        self.session.command(kept);
                    }
                    crate::components::facilitation::show_waiting(&self.board_id);
                    crate::components::facilitation::publish(&self.session);
                }
                Event::Private(p) => {
                    crate::private_queue::remember(&self.board_id, &p);
                    crate::components::facilitation::publish(&self.session);
                }
                Event::Changed => {
                    self.refresh();
                    self.persist();
                }
                Event::Acked => self.persist(),
                Event::Presence(p) => self.signals.peers.update(|peers| {
                    match peers.iter_mut().find(|q| q.peer == p.peer) {
                        Some(q) => *q = p,
                        None => peers.push(p),
                    }
                }),
                Event::PeerLeft(id) => self
                    .signals
                    .peers
                    .update(|peers| peers.retain(|q| q.peer != id)),
                Event::Refused(e) => match e.reason {
                    ErrorReason::BoardNotFound => {
                        self.stopped = true;
                        self.signals.fatal.set(Some(Fatal::NotFound));
                    }
                    ErrorReason::Forbidden if e.message.contains("revoked") => {
                        self.stopped = true;
                        self.signals.fatal.set(Some(Fatal::Revoked));
                    }
                    ErrorReason::Forbidden => {
                        let s = crate::i18n::strings();
                        self.signals
                            .notice
                            .set(Some(format!("{}{}", s.refused, e.message)));
                        self.forbidden = Some(e.message);
                    }
                    ErrorReason::WrongVersion => {
                        self.stopped = true;
                        self.signals.fatal.set(Some(Fatal::Refused(e.message)));
                    }
                    ErrorReason::ShuttingDown => {}
                    // Dots given offline for a vote that is over by now.
                    ErrorReason::TooLate => {
                        crate::components::facilitation::signals()
                            .too_late
                            .set(true);
                        self.signals
                            .notice
                            .set(Some(crate::i18n::more_strings().dots_too_late.to_string()));
                    }
                    _ => {
                        let s = crate::i18n::strings();
                        self.signals
                            .notice
                            .set(Some(format!("{}{}", s.refused, e.message)));
                    }
                },
            }
        }
        self.flush();
        self.update_status();
    }

    /// Keeps the board on this device (soon: the write is queued).
    fn persist(&mut self) {
        if self.saving {
            self.dirty = true;
        } else {
            platform::set_timeout(0, save_now);
        }
    }

    fn flush(&mut self) {
        let Some(ws) = &self.ws else {
            while self.session.poll_transmit().is_some() {}
            return;
        };
        while let Some(frame) = self.session.poll_transmit() {
            if ws.send_with_u8_array(&frame).is_err() {
                break;
            }
        }
    }

    /// Publishes the board's current content to the signals.
    fn refresh(&mut self) {
        let board = self.session.board();
        let title = board.title();
        if !title.is_empty() && self.signals.title.get_untracked() != title {
            self.signals.title.set(title);
        }
        set_if_changed(self.signals.theme, board.theme());
        set_if_changed(self.signals.template, board.template());
        set_if_changed(self.signals.frames, board.frames());
        set_if_changed(self.signals.connectors, board.connectors());
        set_if_changed(self.signals.mindmaps, board.mindmaps());
        let views = board.notes();
        let mut order_changed = views.len() != self.entries.len();
        let mut next = HashMap::with_capacity(views.len());
        let mut list = Vec::with_capacity(views.len());
        for view in views {
            let id = view.id.clone();
            let sig = match self.entries.get(&id) {
                Some(sig) => {
                    if sig.with_untracked(|v| v != &view) {
                        sig.set(view);
                    }
                    *sig
                }
                None => {
                    order_changed = true;
                    self.owner.with(|| RwSignal::new(view))
                }
            };
            next.insert(id.clone(), sig);
            list.push(NoteEntry { id, view: sig });
        }
        if !order_changed {
            let current = self
                .signals
                .notes
                .with_untracked(|l| l.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
            order_changed = current.iter().ne(list.iter().map(|e| &e.id));
        }
        self.entries = next;
        if order_changed {
            self.signals.notes.set(list);
        }
        crate::components::facilitation::publish(&self.session);
        self.update_status();
    }

    fn update_status(&mut self) {
        let (u, r) = (self.session.can_undo(), self.session.can_redo());
        if self.signals.can_undo.get_untracked() != u {
            self.signals.can_undo.set(u);
        }
        if self.signals.can_redo.get_untracked() != r {
            self.signals.can_redo.set(r);
        }
        let unsaved = self.session.unacknowledged();
        let status = match self.session.phase() {
            Phase::Joined(_) if unsaved == 0 => Status::Saved,
            Phase::Joined(_) => Status::Saving { unsaved },
            Phase::Connecting => Status::Connecting { unsaved },
            Phase::Offline => Status::Offline { unsaved },
        };
        if self.signals.status.get_untracked() != status {
            self.signals.status.set(status);
        }
    }
}
