//! PNG and PDF from the SVG, with the shipped font (never the machine's).
#[cfg(any(feature = "png", feature = "pdf"))]
use std::sync::Arc;

use crate::ExportError;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/DejaVu-LICENSE.txt`).
/// Only in builds that rasterise (the browser's SVG-only build leaves it out).
#[cfg(any(feature = "png", feature = "pdf"))]
pub static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

#[cfg(any(feature = "png", feature = "pdf"))]
pub(crate) fn usvg_options() -> resvg::usvg::Options<'static> {
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    db.set_sans_serif_family(crate::svg::FONT_FAMILY);
    let mut opt = resvg::usvg::Options {
        font_family: crate::svg::FONT_FAMILY.to_string(),
        fontdb: Arc::new(db),
        ..Default::default()
    };
    // Nothing outside the document is ever read.
    opt.resources_dir = None;
    opt
}

#[cfg(any(feature = "png", feature = "pdf"))]
pub(crate) fn parse(svg: &str) -> Result<resvg::usvg::Tree, ExportError> {
    resvg::usvg::Tree::from_str(svg, &usvg_options())
        .map_err(|e| ExportError::Render(format!("svg: {e}")))
}

/// Largest PNG side and pixel count: a 2,000-note board still fits in memory.
pub const MAX_SIDE: u32 = 8192;
pub const MAX_PIXELS: u64 = 24_000_000;

/// Renders the SVG to PNG at `scale` pixels per board unit, reduced when the
/// image would pass [`MAX_SIDE`] or [`MAX_PIXELS`].
#[cfg(feature = "png")]
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, ExportError> {
    let tree = parse(svg)?;
    let size = tree.size();
    let (w, h) = (size.width().max(1.0), size.height().max(1.0));
    let mut s = scale.max(0.01);
    s = s.min(MAX_SIDE as f32 / w).min(MAX_SIDE as f32 / h);
    let px = (w * s) as f64 * (h * s) as f64;
    if px > MAX_PIXELS as f64 {
        s *= (MAX_PIXELS as f64 / px).sqrt() as f32;
    }
    let (pw, ph) = (
        ((w * s).ceil() as u32).max(1),
        ((h * s).ceil() as u32).max(1),
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(pw, ph)
        .ok_or_else(|| ExportError::Render(format!("cannot allocate a {pw}x{ph} image")))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(s, s),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ExportError::Render(format!("png: {e}")))
}

#[cfg(not(feature = "png"))]
pub fn png(_svg: &str, _scale: f32) -> Result<Vec<u8>, ExportError> {
    Err(ExportError::Unsupported("png"))
}
