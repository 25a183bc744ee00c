//! Markdown minutes: title, the meeting's question, the agenda (the current
//! item marked), each mind map as a nested outline, the notes grouped by
//! frame, then the meeting's outcomes:
//!
//! - **vote results**: each item of the revealed vote with its dots, and per
//!   role group when the vote was split by role group (never per person);
//! - **decisions**: the text, the agreement, the ideas it covers, and each
//!   dissent in the dissenter's own words (named as the export names people);
//! - **actions**: the text with its owner, deadline, "done when" and status,
//!   and the note or node it came from.
//!
//! A section with nothing in it is left out. The agenda and the outcomes
//! belong to the whole board, so minutes of one frame or one mind map leave
//! them out. Every piece of user text goes through [`md_escape`]; authors
//! follow the export's naming (role groups, consent, anonymous mode: none).
use std::fmt::Write as _;

use samskab_board::facilitation::{ActionStatus, VoteState};
use samskab_board::{Board, RoleGroup};

use crate::text;
use crate::{ExportError, Naming, Options, Scope, lang_of, role_label};

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
    agenda: &'static str,
    current: &'static str,
    votes: &'static str,
    voters: &'static str,
    dots: &'static str,
    decisions: &'static str,
    agreement: &'static str,
    covers: &'static str,
    dissent: &'static str,
    actions: &'static str,
    owner: &'static str,
    deadline: &'static str,
    done_when: &'static str,
    status: &'static str,
    source: &'static str,
    nobody: &'static str,
}

fn status_label(s: ActionStatus, lang: &str) -> &'static str {
    match (s, lang == "en") {
        (ActionStatus::Open, false) => "åben",
        (ActionStatus::Doing, false) => "i gang",
        (ActionStatus::Done, false) => "færdig",
        (ActionStatus::Dropped, false) => "droppet",
        (ActionStatus::Open, true) => "open",
        (ActionStatus::Doing, true) => "in progress",
        (ActionStatus::Done, true) => "done",
        (ActionStatus::Dropped, true) => "dropped",
    }
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
            agenda: "Agenda",
            current: "current item",
            votes: "Vote results",
            voters: "voters",
            dots: "dots each",
            decisions: "Decisions",
            agreement: "Agreement",
            covers: "Covers",
            dissent: "Dissent",
            actions: "Actions",
            owner: "Owner",
            deadline: "Deadline",
            done_when: "Done when",
            status: "Status",
            source: "From",
            nobody: "(none)",
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
            agenda: "Dagsorden",
            current: "aktuelt punkt",
            votes: "Afstemningsresultat",
            voters: "stemte",
            dots: "prikker hver",
            decisions: "Beslutninger",
            agreement: "Enighed",
            covers: "Omfatter",
            dissent: "Uenighed",
            actions: "Handlinger",
            owner: "Ansvarlig",
            deadline: "Frist",
            done_when: "Færdig når",
            status: "Status",
            source: "Fra",
            nobody: "(ingen)",
        }
    }
}

pub fn minutes(board: &Board, opts: &Options) -> Result<String, ExportError> {
    let lang = lang_of(board, opts);
    let w = words(&lang);
    let naming = Naming::new(board, opts.names, &lang);
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
    if opts.scope == Scope::Board {
        agenda(&mut s, board, &w);
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
        samskab_board::sort::sort_by(&mut list, |a, b| {
            a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x))
        });
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
        samskab_board::sort::sort_by(&mut loose, |a, b| {
            a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x))
        });
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
            let text = if text.is_empty() {
                w.empty
            } else {
                text.as_str()
            };
            match naming.label(&n.author).map(|l| md_escape(&l)) {
                Some(who) => {
                    let who = if who.is_empty() { "?" } else { who.as_str() };
                    let _ = writeln!(s, "- {text} — *{who}*");
                }
                None => {
                    let _ = writeln!(s, "- {text}");
                }
            }
        }
        s.push('\n');
    }
    if opts.scope == Scope::Board {
        let texts = crate::item_texts(board);
        let item = |id: &str| -> String {
            let t = texts
                .get(id)
                .map(|t| md_escape(t))
                .unwrap_or_else(|| md_escape(id));
            if t.is_empty() { w.empty.into() } else { t }
        };
        votes(&mut s, board, &w, &lang, &item);
        decisions(&mut s, board, &w, &naming, &item);
        actions(&mut s, board, &w, &lang, &naming, &item);
    }
    Ok(s)
}

fn agenda(s: &mut String, board: &Board, w: &Words) {
    let a = board.facilitation().agenda;
    if a.items.is_empty() {
        return;
    }
    let _ = writeln!(s, "## {}\n", w.agenda);
    for (i, item) in a.items.iter().enumerate() {
        let title = md_escape(&item.title);
        let title = if title.is_empty() {
            w.empty
        } else {
            title.as_str()
        };
        if item.id == a.current {
            let _ = writeln!(s, "{}. **{title}** ({})", i + 1, w.current);
        } else {
            let _ = writeln!(s, "{}. {title}", i + 1);
        }
    }
    s.push('\n');
}

fn votes(s: &mut String, board: &Board, w: &Words, lang: &str, item: &dyn Fn(&str) -> String) {
    let v = board.vote();
    if v.state != VoteState::Revealed || v.results.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "## {} ({} {}, {} {})\n",
        w.votes, v.voters, w.voters, v.dots, w.dots
    );
    for t in &v.results {
        let _ = writeln!(s, "- {}: **{}**", item(&t.item), t.total);
        if v.by_role {
            for r in RoleGroup::ALL {
                let n = t.by_role.get(&r).copied().unwrap_or(0);
                let _ = writeln!(s, "  - {}: {n}", role_label(r, lang));
            }
        }
    }
    s.push('\n');
}

fn decisions(
    s: &mut String,
    board: &Board,
    w: &Words,
    naming: &Naming,
    item: &dyn Fn(&str) -> String,
) {
    let list = board.decisions();
    if list.is_empty() {
        return;
    }
    let _ = writeln!(s, "## {}\n", w.decisions);
    for d in &list {
        let text = md_escape(&d.text);
        let _ = writeln!(s, "- {}", if text.is_empty() { w.empty } else { &text });
        let agreement = md_escape(&d.agreement);
        if !agreement.is_empty() {
            let _ = writeln!(s, "  - {}: {agreement}", w.agreement);
        }
        if !d.items.is_empty() {
            let items: Vec<String> = d.items.iter().map(|i| item(i)).collect();
            let _ = writeln!(s, "  - {}: {}", w.covers, items.join("; "));
        }
        if !d.dissent.is_empty() {
            let _ = writeln!(s, "  - {}:", w.dissent);
            for (who, words) in &d.dissent {
                let words = md_escape(words);
                match naming.label(who).map(|l| md_escape(&l)) {
                    Some(who) => {
                        let _ = writeln!(s, "    - *{who}*: {words}");
                    }
                    None => {
                        let _ = writeln!(s, "    - {words}");
                    }
                }
            }
        }
    }
    s.push('\n');
}

fn actions(
    s: &mut String,
    board: &Board,
    w: &Words,
    lang: &str,
    naming: &Naming,
    item: &dyn Fn(&str) -> String,
) {
    let list = board.actions();
    if list.is_empty() {
        return;
    }
    let _ = writeln!(s, "## {}\n", w.actions);
    let or_none = |t: String| {
        if t.is_empty() {
            w.nobody.to_string()
        } else {
            t
        }
    };
    for a in &list {
        let text = md_escape(&a.text);
        let _ = writeln!(s, "- {}", if text.is_empty() { w.empty } else { &text });
        for (k, v) in [
            (w.owner, or_none(md_escape(&naming.owner(&a.owner)))),
            (w.deadline, or_none(md_escape(&a.deadline))),
            (w.done_when, or_none(md_escape(&a.done_when))),
            (w.status, status_label(a.status, lang).to_string()),
        ] {
            let _ = writeln!(s, "  - {k}: {v}");
        }
        if let Some(src) = &a.source {
            let _ = writeln!(s, "  - {}: {}", w.source, item(src));
        }
    }
    s.push('\n');
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
