//! `samskab export` and `samskab import`, run as the real binary against a
//! data directory that a real server wrote.
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use samskab_export::Format;
use samskab_export::csv::DECISION_COLUMNS;
use samskab_tests::process::ServerProcess;

use super::export::{DANISH, export, meeting};

const BIN: &str = env!("CARGO_BIN_EXE_samskab-under-test");

/// Runs the binary with `args`, its settings only from the arguments.
fn samskab(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("SAMSKAB_DATA_DIR")
        .env_remove("SAMSKAB_PUBLIC_URL")
        .output()
        .expect("run the samskab binary")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_and_import_commands_read_and_write_the_servers_data() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let file = |name: &str| files.path().join(name).to_str().unwrap().to_string();

    // A board made through a running server, which is then stopped.
    let mut server = ServerProcess::spawn(data.path(), Path::new(BIN)).await;
    let mut local = meeting();
    let res = reqwest::Client::new()
        .post(server.url("/api/boards/import"))
        .body(export(&mut local, Format::Automerge))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    server.terminate();
    let status = server.wait(Duration::from_secs(30)).await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    drop(server);

    let run_export = |format: &str, out: &str, extra: &[&str]| {
        let mut args = vec![
            "export",
            "--board",
            &id,
            "--format",
            format,
            "--out",
            out,
            "--data-dir",
            data_dir,
        ];
        args.extend_from_slice(extra);
        samskab(&args)
    };

    let md_file = file("minutes.md");
    let said = ok(&run_export("md", &md_file, &[]));
    assert!(said.contains("bytes written to"), "{said}");
    let md = std::fs::read_to_string(&md_file).unwrap();
    assert!(md.starts_with("# Referat: Byrådsmøde\\: Skolevej"), "{md}");
    assert!(md.contains(DANISH));

    let json_file = file("board.json");
    ok(&run_export("json", &json_file, &[]));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert_eq!(doc["format"], "samskab-board");
    assert_eq!(doc["notes"].as_array().unwrap().len(), local.notes().len());

    let png_file = file("board.png");
    ok(&run_export("png", &png_file, &[]));
    let png = std::fs::read(&png_file).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let reader = decoder.read_info().expect("a PNG");
    let (w, h) = reader.info().size();
    assert!(w > 100 && h > 100, "{w}x{h}");

    let csv_file = file("decisions.csv");
    ok(&run_export("csv", &csv_file, &["--table", "decisions"]));
    let mut r = csv::Reader::from_path(&csv_file).unwrap();
    assert_eq!(r.headers().unwrap(), &DECISION_COLUMNS[..]);

    // Import the JSON as a new board, then read it back with the CLI.
    let said = ok(&samskab(&[
        "import",
        &json_file,
        "--data-dir",
        data_dir,
        "--public-url",
        "https://samskab.example.dk",
    ]));
    let new_id = said
        .lines()
        .find_map(|l| l.strip_prefix("Imported board "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no board id in {said}"))
        .to_string();
    assert_ne!(new_id, id);
    assert!(
        said.contains(&format!("https://samskab.example.dk/b/{new_id}")),
        "{said}"
    );
    let again = file("again.json");
    ok(&samskab(&[
        "export",
        "--board",
        &new_id,
        "--format",
        "json",
        "--out",
        &again,
        "--data-dir",
        data_dir,
    ]));
    let copy: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(copy["notes"], doc["notes"]);
    assert_eq!(copy["title"], "Byrådsmøde: Skolevej");

    // Wrong input: a clear message and a non-zero exit, no file written.
    let missing = file("missing.md");
    let err = failed(&samskab(&[
        "export",
        "--board",
        "no-such-board",
        "--format",
        "md",
        "--out",
        &missing,
        "--data-dir",
        data_dir,
    ]));
    assert!(err.contains("there is no board no-such-board"), "{err}");
    assert!(!Path::new(&missing).exists());
    let err = failed(&run_export("docx", &missing, &[]));
    assert!(err.contains("unknown format"), "{err}");
    let err = failed(&run_export("md", &missing, &["--table", "votes"]));
    assert!(err.contains("format=csv only"), "{err}");
    let junk = file("junk.json");
    std::fs::write(&junk, b"{\"format\":\"something else\"}").unwrap();
    let err = failed(&samskab(&["import", &junk, "--data-dir", data_dir]));
    assert!(err.contains("not a board export"), "{err}");
}
