//! The web app's files as a browser gets them: compressed when it accepts
//! compression, the file itself when it does not, and the app's page for
//! every board address.
use std::process::Command;

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use samskab_tests::TestServer;

const BIN: &str = env!("CARGO_BIN_EXE_samskab-under-test");

/// A built web app in miniature: a page, a "wasm" and its script.
fn app(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let wasm: Vec<u8> = (0..10_000u32)
        .flat_map(|i| [0x00, 0x61, 0x73, 0x6d, (i % 251) as u8, (i % 7) as u8])
        .collect();
    let js: Vec<u8> = (0..1_000u32)
        .flat_map(|i| {
            format!("export function f{i}(x) {{ return x + {}; }}\n", i % 13).into_bytes()
        })
        .collect();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Samskab</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app-5f3a.wasm"), &wasm).unwrap();
    std::fs::write(dir.join("app-5f3a.js"), &js).unwrap();
    (wasm, js)
}

async fn get(server: &TestServer, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(server.url(path));
    if let Some(a) = accept {
        req = req.header(ACCEPT_ENCODING, a);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    res.headers()
        .get(&name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_sent_compressed_to_browsers_that_accept_it() {
    let dist = tempfile::tempdir().unwrap();
    let (wasm, js) = app(dist.path());

    // `samskab precompress` writes the copies, and says so.
    let out = Command::new(BIN)
        .arg("precompress")
        .arg(dist.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.starts_with("2 files compressed"), "{said}");

    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(data.path(), Some(dist.path())).await;

    // A browser that takes Brotli gets the Brotli copy, with the wasm's type.
    let res = get(&server, "/app-5f3a.wasm", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert_eq!(header(&res, CONTENT_TYPE), "application/wasm");
    assert!(
        header(&res, VARY)
            .to_lowercase()
            .contains("accept-encoding")
    );
    let body = res.bytes().await.unwrap();
    assert_eq!(
        body,
        std::fs::read(dist.path().join("app-5f3a.wasm.br")).unwrap()
    );
    assert!(
        body.len() < wasm.len() / 4,
        "{} of {}",
        body.len(),
        wasm.len()
    );

    // One that takes gzip only gets a gzip stream of the same file.
    let res = get(&server, "/app-5f3a.js", Some("gzip")).await;
    assert_eq!(header(&res, CONTENT_ENCODING), "gzip");
    let body = res.bytes().await.unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain).unwrap();
    assert_eq!(plain, js);

    // One that takes nothing (or an encoding we do not have) gets the file.
    for accept in [None, Some("identity"), Some("zstd")] {
        let res = get(&server, "/app-5f3a.wasm", accept).await;
        assert_eq!(header(&res, CONTENT_ENCODING), "", "{accept:?}");
        assert_eq!(res.bytes().await.unwrap(), wasm, "{accept:?}");
    }

    // A board's address gets the app's page.
    let res = get(&server, "/b/some-board", Some("gzip, br")).await;
    assert!(header(&res, CONTENT_TYPE).starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("<title>Samskab</title>"));
    server.stop().await;
}
