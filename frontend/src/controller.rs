//! The board controller: owns the sync session and the websocket, turns
//! edits into `Op`s through `crates/board`, and publishes what the UI shows
//! as signals. It lives in a thread-local (the browser has one thread), so
//! that reactive closures only ever hold `Copy` signal handles.
use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use samskab_board::{BoardError, Ctx, NoteView, Op};
use samskab_protocol::{
    ClientSession, ErrorReason, Event, Participant, PeerPresence, Phase, Presence,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::platform;

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
    retries: u32,
    stopped: bool,
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

/// A stable colour for a participant, from their id.
pub fn color_for(id: &str) -> &'static str {
    const COLORS: [&str; 8] = [
        "#1d5fa8", "#b4235a", "#2e7d32", "#8e44ad", "#c25e00", "#00838f", "#6d4c41", "#c62828",
    ];
    let sum: usize = id.bytes().map(usize::from).sum();
    COLORS[sum % COLORS.len()]
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
fn participant_key() -> String {
    const KEY: &str = "samskab.participant_key";
    platform::local_get(KEY).unwrap_or_else(|| {
        let key = format!("{}{}", platform::random_id(), platform::random_id());
        platform::local_set(KEY, &key);
        key
    })
}

/// Asks the server to carry out a facilitation command.
pub fn command(command: samskab_protocol::Command) {
    with(|c| {
        c.session.command(command);
        c.flush();
    });
}

/// Opens the board `board_id` and starts syncing it.
pub fn open(board_id: &str, key: &str, title: &str) -> BoardSignals {
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
    };
    let participant = participant_id();
    let replica = samskab_board::Board::new(&platform::random_bytes::<16>());
    let session = ClientSession::new(
        board_id,
        Some(key.to_string()),
        Participant {
            id: participant.clone(),
            name: display_name(),
            role: "other".into(),
            color: color_for(&participant).into(),
        },
        replica,
    );
    let mut session = session;
    session.set_participant_key(Some(participant_key()));
    CONTROLLER.with(|c| {
        *c.borrow_mut() = Some(Controller {
            board_id: board_id.to_string(),
            participant,
            session,
            ws: None,
            handlers: None,
            signals,
            entries: HashMap::new(),
            retries: 0,
            stopped: false,
        })
    });
    connect();
    signals
}

/// Applies one edit made by the person at this device.
pub fn apply(op: Op) {
    with(|c| {
        let ctx = Ctx::new(c.participant.clone(), platform::now_ms());
        match c.session.apply(&op, &ctx) {
            Ok(()) => {}
            Err(BoardError::TextTooLong { .. }) => {
                let s = crate::i18n::I18n::get().now();
                c.signals.notice.set(Some(s.note_too_long.to_string()));
            }
            Err(e) => c.signals.notice.set(Some(e.to_string())),
        }
        c.flush();
        c.refresh();
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
    let close = Closure::<dyn FnMut(CloseEvent)>::new(|_e: CloseEvent| {
        let retry = with(|c| {
            c.ws = None;
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
        (500 * 2_i32.saturating_pow(c.retries.min(5))).min(10_000)
    })
    .unwrap_or(1_000);
    platform::set_timeout(delay, connect);
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
                    self.signals.can_edit.set(w.permission.can_edit());
                    if let Some(t) = w.server_time_ms {
                        self.session.sync_clock(t, platform::now_ms());
                    }
                    crate::components::facilitation::publish(&self.session);
                }
                Event::Private(_) => crate::components::facilitation::publish(&self.session),
                Event::Changed => self.refresh(),
                Event::Acked => {}
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
                    ErrorReason::Forbidden | ErrorReason::WrongVersion => {
                        self.stopped = true;
                        self.signals.fatal.set(Some(Fatal::Refused(e.message)));
                    }
                    ErrorReason::ShuttingDown => {}
                    _ => {
                        let s = crate::i18n::I18n::get().now();
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
        if self.signals.title.get_untracked() != title {
            self.signals.title.set(title);
        }
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
                    RwSignal::new(view)
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
