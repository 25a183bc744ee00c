//! Per-person undo: undoing my edit never removes someone else's work, even
//! when they have edited since.
use samskab_board::{Board, Color, Ctx, History, Op, validate};

fn ctx(who: &str) -> Ctx {
    Ctx::new(who, 1_700_000_000_000)
}

fn sync(a: &mut Board, b: &mut Board) {
    a.doc_mut().merge(b.doc_mut()).unwrap();
    b.doc_mut().merge(a.doc_mut()).unwrap();
}

fn note(id: &str, text: &str) -> Op {
    Op::CreateNote {
        id: id.into(),
        x: 0.0,
        y: 0.0,
        color: Color::Yellow,
        text: text.into(),
    }
}

fn type_at(id: &str, index: usize, text: &str) -> Op {
    Op::EditText {
        id: id.into(),
        index,
        delete: 0,
        insert: text.into(),
    }
}

#[test]
fn undoing_my_typing_keeps_the_text_others_typed_since() {
    let mut anna = Board::new(&[1; 16]);
    let mut hist = History::new();
    hist.apply(&mut anna, &note("n", "Idé"), &ctx("anna"))
        .unwrap();
    hist.apply(&mut anna, &type_at("n", 3, " om unge"), &ctx("anna"))
        .unwrap();
    let mut bo = Board::load(&anna.save(), &[2; 16]).unwrap();
    // Bo types at the start and in the middle of Anna's insertion's neighbourhood.
    bo.apply(&type_at("n", 0, "Bo: "), &ctx("bo")).unwrap();
    bo.apply(&type_at("n", 15, "!"), &ctx("bo")).unwrap();
    sync(&mut anna, &mut bo);
    assert_eq!(anna.note("n").unwrap().text, "Bo: Idé om unge!");

    assert!(hist.undo(&mut anna, &ctx("anna")).unwrap().is_some());
    assert_eq!(
        anna.note("n").unwrap().text,
        "Bo: Idé!",
        "only Anna's ' om unge' goes"
    );
    hist.redo(&mut anna, &ctx("anna")).unwrap();
    assert_eq!(anna.note("n").unwrap().text, "Bo: Idé om unge!");
    hist.undo(&mut anna, &ctx("anna")).unwrap();
    // Undoing the creation would delete Bo's text: the step is skipped.
    assert_eq!(hist.undo(&mut anna, &ctx("anna")).unwrap(), None);
    assert_eq!(anna.note("n").unwrap().text, "Bo: Idé!");
}

#[test]
fn undoing_my_move_does_not_override_a_later_move_by_someone_else() {
    let mut anna = Board::new(&[1; 16]);
    let mut hist = History::new();
    hist.apply(&mut anna, &note("n", "a"), &ctx("anna"))
        .unwrap();
    hist.apply(&mut anna, &note("m", "b"), &ctx("anna"))
        .unwrap();
    hist.apply(
        &mut anna,
        &Op::MoveNote {
            id: "n".into(),
            x: 100.0,
            y: 100.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    hist.apply(
        &mut anna,
        &Op::MoveNote {
            id: "m".into(),
            x: 50.0,
            y: 50.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    let mut bo = Board::load(&anna.save(), &[2; 16]).unwrap();
    bo.apply(
        &Op::MoveNote {
            id: "m".into(),
            x: 900.0,
            y: 900.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    sync(&mut anna, &mut bo);
    // My last move (of m) was overridden by Bo: undo skips it and undoes my move of n.
    hist.undo(&mut anna, &ctx("anna")).unwrap();
    let (n, m) = (anna.note("n").unwrap(), anna.note("m").unwrap());
    assert_eq!((n.x, n.y), (0.0, 0.0));
    assert_eq!((m.x, m.y), (900.0, 900.0), "Bo's move stays");
}

#[test]
fn undoing_a_delete_brings_back_the_note_with_everyones_edits() {
    let mut anna = Board::new(&[1; 16]);
    let mut hist = History::new();
    anna.apply(&note("n", "x"), &ctx("anna")).unwrap();
    let mut bo = Board::load(&anna.save(), &[2; 16]).unwrap();
    hist.apply(&mut anna, &Op::DeleteNote { id: "n".into() }, &ctx("anna"))
        .unwrap();
    bo.apply(&type_at("n", 1, "yz"), &ctx("bo")).unwrap();
    sync(&mut anna, &mut bo);
    assert!(anna.note("n").is_none());
    hist.undo(&mut anna, &ctx("anna")).unwrap();
    assert_eq!(anna.note("n").unwrap().text, "xyz");
}

#[test]
fn undoing_a_node_keeps_children_others_added_under_it() {
    let mut anna = Board::new(&[1; 16]);
    let mut hist = History::new();
    anna.apply(
        &Op::CreateMindMap {
            id: "m".into(),
            root: "r".into(),
            text: "T".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    hist.apply(
        &mut anna,
        &Op::AddNode {
            map: "m".into(),
            id: "a".into(),
            parent: "r".into(),
            order: 0.0,
            text: "A".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    let mut bo = Board::load(&anna.save(), &[2; 16]).unwrap();
    bo.apply(
        &Op::AddNode {
            map: "m".into(),
            id: "b".into(),
            parent: "a".into(),
            order: 0.0,
            text: "B".into(),
        },
        &ctx("bo"),
    )
    .unwrap();
    sync(&mut anna, &mut bo);
    assert_eq!(
        hist.undo(&mut anna, &ctx("anna")).unwrap(),
        None,
        "A has Bo's child: undo skips"
    );
    assert_eq!(anna.mindmap("m").unwrap().nodes.len(), 3);
}

#[test]
fn undo_and_redo_of_a_subtree_delete_and_a_frame_delete() {
    let mut b = Board::new(&[1; 16]);
    let mut hist = History::new();
    let c = ctx("anna");
    b.apply(
        &Op::CreateMindMap {
            id: "m".into(),
            root: "r".into(),
            text: "T".into(),
        },
        &c,
    )
    .unwrap();
    b.apply(
        &Op::AddNode {
            map: "m".into(),
            id: "a".into(),
            parent: "r".into(),
            order: 0.0,
            text: "A".into(),
        },
        &c,
    )
    .unwrap();
    b.apply(
        &Op::AddNode {
            map: "m".into(),
            id: "b".into(),
            parent: "a".into(),
            order: 0.0,
            text: "B".into(),
        },
        &c,
    )
    .unwrap();
    b.apply(
        &Op::CreateFrame {
            id: "f".into(),
            name: "F".into(),
            x: 100.0,
            y: 100.0,
            w: 300.0,
            h: 300.0,
            color: Color::Blue,
        },
        &c,
    )
    .unwrap();
    b.apply(&note("n", "in frame"), &c).unwrap();
    b.apply(
        &Op::SetNoteFrame {
            id: "n".into(),
            frame: Some("f".into()),
        },
        &c,
    )
    .unwrap();

    hist.apply(
        &mut b,
        &Op::DeleteNode {
            map: "m".into(),
            id: "a".into(),
        },
        &c,
    )
    .unwrap();
    hist.apply(&mut b, &Op::DeleteFrame { id: "f".into() }, &c)
        .unwrap();
    assert_eq!(b.mindmap("m").unwrap().nodes.len(), 1);
    assert_eq!(b.note("n").unwrap().frame, None);

    hist.undo(&mut b, &c).unwrap();
    assert_eq!(
        b.note("n").unwrap().frame.as_deref(),
        Some("f"),
        "the note is back in its frame"
    );
    hist.undo(&mut b, &c).unwrap();
    assert_eq!(
        b.mindmap("m").unwrap().nodes.len(),
        3,
        "the subtree is back"
    );
    hist.redo(&mut b, &c).unwrap();
    assert_eq!(b.mindmap("m").unwrap().nodes.len(), 1);
    validate(&b, b.limits()).unwrap();
}

#[test]
fn every_kind_of_edit_can_be_undone_back_to_the_start() {
    let mut b = Board::new(&[1; 16]);
    let c = ctx("anna");
    b.apply(
        &Op::CreateMindMap {
            id: "m".into(),
            root: "r".into(),
            text: "T".into(),
        },
        &c,
    )
    .unwrap();
    b.apply(
        &Op::CreateFrame {
            id: "f".into(),
            name: "F".into(),
            x: 0.0,
            y: 0.0,
            w: 300.0,
            h: 300.0,
            color: Color::Blue,
        },
        &c,
    )
    .unwrap();
    let start_notes = b.notes();
    let start_frames = b.frames();
    let start_map = b.mindmap("m");
    let start_title = b.title();
    let mut hist = History::new();
    let ops = vec![
        Op::SetTitle { title: "Ny".into() },
        note("n", "tekst"),
        type_at("n", 5, " mere"),
        Op::EditText {
            id: "n".into(),
            index: 0,
            delete: 2,
            insert: "T".into(),
        },
        Op::MoveNote {
            id: "n".into(),
            x: 40.0,
            y: 40.0,
        },
        Op::ResizeNote {
            id: "n".into(),
            w: 300.0,
            h: 300.0,
        },
        Op::RecolorNote {
            id: "n".into(),
            color: Color::Pink,
        },
        Op::BringToFront { id: "n".into() },
        Op::SetNoteFrame {
            id: "n".into(),
            frame: Some("f".into()),
        },
        Op::RenameFrame {
            id: "f".into(),
            name: "Svagheder".into(),
        },
        Op::MoveFrame {
            id: "f".into(),
            x: 10.0,
            y: 10.0,
        },
        Op::ResizeFrame {
            id: "f".into(),
            w: 500.0,
            h: 500.0,
        },
        Op::AddNode {
            map: "m".into(),
            id: "a".into(),
            parent: "r".into(),
            order: 0.0,
            text: "A".into(),
        },
        Op::AddNode {
            map: "m".into(),
            id: "b".into(),
            parent: "r".into(),
            order: 1.0,
            text: "B".into(),
        },
        Op::EditNodeText {
            map: "m".into(),
            id: "a".into(),
            index: 1,
            delete: 0,
            insert: "!".into(),
        },
        Op::Reparent {
            map: "m".into(),
            id: "b".into(),
            parent: "a".into(),
            order: 0.0,
        },
        Op::Reorder {
            map: "m".into(),
            id: "a".into(),
            order: 4.0,
        },
        Op::SetCollapsed {
            map: "m".into(),
            id: "a".into(),
            collapsed: true,
        },
        Op::RecolorNode {
            map: "m".into(),
            id: "a".into(),
            color: Color::Green,
        },
        Op::Connect {
            id: "k".into(),
            from: "n".into(),
            to: "a".into(),
            label: "L".into(),
        },
        Op::SetConnectorLabel {
            id: "k".into(),
            label: "M".into(),
        },
        Op::DeleteConnector { id: "k".into() },
        Op::NoteToNode {
            note: "n".into(),
            map: "m".into(),
            node: "nn".into(),
            parent: "r".into(),
            order: 9.0,
        },
        Op::NodeToNote {
            map: "m".into(),
            node: "nn".into(),
            note: "n2".into(),
            x: 1.0,
            y: 1.0,
        },
        Op::DeleteNote { id: "n2".into() },
    ];
    for op in &ops {
        hist.apply(&mut b, op, &c)
            .unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
    while hist.undo(&mut b, &c).unwrap().is_some() {}
    assert_eq!(b.title(), start_title);
    assert_eq!(b.notes(), start_notes);
    assert_eq!(b.frames(), start_frames);
    assert_eq!(b.mindmap("m"), start_map);
    assert!(b.connectors().is_empty());
    validate(&b, b.limits()).unwrap();
}

#[test]
fn a_burst_of_typing_undoes_as_one_step_and_a_pause_splits_it() {
    let mut b = Board::new(&[1; 16]);
    let mut hist = History::new();
    hist.apply(&mut b, &note("n", ""), &ctx("anna")).unwrap();
    for (i, ch) in "Hej".chars().enumerate() {
        let c = Ctx::new("anna", 1_000 + i as i64 * 200);
        hist.apply(&mut b, &type_at("n", i, &ch.to_string()), &c)
            .unwrap();
    }
    let later = Ctx::new("anna", 10_000);
    hist.apply(&mut b, &type_at("n", 3, " alle"), &later)
        .unwrap();
    hist.undo(&mut b, &later).unwrap();
    assert_eq!(b.note("n").unwrap().text, "Hej");
    hist.undo(&mut b, &later).unwrap();
    assert_eq!(b.note("n").unwrap().text, "");
    hist.redo(&mut b, &later).unwrap();
    assert_eq!(b.note("n").unwrap().text, "Hej");
}
