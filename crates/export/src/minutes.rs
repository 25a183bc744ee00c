//! Markdown minutes: title, the meeting's question, each mind map as a
//! nested outline, the notes grouped by frame.
//!
//! Votes, actions and decisions get their own sections as soon as the board
//! model holds them; a section with nothing in it is left out, and today's
//! model (schema 1) has none of the three, so they never appear yet.
use std::fmt::Write as _;

use samskab_board::Board;

use crate::text;
use crate::{ExportError, Options, Scope, author_label, lang_of};

/// Escapes user text for Markdown: one line, every character that Markdown
/// or HTML gives a meaning to made literal (HTML by entity, the rest by a
/// backslash), bidi controls removed. The result renders as the same text
/// and never as a link, tag, heading, list or emphasis.
pub fn md_escape(s: &str) -> String {
    let flat = text::clean(s).replace(['\n', '\t'], " ");
    let mut out = String::with_capacity(flat.len() + 8);
    for c in flat.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | ':' | '=' | '^' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

struct Words {
    minutes: &'static str,
    question: &'static str,
    mindmap: &'static str,
    notes: &'static str,
    no_frame: &'static str,
    empty: &'static str,
    count: &'static str,
}

fn words(lang: &str) -> Words {
    if lang == "en" {
        Words {
            minutes: "Minutes",
            question: "Question",
            mindmap: "Mind map",
            notes: "Notes",
            no_frame: "Outside frames",
            empty: "(empty)",
            count: "notes",
        }
    } else {
        Words {
            minutes: "Referat",
            question: "Spørgsmål",
            mindmap: "Tankekort",
            notes: "Noter",
            no_frame: "Uden for rammer",
            empty: "(tom)",
            count: "noter",
        }
    }
}

pub fn minutes(board: &Board, opts: &Options) -> Result<String, ExportError> {
    let lang = lang_of(board, opts);
    let w = words(&lang);
    let people = board.participants();
    let mut s = String::new();
    let title = md_escape(&board.title());
    let _ = writeln!(
        s,
        "# {}: {}\n",
        w.minutes,
        if title.is_empty() {
            w.empty
        } else {
            title.as_str()
        }
    );
    let theme = md_escape(&board.theme());
    if !theme.is_empty() {
        let _ = writeln!(s, "**{}:** {theme}\n", w.question);
    }
    let maps = match &opts.scope {
        Scope::MindMap(id) => vec![
            board
                .mindmap(id)
                .ok_or_else(|| ExportError::NotFound(format!("mind map {id}")))?,
        ],
        Scope::Frame(_) => Vec::new(),
        Scope::Board => board.mindmaps(),
    };
    for m in &maps {
        let root = m
            .nodes
            .first()
            .map(|n| md_escape(&n.text))
            .unwrap_or_default();
        let _ = writeln!(s, "## {}: {root}\n", w.mindmap);
        for n in m.nodes.iter().skip(1) {
            let text = md_escape(&n.text);
            let _ = writeln!(
                s,
                "{}- {}",
                "  ".repeat(n.depth.saturating_sub(1)),
                if text.is_empty() {
                    w.empty
                } else {
                    text.as_str()
                }
            );
        }
        s.push('\n');
    }
    if matches!(opts.scope, Scope::MindMap(_)) {
        return Ok(s);
    }
    let frames = board.frames();
    if let Scope::Frame(id) = &opts.scope
        && !frames.iter().any(|f| &f.id == id)
    {
        return Err(ExportError::NotFound(format!("frame {id}")));
    }
    let notes = board.notes();
    let mut groups: Vec<(String, Vec<&samskab_board::NoteView>)> = Vec::new();
    for f in frames
        .iter()
        .filter(|f| !matches!(&opts.scope, Scope::Frame(id) if id != &f.id))
    {
        let mut list: Vec<_> = notes
            .iter()
            .filter(|n| n.frame.as_ref() == Some(&f.id))
            .collect();
        list.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        let name = md_escape(&f.name);
        groups.push((
            if name.is_empty() {
                w.empty.into()
            } else {
                name
            },
            list,
        ));
    }
    if opts.scope == Scope::Board {
        let mut loose: Vec<_> = notes.iter().filter(|n| n.frame.is_none()).collect();
        loose.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        if !loose.is_empty() {
            groups.push((w.no_frame.into(), loose));
        }
    }
    if !groups.is_empty() {
        let _ = writeln!(s, "## {} ({} {})\n", w.notes, notes.len(), w.count);
    }
    for (name, list) in groups {
        let _ = writeln!(s, "### {name}\n");
        for n in list {
            let text = md_escape(&n.text);
            let who = md_escape(&author_label(&people, &n.author, opts.names, &lang));
            let _ = writeln!(
                s,
                "- {} — *{}*",
                if text.is_empty() {
                    w.empty
                } else {
                    text.as_str()
                },
                if who.is_empty() { "?" } else { who.as_str() }
            );
        }
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::md_escape;

    #[test]
    fn escaped_text_has_no_markup_left() {
        let e = md_escape("</text><script>alert(1)</script> [x](javascript:alert(1)) **b** # h");
        assert!(!e.contains('<') && !e.contains('>'));
        assert!(e.contains(r"\[x\]\(javascript\:alert\(1\)\)"));
        assert!(e.contains(r"\*\*b\*\*"));
        assert_eq!(md_escape("a\u{202E}b\nc"), "ab c");
        assert_eq!(md_escape("Æbler på øen"), "Æbler på øen");
    }
}
