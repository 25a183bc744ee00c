//! Documents saved by earlier versions must keep loading and reading the
//! same. `fixtures/v<SCHEMA_VERSION>-board.automerge` is a board saved by
//! this code, next to `…-board.json`, what it must read as. A schema change
//! that cannot read them fails here; add a migration, never edit the files.
//!
//! `SAMSKAB_WRITE_FIXTURES=1 cargo test -p samskab-board --test fixtures`
//! writes the fixtures of the current schema version (once per version).
use std::path::PathBuf;

use samskab_board::{Board, Color, Ctx, Op, RoleGroup, schema, validate};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A board with something of every kind, in Danish.
fn sample() -> Board {
    let c = Ctx::new("p-anna", 1_767_225_600_000);
    let mut b = Board::create(&[0x11; 16], "Borgerinddragelse i Albertslund", &c).unwrap();
    let ops = [
        Op::SetTheme {
            theme: "Hvornår skal borgerne inddrages?".into(),
        },
        Op::SetLanguage {
            language: "da".into(),
        },
        Op::SetTemplate {
            template: "swot".into(),
        },
        Op::SetParticipant {
            name: "Anna".into(),
            role: RoleGroup::Citizen,
            color: "#d94f70".into(),
        },
        Op::CreateFrame {
            id: "styrker".into(),
            name: "Styrker".into(),
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 400.0,
            color: Color::Green,
        },
        Op::CreateNote {
            id: "n1".into(),
            x: 20.0,
            y: 60.0,
            color: Color::Yellow,
            text: "Tidlig inddragelse skaber tillid".into(),
        },
        Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some("styrker".into()),
        },
        Op::CreateNote {
            id: "n2".into(),
            x: 700.0,
            y: 60.0,
            color: Color::Pink,
            text: "Æøå: ungdomsrådet skal høres".into(),
        },
        Op::CreateNote {
            id: "n3".into(),
            x: 700.0,
            y: 300.0,
            color: Color::Blue,
            text: "slettet".into(),
        },
        Op::DeleteNote { id: "n3".into() },
        Op::CreateMindMap {
            id: "referat".into(),
            root: "rod".into(),
            text: "Møde 1".into(),
        },
        Op::AddNode {
            map: "referat".into(),
            id: "k1".into(),
            parent: "rod".into(),
            order: 0.0,
            text: "Hvem deltager?".into(),
        },
        Op::AddNode {
            map: "referat".into(),
            id: "k2".into(),
            parent: "k1".into(),
            order: 0.0,
            text: "Unge".into(),
        },
        Op::SetCollapsed {
            map: "referat".into(),
            id: "k1".into(),
            collapsed: true,
        },
        Op::Connect {
            id: "c1".into(),
            from: "n1".into(),
            to: "k1".into(),
            label: "fører til".into(),
        },
    ];
    for op in ops {
        b.apply(&op, &c).unwrap();
    }
    b
}

fn reading(b: &Board) -> Value {
    json!({
        "title": b.title(),
        "theme": b.theme(),
        "language": b.language(),
        "template": b.template(),
        "created_at": b.created_at(),
        "participants": b.participants(),
        "notes": b.notes(),
        "frames": b.frames(),
        "connectors": b.connectors(),
        "mindmaps": b.mindmaps(),
    })
}

#[test]
fn fixtures_saved_by_earlier_versions_still_load_and_read_the_same() {
    let dir = dir();
    if std::env::var("SAMSKAB_WRITE_FIXTURES").is_ok() {
        let mut b = sample();
        let v = schema::SCHEMA_VERSION;
        std::fs::write(dir.join(format!("v{v}-board.automerge")), b.save()).unwrap();
        let pretty = serde_json::to_string_pretty(&reading(&b)).unwrap();
        std::fs::write(dir.join(format!("v{v}-board.json")), pretty + "\n").unwrap();
    }
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("automerge") {
            continue;
        }
        found += 1;
        let bytes = std::fs::read(&path).unwrap();
        let board =
            Board::load(&bytes, &[0x22; 16]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        validate(&board, board.limits()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).unwrap())
                .unwrap();
        assert_eq!(
            reading(&board),
            expected,
            "{} reads differently",
            path.display()
        );
    }
    assert!(found > 0, "no fixtures in {}", dir.display());
}

/// The server loads its own saves without rechecking every change hash;
/// it must read them the same, and still refuse a damaged file.
#[test]
fn stored_boards_load_the_same_and_damage_is_refused() {
    let mut b = sample();
    let bytes = b.save();
    let checked = Board::load(&bytes, &[1; 16]).unwrap();
    let mut stored = Board::load_stored(&bytes, &[2; 16]).unwrap();
    assert_eq!(reading(&checked), reading(&stored));
    assert_eq!(stored.heads(), b.heads());
    validate(&stored, &Default::default()).unwrap();
    // Flip one byte at a time through the file: each damaged copy is
    // either refused or (if the byte did not matter) reads the same; none
    // panics.
    for i in (0..bytes.len()).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x5a;
        if let Ok(d) = Board::load_stored(&damaged, &[3; 16]) {
            assert_eq!(reading(&d), reading(&checked), "byte {i} changed the board");
        }
    }
}
