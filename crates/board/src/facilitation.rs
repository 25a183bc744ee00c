//! Facilitation: the facilitator's controls (agenda item, timer, round,
//! vote, ideation phase, groups, chair, "bring everyone here") and the
//! meeting's outcomes (actions and decisions).
//!
//! ```text
//! ROOT
//! ├── facilitation: map               written only by a facilitator (the server refuses others)
//! │   ├── agenda: str (JSON Agenda)   each key is one register: a JSON value
//! │   ├── timer: str (JSON Timer)     replaced whole by every write, so concurrent
//! │   ├── round: str (JSON Round)     writes never mix two states: the last
//! │   ├── vote: str (JSON Vote)       writer wins (Automerge's order) for the
//! │   ├── ideation: str (JSON …)      whole register
//! │   ├── groups, follow, chair, settings: str (JSON)
//! └── outcomes: map                   written by any editor
//!     ├── actions: map<ActionId, map>
//!     │   ├── source: str (note or node id, or ""), text: str, owner: str,
//!     │   ├── deadline: str (YYYY-MM-DD or ""), done_when: str, status: str,
//!     │   └── author, created_at, deleted
//!     └── decisions: map<DecisionId, map>
//!         ├── text: str, agreement: str, items: str (JSON array of ids),
//!         ├── dissent: map<ParticipantId, str>   each dissenter's own words
//!         └── author, created_at, deleted
//! ```
//!
//! Both maps come from one *extension genesis* change that every replica
//! produces byte for byte (the genesis actor, time 0, depending only on the
//! board's genesis), made by the first facilitation or outcome op on a board.
//! Two replicas that both make it make the same change, so there are never
//! two rival `facilitation` maps, and older boards gain it when first used.
//!
//! Hidden content (private ideation notes, dot votes) is never in this
//! document: the server holds it per participant and writes it here only on
//! reveal (see ARCHITECTURE.md, "Facilitation and hidden content").
use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::board::{Board, check_id, check_len};
use crate::doc::{self, boolean, string};
use crate::error::BoardError;
use crate::op::{Color, Ctx, Op, RoleGroup};
use crate::schema;
use crate::validate::Violation;

pub const FACILITATION: &str = "facilitation";
pub const OUTCOMES: &str = "outcomes";
pub const ACTIONS: &str = "actions";
pub const DECISIONS: &str = "decisions";

/// The registers under `facilitation`.
pub mod reg {
    pub const AGENDA: &str = "agenda";
    pub const TIMER: &str = "timer";
    pub const ROUND: &str = "round";
    pub const VOTE: &str = "vote";
    pub const IDEATION: &str = "ideation";
    pub const GROUPS: &str = "groups";
    pub const FOLLOW: &str = "follow";
    pub const CHAIR: &str = "chair";
    pub const SETTINGS: &str = "settings";
    pub const ALL: [&str; 9] = [
        AGENDA, TIMER, ROUND, VOTE, IDEATION, GROUPS, FOLLOW, CHAIR, SETTINGS,
    ];
}

pub mod action {
    pub use crate::schema::{AUTHOR, CREATED_AT, DELETED};
    pub const SOURCE: &str = "source";
    pub const TEXT: &str = "text";
    pub const OWNER: &str = "owner";
    pub const DEADLINE: &str = "deadline";
    pub const DONE_WHEN: &str = "done_when";
    pub const STATUS: &str = "status";
    pub const ALL: [&str; 9] = [
        SOURCE, TEXT, OWNER, DEADLINE, DONE_WHEN, STATUS, AUTHOR, CREATED_AT, DELETED,
    ];
}

pub mod decision {
    pub use crate::schema::{AUTHOR, CREATED_AT, DELETED};
    pub const TEXT: &str = "text";
    pub const AGREEMENT: &str = "agreement";
    pub const ITEMS: &str = "items";
    pub const DISSENT: &str = "dissent";
    pub const ALL: [&str; 7] = [TEXT, AGREEMENT, ITEMS, DISSENT, AUTHOR, CREATED_AT, DELETED];
}

/// Largest JSON register, in bytes.
pub const MAX_REGISTER_BYTES: usize = 64 * 1024;
/// Most participants in a round, items in a vote, groups, agenda items.
pub const MAX_LIST: usize = 500;
/// Most dots one person may get in a vote.
pub const MAX_DOTS: u32 = 50;
/// Size of a group's frame, the gap between frames, and frames per row.
pub const GROUP_FRAME: (f64, f64) = (640.0, 480.0);
pub const GROUP_GAP: f64 = 80.0;
pub const GROUP_COLUMNS: usize = 4;

// ---- registers -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
}

/// The meeting's agenda and the item being worked on now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Agenda {
    pub items: Vec<AgendaItem>,
    /// The current item's id, or "".
    pub current: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    #[default]
    Stopped,
    Running,
    Paused,
}

/// A shared countdown. Stored as an end time while running and as what is
/// left while paused, so a person who joins late computes the same figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Timer {
    pub state: TimerState,
    /// What it was started with (plus extensions), ms.
    pub duration_ms: i64,
    /// When it runs out (ms since the epoch), while running.
    pub ends_at: i64,
    /// What is left, while paused.
    pub remaining_ms: i64,
    pub label: String,
}

impl Timer {
    /// Milliseconds left at `now` (0 when stopped or run out).
    pub fn remaining(&self, now_ms: i64) -> i64 {
        match self.state {
            TimerState::Stopped => 0,
            TimerState::Running => (self.ends_at - now_ms).max(0),
            TimerState::Paused => self.remaining_ms.max(0),
        }
    }
}

/// One person's turn in a round, as it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub participant: String,
    pub started_at: i64,
    pub ended_at: i64,
    pub passed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    #[default]
    None,
    Running,
    Finished,
}

/// A go-around: everyone in `order` gets a turn of `turn_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Round {
    pub id: String,
    pub question: String,
    pub state: RoundState,
    /// Participant ids in speaking order (mixed by role group).
    pub order: Vec<String>,
    pub turn_ms: i64,
    /// Index into `order` of whose turn it is.
    pub current: usize,
    pub turn_started_at: i64,
    /// The turns taken so far (or passed).
    pub turns: Vec<Turn>,
}

impl Round {
    /// Whose turn it is now.
    pub fn speaker(&self) -> Option<&str> {
        (self.state == RoundState::Running)
            .then(|| self.order.get(self.current).map(String::as_str))
            .flatten()
    }

    /// Who speaks after the current speaker.
    pub fn next(&self) -> Option<&str> {
        (self.state == RoundState::Running)
            .then(|| self.order.get(self.current + 1).map(String::as_str))
            .flatten()
    }

    /// Milliseconds left of the current turn's time box at `now`.
    pub fn turn_remaining(&self, now_ms: i64) -> i64 {
        if self.state != RoundState::Running {
            return 0;
        }
        (self.turn_started_at + self.turn_ms - now_ms).max(0)
    }

    /// The turn (index into `turns`, or `turns.len()` for the current one)
    /// in which `author` wrote something at `at`: what is written during a
    /// turn is attributed to it.
    pub fn turn_of(&self, author: &str, at: i64) -> Option<usize> {
        if let Some(i) = self
            .turns
            .iter()
            .position(|t| t.participant == author && (t.started_at..=t.ended_at).contains(&at))
        {
            return Some(i);
        }
        (self.speaker() == Some(author) && at >= self.turn_started_at).then_some(self.turns.len())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VoteState {
    #[default]
    None,
    Open,
    Closed,
    Revealed,
}

/// One item's dots after a reveal: the total and, if the facilitator chose
/// it, per role group. Never per person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tally {
    pub item: String,
    pub total: u32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_role: BTreeMap<RoleGroup, u32>,
}

/// Dot voting. While open, the dots are on the server only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Vote {
    pub id: String,
    pub state: VoteState,
    /// Notes or mind-map nodes to vote on.
    pub items: Vec<String>,
    /// Dots per person.
    pub dots: u32,
    /// Show the results split by role group.
    pub by_role: bool,
    /// Filled in on reveal, most dots first.
    pub results: Vec<Tally>,
    /// How many people voted (filled in on reveal).
    pub voters: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IdeationState {
    #[default]
    None,
    /// Everyone writes private notes (held by the server).
    Open,
    Revealed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ideation {
    pub id: String,
    pub state: IdeationState,
    /// Where revealed notes land (a frame id, or "" for the board).
    pub frame: String,
    pub revealed_at: i64,
    /// How many notes the reveal put on the board.
    pub revealed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
    /// The group's frame on the board.
    pub frame: String,
}

/// Pairs or small groups; `together` after the facilitator brings them back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Groups {
    pub id: String,
    pub groups: Vec<Group>,
    pub together: bool,
}

/// "Bring everyone here": while active, everyone's view follows this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Follow {
    pub active: bool,
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
    pub by: String,
}

/// One term as chair: who, from when, for which meeting or agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChairTerm {
    pub participant: String,
    pub since: i64,
    pub meeting: String,
}

/// The rotating chair: the participant who holds the facilitator's controls
/// (besides anyone on the facilitator link), who chaired what, and the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Chair {
    /// Participant id, or "".
    pub current: String,
    pub history: Vec<ChairTerm>,
    /// Participant ids in the planned order for the coming meetings.
    pub rotation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// Hide authors in the interface and in exports.
    pub anonymous: bool,
    /// Show the balance by role group to everyone (not only the facilitator).
    pub share_balance: bool,
    /// A free label for the meeting's phase ("ideation", "discussion", …).
    pub phase: String,
}

/// Everything under `facilitation`, read tolerantly (a missing or damaged
/// register reads as its default).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FacilitationView {
    pub agenda: Agenda,
    pub timer: Timer,
    pub round: Round,
    pub vote: Vote,
    pub ideation: Ideation,
    pub groups: Groups,
    pub follow: Follow,
    pub chair: Chair,
    pub settings: Settings,
}

// ---- ops -----------------------------------------------------------------

/// A facilitator's edit. Every one replaces one register whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FacilOp {
    SetAgenda {
        items: Vec<AgendaItem>,
    },
    SetCurrentItem {
        id: String,
    },
    TimerStart {
        duration_ms: i64,
        label: String,
    },
    TimerPause,
    TimerResume,
    TimerExtend {
        ms: i64,
    },
    TimerStop,
    /// Starts a round; `order` from [`mixed_order`].
    RoundStart {
        id: String,
        question: String,
        order: Vec<String>,
        turn_ms: i64,
    },
    /// Ends the current turn (taken or passed) and gives the next person the floor.
    RoundNext {
        passed: bool,
    },
    RoundStop,
    VoteOpen {
        id: String,
        items: Vec<String>,
        dots: u32,
        by_role: bool,
    },
    VoteClose,
    /// The results, written by the server on reveal.
    VoteResults {
        results: Vec<Tally>,
        voters: u32,
    },
    IdeationStart {
        id: String,
        frame: String,
    },
    /// Written by the server on reveal.
    IdeationRevealed {
        count: u32,
    },
    IdeationStop,
    SetGroups {
        id: String,
        groups: Vec<Group>,
    },
    GroupsTogether,
    FollowMe {
        x: f64,
        y: f64,
        zoom: f64,
    },
    Release,
    /// Hands the chair (the facilitator's controls) to a participant ("" takes it back).
    SetChair {
        participant: String,
        meeting: String,
    },
    SetRotation {
        plan: Vec<String>,
    },
    SetSettings {
        settings: Settings,
    },
}

/// An edit of the meeting's outcomes (any editor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeOp {
    /// Turns a note or node (`source`, or "" for none) into an action.
    CreateAction {
        id: String,
        source: String,
        text: String,
        owner: String,
        deadline: String,
        done_when: String,
    },
    /// Changes the given fields of an action.
    UpdateAction {
        id: String,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        owner: Option<String>,
        #[serde(default)]
        deadline: Option<String>,
        #[serde(default)]
        done_when: Option<String>,
        #[serde(default)]
        status: Option<ActionStatus>,
    },
    DeleteAction {
        id: String,
    },
    /// Records a decision about some notes or nodes.
    CreateDecision {
        id: String,
        text: String,
        items: Vec<String>,
    },
    SetAgreement {
        id: String,
        agreement: String,
    },
    SetDecisionItems {
        id: String,
        items: Vec<String>,
    },
    /// My dissent with a decision, in my own words ("" withdraws it).
    SetDissent {
        id: String,
        text: String,
    },
    DeleteDecision {
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    #[default]
    Open,
    Doing,
    Done,
    Dropped,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::Doing,
        ActionStatus::Done,
        ActionStatus::Dropped,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Doing => "doing",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }
    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: String,
    pub source: Option<String>,
    pub text: String,
    pub owner: String,
    pub deadline: String,
    pub done_when: String,
    pub status: ActionStatus,
    pub author: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub id: String,
    pub text: String,
    pub agreement: String,
    pub items: Vec<String>,
    /// Participant id -> their dissent, in their own words.
    pub dissent: BTreeMap<String, String>,
    pub author: String,
    pub created_at: i64,
}

/// An idea in a decision that is not yet a concrete action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vague {
    pub item: String,
    /// No live action comes from this item at all.
    pub no_action: bool,
    pub no_owner: bool,
    pub no_deadline: bool,
}

/// Contributions of one role group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contribution {
    pub people: u32,
    pub notes: u32,
    pub words: u32,
    pub votes: u32,
    pub turns: u32,
    pub passes: u32,
}

/// Contributions by role group (citizen, politician, administrator, other).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Balance {
    pub by_role: BTreeMap<RoleGroup, Contribution>,
}

// ---- pure helpers ----------------------------------------------------------

/// A speaking order that mixes role groups: one from each group in turn
/// (the largest groups first), people within a group in the given order.
pub fn mixed_order(people: &[(String, RoleGroup)]) -> Vec<String> {
    let mut groups: Vec<Vec<&String>> = RoleGroup::ALL
        .iter()
        .map(|r| {
            people
                .iter()
                .filter(|(_, pr)| pr == r)
                .map(|(id, _)| id)
                .collect()
        })
        .filter(|g: &Vec<&String>| !g.is_empty())
        .collect();
    crate::sort::sort_by_key(&mut groups, |g| std::cmp::Reverse(g.len()));
    let mut out = Vec::with_capacity(people.len());
    let longest = groups.first().map_or(0, Vec::len);
    for i in 0..longest {
        for g in &groups {
            if let Some(id) = g.get(i) {
                out.push((*id).clone());
            }
        }
    }
    out
}

/// Splits people into groups of about `size` that mix role groups: people
/// are placed, largest role group first, in the group with the fewest of
/// their role group so far (then the smallest group).
pub fn mixed_groups(people: &[(String, RoleGroup)], size: usize) -> Vec<Vec<String>> {
    let size = size.max(1);
    let n = people.len().div_ceil(size).max(1);
    let cap = people.len().div_ceil(n);
    let mut out: Vec<Vec<(String, RoleGroup)>> = vec![Vec::new(); n];
    let mut by_role: Vec<&(String, RoleGroup)> = people.iter().collect();
    let count = |r: RoleGroup| people.iter().filter(|(_, pr)| *pr == r).count();
    crate::sort::sort_by_key(&mut by_role, |(_, r)| (std::cmp::Reverse(count(*r)), *r));
    for (id, role) in by_role {
        let best = (0..n)
            .filter(|g| out[*g].len() < cap)
            .min_by_key(|g| {
                (
                    out[*g].iter().filter(|(_, r)| r == role).count(),
                    out[*g].len(),
                    *g,
                )
            })
            .unwrap_or(0);
        out[best].push((id.clone(), *role));
    }
    out.into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| g.into_iter().map(|(id, _)| id).collect())
        .collect()
}

// ---- the extension genesis ------------------------------------------------

/// The change that creates `facilitation` and `outcomes`: identical on
/// every replica (the genesis actor, time 0, only the genesis as dependency).
pub fn extension_genesis() -> Change {
    let mut doc: AutoCommit = crate::board::genesis();
    let init = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
        doc.put_object(ROOT, FACILITATION, ObjType::Map)?;
        let o = doc.put_object(ROOT, OUTCOMES, ObjType::Map)?;
        doc.put_object(&o, ACTIONS, ObjType::Map)?;
        doc.put_object(&o, DECISIONS, ObjType::Map)?;
        Ok(())
    };
    init(&mut doc).expect("extension genesis on a fresh genesis cannot fail");
    doc.commit_with(CommitOptions::default().with_time(0));
    doc.get_last_local_change()
        .expect("the extension genesis is a change")
}

/// The hash of [`extension_genesis`].
pub fn extension_genesis_hash() -> ChangeHash {
    extension_genesis().hash()
}

impl Board {
    /// Makes sure the board has the facilitation and outcome maps (adds the
    /// extension genesis change if not). Call outside a transaction.
    pub(crate) fn ensure_extension(&mut self) -> Result<(), BoardError> {
        if self.child(&ROOT, FACILITATION).is_some() && self.child(&ROOT, OUTCOMES).is_some() {
            return Ok(());
        }
        let change = extension_genesis();
        if self.doc.get_change_by_hash(&change.hash()).is_some() {
            return Err(BoardError::NotABoard(
                "the facilitation maps were removed".into(),
            ));
        }
        self.doc.apply_changes([change])?;
        Ok(())
    }

    fn register<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> T {
        self.child(&ROOT, FACILITATION)
            .and_then(|f| string(&self.doc, &f, key))
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    fn put_register<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), BoardError> {
        let f = self.container(FACILITATION)?;
        let json = serde_json::to_string(value).map_err(|e| BoardError::Invalid(e.to_string()))?;
        if json.len() > MAX_REGISTER_BYTES {
            return Err(BoardError::Invalid(format!(
                "{key} is too large ({} bytes, at most {MAX_REGISTER_BYTES})",
                json.len()
            )));
        }
        self.doc.put(&f, key, json)?;
        Ok(())
    }

    /// The chair register alone (cheap: read on every incoming change).
    pub fn chair(&self) -> Chair {
        self.register(reg::CHAIR)
    }

    pub fn vote(&self) -> Vote {
        self.register(reg::VOTE)
    }

    pub fn ideation(&self) -> Ideation {
        self.register(reg::IDEATION)
    }

    /// The facilitator's state as everyone sees it.
    pub fn facilitation(&self) -> FacilitationView {
        FacilitationView {
            agenda: self.register(reg::AGENDA),
            timer: self.register(reg::TIMER),
            round: self.register(reg::ROUND),
            vote: self.register(reg::VOTE),
            ideation: self.register(reg::IDEATION),
            groups: self.register(reg::GROUPS),
            follow: self.register(reg::FOLLOW),
            chair: self.register(reg::CHAIR),
            settings: self.register(reg::SETTINGS),
        }
    }

    /// Gives every group of a split its own frame, in the same change as
    /// the `groups` register: a group without a frame gets one with the id
    /// `<split>-<group>`, named after the group, in a row below everything on
    /// the board; a frame id that exists already is kept as it is (a split
    /// may reuse the frames of an earlier one). Two facilitators splitting at
    /// once both make their frames; the register names one split's frames
    /// and the other's stay on the board as ordinary frames, so nothing
    /// written in them is lost.
    fn group_frames(
        &mut self,
        split: &str,
        groups: &[Group],
        ctx: &Ctx,
    ) -> Result<Vec<Group>, BoardError> {
        let frames = self.container(schema::FRAMES)?;
        let mut left = f64::INFINITY;
        let mut bottom = f64::NEG_INFINITY;
        for f in self.frames() {
            left = left.min(f.x);
            bottom = bottom.max(f.y + f.h);
        }
        for n in self.notes() {
            left = left.min(n.x);
            bottom = bottom.max(n.y + n.h);
        }
        let (x0, y0) = if left.is_finite() {
            (left, bottom + GROUP_GAP)
        } else {
            (0.0, 0.0)
        };
        let colors = [
            Color::Blue,
            Color::Green,
            Color::Orange,
            Color::Purple,
            Color::Pink,
            Color::Yellow,
        ];
        let danish = self.language() != "en";
        let mut out = Vec::with_capacity(groups.len());
        for (i, g) in groups.iter().enumerate() {
            let mut g = g.clone();
            if g.frame.is_empty() {
                g.frame = format!("{split}-{}", g.id);
                check_id(&g.frame)?;
            }
            if self.child(&frames, &g.frame).is_none() {
                let name = if !g.name.is_empty() {
                    g.name.clone()
                } else if danish {
                    format!("Gruppe {}", i + 1)
                } else {
                    format!("Group {}", i + 1)
                };
                let (col, row) = ((i % GROUP_COLUMNS) as f64, (i / GROUP_COLUMNS) as f64);
                self.apply_ops(
                    &Op::CreateFrame {
                        id: g.frame.clone(),
                        name,
                        x: x0 + col * (GROUP_FRAME.0 + GROUP_GAP),
                        y: y0 + row * (GROUP_FRAME.1 + GROUP_GAP),
                        w: GROUP_FRAME.0,
                        h: GROUP_FRAME.1,
                        color: colors[i % colors.len()],
                    },
                    ctx,
                )?;
            }
            out.push(g);
        }
        Ok(out)
    }

    pub(crate) fn apply_facil(&mut self, op: &FacilOp, ctx: &Ctx) -> Result<(), BoardError> {
        let now = ctx.now_ms;
        let list = |v: &[String]| -> Result<(), BoardError> {
            if v.len() > MAX_LIST {
                return Err(BoardError::Invalid(format!("at most {MAX_LIST} entries")));
            }
            v.iter().try_for_each(|id| check_id(id))
        };
        let duration = |ms: i64| -> Result<(), BoardError> {
            if (0..=24 * 3_600_000).contains(&ms) {
                Ok(())
            } else {
                Err(BoardError::Invalid("a time must be 0 to 24 hours".into()))
            }
        };
        match op {
            FacilOp::SetAgenda { items } => {
                if items.len() > MAX_LIST {
                    return Err(BoardError::Invalid("too many agenda items".into()));
                }
                for i in items {
                    check_id(&i.id)?;
                    check_len(&i.title, self.limits.max_title_chars)?;
                }
                let mut a: Agenda = self.register(reg::AGENDA);
                a.items = items.clone();
                if !a.items.iter().any(|i| i.id == a.current) {
                    a.current.clear();
                }
                self.put_register(reg::AGENDA, &a)
            }
            FacilOp::SetCurrentItem { id } => {
                let mut a: Agenda = self.register(reg::AGENDA);
                if !id.is_empty() && !a.items.iter().any(|i| &i.id == id) {
                    return Err(BoardError::NotFound(id.clone()));
                }
                a.current = id.clone();
                self.put_register(reg::AGENDA, &a)
            }
            FacilOp::TimerStart { duration_ms, label } => {
                duration(*duration_ms)?;
                check_len(label, self.limits.max_title_chars)?;
                let t = Timer {
                    state: TimerState::Running,
                    duration_ms: *duration_ms,
                    ends_at: now + duration_ms,
                    remaining_ms: *duration_ms,
                    label: label.clone(),
                };
                self.put_register(reg::TIMER, &t)
            }
            FacilOp::TimerPause => {
                let mut t: Timer = self.register(reg::TIMER);
                if t.state != TimerState::Running {
                    return Err(BoardError::Invalid("the timer is not running".into()));
                }
                t.remaining_ms = t.remaining(now);
                t.state = TimerState::Paused;
                self.put_register(reg::TIMER, &t)
            }
            FacilOp::TimerResume => {
                let mut t: Timer = self.register(reg::TIMER);
                if t.state != TimerState::Paused {
                    return Err(BoardError::Invalid("the timer is not paused".into()));
                }
                t.ends_at = now + t.remaining_ms;
                t.state = TimerState::Running;
                self.put_register(reg::TIMER, &t)
            }
            FacilOp::TimerExtend { ms } => {
                duration(*ms)?;
                let mut t: Timer = self.register(reg::TIMER);
                match t.state {
                    TimerState::Stopped => {
                        return Err(BoardError::Invalid("the timer is not on".into()));
                    }
                    // A timer that has run out starts again from now.
                    TimerState::Running => t.ends_at = t.ends_at.max(now) + ms,
                    TimerState::Paused => t.remaining_ms += ms,
                }
                t.duration_ms += ms;
                duration(t.duration_ms.min(24 * 3_600_000))?;
                self.put_register(reg::TIMER, &t)
            }
            FacilOp::TimerStop => {
                let mut t: Timer = self.register(reg::TIMER);
                t.state = TimerState::Stopped;
                t.remaining_ms = 0;
                self.put_register(reg::TIMER, &t)
            }
            FacilOp::RoundStart {
                id,
                question,
                order,
                turn_ms,
            } => {
                check_id(id)?;
                check_len(question, self.limits.max_title_chars)?;
                list(order)?;
                duration(*turn_ms)?;
                if order.is_empty() {
                    return Err(BoardError::Invalid("a round needs participants".into()));
                }
                let r = Round {
                    id: id.clone(),
                    question: question.clone(),
                    state: RoundState::Running,
                    order: order.clone(),
                    turn_ms: *turn_ms,
                    current: 0,
                    turn_started_at: now,
                    turns: Vec::new(),
                };
                self.put_register(reg::ROUND, &r)
            }
            FacilOp::RoundNext { passed } => {
                let mut r: Round = self.register(reg::ROUND);
                let Some(speaker) = r.speaker().map(str::to_string) else {
                    return Err(BoardError::Invalid("no round is running".into()));
                };
                r.turns.push(Turn {
                    participant: speaker,
                    started_at: r.turn_started_at,
                    ended_at: now,
                    passed: *passed,
                });
                r.current += 1;
                r.turn_started_at = now;
                if r.current >= r.order.len() {
                    r.state = RoundState::Finished;
                }
                self.put_register(reg::ROUND, &r)
            }
            FacilOp::RoundStop => {
                let mut r: Round = self.register(reg::ROUND);
                if r.state == RoundState::Running {
                    r.state = RoundState::Finished;
                }
                self.put_register(reg::ROUND, &r)
            }
            FacilOp::VoteOpen {
                id,
                items,
                dots,
                by_role,
            } => {
                check_id(id)?;
                list(items)?;
                if items.is_empty() || !(1..=MAX_DOTS).contains(dots) {
                    return Err(BoardError::Invalid(format!(
                        "a vote needs items and 1 to {MAX_DOTS} dots per person"
                    )));
                }
                let v = Vote {
                    id: id.clone(),
                    state: VoteState::Open,
                    items: items.clone(),
                    dots: *dots,
                    by_role: *by_role,
                    results: Vec::new(),
                    voters: 0,
                };
                self.put_register(reg::VOTE, &v)
            }
            FacilOp::VoteClose => {
                let mut v: Vote = self.register(reg::VOTE);
                if v.state == VoteState::Open {
                    v.state = VoteState::Closed;
                }
                self.put_register(reg::VOTE, &v)
            }
            FacilOp::VoteResults { results, voters } => {
                let mut v: Vote = self.register(reg::VOTE);
                if v.state == VoteState::None {
                    return Err(BoardError::Invalid("no vote to reveal".into()));
                }
                for t in results {
                    if !v.items.contains(&t.item) {
                        return Err(BoardError::NotFound(t.item.clone()));
                    }
                }
                let mut results = results.clone();
                if !v.by_role {
                    for t in &mut results {
                        t.by_role.clear();
                    }
                }
                crate::sort::sort_by(&mut results, |a, b| {
                    b.total.cmp(&a.total).then_with(|| a.item.cmp(&b.item))
                });
                v.results = results;
                v.voters = *voters;
                v.state = VoteState::Revealed;
                self.put_register(reg::VOTE, &v)
            }
            FacilOp::IdeationStart { id, frame } => {
                check_id(id)?;
                if !frame.is_empty() {
                    check_id(frame)?;
                }
                let i = Ideation {
                    id: id.clone(),
                    state: IdeationState::Open,
                    frame: frame.clone(),
                    revealed_at: 0,
                    revealed: 0,
                };
                self.put_register(reg::IDEATION, &i)
            }
            FacilOp::IdeationRevealed { count } => {
                let mut i: Ideation = self.register(reg::IDEATION);
                i.state = IdeationState::Revealed;
                i.revealed_at = now;
                i.revealed = *count;
                self.put_register(reg::IDEATION, &i)
            }
            FacilOp::IdeationStop => {
                let mut i: Ideation = self.register(reg::IDEATION);
                i.state = IdeationState::None;
                self.put_register(reg::IDEATION, &i)
            }
            FacilOp::SetGroups { id, groups } => {
                check_id(id)?;
                if groups.len() > MAX_LIST {
                    return Err(BoardError::Invalid("too many groups".into()));
                }
                for g in groups {
                    check_id(&g.id)?;
                    check_len(&g.name, self.limits.max_title_chars)?;
                    list(&g.members)?;
                    if !g.frame.is_empty() {
                        check_id(&g.frame)?;
                    }
                }
                let groups = self.group_frames(id, groups, ctx)?;
                let g = Groups {
                    id: id.clone(),
                    groups,
                    together: false,
                };
                self.put_register(reg::GROUPS, &g)
            }
            FacilOp::GroupsTogether => {
                let mut g: Groups = self.register(reg::GROUPS);
                g.together = true;
                self.put_register(reg::GROUPS, &g)
            }
            FacilOp::FollowMe { x, y, zoom } => {
                crate::board::check_coords(&[*x, *y, *zoom])?;
                let f = Follow {
                    active: true,
                    x: *x,
                    y: *y,
                    zoom: *zoom,
                    by: ctx.participant.clone(),
                };
                self.put_register(reg::FOLLOW, &f)
            }
            FacilOp::Release => {
                let mut f: Follow = self.register(reg::FOLLOW);
                f.active = false;
                self.put_register(reg::FOLLOW, &f)
            }
            FacilOp::SetChair {
                participant,
                meeting,
            } => {
                if !participant.is_empty() {
                    check_id(participant)?;
                }
                check_len(meeting, self.limits.max_title_chars)?;
                let mut c: Chair = self.register(reg::CHAIR);
                c.current = participant.clone();
                if !participant.is_empty() {
                    c.history.push(ChairTerm {
                        participant: participant.clone(),
                        since: now,
                        meeting: meeting.clone(),
                    });
                    if c.history.len() > MAX_LIST {
                        c.history.remove(0);
                    }
                }
                self.put_register(reg::CHAIR, &c)
            }
            FacilOp::SetRotation { plan } => {
                list(plan)?;
                let mut c: Chair = self.register(reg::CHAIR);
                c.rotation = plan.clone();
                self.put_register(reg::CHAIR, &c)
            }
            FacilOp::SetSettings { settings } => {
                check_len(&settings.phase, 64)?;
                self.put_register(reg::SETTINGS, settings)
            }
        }
    }

    fn outcome_item(&self, kind: &str, id: &str, live: bool) -> Result<ObjId, BoardError> {
        let o = self.container(OUTCOMES)?;
        let c = self
            .child(&o, kind)
            .ok_or_else(|| BoardError::NotABoard(format!("missing {kind}")))?;
        let item = self
            .child(&c, id)
            .ok_or_else(|| BoardError::NotFound(id.to_string()))?;
        if live && boolean(&self.doc, &item, schema::DELETED) == Some(true) {
            return Err(BoardError::NotFound(id.to_string()));
        }
        Ok(item)
    }

    fn new_outcome(&mut self, kind: &str, id: &str, ctx: &Ctx) -> Result<ObjId, BoardError> {
        check_id(id)?;
        let o = self.container(OUTCOMES)?;
        let c = self
            .child(&o, kind)
            .ok_or_else(|| BoardError::NotABoard(format!("missing {kind}")))?;
        if self.child(&c, id).is_some() {
            return Err(BoardError::Exists(id.to_string()));
        }
        self.check_room(&c)?;
        let obj = self.doc.put_object(&c, id, ObjType::Map)?;
        self.doc
            .put(&obj, schema::AUTHOR, ctx.participant.as_str())?;
        self.doc.put(&obj, schema::CREATED_AT, ctx.now_ms)?;
        self.doc.put(&obj, schema::DELETED, false)?;
        Ok(obj)
    }

    pub(crate) fn apply_outcome(&mut self, op: &OutcomeOp, ctx: &Ctx) -> Result<(), BoardError> {
        let max = self.limits.max_note_chars;
        let date = |d: &str| -> Result<(), BoardError> {
            if d.is_empty() || is_date(d) {
                Ok(())
            } else {
                Err(BoardError::Invalid(format!(
                    "a deadline is a date like 2026-03-01: {d:?}"
                )))
            }
        };
        match op {
            OutcomeOp::CreateAction {
                id,
                source,
                text,
                owner,
                deadline,
                done_when,
            } => {
                if !source.is_empty() {
                    check_id(source)?;
                }
                check_len(text, max)?;
                check_len(owner, self.limits.max_title_chars)?;
                check_len(done_when, max)?;
                date(deadline)?;
                let a = self.new_outcome(ACTIONS, id, ctx)?;
                for (k, v) in [
                    (action::SOURCE, source.as_str()),
                    (action::TEXT, text.as_str()),
                    (action::OWNER, owner.as_str()),
                    (action::DEADLINE, deadline.as_str()),
                    (action::DONE_WHEN, done_when.as_str()),
                    (action::STATUS, ActionStatus::Open.as_str()),
                ] {
                    self.doc.put(&a, k, v)?;
                }
            }
            OutcomeOp::UpdateAction {
                id,
                text,
                owner,
                deadline,
                done_when,
                status,
            } => {
                let a = self.outcome_item(ACTIONS, id, true)?;
                if let Some(t) = text {
                    check_len(t, max)?;
                    self.doc.put(&a, action::TEXT, t.as_str())?;
                }
                if let Some(o) = owner {
                    check_len(o, self.limits.max_title_chars)?;
                    self.doc.put(&a, action::OWNER, o.as_str())?;
                }
                if let Some(d) = deadline {
                    date(d)?;
                    self.doc.put(&a, action::DEADLINE, d.as_str())?;
                }
                if let Some(d) = done_when {
                    check_len(d, max)?;
                    self.doc.put(&a, action::DONE_WHEN, d.as_str())?;
                }
                if let Some(s) = status {
                    self.doc.put(&a, action::STATUS, s.as_str())?;
                }
            }
            OutcomeOp::DeleteAction { id } => {
                let a = self.outcome_item(ACTIONS, id, true)?;
                self.doc.put(&a, schema::DELETED, true)?;
            }
            OutcomeOp::CreateDecision { id, text, items } => {
                check_len(text, max)?;
                let items = items_json(items)?;
                let d = self.new_outcome(DECISIONS, id, ctx)?;
                self.doc.put(&d, decision::TEXT, text.as_str())?;
                self.doc.put(&d, decision::AGREEMENT, "")?;
                self.doc.put(&d, decision::ITEMS, items)?;
                self.doc.put_object(&d, decision::DISSENT, ObjType::Map)?;
            }
            OutcomeOp::SetAgreement { id, agreement } => {
                check_len(agreement, max)?;
                let d = self.outcome_item(DECISIONS, id, true)?;
                self.doc.put(&d, decision::AGREEMENT, agreement.as_str())?;
            }
            OutcomeOp::SetDecisionItems { id, items } => {
                let items = items_json(items)?;
                let d = self.outcome_item(DECISIONS, id, true)?;
                self.doc.put(&d, decision::ITEMS, items)?;
            }
            OutcomeOp::SetDissent { id, text } => {
                check_id(&ctx.participant)?;
                check_len(text, max)?;
                let d = self.outcome_item(DECISIONS, id, true)?;
                let m = self
                    .child(&d, decision::DISSENT)
                    .ok_or_else(|| BoardError::NotABoard("decision without dissent".into()))?;
                if text.is_empty() {
                    self.doc.delete(&m, ctx.participant.as_str())?;
                } else {
                    self.doc.put(&m, ctx.participant.as_str(), text.as_str())?;
                }
            }
            OutcomeOp::DeleteDecision { id } => {
                let d = self.outcome_item(DECISIONS, id, true)?;
                self.doc.put(&d, schema::DELETED, true)?;
            }
        }
        Ok(())
    }

    fn outcome_children(&self, kind: &str) -> Vec<(String, ObjId)> {
        let Some(c) = self
            .child(&ROOT, OUTCOMES)
            .and_then(|o| self.child(&o, kind))
        else {
            return Vec::new();
        };
        doc::children(&self.doc, &c)
            .into_iter()
            .filter(|(_, o)| boolean(&self.doc, o, schema::DELETED) != Some(true))
            .collect()
    }

    /// Live actions, oldest first.
    pub fn actions(&self) -> Vec<ActionView> {
        let s = |o: &ObjId, k: &str| string(&self.doc, o, k).unwrap_or_default();
        let mut out: Vec<ActionView> = self
            .outcome_children(ACTIONS)
            .into_iter()
            .map(|(id, o)| ActionView {
                source: Some(s(&o, action::SOURCE)).filter(|x| !x.is_empty()),
                text: s(&o, action::TEXT),
                owner: s(&o, action::OWNER),
                deadline: s(&o, action::DEADLINE),
                done_when: s(&o, action::DONE_WHEN),
                status: ActionStatus::parse(&s(&o, action::STATUS)).unwrap_or_default(),
                author: s(&o, schema::AUTHOR),
                created_at: doc::number(&self.doc, &o, schema::CREATED_AT).unwrap_or(0.0) as i64,
                id,
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| {
            a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id))
        });
        out
    }

    /// Live decisions, oldest first.
    pub fn decisions(&self) -> Vec<DecisionView> {
        let s = |o: &ObjId, k: &str| string(&self.doc, o, k).unwrap_or_default();
        let mut out: Vec<DecisionView> = self
            .outcome_children(DECISIONS)
            .into_iter()
            .map(|(id, o)| {
                let dissent = self
                    .child(&o, decision::DISSENT)
                    .map(|m| {
                        self.doc
                            .map_range(&m, ..)
                            .filter_map(|i| match i.value {
                                automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(t)) => {
                                    Some((i.key.to_string(), t.to_string()))
                                }
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                DecisionView {
                    text: s(&o, decision::TEXT),
                    agreement: s(&o, decision::AGREEMENT),
                    items: serde_json::from_str(&s(&o, decision::ITEMS)).unwrap_or_default(),
                    dissent,
                    author: s(&o, schema::AUTHOR),
                    created_at: doc::number(&self.doc, &o, schema::CREATED_AT).unwrap_or(0.0)
                        as i64,
                    id,
                }
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| {
            a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id))
        });
        out
    }

    /// The concreteness check: the ideas in a decision that have no action
    /// with both an owner and a deadline.
    pub fn concreteness(&self, decision_id: &str) -> Vec<Vague> {
        let Some(d) = self.decisions().into_iter().find(|d| d.id == decision_id) else {
            return Vec::new();
        };
        let actions: Vec<ActionView> = self
            .actions()
            .into_iter()
            .filter(|a| a.status != ActionStatus::Dropped)
            .collect();
        d.items
            .iter()
            .filter_map(|item| {
                let mine: Vec<&ActionView> = actions
                    .iter()
                    .filter(|a| a.source.as_deref() == Some(item))
                    .collect();
                let owned = mine.iter().any(|a| !a.owner.trim().is_empty());
                let dated = mine.iter().any(|a| !a.deadline.is_empty());
                let concrete = mine
                    .iter()
                    .any(|a| !a.owner.trim().is_empty() && !a.deadline.is_empty());
                (!concrete).then(|| Vague {
                    item: item.clone(),
                    no_action: mine.is_empty(),
                    no_owner: !owned,
                    no_deadline: !dated,
                })
            })
            .collect()
    }

    /// Notes, words, votes and turns per role group (roles as the
    /// participants set them; people not listed count as "other").
    pub fn balance(&self) -> Balance {
        let roles: BTreeMap<String, RoleGroup> = self
            .participants()
            .into_iter()
            .map(|p| (p.id, p.role))
            .collect();
        let role = |id: &str| roles.get(id).copied().unwrap_or_default();
        let mut b = Balance::default();
        for r in RoleGroup::ALL {
            b.by_role.insert(r, Contribution::default());
        }
        for r in roles.values() {
            b.by_role.entry(*r).or_default().people += 1;
        }
        for n in self.notes() {
            let c = b.by_role.entry(role(&n.author)).or_default();
            c.notes += 1;
            c.words += n.text.split_whitespace().count() as u32;
        }
        for m in self.mindmaps() {
            for n in m.nodes {
                let c = b.by_role.entry(role(&n.author)).or_default();
                c.notes += 1;
                c.words += n.text.split_whitespace().count() as u32;
            }
        }
        let f = self.facilitation();
        for t in &f.round.turns {
            let c = b.by_role.entry(role(&t.participant)).or_default();
            if t.passed {
                c.passes += 1;
            } else {
                c.turns += 1;
            }
        }
        for t in &f.vote.results {
            for (r, n) in &t.by_role {
                b.by_role.entry(*r).or_default().votes += n;
            }
        }
        b
    }
}

fn items_json(items: &[String]) -> Result<String, BoardError> {
    if items.len() > MAX_LIST {
        return Err(BoardError::Invalid("too many items".into()));
    }
    items.iter().try_for_each(|i| check_id(i))?;
    serde_json::to_string(items).map_err(|e| BoardError::Invalid(e.to_string()))
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

// ---- what a change writes, and validation -----------------------------------

/// Which guarded parts of the board some changes write into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardedWrites {
    /// Facilitator-only state (`facilitation`).
    pub facilitation: bool,
    /// Actions and decisions (`outcomes`).
    pub outcomes: bool,
    /// Participant ids whose dissent entries were written.
    pub dissent_of: BTreeSet<String>,
    /// Participant ids whose consent to be named (`named_consent`) was
    /// written; "" for such a write into something that is not a participant.
    pub consent_of: BTreeSet<String>,
}

impl GuardedWrites {
    /// Whether anything guarded was written at all.
    pub fn any(&self) -> bool {
        self.facilitation
            || self.outcomes
            || !self.dissent_of.is_empty()
            || !self.consent_of.is_empty()
    }
}

fn object_ids_under(doc: &AutoCommit, root: &ObjId, out: &mut BTreeSet<(u64, ActorId)>) {
    if let ObjId::Id(c, a, _) = root {
        out.insert((*c, a.clone()));
    }
    let keys: Vec<String> = doc.keys(root).collect();
    for k in keys {
        for (v, id) in doc.get_all(root, k.as_str()).unwrap_or_default() {
            if let Value::Object(_) = v {
                object_ids_under(doc, &id, out);
            }
        }
    }
}

/// What the changes made since `before` write into: facilitator-only state,
/// outcomes, and whose dissent. Read from the changes' operations, so an
/// overwritten or conflicting write counts as much as a visible one. The
/// extension genesis itself is not counted: anyone may create the maps.
pub fn guarded_writes(board: &mut Board, before: &[ChangeHash]) -> GuardedWrites {
    let mut out = GuardedWrites::default();
    let doc = board.doc_mut();
    let changes = doc.get_changes(before);
    if changes.is_empty() {
        return out;
    }
    let mut facil = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    let mut dissent_maps = BTreeSet::new();
    for (v, id) in doc.get_all(ROOT, FACILITATION).unwrap_or_default() {
        if let Value::Object(_) = v {
            object_ids_under(doc, &id, &mut facil);
        }
    }
    for (v, id) in doc.get_all(ROOT, OUTCOMES).unwrap_or_default() {
        if let Value::Object(_) = v {
            object_ids_under(doc, &id, &mut outcomes);
            if let Some(ds) = doc::object(doc, &id, DECISIONS) {
                for (_, d) in doc::children(doc, &ds) {
                    for (v, m) in doc.get_all(&d, decision::DISSENT).unwrap_or_default() {
                        if let (Value::Object(_), ObjId::Id(c, a, _)) = (v, &m) {
                            dissent_maps.insert((*c, a.clone()));
                        }
                    }
                }
            }
        }
    }
    let ext = extension_genesis_hash();
    let mut consent_objs = BTreeSet::new();
    for change in changes {
        if change.hash() == ext {
            continue;
        }
        let expanded = change.decode();
        for op in &expanded.operations {
            if let (
                automerge::legacy::Key::Map(k),
                automerge::legacy::ObjectId::Id(automerge::legacy::OpId(c, a)),
            ) = (&op.key, &op.obj)
                && k == schema::participant::NAMED_CONSENT
            {
                consent_objs.insert((*c, a.clone()));
            }
            match &op.obj {
                automerge::legacy::ObjectId::Root => {
                    if let automerge::legacy::Key::Map(k) = &op.key {
                        if k == FACILITATION {
                            out.facilitation = true;
                        } else if k == OUTCOMES {
                            out.outcomes = true;
                        }
                    }
                }
                automerge::legacy::ObjectId::Id(automerge::legacy::OpId(c, a)) => {
                    let key = (*c, a.clone());
                    if facil.contains(&key) {
                        out.facilitation = true;
                    }
                    if outcomes.contains(&key) {
                        out.outcomes = true;
                    }
                    if dissent_maps.contains(&key) {
                        match &op.key {
                            automerge::legacy::Key::Map(k) => {
                                out.dissent_of.insert(k.to_string());
                            }
                            _ => {
                                out.dissent_of.insert(String::new());
                            }
                        }
                    }
                }
            }
        }
    }
    if !consent_objs.is_empty() {
        if let Some(ps) = doc::object(doc, &ROOT, schema::PARTICIPANTS) {
            let ids: Vec<String> = doc.keys(&ps).collect();
            for id in ids {
                for (v, p) in doc.get_all(&ps, id.as_str()).unwrap_or_default() {
                    if let (Value::Object(_), ObjId::Id(c, a, _)) = (v, &p)
                        && consent_objs.remove(&(*c, a.clone()))
                    {
                        out.consent_of.insert(id.clone());
                    }
                }
            }
        }
        if !consent_objs.is_empty() {
            out.consent_of.insert(String::new());
        }
    }
    out
}

/// Checks `facilitation` and `outcomes` against their schema: every
/// register parses as its type, every action and decision has its fields.
pub fn validate_extension(board: &Board) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut bad = |path: String, problem: &str| {
        out.push(Violation {
            path,
            problem: problem.to_string(),
        })
    };
    let doc = board.doc();
    let limits = board.limits();
    for key in [FACILITATION, OUTCOMES] {
        match doc.get(ROOT, key) {
            Ok(None) => {}
            Ok(Some((Value::Object(ObjType::Map), _))) => {}
            _ => bad(format!("/{key}"), "must be a map"),
        }
    }
    if let Some(f) = doc::object(doc, &ROOT, FACILITATION) {
        for k in doc.keys(&f) {
            let path = format!("/{FACILITATION}/{k}");
            let Some(json) = string(doc, &f, &k) else {
                bad(path, "must be a string");
                continue;
            };
            if json.len() > MAX_REGISTER_BYTES {
                bad(path, "too large");
                continue;
            }
            let ok = match k.as_str() {
                reg::AGENDA => serde_json::from_str::<Agenda>(&json).is_ok(),
                reg::TIMER => serde_json::from_str::<Timer>(&json).is_ok(),
                reg::ROUND => serde_json::from_str::<Round>(&json).is_ok(),
                reg::VOTE => serde_json::from_str::<Vote>(&json).is_ok(),
                reg::IDEATION => serde_json::from_str::<Ideation>(&json).is_ok(),
                reg::GROUPS => serde_json::from_str::<Groups>(&json).is_ok(),
                reg::FOLLOW => serde_json::from_str::<Follow>(&json)
                    .is_ok_and(|f| f.x.is_finite() && f.y.is_finite() && f.zoom.is_finite()),
                reg::CHAIR => serde_json::from_str::<Chair>(&json).is_ok(),
                reg::SETTINGS => serde_json::from_str::<Settings>(&json).is_ok(),
                _ => {
                    bad(path, "unknown key");
                    continue;
                }
            };
            if !ok {
                bad(path, "not a valid value");
            }
        }
    }
    if let Some(o) = doc::object(doc, &ROOT, OUTCOMES) {
        for k in doc.keys(&o) {
            if k != ACTIONS && k != DECISIONS {
                bad(format!("/{OUTCOMES}/{k}"), "unknown key");
            }
        }
        let str_field = |obj: &ObjId, k: &str, max: usize| -> bool {
            string(doc, obj, k).is_some_and(|s| s.chars().count() <= max)
        };
        let common = |obj: &ObjId| {
            str_field(obj, schema::AUTHOR, 64)
                && doc::number(doc, obj, schema::CREATED_AT).is_some()
                && boolean(doc, obj, schema::DELETED).is_some()
        };
        for (kind, keys) in [(ACTIONS, &action::ALL[..]), (DECISIONS, &decision::ALL[..])] {
            let Some(c) = doc::object(doc, &o, kind) else {
                bad(format!("/{OUTCOMES}/{kind}"), "is missing");
                continue;
            };
            if doc.length(&c) > limits.max_items {
                bad(format!("/{OUTCOMES}/{kind}"), "too many items");
                continue;
            }
            for id in doc.keys(&c) {
                let path = format!("/{OUTCOMES}/{kind}/{id}");
                let Some(item) = doc::object(doc, &c, &id).filter(|_| check_id(&id).is_ok()) else {
                    bad(path, "must be a map with a valid id");
                    continue;
                };
                if doc.keys(&item).any(|k| !keys.contains(&k.as_str())) {
                    bad(path.clone(), "unknown key");
                }
                let max = limits.max_note_chars;
                let title = limits.max_title_chars;
                let ok = common(&item)
                    && if kind == ACTIONS {
                        string(doc, &item, action::SOURCE)
                            .is_some_and(|s| s.is_empty() || check_id(&s).is_ok())
                            && str_field(&item, action::TEXT, max)
                            && str_field(&item, action::OWNER, title)
                            && string(doc, &item, action::DEADLINE)
                                .is_some_and(|d| d.is_empty() || is_date(&d))
                            && str_field(&item, action::DONE_WHEN, max)
                            && string(doc, &item, action::STATUS)
                                .is_some_and(|s| ActionStatus::parse(&s).is_some())
                    } else {
                        str_field(&item, decision::TEXT, max)
                            && str_field(&item, decision::AGREEMENT, max)
                            && string(doc, &item, decision::ITEMS).is_some_and(|s| {
                                serde_json::from_str::<Vec<String>>(&s).is_ok_and(|v| {
                                    v.len() <= MAX_LIST && v.iter().all(|i| check_id(i).is_ok())
                                })
                            })
                            && doc::object(doc, &item, decision::DISSENT).is_some_and(|m| {
                                doc.keys(&m)
                                    .all(|p| check_id(&p).is_ok() && str_field(&m, &p, max))
                            })
                    };
                if !ok {
                    bad(path, "a field is missing or not valid");
                }
            }
        }
    }
    out
}

/// Whether an op needs the extension maps.
pub(crate) fn needs_extension(op: &Op) -> bool {
    matches!(op, Op::Facilitate { .. } | Op::Outcome { .. })
}
