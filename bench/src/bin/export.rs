//! Export benchmark: a board of N notes (default 2,000) in 10 frames, with
//! Danish text of mixed length, exported to PNG and PDF (and SVG, Markdown,
//! CSV, JSON for comparison). Prints the time of each export and the
//! process's peak resident memory (VmHWM) after it.
//!
//! `cargo run --release -p samskab-bench --bin export-bench -- [--notes N] [--only png|pdf|…]`
//! Run one format per process (`--only`) to see each one's own peak memory.
use std::time::Instant;

use samskab_board::{Board, Color, Ctx, Op};
use samskab_export::{Format, Options, Paper};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn board(notes: usize) -> Board {
    let ctx = Ctx::new("bench", 1_760_000_000_000);
    let mut b = Board::create(&[5; 16], "Borgermøde om klimaplanen", &ctx).unwrap();
    let frames = 10;
    let per_row = 10;
    let per_frame = notes.div_ceil(frames);
    let rows_per_frame = per_frame.div_ceil(per_row);
    let frame_w = per_row as f64 * 220.0 + 40.0;
    let frame_h = rows_per_frame as f64 * 180.0 + 80.0;
    for f in 0..frames {
        b.apply(
            &Op::CreateFrame {
                id: format!("f{f}"),
                name: format!("Tema {f}: grøn omstilling"),
                x: (f % 5) as f64 * (frame_w + 60.0),
                y: (f / 5) as f64 * (frame_h + 60.0),
                w: frame_w,
                h: frame_h,
                color: Color::ALL[f % 6],
            },
            &ctx,
        )
        .unwrap();
    }
    let texts = [
        "Flere cykelstier",
        "Æbler og pærer i skolegården, så børnene får frugt hver dag",
        "Hvordan får vi de ældre med? Måske et møde på biblioteket om søndagen, med kaffe og en gennemgang af planen trin for trin.",
    ];
    for i in 0..notes {
        let f = i / per_frame;
        let k = i % per_frame;
        let fx = (f % 5) as f64 * (frame_w + 60.0);
        let fy = (f / 5) as f64 * (frame_h + 60.0);
        let id = format!("n{i}");
        b.apply(
            &Op::CreateNote {
                id: id.clone(),
                x: fx + 20.0 + (k % per_row) as f64 * 220.0,
                y: fy + 60.0 + (k / per_row) as f64 * 180.0,
                color: Color::ALL[i % 6],
                text: format!("{} ({i})", texts[i % 3]),
            },
            &ctx,
        )
        .unwrap();
        b.apply(
            &Op::SetNoteFrame {
                id,
                frame: Some(format!("f{f}")),
            },
            &ctx,
        )
        .unwrap();
    }
    b
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let notes: usize = arg("--notes").and_then(|n| n.parse().ok()).unwrap_or(2000);
    let only = arg("--only");
    let t = Instant::now();
    let mut b = board(notes);
    println!(
        "board: {notes} notes in 10 frames, built in {:.2} s, peak RSS {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    let formats = [
        Format::Svg,
        Format::Png,
        Format::Pdf,
        Format::Markdown,
        Format::Csv,
        Format::Json,
    ];
    for f in formats {
        if only.as_deref().is_some_and(|o| o != f.extension()) {
            continue;
        }
        let opts = Options {
            paper: Paper::A3,
            ..Options::default()
        };
        let t = Instant::now();
        let out = samskab_export::export(&mut b, f, &opts).expect("export");
        println!(
            "{:>4}: {:>7.2} s  {:>9} bytes  peak RSS so far {:.0} MB",
            f.extension(),
            t.elapsed().as_secs_f64(),
            out.len(),
            peak_rss_mb()
        );
    }
}
