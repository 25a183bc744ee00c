//! Paged PDF: the SVG renderer's output on A4 or A3 pages through `svg2pdf`.
//!
//! Page 1 shows the whole scope fitted to the paper. When that makes notes
//! too small to read (a note narrower than ~3 cm), further pages show the
//! board in tiles at a readable scale, left to right, top to bottom, each
//! with its place ("2/6, row 1, column 2") in the corner.
//!
//! Text stays text: svg2pdf (feature `text`) embeds subsets of the shipped
//! DejaVu Sans with a ToUnicode map for every glyph, so the notes can be
//! searched, copied and extracted (`tests/tests/server/export.rs` reads them
//! back, æøå included, with an independent PDF parser).
#[cfg(feature = "pdf")]
use crate::svg::Rect;
use crate::svg::Scene;
use crate::{ExportError, Orientation, Paper};

/// Paper sizes in PDF points (1/72 inch).
#[cfg(feature = "pdf")]
fn paper_pt(paper: Paper, o: Orientation) -> (f32, f32) {
    let (w, h) = match paper {
        Paper::A4 => (595.28, 841.89),
        Paper::A3 => (841.89, 1190.55),
    };
    match o {
        Orientation::Portrait => (w, h),
        Orientation::Landscape => (h, w),
    }
}

/// Board units per page at the readable scale: a 200-unit note is ~3.5 cm.
#[cfg(feature = "pdf")]
const READABLE_PT_PER_UNIT: f32 = 0.5;
#[cfg(feature = "pdf")]
const MARGIN_PT: f32 = 28.0;
/// At most this many tile pages (past it the tiles get bigger).
#[cfg(feature = "pdf")]
const MAX_TILES: usize = 64;

#[cfg(feature = "pdf")]
pub fn pdf(scene: &Scene, paper: Paper, orientation: Orientation) -> Result<Vec<u8>, ExportError> {
    use std::collections::HashMap;

    use pdf_writer::{Content, Finish, Name, Pdf, Rect as PdfRect, Ref, TextStr};

    let (pw, ph) = paper_pt(paper, orientation);
    let (aw, ah) = (pw - 2.0 * MARGIN_PT, ph - 2.0 * MARGIN_PT);
    let page = scene.page();
    // Page 1: everything.
    let mut pages: Vec<String> = vec![scene.to_svg()];
    let fit = (aw / page.w as f32).min(ah / page.h as f32);
    if fit < READABLE_PT_PER_UNIT {
        let mut unit_w = (aw / READABLE_PT_PER_UNIT) as f64;
        let mut unit_h = (ah / READABLE_PT_PER_UNIT) as f64;
        let mut cols = (page.w / unit_w).ceil() as usize;
        let mut rows = (page.h / unit_h).ceil() as usize;
        while cols * rows > MAX_TILES {
            unit_w *= 1.25;
            unit_h *= 1.25;
            cols = (page.w / unit_w).ceil() as usize;
            rows = (page.h / unit_h).ceil() as usize;
        }
        let total = cols * rows;
        for row in 0..rows {
            for col in 0..cols {
                let view = Rect {
                    x: page.x + col as f64 * unit_w,
                    y: page.y + row as f64 * unit_h,
                    w: unit_w,
                    h: unit_h,
                };
                let caption = format!(
                    "{}/{} · {} {}, {} {}",
                    pages.len() + 1,
                    total + 1,
                    "row",
                    row + 1,
                    "column",
                    col + 1
                );
                pages.push(scene.svg_of(view, false, Some(&caption)));
            }
        }
    }

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let page_ids: Vec<Ref> = pages.iter().map(|_| alloc.bump()).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    let name = Name(b"S1");
    for (svg, page_id) in pages.iter().zip(&page_ids) {
        let tree = crate::raster::parse(svg)?;
        let (chunk, svg_ref) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| ExportError::Render(format!("pdf: {e}")))?;
        let mut map = HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let svg_ref = map[&svg_ref];
        let content_id = alloc.bump();
        // Fit the drawing into the printable area, centred.
        let size = tree.size();
        let s = (aw / size.width()).min(ah / size.height());
        let (w, h) = (size.width() * s, size.height() * s);
        let (x, y) = ((pw - w) / 2.0, (ph - h) / 2.0);
        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, x, y]);
        content.x_object(name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
        let mut p = pdf.page(*page_id);
        p.media_box(PdfRect::new(0.0, 0.0, pw, ph));
        p.parent(tree_id);
        p.contents(content_id);
        p.resources().x_objects().pair(name, svg_ref);
        p.finish();
        pdf.extend(&chunk);
    }
    let info = alloc.bump();
    pdf.document_info(info)
        .title(TextStr(&scene.title))
        .producer(TextStr("Samskab"));
    Ok(pdf.finish())
}

#[cfg(not(feature = "pdf"))]
pub fn pdf(_: &Scene, _: Paper, _: Orientation) -> Result<Vec<u8>, ExportError> {
    Err(ExportError::Unsupported("pdf"))
}
