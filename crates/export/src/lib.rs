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
//! | `md` | meeting minutes | [`minutes`] |
//! | `csv` | the notes, one a row | [`csv`] |
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
//! ## The JSON format (`format: "samskab-board"`, `version: 1`)
//! ```text
//! {
//!   "format": "samskab-board",      always this string
//!   "version": 1,                   bumped when the layout changes
//!   "title": str, "theme": str,     the board's title and question
//!   "language": str,                "da", "en" or ""
//!   "template": str, "created_at": int (ms since the Unix epoch),
//!   "participants": [ { "id", "name", "role": "citizen"|"politician"|"administrator"|"other", "color" } ],
//!   "frames":  [ { "id", "name", "x", "y", "w", "h", "color", "author" } ],
//!   "notes":   [ { "id", "text", "x", "y", "w", "h", "z", "color",
//!                  "frame": str|null, "author", "created_at", "edited_at" } ],
//!   "connectors": [ { "id", "from", "to", "label", "author" } ],
//!   "mindmaps": [ { "id", "root", "nodes": [ { "id", "text", "parent": str|null,
//!                  "order", "depth", "collapsed", "color", "author" } ] } ]
//! }
//! ```
//! Positions are absolute board units (a note in a frame too); colours are
//! `yellow`, `pink`, `blue`, `green`, `orange` or `purple`; nodes come in
//! pre-order (root first). `author` is a participant id. A public snapshot
//! (`Names::RoleGroups`) writes each author's role group instead and gives
//! participants no names. [`json::import`] turns this JSON back into a board.

pub mod csv;
pub mod history;
pub mod json;
pub mod minutes;
pub mod pdf;
pub mod raster;
pub mod svg;
pub mod text;

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

/// How people are named in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// Participants' names as they gave them.
    #[default]
    Real,
    /// Role groups only ("Borger", "Politiker"…): for public snapshots.
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
        Format::Csv => Ok(csv::notes_csv(board, opts).into_bytes()),
        Format::Json => Ok(json::to_json(board, opts.names).into_bytes()),
        Format::Automerge => Ok(board.save()),
    }
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
        (RoleGroup::Administrator, true) => "Administration",
        (RoleGroup::Other, true) => "Other",
    }
}

/// How an author shows up in text exports.
pub(crate) fn author_label(
    participants: &[ParticipantView],
    author: &str,
    names: Names,
    lang: &str,
) -> String {
    let p = participants.iter().find(|p| p.id == author);
    match (names, p) {
        (Names::Real, Some(p)) if !p.name.trim().is_empty() => text::clean(p.name.trim()),
        (Names::Real, _) => text::clean(author),
        (Names::RoleGroups, Some(p)) => role_label(p.role, lang).to_string(),
        (Names::RoleGroups, None) => role_label(RoleGroup::Other, lang).to_string(),
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
