//! The web app's files, compressed once ahead of time.
//!
//! Trunk's output is about 3 MB, most of it the wasm. Served as it is, every
//! tablet that opens a board for the first time downloads all of it over the
//! meeting room's Wi-Fi. At the best settings compressing the wasm takes the
//! server 10 to 30 s of one core (Zopfli; Brotli a few seconds), far too
//! long for each request, so the files are compressed once, next to the
//! originals (`app.wasm.gz` beside `app.wasm`), and the frontend service
//! ([`crate::http::frontend`]) sends whichever the browser accepts: Brotli
//! (quality 11), or gzip made with Zopfli (about 4 % smaller than `gzip -9`
//! and readable by every gzip decoder), or the file itself.
//!
//! `samskab serve` compresses in the background on start (the files are
//! served uncompressed until then); `samskab precompress DIR` does it ahead
//! of time. Each copy carries its original's modification time; a copy
//! whose time differs (a new build, or an older file copied over with its
//! time kept, as `rsync -a` does) is made again.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Files worth compressing: text and wasm. `index.html` is left out: it is
/// small and is the one file rewritten in place by every build, so a stale
/// copy of it would name files that no longer exist.
const EXTENSIONS: &[&str] = &["wasm", "js", "css", "svg", "json", "webmanifest", "txt"];

/// Smaller files gain less than the headers they would save.
const MIN_BYTES: u64 = 1024;

/// What [`precompress`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files compressed now.
    pub compressed: usize,
    /// Files whose compressed copies were already up to date.
    pub fresh: usize,
    /// Bytes of the originals compressed now, and of their gzip and Brotli copies.
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
    pub brotli_bytes: u64,
}

/// The encodings written beside each file.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Gzip,
    Brotli,
}

impl Encoding {
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Gzip => "gz",
            Encoding::Brotli => "br",
        }
    }

    fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(data.len() / 3);
        match self {
            Encoding::Gzip => zopfli::compress(
                zopfli::Options {
                    // As many blocks as pay for their own Huffman tables (the
                    // default stops at 15): the 2.4 MB wasm comes out 6 KB
                    // smaller, for 70 % more of the one-off compression time.
                    maximum_block_splits: 100,
                    ..zopfli::Options::default()
                },
                zopfli::Format::Gzip,
                data,
                &mut out,
            )?,
            Encoding::Brotli => {
                // Quality 11 and a 4 MB window: the best Brotli has, paid once.
                let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
                w.write_all(data)?;
                w.flush()?;
            }
        }
        Ok(out)
    }
}

fn sibling(path: &Path, enc: Encoding) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(enc.suffix());
    PathBuf::from(name)
}

/// Whether `copy` exists and was made from this version of `original`
/// (it carries the original's modification time).
fn is_fresh(original: SystemTime, copy: &Path) -> bool {
    std::fs::metadata(copy).and_then(|m| m.modified()).ok() == Some(original)
}

/// The files under `dir` (recursively) that get compressed copies.
fn candidates(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            candidates(&path, found)?;
        } else if kind.is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
            && entry.metadata()?.len() >= MIN_BYTES
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path`, stamped with `time`, so that a reader (or a
/// crash) never sees half a file: a temporary file in the same directory,
/// then a rename.
fn write_atomically(path: &Path, bytes: &[u8], time: SystemTime) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.set_modified(time)
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a gzip and a Brotli copy beside every compressible file under
/// `dir` whose copies are missing or were made from another version of it.
pub fn precompress(dir: &Path) -> std::io::Result<Summary> {
    let mut files = Vec::new();
    candidates(dir, &mut files)?;
    files.sort();
    let mut summary = Summary::default();
    for file in files {
        // Read before the content: a file rewritten meanwhile leaves copies
        // with the older time, made again next time.
        let time = std::fs::metadata(&file)?.modified()?;
        let stale: Vec<Encoding> = [Encoding::Gzip, Encoding::Brotli]
            .into_iter()
            .filter(|&enc| !is_fresh(time, &sibling(&file, enc)))
            .collect();
        if stale.is_empty() {
            summary.fresh += 1;
            continue;
        }
        let data = std::fs::read(&file)?;
        for enc in stale {
            let packed = enc.compress(&data)?;
            write_atomically(&sibling(&file, enc), &packed, time)?;
            match enc {
                Encoding::Gzip => summary.gzip_bytes += packed.len() as u64,
                Encoding::Brotli => summary.brotli_bytes += packed.len() as u64,
            }
        }
        summary.compressed += 1;
        summary.raw_bytes += data.len() as u64;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn copies_decode_to_the_original_and_are_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let app: Vec<u8> = (0..2_000u32)
            .flat_map(|i| format!("function f{i}() {{ return {}; }}\n", i % 97).into_bytes())
            .collect();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("app-1234.js"), &app).unwrap();
        std::fs::write(dir.path().join("assets/style.css"), &app[..5000]).unwrap();
        std::fs::write(dir.path().join("index.html"), &app).unwrap();
        std::fs::write(dir.path().join("tiny.js"), b"let x = 1;").unwrap();

        let first = precompress(dir.path()).unwrap();
        assert_eq!((first.compressed, first.fresh), (2, 0));
        assert!(first.gzip_bytes < first.raw_bytes / 5, "{first:?}");
        assert!(first.brotli_bytes < first.gzip_bytes, "{first:?}");
        let gz = std::fs::read(dir.path().join("app-1234.js.gz")).unwrap();
        let br = std::fs::read(dir.path().join("app-1234.js.br")).unwrap();
        assert_eq!(gunzip(&gz), app);
        assert_eq!(unbrotli(&br), app);
        assert_eq!(
            gunzip(&std::fs::read(dir.path().join("assets/style.css.gz")).unwrap()),
            &app[..5000]
        );
        // Not index.html (rewritten in place by every build), not tiny files.
        assert!(!dir.path().join("index.html.gz").exists());
        assert!(!dir.path().join("tiny.js.gz").exists());

        // A second start finds everything up to date.
        let second = precompress(dir.path()).unwrap();
        assert_eq!((second.compressed, second.fresh), (0, 2));

        // A rebuilt file gets new copies; its old copies are never served
        // for the new content.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let rebuilt = [app.as_slice(), b"// rebuilt\n"].concat();
        std::fs::write(dir.path().join("app-1234.js"), &rebuilt).unwrap();
        let third = precompress(dir.path()).unwrap();
        assert_eq!((third.compressed, third.fresh), (1, 1));
        let gz = std::fs::read(dir.path().join("app-1234.js.gz")).unwrap();
        assert_eq!(gunzip(&gz), rebuilt);
        // A file copied over with an older time kept (`rsync -a` of another
        // build) gets new copies too: newer copies are not taken for it.
        let older = [app.as_slice(), b"// older build\n"].concat();
        std::fs::write(dir.path().join("app-1234.js"), &older).unwrap();
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("app-1234.js"))
            .unwrap()
            .set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
            .unwrap();
        let fourth = precompress(dir.path()).unwrap();
        assert_eq!((fourth.compressed, fourth.fresh), (1, 1));
        let gz = std::fs::read(dir.path().join("app-1234.js.gz")).unwrap();
        assert_eq!(gunzip(&gz), older);
        // No temporary files are left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(precompress(&dir.path().join("nope")).is_err());
    }
}
