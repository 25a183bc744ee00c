//! One test per conflict rule: two replicas make concurrent edits, merge both
//! ways, and must show the same valid board.
use samskab_board::{Board, Color, Ctx, Op, validate};

fn ctx(who: &str) -> Ctx {
    Ctx::new(who, 1_700_000_000_000)
}

/// A board with one note, one frame and a mind map (root "r", child "a",
/// grandchild "b", child "c"), and a second replica of it.
fn pair() -> (Board, Board) {
    let mut a = Board::new(&[1; 16]);
    let c = ctx("anna");
    for op in [
        Op::CreateNote {
            id: "n".into(),
            x: 10.0,
            y: 10.0,
            color: Color::Yellow,
            text: "idé".into(),
        },
        Op::CreateFrame {
            id: "f".into(),
            name: "Styrker".into(),
            x: 500.0,
            y: 0.0,
            w: 400.0,
            h: 400.0,
            color: Color::Green,
        },
        Op::CreateMindMap {
            id: "m".into(),
            root: "r".into(),
            text: "Tema".into(),
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
            parent: "a".into(),
            order: 0.0,
            text: "B".into(),
        },
        Op::AddNode {
            map: "m".into(),
            id: "c".into(),
            parent: "r".into(),
            order: 1.0,
            text: "C".into(),
        },
    ] {
        a.apply(&op, &c).unwrap();
    }
    let b = Board::load(&a.save(), &[2; 16]).unwrap();
    (a, b)
}

/// Merges both ways and checks both replicas agree and are valid.
fn merge(a: &mut Board, b: &mut Board) {
    a.doc_mut().merge(b.doc_mut()).unwrap();
    b.doc_mut().merge(a.doc_mut()).unwrap();
    assert_eq!(a.notes(), b.notes());
    assert_eq!(a.frames(), b.frames());
    assert_eq!(a.mindmaps(), b.mindmaps());
    assert_eq!(a.connectors(), b.connectors());
    validate(a, a.limits()).unwrap();
}

fn parent_of(board: &Board, node: &str) -> Option<String> {
    board
        .mindmap("m")
        .unwrap()
        .nodes
        .into_iter()
        .find(|n| n.id == node)
        .and_then(|n| n.parent)
}

#[test]
fn move_vs_delete_delete_wins_and_undo_brings_back_the_moved_note() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::MoveNote {
            id: "n".into(),
            x: 300.0,
            y: 40.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(&Op::DeleteNote { id: "n".into() }, &ctx("bo"))
        .unwrap();
    merge(&mut a, &mut b);
    assert!(a.note("n").is_none());
    b.apply(&Op::RestoreNote { id: "n".into() }, &ctx("bo"))
        .unwrap();
    let n = b.note("n").unwrap();
    assert_eq!(
        (n.x, n.y),
        (300.0, 40.0),
        "Anna's move is kept inside the tombstone"
    );
}

#[test]
fn edit_vs_delete_delete_wins_and_the_text_is_kept() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::EditText {
            id: "n".into(),
            index: 3,
            delete: 0,
            insert: " om unge".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(&Op::DeleteNote { id: "n".into() }, &ctx("bo"))
        .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.note_count(), 0);
    a.apply(&Op::RestoreNote { id: "n".into() }, &ctx("anna"))
        .unwrap();
    assert_eq!(a.note("n").unwrap().text, "idé om unge");
}

#[test]
fn concurrent_reparents_that_would_form_a_cycle_are_cut_at_the_smallest_id() {
    let (mut a, mut b) = pair();
    // Anna moves a under c; Bo moves c under b (which is under a): a cycle a→c→b→a.
    a.apply(
        &Op::Reparent {
            map: "m".into(),
            id: "a".into(),
            parent: "c".into(),
            order: 0.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::Reparent {
            map: "m".into(),
            id: "c".into(),
            parent: "b".into(),
            order: 0.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let map = a.mindmap("m").unwrap();
    assert_eq!(map.nodes.len(), 4, "every node is still in the tree");
    assert_eq!(
        parent_of(&a, "a").as_deref(),
        Some("r"),
        "the cycle is cut at 'a'"
    );
    assert_eq!(parent_of(&a, "c").as_deref(), Some("b"));
    assert_eq!(parent_of(&a, "b").as_deref(), Some("a"));
}

#[test]
fn a_node_added_under_a_concurrently_deleted_node_moves_up_to_the_nearest_live_ancestor() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::AddNode {
            map: "m".into(),
            id: "new".into(),
            parent: "b".into(),
            order: 0.0,
            text: "ny".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::DeleteNode {
            map: "m".into(),
            id: "a".into(),
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let ids: Vec<String> = a
        .mindmap("m")
        .unwrap()
        .nodes
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(
        ids,
        vec!["r", "new", "c"],
        "a and b are deleted; Anna's node is kept under the root"
    );
    // Reparenting under a node deleted concurrently behaves the same way.
    let (mut a, mut b) = pair();
    a.apply(
        &Op::Reparent {
            map: "m".into(),
            id: "c".into(),
            parent: "b".into(),
            order: 0.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::DeleteNode {
            map: "m".into(),
            id: "b".into(),
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(parent_of(&a, "c").as_deref(), Some("a"));
}

#[test]
fn two_people_reordering_the_same_siblings_agree_on_one_order() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::Reorder {
            map: "m".into(),
            id: "c".into(),
            order: -1.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::Reorder {
            map: "m".into(),
            id: "a".into(),
            order: 5.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    b.apply(
        &Op::Reorder {
            map: "m".into(),
            id: "c".into(),
            order: 9.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let kids: Vec<String> = a
        .mindmap("m")
        .unwrap()
        .nodes
        .into_iter()
        .filter(|n| n.depth == 1)
        .map(|n| n.id)
        .collect();
    assert_eq!(kids.len(), 2);
    // Equal orders are broken by id, so even a tie gives one order everywhere.
    let (mut a, mut b) = pair();
    a.apply(
        &Op::Reorder {
            map: "m".into(),
            id: "c".into(),
            order: 0.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let kids: Vec<String> = b
        .mindmap("m")
        .unwrap()
        .nodes
        .into_iter()
        .filter(|n| n.depth == 1)
        .map(|n| n.id)
        .collect();
    assert_eq!(kids, vec!["a", "c"]);
}

#[test]
fn notes_in_a_frame_move_with_it_even_when_added_concurrently() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::MoveFrame {
            id: "f".into(),
            x: 600.0,
            y: 100.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::MoveNote {
            id: "n".into(),
            x: 520.0,
            y: 30.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    b.apply(
        &Op::SetNoteFrame {
            id: "n".into(),
            frame: Some("f".into()),
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let n = a.note("n").unwrap();
    assert_eq!(n.frame.as_deref(), Some("f"));
    assert_eq!(
        (n.x, n.y),
        (620.0, 130.0),
        "the note keeps its place in the frame"
    );
}

#[test]
fn a_note_put_into_a_frame_deleted_concurrently_stays_where_it_was() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::MoveNote {
            id: "n".into(),
            x: 550.0,
            y: 50.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    a.apply(
        &Op::SetNoteFrame {
            id: "n".into(),
            frame: Some("f".into()),
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(&Op::DeleteFrame { id: "f".into() }, &ctx("bo"))
        .unwrap();
    merge(&mut a, &mut b);
    let n = a.note("n").unwrap();
    assert_eq!(n.frame, None);
    assert_eq!((n.x, n.y), (550.0, 50.0));
}

#[test]
fn a_connector_to_a_deleted_note_is_hidden_and_returns_with_the_note() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::Connect {
            id: "k".into(),
            from: "n".into(),
            to: "a".into(),
            label: "fører til".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(&Op::DeleteNote { id: "n".into() }, &ctx("bo"))
        .unwrap();
    merge(&mut a, &mut b);
    assert!(a.connectors().is_empty());
    b.apply(&Op::RestoreNote { id: "n".into() }, &ctx("bo"))
        .unwrap();
    assert_eq!(b.connectors()[0].label, "fører til");
}

#[test]
fn local_edits_that_would_break_the_board_are_refused_and_change_nothing() {
    let (mut a, _) = pair();
    let before = a.save();
    let c = ctx("anna");
    let refused = [
        Op::Reparent {
            map: "m".into(),
            id: "a".into(),
            parent: "b".into(),
            order: 0.0,
        },
        Op::Reparent {
            map: "m".into(),
            id: "r".into(),
            parent: "a".into(),
            order: 0.0,
        },
        Op::DeleteNode {
            map: "m".into(),
            id: "r".into(),
        },
        Op::Connect {
            id: "k".into(),
            from: "n".into(),
            to: "nope".into(),
            label: String::new(),
        },
        Op::Connect {
            id: "k".into(),
            from: "n".into(),
            to: "n".into(),
            label: String::new(),
        },
        Op::CreateNote {
            id: "bad id!".into(),
            x: 0.0,
            y: 0.0,
            color: Color::Blue,
            text: String::new(),
        },
        Op::CreateNote {
            id: "n".into(),
            x: 0.0,
            y: 0.0,
            color: Color::Blue,
            text: String::new(),
        },
        Op::MoveNote {
            id: "n".into(),
            x: f64::NAN,
            y: 0.0,
        },
        Op::EditText {
            id: "n".into(),
            index: 99,
            delete: 0,
            insert: "x".into(),
        },
        Op::EditText {
            id: "n".into(),
            index: 0,
            delete: 0,
            insert: "x".repeat(5000),
        },
        Op::ResizeNote {
            id: "n".into(),
            w: 1.0,
            h: 1.0,
        },
    ];
    for op in refused {
        assert!(a.apply(&op, &c).is_err(), "{op:?} must be refused");
    }
    assert_eq!(a.save(), before);
}

#[test]
fn a_note_becomes_a_node_and_back() {
    let (mut a, _) = pair();
    let c = ctx("anna");
    a.apply(
        &Op::NoteToNode {
            note: "n".into(),
            map: "m".into(),
            node: "nn".into(),
            parent: "a".into(),
            order: 3.0,
        },
        &c,
    )
    .unwrap();
    assert!(a.note("n").is_none());
    assert_eq!(parent_of(&a, "nn").as_deref(), Some("a"));
    a.apply(
        &Op::NodeToNote {
            map: "m".into(),
            node: "a".into(),
            note: "back".into(),
            x: 5.0,
            y: 5.0,
        },
        &c,
    )
    .unwrap();
    assert_eq!(a.note("back").unwrap().text, "A");
    assert_eq!(
        parent_of(&a, "nn").as_deref(),
        Some("r"),
        "children of the converted node move up"
    );
    assert_eq!(parent_of(&a, "b").as_deref(), Some("r"));
    validate(&a, a.limits()).unwrap();
}

#[test]
fn a_merged_mind_map_lays_out_every_shown_node_without_overlap() {
    let (mut a, mut b) = pair();
    a.apply(
        &Op::Reparent {
            map: "m".into(),
            id: "a".into(),
            parent: "c".into(),
            order: 0.0,
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::Reparent {
            map: "m".into(),
            id: "c".into(),
            parent: "b".into(),
            order: 0.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let map = a.mindmap("m").unwrap();
    let size = |_: &samskab_board::NodeView| samskab_board::layout::Size { w: 120.0, h: 40.0 };
    let placed = map.layout(size, samskab_board::layout::Spacing::default());
    assert_eq!(placed.len(), map.nodes.len());
    for (i, p) in placed.iter().enumerate() {
        for q in &placed[i + 1..] {
            let apart =
                p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
            assert!(apart, "{} overlaps {}", p.id, q.id);
        }
    }
}
