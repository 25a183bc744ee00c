//! Validation of incoming changes: `validate_changes` (what the server runs,
//! at the cost of the change) must refuse exactly what `validate` (the whole
//! board) refuses, for every kind of schema breach.
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use samskab_board::{Board, Color, Ctx, Limits, Op, validate, validate_changes};

fn base() -> Board {
    let mut b = Board::new(&[1; 16]);
    let c = Ctx::new("p", 0);
    for op in [
        Op::CreateNote {
            id: "n".into(),
            x: 0.0,
            y: 0.0,
            color: Color::Blue,
            text: "x".into(),
        },
        Op::CreateFrame {
            id: "f".into(),
            name: "F".into(),
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 100.0,
            color: Color::Blue,
        },
        Op::CreateMindMap {
            id: "m".into(),
            root: "r".into(),
            text: "T".into(),
        },
        Op::AddNode {
            map: "m".into(),
            id: "a".into(),
            parent: "r".into(),
            order: 0.0,
            text: "A".into(),
        },
    ] {
        b.apply(&op, &c).unwrap();
    }
    b
}

fn obj(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    let mut o = ROOT;
    for key in path {
        o = doc.get(&o, *key).unwrap().unwrap().1;
    }
    o
}

type Breach = fn(&mut AutoCommit);

#[test]
fn incremental_validation_refuses_what_full_validation_refuses() {
    let breaches: Vec<(&str, Breach)> = vec![
        ("unknown root key", |d| d.put(ROOT, "evil", 1).unwrap()),
        ("note field of the wrong type", |d| {
            let n = obj(d, &["notes", "n"]);
            d.put(&n, "x", "far away").unwrap();
        }),
        ("unknown key in a note", |d| {
            let n = obj(d, &["notes", "n"]);
            d.put(&n, "script", "<script>").unwrap();
        }),
        ("a note that is not a map", |d| {
            let n = obj(d, &["notes"]);
            d.put(&n, "n2", 5).unwrap();
        }),
        ("frame colour unknown", |d| {
            let f = obj(d, &["frames", "f"]);
            d.put(&f, "color", "chartreuse").unwrap();
        }),
        ("node text too long", |d| {
            let t = obj(d, &["mindmaps", "m", "nodes", "a", "text"]);
            d.splice_text(&t, 0, 0, &"x".repeat(3000)).unwrap();
        }),
        ("mind map root of the wrong type", |d| {
            let m = obj(d, &["mindmaps", "m"]);
            d.put(&m, "root", 42).unwrap();
        }),
        ("new node missing its fields", |d| {
            let nodes = obj(d, &["mindmaps", "m", "nodes"]);
            d.put_object(&nodes, "b", ObjType::Map).unwrap();
        }),
        ("meta title replaced by a number", |d| {
            let m = obj(d, &["meta"]);
            d.put(&m, "title", 7).unwrap();
        }),
        ("schema version changed", |d| {
            d.put(ROOT, "schema_version", 99_u64).unwrap()
        }),
        ("participant with an unknown role", |d| {
            let ps = obj(d, &["participants"]);
            let p = d.put_object(&ps, "p1", ObjType::Map).unwrap();
            d.put(&p, "name", "x").unwrap();
            d.put(&p, "role", "king").unwrap();
            d.put(&p, "color", "#000").unwrap();
        }),
    ];
    let limits = Limits::default();
    for (what, breach) in breaches {
        let mut b = base();
        let before = b.heads();
        breach(b.doc_mut());
        b.doc_mut().commit();
        assert!(
            validate(&b, &limits).is_err(),
            "{what}: full validation must refuse it"
        );
        let err = validate_changes(&mut b, &before, &limits).expect_err(what);
        assert!(!err.violations.is_empty(), "{what}");

        // The server's path: the breach arrives as a change on a board that
        // was marked before it arrived (the recorded, cheap diff).
        let mut server = base();
        let marked = server.mark();
        assert_eq!(marked, before);
        let changes = b.doc_mut().get_changes(&before);
        server.doc_mut().apply_changes(changes).unwrap();
        assert_ne!(server.heads(), marked, "{what}: the change arrived");
        let err = validate_changes(&mut server, &marked, &limits).expect_err(what);
        assert!(!err.violations.is_empty(), "{what} (marked)");
    }
    // A marked board still sees a good remote change as good, and a second
    // change after a new mark is judged on its own.
    let mut client = base();
    let mut server = base();
    let marked = server.mark();
    client
        .apply(
            &Op::EditText {
                id: "n".into(),
                index: 0,
                delete: 0,
                insert: "hej".into(),
            },
            &Ctx::new("p", 1),
        )
        .unwrap();
    let changes = client.doc_mut().get_changes(&marked);
    server.doc_mut().apply_changes(changes).unwrap();
    validate_changes(&mut server, &marked, &limits).unwrap();
    let marked = server.mark();
    let before = client.heads();
    let ps = obj(client.doc_mut(), &["participants"]);
    let p = client
        .doc_mut()
        .put_object(&ps, "p2", ObjType::Map)
        .unwrap();
    client.doc_mut().put(&p, "role", "king").unwrap();
    client.doc_mut().commit();
    let changes = client.doc_mut().get_changes(&before);
    server.doc_mut().apply_changes(changes).unwrap();
    validate_changes(&mut server, &marked, &limits).expect_err("unknown role after a mark");
    // And a good change passes both.
    let mut b = base();
    let before = b.heads();
    b.apply(
        &Op::MoveNote {
            id: "n".into(),
            x: 5.0,
            y: 5.0,
        },
        &Ctx::new("p", 0),
    )
    .unwrap();
    validate(&b, &limits).unwrap();
    validate_changes(&mut b, &before, &limits).unwrap();
}
