//! Exports made in the browser from the board on this device, through the
//! same `samskab-export` renderers the server uses (built without the PNG
//! and PDF features, which would bring resvg, svg2pdf and a font into the
//! wasm). Used when the server cannot be reached.
use samskab_export::{Format, Options};

use crate::controller;
use crate::export_api::File;

/// Whether the browser can make `format` by itself.
pub fn can_make(format: Format) -> bool {
    matches!(
        format,
        Format::Svg | Format::Markdown | Format::Csv | Format::Json | Format::Automerge
    )
}

/// Renders `format` from the board on this device (with any edits not yet
/// stored on the server).
pub fn render(format: Format, opts: &Options) -> Result<File, String> {
    let Some(mut board) = controller::read(|b| b.clone()) else {
        return Err("no board is open".into());
    };
    let bytes = samskab_export::export(&mut board, format, opts).map_err(|e| e.to_string())?;
    Ok(File {
        bytes,
        name: samskab_export::file_name(&board.title(), format),
        content_type: format.content_type().to_string(),
    })
}
