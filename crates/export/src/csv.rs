//! CSV of the notes (RFC 4180: comma-separated, CRLF line ends, fields with
//! a comma, quote or line break in double quotes, quotes doubled).
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! (and is not a plain number) gets a leading `'` so that a spreadsheet shows it as text and never runs
//! it as a formula. Votes and actions get their own files once the model
//! holds them (it does not yet).
use samskab_board::Board;

use crate::text;
use crate::{Options, Scope, author_label, lang_of};

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

/// One cell, guarded and quoted.
pub fn cell(value: &str) -> String {
    let mut v = text::clean(value);
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) && v.parse::<f64>().is_err() {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

pub fn notes_csv(board: &Board, opts: &Options) -> String {
    let lang = lang_of(board, opts);
    let people = board.participants();
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
            author_label(&people, &n.author, opts.names, &lang),
            format!("{}", n.x),
            format!("{}", n.y),
            n.created_at.to_string(),
            n.edited_at.to_string(),
            n.frame.clone().unwrap_or_default(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

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
    }
}
