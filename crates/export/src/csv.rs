//! CSV tables (RFC 4180: comma-separated, CRLF line ends, fields with a
//! comma, quote or line break in double quotes, quotes doubled), one table
//! a file, chosen by [`CsvTable`]:
//!
//! - `notes`: one row per note ([`NOTE_COLUMNS`]);
//! - `votes`: one row per item of the revealed vote ([`VOTE_COLUMNS`]): its
//!   dots in total and, when the vote was split by role group, per group
//!   (empty cells otherwise). Never per person;
//! - `actions`: one row per action ([`ACTION_COLUMNS`]);
//! - `decisions`: one row per decision ([`DECISION_COLUMNS`]), each dissent
//!   on its own line inside the `dissent` cell, in the dissenter's words.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! (and is not a plain number) gets a leading `'` so that a spreadsheet shows
//! it as text and never runs it as a formula. Authors follow the export's
//! naming (role groups, consent, anonymous mode: empty).
use samskab_board::facilitation::VoteState;
use samskab_board::{Board, RoleGroup};

use crate::text;
use crate::{ExportError, Naming, Options, Scope, lang_of};

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvTable {
    #[default]
    Notes,
    Votes,
    Actions,
    Decisions,
}

impl CsvTable {
    pub const ALL: [CsvTable; 4] = [
        CsvTable::Notes,
        CsvTable::Votes,
        CsvTable::Actions,
        CsvTable::Decisions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CsvTable::Notes => "notes",
            CsvTable::Votes => "votes",
            CsvTable::Actions => "actions",
            CsvTable::Decisions => "decisions",
        }
    }

    pub fn parse(s: &str) -> Result<CsvTable, ExportError> {
        CsvTable::ALL
            .into_iter()
            .find(|t| t.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| {
                ExportError::BadInput(format!(
                    "unknown table {:?}: use notes, votes, actions or decisions",
                    s.chars().take(40).collect::<String>()
                ))
            })
    }
}

/// The table `opts.table` of `board`.
pub fn table(board: &Board, opts: &Options) -> Result<String, ExportError> {
    if opts.table != CsvTable::Notes && opts.scope != Scope::Board {
        return Err(ExportError::BadInput(format!(
            "the {} table covers the whole board: leave out frame and mind map",
            opts.table.as_str()
        )));
    }
    Ok(match opts.table {
        CsvTable::Notes => notes_csv(board, opts),
        CsvTable::Votes => votes_csv(board, opts),
        CsvTable::Actions => actions_csv(board, opts),
        CsvTable::Decisions => decisions_csv(board, opts),
    })
}

pub const NOTE_COLUMNS: [&str; 10] = [
    "id",
    "frame",
    "text",
    "color",
    "author",
    "x",
    "y",
    "created_at",
    "edited_at",
    "frame_id",
];

/// One cell, guarded and quoted: a cell a spreadsheet would read as a
/// formula gets a leading `'`, unless it is a plain number (`-120.5`).
pub fn cell(value: &str) -> String {
    let mut v = text::clean(value);
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(&v) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A decimal number as a person writes one: a sign, digits with at most
/// one `.`, an optional exponent (`-120.5`, `+3`, `1e-3`). Not `inf` or
/// `NaN`, which a spreadsheet would take for names. (Written out rather
/// than `str::parse::<f64>`: that parser's tables are 10 KB of the web
/// app's download, and this was its only user.)
fn is_plain_number(s: &str) -> bool {
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int = digits(&b[i..]);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = digits(&b[i + 1..]);
        i += 1 + frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp = digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

pub fn notes_csv(board: &Board, opts: &Options) -> String {
    let naming = Naming::new(board, opts.names, &lang_of(board, opts));
    let frames = board.frames();
    let mut out = row(&NOTE_COLUMNS.map(String::from));
    for n in board.notes() {
        if let Scope::Frame(id) = &opts.scope
            && n.frame.as_ref() != Some(id)
        {
            continue;
        }
        let frame_name = n
            .frame
            .as_ref()
            .and_then(|f| frames.iter().find(|x| &x.id == f))
            .map(|f| f.name.clone())
            .unwrap_or_default();
        out.push_str(&row(&[
            n.id.clone(),
            frame_name,
            n.text.clone(),
            n.color.as_str().into(),
            naming.label(&n.author).unwrap_or_default(),
            format!("{}", n.x),
            format!("{}", n.y),
            n.created_at.to_string(),
            n.edited_at.to_string(),
            n.frame.clone().unwrap_or_default(),
        ]));
    }
    out
}

pub const VOTE_COLUMNS: [&str; 10] = [
    "vote",
    "item",
    "item_text",
    "total",
    "citizen",
    "politician",
    "administrator",
    "other",
    "voters",
    "dots_each",
];

pub fn votes_csv(board: &Board, _opts: &Options) -> String {
    let mut out = row(&VOTE_COLUMNS.map(String::from));
    let vote = board.vote();
    if vote.state != VoteState::Revealed {
        return out;
    }
    let texts = crate::item_texts(board);
    for t in &vote.results {
        let mut cells = vec![
            vote.id.clone(),
            t.item.clone(),
            texts.get(&t.item).cloned().unwrap_or_default(),
            t.total.to_string(),
        ];
        for r in RoleGroup::ALL {
            cells.push(if vote.by_role {
                t.by_role.get(&r).copied().unwrap_or(0).to_string()
            } else {
                String::new()
            });
        }
        cells.push(vote.voters.to_string());
        cells.push(vote.dots.to_string());
        out.push_str(&row(&cells));
    }
    out
}

pub const ACTION_COLUMNS: [&str; 10] = [
    "id",
    "text",
    "owner",
    "deadline",
    "done_when",
    "status",
    "source",
    "source_text",
    "author",
    "created_at",
];

pub fn actions_csv(board: &Board, opts: &Options) -> String {
    let naming = Naming::new(board, opts.names, &lang_of(board, opts));
    let texts = crate::item_texts(board);
    let mut out = row(&ACTION_COLUMNS.map(String::from));
    for a in board.actions() {
        let source = a.source.clone().unwrap_or_default();
        out.push_str(&row(&[
            a.id.clone(),
            a.text.clone(),
            naming.owner(&a.owner),
            a.deadline.clone(),
            a.done_when.clone(),
            a.status.as_str().into(),
            source.clone(),
            texts.get(&source).cloned().unwrap_or_default(),
            naming.label(&a.author).unwrap_or_default(),
            a.created_at.to_string(),
        ]));
    }
    out
}

pub const DECISION_COLUMNS: [&str; 8] = [
    "id",
    "text",
    "agreement",
    "items",
    "dissent_count",
    "dissent",
    "author",
    "created_at",
];

pub fn decisions_csv(board: &Board, opts: &Options) -> String {
    let naming = Naming::new(board, opts.names, &lang_of(board, opts));
    let texts = crate::item_texts(board);
    let mut out = row(&DECISION_COLUMNS.map(String::from));
    for d in board.decisions() {
        let items: Vec<String> = d
            .items
            .iter()
            .map(|i| texts.get(i).cloned().unwrap_or_else(|| i.clone()))
            .collect();
        let dissent: Vec<String> = d
            .dissent
            .iter()
            .map(|(who, words)| match naming.label(who) {
                Some(name) => format!("{name}: {words}"),
                None => words.clone(),
            })
            .collect();
        out.push_str(&row(&[
            d.id.clone(),
            d.text.clone(),
            d.agreement.clone(),
            items.join("; "),
            d.dissent.len().to_string(),
            dissent.join("\n"),
            naming.label(&d.author).unwrap_or_default(),
            d.created_at.to_string(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cell, is_plain_number};

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+A1"), "'+A1");
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("-120.5"), "-120.5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("-inf"), "'-inf");
        assert_eq!(cell("+45 12 34 56"), "'+45 12 34 56");
        assert_eq!(cell("-1e3"), "-1e3");
    }

    #[test]
    fn plain_numbers_are_what_a_person_writes() {
        for yes in [
            "0", "-1", "+3", "-120.5", ".5", "-5.", "1e3", "-2.5E-7", "+1e+2",
        ] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in [
            "", "-", "+", ".", "-.", "1e", "1e+", "--1", "1-2", "-1+2", "1.2.3", "inf", "-inf",
            "NaN", "0x10", "1 2", "-1,5", "=1", "1e3.5",
        ] {
            assert!(!is_plain_number(no), "{no}");
        }
    }
}
