//! # samskab-export
//!
//! Snapshots of a board out, and back in. Every format reads the model only
//! through `samskab_board`'s read views.
//!
//! | format | what | made by |
//! | --- | --- | --- |
//! | `svg` | what the board looks like | [`svg::Scene`] (the one renderer) |
//! | `png` | the same, as pixels | `resvg` from the SVG (feature `png`) |
//! | `pdf` | the same, paged on A4 or A3 | `svg2pdf` from the SVG (feature `pdf`) |
//! | `md` | meeting minutes: agenda, notes, mind maps, vote results, decisions with dissent, actions | [`minutes`] |
//! | `csv` | one table: notes, votes, actions or decisions ([`CsvTable`]) | [`csv`] |
//! | `json` | everything readable, documented below | [`json`] |
//! | `automerge` | the document with its whole history | `Board::save` |
//!
//! A scope picks the whole board, one frame (`Scope::Frame`) or one mind map
//! (`Scope::MindMap`). The crate builds for `wasm32-unknown-unknown` without
//! default features (SVG, Markdown, CSV, JSON): the browser exports those
//! offline.
//!
//! ## Safety
//! Text from users is never markup. SVG escapes every character XML gives a
//! meaning to; Markdown escapes every character Markdown and HTML give a
//! meaning to; CSV quotes per RFC 4180 and puts `'` before a cell that starts
//! with `=`, `+`, `-`, `@`, tab or carriage return (spreadsheet formula
//! injection). In every format the bidirectional embedding, override and
//! isolate controls (U+202A–U+202E, U+2066–U+2069) are removed from the
//! visible text (the `.automerge` and JSON exports keep the document's text
//! exactly, as data). Servers should send exports with
//! `X-Content-Type-Options: nosniff` and a `Content-Security-Policy` with
//! `sandbox` (the server does).
//!
//! ## Fonts
//! PNG and PDF use the shipped DejaVu Sans (`fonts/`, Bitstream Vera
//! licence), so the output does not depend on the machine. SVG names the
//! same family with `sans-serif` as the fallback.
//!
//! ## Names
//! [`Names::Real`] shows participants' names; [`Names::RoleGroups`] (public
//! snapshots) shows each person's role group instead, except the
//! participants who agreed to be named (`named_consent`, which only they can
//! set). When the board is in anonymous mode (`Settings.anonymous`), no
//! export names any author, whatever was asked: no name and no role group
//! either (in a small meeting a role group is often one person), and
//! consent does not lift it. Vote tallies per role group are kept (counts the
//! facilitator chose to show), and so are actions' owners (who took a task
//! on, not who wrote an idea; with role groups, an owner written as the
//! name of a participant who did not consent shows as their role group).
//! The JSON lists only the participants who may be named (nobody in
//! anonymous mode). The SVG, PNG and PDF show no authors at all.
//!
//! ## The JSON format (`format: "samskab-board"`, `version: 2`)
//! ```text
//! {
//!   "format": "samskab-board",      always this string
//!   "version": 2,                   bumped when the layout changes (1 is still imported)
//!   "title": str, "theme": str,     the board's title and question
//!   "language": str,                "da", "en" or ""
//!   "template": str, "created_at": int (ms since the Unix epoch),
//!   "participants": [ { "id", "name", "role": "citizen"|"politician"|"administrator"|"other", "color",
//!                       "named_consent": bool } ],
//!   "frames":  [ { "id", "name", "x", "y", "w", "h", "color", "author" } ],
//!   "notes":   [ { "id", "text", "x", "y", "w", "h", "z", "color",
//!                  "frame": str|null, "author", "created_at", "edited_at" } ],
//!   "connectors": [ { "id", "from", "to", "label", "author" } ],
//!   "mindmaps": [ { "id", "root", "nodes": [ { "id", "text", "parent": str|null,
//!                  "order", "depth", "collapsed", "color", "author" } ] } ],
//!   -- version 2 adds (all optional on import) --
//!   "anonymous": bool,              the board's anonymous mode
//!   "agenda": { "items": [ { "id", "title" } ], "current": str ("" for none) },
//!   "votes": [ { "id", "items": [str], "dots": int (per person), "by_role": bool,
//!                "voters": int, "results": [ { "item", "total",
//!                "by_role": { "citizen": int, … } (only when by_role) } ] } ],
//!   "actions": [ { "id", "source": str|null (note or node id), "text", "owner",
//!                  "deadline": "YYYY-MM-DD"|"", "done_when",
//!                  "status": "open"|"doing"|"done"|"dropped", "author", "created_at" } ],
//!   "decisions": [ { "id", "text", "agreement", "items": [str],
//!                    "dissent": [ { "by", "text" } ], "author", "created_at" } ]
//! }
//! ```
//! Positions are absolute board units (a note in a frame too); colours are
//! `yellow`, `pink`, `blue`, `green`, `orange` or `purple`; nodes come in
//! pre-order (root first). `votes` holds the revealed vote only (an open
//! vote's dots are never in the board), most dots first. `author` and a
//! dissent's `by` are participant ids. A public snapshot
//! (`Names::RoleGroups`) writes each author's role group instead, except for
//! participants who agreed to be named, and lists only those participants;
//! in anonymous mode every author is "". [`json::import`] turns this JSON
//! back into a board, actions, decisions (each dissent as its dissenter's;
//! a dissent by "" or by a role group named twice gets a key of its own,
//! such as `Borger-2`), the agenda, the vote's results and anonymous mode
//! included.

pub mod csv;
pub mod history;
pub mod json;
pub mod minutes;
pub mod pdf;
pub mod raster;
pub mod svg;
pub mod text;

pub use csv::CsvTable;
use samskab_board::{Board, ParticipantView, RoleGroup};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("unknown format {0:?}: use png, svg, pdf, md, csv, json or automerge")]
    UnknownFormat(String),
    #[error("this build cannot make {0}")]
    Unsupported(&'static str),
    #[error("rendering failed: {0}")]
    Render(String),
    #[error("not a board export: {0}")]
    BadInput(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Pdf,
    Markdown,
    Csv,
    Json,
    Automerge,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Png,
        Format::Svg,
        Format::Pdf,
        Format::Markdown,
        Format::Csv,
        Format::Json,
        Format::Automerge,
    ];

    pub fn parse(s: &str) -> Result<Format, ExportError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "png" => Format::Png,
            "svg" => Format::Svg,
            "pdf" => Format::Pdf,
            "md" | "markdown" => Format::Markdown,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "automerge" => Format::Automerge,
            _ => return Err(ExportError::UnknownFormat(s.chars().take(40).collect())),
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Automerge => "automerge",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
            Format::Pdf => "application/pdf",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Automerge => "application/octet-stream",
        }
    }
}

/// What part of the board an image, PDF or minutes cover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Board,
    Frame(String),
    MindMap(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    A3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    Portrait,
    #[default]
    Landscape,
}

/// How people are named in the output (anonymous mode overrides both; see
/// the crate docs, "Names").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// Participants' names as they gave them.
    #[default]
    Real,
    /// Role groups ("Borger", "Politiker"…) for everyone who has not agreed
    /// to be named: for public snapshots.
    RoleGroups,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    pub scope: Scope,
    pub paper: Paper,
    pub orientation: Orientation,
    pub names: Names,
    /// "da" or "en" for headings; empty: the board's language, else Danish.
    pub language: String,
    /// Which table a CSV export holds (notes unless told).
    pub table: CsvTable,
}

/// Makes one export. `.automerge` needs `&mut` for `save`.
pub fn export(board: &mut Board, format: Format, opts: &Options) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Svg => Ok(svg::Scene::build(board, &opts.scope)?.to_svg().into_bytes()),
        Format::Png => raster::png(&svg::Scene::build(board, &opts.scope)?.to_svg(), 1.0),
        Format::Pdf => pdf::pdf(
            &svg::Scene::build(board, &opts.scope)?,
            opts.paper,
            opts.orientation,
        ),
        Format::Markdown => Ok(minutes::minutes(board, opts)?.into_bytes()),
        Format::Csv => Ok(csv::table(board, opts)?.into_bytes()),
        Format::Json => Ok(json::to_json(board, opts.names).into_bytes()),
        Format::Automerge => Ok(board.save()),
    }
}

/// A download name from a board's title, the same on the server and in the
/// browser: the title's ASCII letters and digits, runs joined by `-`, at
/// most 60 characters; "samskab" when nothing is left.
pub fn file_name(title: &str, format: Format) -> String {
    let mut stem = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    stem.truncate(60);
    if stem.is_empty() {
        stem = "samskab".into();
    }
    format!("{stem}.{}", format.extension())
}

/// The role group's label in a language ("da" or anything else: English).
pub fn role_label(role: RoleGroup, lang: &str) -> &'static str {
    match (role, lang == "en") {
        (RoleGroup::Citizen, false) => "Borger",
        (RoleGroup::Politician, false) => "Politiker",
        (RoleGroup::Administrator, false) => "Forvaltning",
        (RoleGroup::Other, false) => "Anden",
        (RoleGroup::Citizen, true) => "Citizen",
        (RoleGroup::Politician, true) => "Politician",
        (RoleGroup::Administrator, true) => "Administrator",
        (RoleGroup::Other, true) => "Other",
    }
}

/// Who is named, and how, in one export: the [`Names`] asked for, each
/// participant's consent to be named and the board's anonymous mode.
///
/// - [`Names::Real`]: names as given.
/// - [`Names::RoleGroups`]: each person's role group ("Borger"…), except
///   participants who agreed to be named (`named_consent`), who keep their name.
/// - Anonymous mode (`Settings.anonymous`) overrides both, and consent too:
///   no author at all, not even a role group (in a small meeting a role group
///   is often one person). Vote tallies by role group stay: they are counts
///   the facilitator chose to show, never per person.
///
/// An action's owner is who took it on, not an author, so anonymous mode
/// keeps it; with role groups, an owner written as the exact name of a
/// participant who did not consent becomes that person's role group.
#[derive(Debug, Clone)]
pub(crate) struct Naming {
    pub people: Vec<ParticipantView>,
    pub names: Names,
    pub anonymous: bool,
    pub lang: String,
}

impl Naming {
    pub fn new(board: &Board, names: Names, lang: &str) -> Naming {
        Naming {
            people: board.participants(),
            names,
            anonymous: board.facilitation().settings.anonymous,
            lang: lang.to_string(),
        }
    }

    fn person(&self, id: &str) -> Option<&ParticipantView> {
        self.people.iter().find(|p| p.id == id)
    }

    /// Whether this participant's real name may appear.
    pub fn named(&self, p: &ParticipantView) -> bool {
        !self.anonymous && (self.names == Names::Real || p.named_consent)
    }

    /// How an author shows up in text exports; `None` in anonymous mode.
    pub fn label(&self, author: &str) -> Option<String> {
        if self.anonymous {
            return None;
        }
        Some(match self.person(author) {
            Some(p) if self.named(p) && !p.name.trim().is_empty() => text::clean(p.name.trim()),
            Some(p) if self.named(p) => text::clean(author),
            Some(p) => role_label(p.role, &self.lang).to_string(),
            None if self.names == Names::Real => text::clean(author),
            None => role_label(RoleGroup::Other, &self.lang).to_string(),
        })
    }

    /// An author as a data field (JSON): the participant id when the person
    /// may be named, else the role group's label, "" in anonymous mode.
    pub fn author_field(&self, author: &str) -> String {
        if self.anonymous {
            return String::new();
        }
        match self.person(author) {
            Some(p) if self.named(p) => author.to_string(),
            None if self.names == Names::Real => author.to_string(),
            _ => self.label(author).unwrap_or_default(),
        }
    }

    /// The participants a data export lists: everyone who may be named
    /// (nobody in anonymous mode).
    pub fn listed(&self) -> Vec<ParticipantView> {
        self.people
            .iter()
            .filter(|p| self.named(p))
            .cloned()
            .collect()
    }

    /// An action's owner (free text) as it may be shown.
    pub fn owner(&self, owner: &str) -> String {
        let wanted = text::lowercase(owner.trim());
        match self
            .people
            .iter()
            .find(|p| !p.name.trim().is_empty() && text::lowercase(p.name.trim()) == wanted)
        {
            Some(p) if self.names == Names::RoleGroups && !p.named_consent => {
                role_label(p.role, &self.lang).to_string()
            }
            _ => owner.to_string(),
        }
    }
}

pub(crate) fn lang_of(board: &Board, opts: &Options) -> String {
    if !opts.language.is_empty() {
        return opts.language.clone();
    }
    match board.language().as_str() {
        "en" => "en".into(),
        _ => "da".into(),
    }
}

/// The text of every note and mind-map node by id: what votes, actions and
/// decisions refer to.
pub(crate) fn item_texts(board: &Board) -> std::collections::HashMap<String, String> {
    let mut out: std::collections::HashMap<String, String> =
        board.notes().into_iter().map(|n| (n.id, n.text)).collect();
    for m in board.mindmaps() {
        for n in m.nodes {
            out.entry(n.id).or_insert(n.text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use samskab_board::facilitation::{FacilOp, Settings};
    use samskab_board::{Board, Ctx, Op, RoleGroup};

    use super::{Format, Names, Naming, file_name};

    #[test]
    fn file_names_keep_ascii_words() {
        assert_eq!(
            file_name("Blåbærgrød på Ærø!", Format::Markdown),
            "Bl-b-rgr-d-p-r.md"
        );
        assert_eq!(file_name("  ", Format::Svg), "samskab.svg");
        assert_eq!(file_name(&"a".repeat(80), Format::Csv).len(), 64);
    }

    fn board() -> Board {
        let mut b = Board::create(&[1; 16], "Møde", &Ctx::new("anna", 1)).unwrap();
        for (id, name, role) in [
            ("anna", "Anna", RoleGroup::Citizen),
            ("bo", "Bo", RoleGroup::Politician),
        ] {
            let op = Op::SetParticipant {
                name: name.into(),
                role,
                color: String::new(),
            };
            b.apply(&op, &Ctx::new(id, 1)).unwrap();
        }
        b.apply(&Op::SetNameConsent { consent: true }, &Ctx::new("anna", 1))
            .unwrap();
        b
    }

    #[test]
    fn role_groups_keep_the_names_of_those_who_agreed_and_anonymous_mode_names_nobody() {
        let mut b = board();
        let real = Naming::new(&b, Names::Real, "da");
        assert_eq!(real.label("bo").as_deref(), Some("Bo"));
        assert_eq!(real.label("stranger").as_deref(), Some("stranger"));
        assert_eq!(real.listed().len(), 2);

        let public = Naming::new(&b, Names::RoleGroups, "da");
        assert_eq!(public.label("anna").as_deref(), Some("Anna"));
        assert_eq!(public.label("bo").as_deref(), Some("Politiker"));
        assert_eq!(public.label("stranger").as_deref(), Some("Anden"));
        assert_eq!(public.author_field("anna"), "anna");
        assert_eq!(public.author_field("bo"), "Politiker");
        assert_eq!(public.owner(" bo "), "Politiker");
        assert_eq!(public.owner("Anna"), "Anna");
        assert_eq!(public.owner("Kommunen"), "Kommunen");
        let listed: Vec<String> = public.listed().into_iter().map(|p| p.id).collect();
        assert_eq!(listed, ["anna"]);

        let settings = Settings {
            anonymous: true,
            ..Settings::default()
        };
        b.apply(
            &Op::Facilitate {
                act: FacilOp::SetSettings { settings },
            },
            &Ctx::new("anna", 2),
        )
        .unwrap();
        for names in [Names::Real, Names::RoleGroups] {
            let anon = Naming::new(&b, names, "da");
            assert_eq!(anon.label("anna"), None);
            assert_eq!(anon.label("bo"), None);
            assert_eq!(anon.author_field("anna"), "");
            assert!(anon.listed().is_empty());
            assert_eq!(
                anon.owner("Bo"),
                if names == Names::Real {
                    "Bo"
                } else {
                    "Politiker"
                }
            );
        }
    }
}
