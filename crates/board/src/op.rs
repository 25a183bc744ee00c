//! Typed edits. Every change a person makes to a board is one [`Op`].
use serde::{Deserialize, Serialize};

/// A note's id: chosen by the client that creates it (random, URL-safe).
pub type NoteId = String;

/// Colours a note can have. Stored as their lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    #[default]
    Yellow,
    Pink,
    Blue,
    Green,
    Orange,
    Purple,
}

impl Color {
    pub const ALL: [Color; 6] = [
        Color::Yellow,
        Color::Pink,
        Color::Blue,
        Color::Green,
        Color::Orange,
        Color::Purple,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Color::Yellow => "yellow",
            Color::Pink => "pink",
            Color::Blue => "blue",
            Color::Green => "green",
            Color::Orange => "orange",
            Color::Purple => "purple",
        }
    }

    pub fn parse(s: &str) -> Option<Color> {
        Color::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The role group a participant belongs to. Shown as a colour; used for the
/// balance of contributions, never to rank people.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum RoleGroup {
    Citizen,
    Politician,
    Administrator,
    #[default]
    Other,
}

impl RoleGroup {
    pub const ALL: [RoleGroup; 4] = [
        RoleGroup::Citizen,
        RoleGroup::Politician,
        RoleGroup::Administrator,
        RoleGroup::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleGroup::Citizen => "citizen",
            RoleGroup::Politician => "politician",
            RoleGroup::Administrator => "administrator",
            RoleGroup::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<RoleGroup> {
        RoleGroup::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One user edit. Applied in exactly one place: [`crate::Board::apply`].
///
/// Positions in ops are absolute board coordinates; the model stores a
/// framed note's position relative to its frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    // The board
    SetTitle {
        title: String,
    },
    SetTheme {
        theme: String,
    },
    SetLanguage {
        language: String,
    },
    SetTemplate {
        template: String,
    },
    /// Adds or updates the participant making the edit (`Ctx::participant`).
    SetParticipant {
        name: String,
        role: RoleGroup,
        color: String,
    },
    /// Whether the participant making the edit (`Ctx::participant`, who must
    /// have joined with [`Op::SetParticipant`]) agrees to be named in public
    /// snapshots. Nobody can give or withdraw it for someone else: the op has
    /// no participant field, and the server refuses a change that writes
    /// another participant's consent.
    SetNameConsent {
        consent: bool,
    },

    // Sticky notes
    CreateNote {
        id: NoteId,
        x: f64,
        y: f64,
        color: Color,
        text: String,
    },
    /// Replace `delete` characters at `index` (Unicode scalar values) with `insert`.
    EditText {
        id: NoteId,
        index: usize,
        delete: usize,
        insert: String,
    },
    MoveNote {
        id: NoteId,
        x: f64,
        y: f64,
    },
    ResizeNote {
        id: NoteId,
        w: f64,
        h: f64,
    },
    RecolorNote {
        id: NoteId,
        color: Color,
    },
    /// Put the note on top of all others.
    BringToFront {
        id: NoteId,
    },
    /// Set the stacking order directly (undo of a restack).
    SetNoteZ {
        id: NoteId,
        z: f64,
    },
    DeleteNote {
        id: NoteId,
    },
    RestoreNote {
        id: NoteId,
    },
    /// Put a note into a frame (`None`: take it out). Its place on the board stays.
    SetNoteFrame {
        id: NoteId,
        frame: Option<String>,
    },

    // Frames
    CreateFrame {
        id: String,
        name: String,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Color,
    },
    RenameFrame {
        id: String,
        name: String,
    },
    /// Moves the frame; the notes in it move with it.
    MoveFrame {
        id: String,
        x: f64,
        y: f64,
    },
    ResizeFrame {
        id: String,
        w: f64,
        h: f64,
    },
    /// Deletes the frame; its notes stay where they are, outside any frame.
    DeleteFrame {
        id: String,
    },
    RestoreFrame {
        id: String,
    },

    // Connectors
    Connect {
        id: String,
        from: String,
        to: String,
        label: String,
    },
    SetConnectorLabel {
        id: String,
        label: String,
    },
    DeleteConnector {
        id: String,
    },
    RestoreConnector {
        id: String,
    },

    // Mind maps
    CreateMindMap {
        id: String,
        root: String,
        text: String,
    },
    /// Adds a node under `parent`; `order` places it among its siblings
    /// (use [`crate::order_between`] for "after this one").
    AddNode {
        map: String,
        id: String,
        parent: String,
        order: f64,
        text: String,
    },
    EditNodeText {
        map: String,
        id: String,
        index: usize,
        delete: usize,
        insert: String,
    },
    /// Moves a node (and its subtree) under another parent.
    Reparent {
        map: String,
        id: String,
        parent: String,
        order: f64,
    },
    /// Moves a node among its siblings.
    Reorder {
        map: String,
        id: String,
        order: f64,
    },
    SetCollapsed {
        map: String,
        id: String,
        collapsed: bool,
    },
    RecolorNode {
        map: String,
        id: String,
        color: Color,
    },
    /// Deletes a node and, in the view, its subtree.
    DeleteNode {
        map: String,
        id: String,
    },
    RestoreNode {
        map: String,
        id: String,
    },
    /// Turns a note into a mind-map node (the note is deleted).
    NoteToNode {
        note: NoteId,
        map: String,
        node: String,
        parent: String,
        order: f64,
    },
    /// Turns a node into a note at (x, y); its children move up to its parent.
    NodeToNote {
        map: String,
        node: String,
        note: NoteId,
        x: f64,
        y: f64,
    },

    // Facilitation (`crate::facilitation`)
    /// A facilitator's control: only facilitators' changes may carry it.
    Facilitate {
        act: crate::facilitation::FacilOp,
    },
    /// Actions and decisions.
    Outcome {
        act: crate::facilitation::OutcomeOp,
    },
}

impl Op {
    /// The op's name, as in its JSON form (`"op": "create_note"`): each
    /// change is named after its ops, and the history lists those names.
    pub fn name(&self) -> &'static str {
        match self {
            Op::SetTitle { .. } => "set_title",
            Op::SetTheme { .. } => "set_theme",
            Op::SetLanguage { .. } => "set_language",
            Op::SetTemplate { .. } => "set_template",
            Op::SetParticipant { .. } => "set_participant",
            Op::SetNameConsent { .. } => "set_name_consent",
            Op::CreateNote { .. } => "create_note",
            Op::EditText { .. } => "edit_text",
            Op::MoveNote { .. } => "move_note",
            Op::ResizeNote { .. } => "resize_note",
            Op::RecolorNote { .. } => "recolor_note",
            Op::BringToFront { .. } => "bring_to_front",
            Op::SetNoteZ { .. } => "set_note_z",
            Op::DeleteNote { .. } => "delete_note",
            Op::RestoreNote { .. } => "restore_note",
            Op::SetNoteFrame { .. } => "set_note_frame",
            Op::CreateFrame { .. } => "create_frame",
            Op::RenameFrame { .. } => "rename_frame",
            Op::MoveFrame { .. } => "move_frame",
            Op::ResizeFrame { .. } => "resize_frame",
            Op::DeleteFrame { .. } => "delete_frame",
            Op::RestoreFrame { .. } => "restore_frame",
            Op::Connect { .. } => "connect",
            Op::SetConnectorLabel { .. } => "set_connector_label",
            Op::DeleteConnector { .. } => "delete_connector",
            Op::RestoreConnector { .. } => "restore_connector",
            Op::CreateMindMap { .. } => "create_mind_map",
            Op::AddNode { .. } => "add_node",
            Op::EditNodeText { .. } => "edit_node_text",
            Op::Reparent { .. } => "reparent",
            Op::Reorder { .. } => "reorder",
            Op::SetCollapsed { .. } => "set_collapsed",
            Op::RecolorNode { .. } => "recolor_node",
            Op::DeleteNode { .. } => "delete_node",
            Op::RestoreNode { .. } => "restore_node",
            Op::NoteToNode { .. } => "note_to_node",
            Op::NodeToNote { .. } => "node_to_note",
            Op::Facilitate { .. } => "facilitate",
            Op::Outcome { .. } => "outcome",
        }
    }
}

/// Who makes an edit, and when. The model reads no clock of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// The participant id recorded as author.
    pub participant: String,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

impl Ctx {
    pub fn new(participant: impl Into<String>, now_ms: i64) -> Self {
        Ctx {
            participant: participant.into(),
            now_ms,
        }
    }
}

/// A sibling order strictly between `before` and `after` (either may be
/// missing: first or last place). Orders are plain numbers; ties between
/// concurrent inserts are broken by id when sorting.
pub fn order_between(before: Option<f64>, after: Option<f64>) -> f64 {
    match (before, after) {
        (None, None) => 0.0,
        (Some(b), None) => b.floor() + 1.0,
        (None, Some(a)) => a.ceil() - 1.0,
        (Some(b), Some(a)) => b + (a - b) / 2.0,
    }
}

/// The smallest single splice that turns `old` into `new`, in characters:
/// `(index, delete, insert)`. Used by text inputs that only report whole values.
pub fn text_splice(old: &str, new: &str) -> Option<(usize, usize, String)> {
    if old == new {
        return None;
    }
    let o: Vec<char> = old.chars().collect();
    let n: Vec<char> = new.chars().collect();
    let prefix = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let max_suffix = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let delete = o.len() - prefix - suffix;
    let insert: String = n[prefix..n.len() - suffix].iter().collect();
    Some((prefix, delete, insert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_finds_the_changed_middle() {
        assert_eq!(text_splice("abc", "abc"), None);
        assert_eq!(text_splice("abc", "abXc"), Some((2, 0, "X".into())));
        assert_eq!(text_splice("aaa", "aa"), Some((2, 1, String::new())));
        assert_eq!(text_splice("hej", "hæj"), Some((1, 1, "æ".into())));
        assert_eq!(text_splice("", "ø"), Some((0, 0, "ø".into())));
    }

    #[test]
    fn ops_round_trip_through_json() {
        let op = Op::EditText {
            id: "n1".into(),
            index: 3,
            delete: 1,
            insert: "å".into(),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.contains("\"op\":\"edit_text\""));
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }

    /// `Op::name` matches the serde tag of every variant, as serde lists
    /// them (a new variant with a mistyped name fails here).
    #[test]
    fn every_op_is_named_as_in_its_json() {
        let err = serde_json::from_str::<Op>(r#"{"op":"no_such_op"}"#)
            .unwrap_err()
            .to_string();
        let listed = err.split("expected one of").nth(1).unwrap();
        let tags: Vec<&str> = listed.split('`').skip(1).step_by(2).collect();
        assert_eq!(tags.len(), 39, "{err}");
        for tag in tags {
            // Every field any op has, with a value of the type it has there.
            let act = match tag {
                "outcome" => serde_json::json!({"kind": "create_action", "id": "a", "source": "",
                    "text": "", "owner": "", "deadline": "", "done_when": ""}),
                _ => serde_json::json!({"kind": "timer_pause"}),
            };
            let json = serde_json::json!({
                "op": tag, "act": act, "id": "a", "title": "t", "theme": "t", "language": "da",
                "template": "t", "name": "n", "role": "citizen", "color": "yellow",
                "consent": true, "x": 1.0, "y": 1.0, "w": 1.0, "h": 1.0, "z": 1.0,
                "text": "t", "index": 0, "delete": 0, "insert": "", "frame": null,
                "from": "a", "to": "b", "label": "", "root": "r", "map": "m", "parent": "p",
                "order": 1.0, "collapsed": false, "note": "n", "node": "d",
            });
            let op: Op = serde_json::from_value(json).unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(op.name(), tag);
        }
    }
}
