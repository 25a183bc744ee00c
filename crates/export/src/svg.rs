//! The one renderer: a board, a frame or a mind map as SVG. PNG and PDF are
//! made from this SVG, and the browser uses it directly when offline.
//!
//! Every piece of user text goes through [`crate::text::clean`] and
//! [`crate::text::xml_escape`], so it can only ever be character data.
use std::collections::HashMap;
use std::fmt::Write as _;

use samskab_board::layout::{Size, Spacing};
use samskab_board::{Board, Color, MindMapView};

use crate::text::{self, LINE_HEIGHT};
use crate::{ExportError, Scope};

/// The family every output names; PNG and PDF load the shipped file for it.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// Space around the content and the height of the title band, in board units.
const MARGIN: f64 = 40.0;
const HEADER: f64 = 70.0;
const PAD: f64 = 10.0;
/// Mind-map node boxes.
const NODE_W: f64 = 180.0;
const NODE_MIN_H: f64 = 44.0;
const NODE_FONT: f64 = 14.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    fn union(self, o: Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect {
            x,
            y,
            w: self.right().max(o.right()) - x,
            h: self.bottom().max(o.bottom()) - y,
        }
    }
    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// Fill of a note or node of this colour.
pub fn fill(c: Color) -> &'static str {
    match c {
        Color::Yellow => "#fff3a0",
        Color::Pink => "#f9c6da",
        Color::Blue => "#c4def8",
        Color::Green => "#cbe9c6",
        Color::Orange => "#ffd9a8",
        Color::Purple => "#e2ccef",
    }
}

/// A frame's tint.
fn tint(c: Color) -> &'static str {
    match c {
        Color::Yellow => "#fffbe0",
        Color::Pink => "#fdeef4",
        Color::Blue => "#eaf3fd",
        Color::Green => "#edf7eb",
        Color::Orange => "#fff3e3",
        Color::Purple => "#f5eefa",
    }
}

#[derive(Debug, Clone)]
enum Shape {
    Frame {
        name: String,
        color: Color,
    },
    Note {
        id: String,
        text: String,
        color: Color,
    },
    Node {
        text: String,
        color: Color,
        depth: usize,
    },
    Edge {
        from: (f64, f64),
        to: (f64, f64),
        label: String,
    },
    /// A mind map's name above its tree.
    Caption {
        text: String,
    },
}

/// What is drawn, in board coordinates, bottom to top.
#[derive(Debug, Clone)]
pub struct Scene {
    pub title: String,
    pub subtitle: String,
    items: Vec<(Rect, Shape)>,
    /// The content's extent (without margin and title band).
    pub bounds: Rect,
}

impl Scene {
    /// Reads what `scope` covers from the board.
    pub fn build(board: &Board, scope: &Scope) -> Result<Scene, ExportError> {
        let mut items: Vec<(Rect, Shape)> = Vec::new();
        let mut placed: HashMap<String, Rect> = HashMap::new();
        let title = text::clean(&board.title());
        let mut subtitle = text::clean(&board.theme());
        let mut edges_of_maps = Vec::new();
        match scope {
            Scope::Board | Scope::Frame(_) => {
                let frames = board.frames();
                let wanted_frame = match scope {
                    Scope::Frame(id) => {
                        let f = frames
                            .iter()
                            .find(|f| &f.id == id)
                            .ok_or_else(|| ExportError::NotFound(format!("frame {id}")))?;
                        subtitle = text::clean(&f.name);
                        Some(f.id.clone())
                    }
                    _ => None,
                };
                for f in frames
                    .iter()
                    .filter(|f| wanted_frame.as_ref().is_none_or(|w| w == &f.id))
                {
                    let r = Rect {
                        x: f.x,
                        y: f.y,
                        w: f.w,
                        h: f.h,
                    };
                    placed.insert(f.id.clone(), r);
                    items.push((
                        r,
                        Shape::Frame {
                            name: text::clean(&f.name),
                            color: f.color,
                        },
                    ));
                }
                for n in board.notes().into_iter().filter(|n| {
                    wanted_frame
                        .as_ref()
                        .is_none_or(|w| n.frame.as_ref() == Some(w))
                }) {
                    let r = Rect {
                        x: n.x,
                        y: n.y,
                        w: n.w,
                        h: n.h,
                    };
                    placed.insert(n.id.clone(), r);
                    items.push((
                        r,
                        Shape::Note {
                            id: n.id,
                            text: text::clean(&n.text),
                            color: n.color,
                        },
                    ));
                }
                if wanted_frame.is_none() {
                    // Mind maps have no place on the board: they go below it,
                    // side by side.
                    let top = items
                        .iter()
                        .map(|(r, _)| r.bottom())
                        .fold(f64::NEG_INFINITY, f64::max);
                    let top = if top.is_finite() { top + 80.0 } else { 0.0 };
                    let left = items.iter().map(|(r, _)| r.x).fold(f64::INFINITY, f64::min);
                    let mut x = if left.is_finite() { left } else { 0.0 };
                    for m in board.mindmaps() {
                        let r = place_mindmap(&m, x, top, &mut items, &mut placed, true);
                        edges_of_maps.push(m);
                        x = r.right() + 80.0;
                    }
                }
            }
            Scope::MindMap(id) => {
                let m = board
                    .mindmap(id)
                    .ok_or_else(|| ExportError::NotFound(format!("mind map {id}")))?;
                subtitle = m
                    .nodes
                    .first()
                    .map(|n| text::clean(&n.text))
                    .unwrap_or_default();
                place_mindmap(&m, 0.0, 0.0, &mut items, &mut placed, false);
                edges_of_maps.push(m);
            }
        }
        // Connectors between things that are drawn: first, under everything.
        let mut edges: Vec<(Rect, Shape)> = Vec::new();
        for m in &edges_of_maps {
            for n in &m.nodes {
                if let (Some(p), Some(c)) = (
                    n.parent.as_ref().and_then(|p| placed.get(p)),
                    placed.get(&n.id),
                ) {
                    edges.push(edge(p, c, String::new(), true));
                }
            }
        }
        for c in board.connectors() {
            if let (Some(a), Some(b)) = (placed.get(&c.from), placed.get(&c.to)) {
                edges.push(edge(a, b, text::clean(&c.label), false));
            }
        }
        // Frames below edges below notes.
        let (frames, rest): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|(_, s)| matches!(s, Shape::Frame { .. }));
        let mut items = frames;
        items.extend(edges);
        items.extend(rest);
        let bounds = items
            .iter()
            .map(|(r, _)| *r)
            .reduce(Rect::union)
            .unwrap_or(Rect {
                x: 0.0,
                y: 0.0,
                w: 400.0,
                h: 200.0,
            });
        Ok(Scene {
            title,
            subtitle,
            items,
            bounds,
        })
    }

    pub fn note_count(&self) -> usize {
        self.items
            .iter()
            .filter(|(_, s)| matches!(s, Shape::Note { .. }))
            .count()
    }

    /// The whole drawing's extent: content, margin and title band.
    pub fn page(&self) -> Rect {
        Rect {
            x: self.bounds.x - MARGIN,
            y: self.bounds.y - MARGIN - HEADER,
            w: self.bounds.w + 2.0 * MARGIN,
            h: self.bounds.h + 2.0 * MARGIN + HEADER,
        }
    }

    /// The SVG of the whole scene.
    pub fn to_svg(&self) -> String {
        self.svg_of(self.page(), true, None)
    }

    /// The SVG of one part of the scene (for paged output): only what
    /// intersects `view` is written. `caption` replaces the title band.
    pub fn svg_of(&self, view: Rect, header: bool, caption: Option<&str>) -> String {
        let mut s = String::with_capacity(256 + self.items.len() * 400);
        let _ = write!(
            s,
            r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="{x:.2} {y:.2} {w:.2} {h:.2}" font-family="{FONT_FAMILY}, sans-serif">
<title>{title}</title>
<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="#ffffff"/>
"##,
            x = view.x,
            y = view.y,
            w = view.w,
            h = view.h,
            title = text::xml_escape(&self.title),
        );
        if header {
            let tx = self.bounds.x;
            let ty = self.bounds.y - MARGIN - HEADER + 36.0;
            let _ = writeln!(
                s,
                r##"<text x="{tx:.2}" y="{ty:.2}" font-size="26" font-weight="bold" fill="#1d1d1b">{}</text>"##,
                text::xml_escape(&one_line(&self.title, 120))
            );
            if !self.subtitle.is_empty() {
                let _ = writeln!(
                    s,
                    r##"<text x="{tx:.2}" y="{:.2}" font-size="16" fill="#4a4a48">{}</text>"##,
                    ty + 26.0,
                    text::xml_escape(&one_line(&self.subtitle, 160))
                );
            }
        }
        if let Some(c) = caption {
            let _ = writeln!(
                s,
                r##"<text x="{:.2}" y="{:.2}" font-size="{:.2}" fill="#4a4a48">{}</text>"##,
                view.x + view.w * 0.02,
                view.y + view.h * 0.03,
                view.w * 0.015,
                text::xml_escape(c)
            );
        }
        for (r, shape) in &self.items {
            if !r.intersects(&view) && !matches!(shape, Shape::Edge { .. }) {
                continue;
            }
            write_shape(&mut s, r, shape);
        }
        s.push_str("</svg>\n");
        s
    }
}

fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max_chars {
        let mut t: String = flat.chars().take(max_chars - 1).collect();
        t.push('…');
        t
    } else {
        flat
    }
}

fn edge(a: &Rect, b: &Rect, label: String, tree: bool) -> (Rect, Shape) {
    let (from, to) = if tree {
        // Parent's right side to child's left side.
        ((a.right(), a.center().1), (b.x, b.center().1))
    } else {
        (a.center(), b.center())
    };
    let r = Rect {
        x: from.0.min(to.0),
        y: from.1.min(to.1),
        w: (from.0 - to.0).abs().max(1.0),
        h: (from.1 - to.1).abs().max(1.0),
    };
    (r, Shape::Edge { from, to, label })
}

/// Lays a mind map out with the shared tidy-tree layout, its top-left
/// corner at (x, y). Returns its extent.
fn place_mindmap(
    m: &MindMapView,
    x: f64,
    y: f64,
    items: &mut Vec<(Rect, Shape)>,
    placed: &mut HashMap<String, Rect>,
    caption: bool,
) -> Rect {
    let texts: HashMap<&str, &samskab_board::NodeView> =
        m.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let size = |n: &samskab_board::NodeView| {
        let fitted = text::fit(
            &text::clean(&n.text),
            NODE_W - 2.0 * PAD,
            10_000.0,
            NODE_FONT,
            NODE_FONT,
        );
        let lines = fitted.lines.len().min(8) as f64;
        Size {
            w: NODE_W,
            h: (lines * NODE_FONT * LINE_HEIGHT + 2.0 * PAD).max(NODE_MIN_H),
        }
    };
    let boxes = m.layout(size, Spacing::default());
    let min_y = boxes.iter().map(|b| b.y).fold(f64::INFINITY, f64::min);
    let min_y = if min_y.is_finite() { min_y } else { 0.0 };
    let dy = if caption { 30.0 } else { 0.0 };
    let mut extent = Rect {
        x,
        y,
        w: NODE_W,
        h: NODE_MIN_H,
    };
    if caption {
        let root_text = m
            .nodes
            .first()
            .map(|n| text::clean(&n.text))
            .unwrap_or_default();
        let r = Rect {
            x,
            y,
            w: NODE_W,
            h: 24.0,
        };
        items.push((r, Shape::Caption { text: root_text }));
    }
    for b in boxes {
        let Some(n) = texts.get(b.id.as_str()) else {
            continue;
        };
        let r = Rect {
            x: x + b.x,
            y: y + dy + (b.y - min_y),
            w: b.w,
            h: b.h,
        };
        extent = extent.union(r);
        placed.insert(b.id.clone(), r);
        items.push((
            r,
            Shape::Node {
                text: text::clean(&n.text),
                color: n.color,
                depth: b.depth,
            },
        ));
    }
    extent
}

fn write_lines(s: &mut String, x: f64, y: f64, size: f64, lines: &[String], fill: &str) {
    let _ = write!(
        s,
        r#"<text x="{x:.2}" y="{y:.2}" font-size="{size:.1}" fill="{fill}">"#
    );
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { size } else { size * LINE_HEIGHT };
        let _ = write!(
            s,
            r#"<tspan x="{x:.2}" dy="{dy:.2}">{}</tspan>"#,
            text::xml_escape(line)
        );
    }
    s.push_str("</text>\n");
}

fn write_shape(s: &mut String, r: &Rect, shape: &Shape) {
    match shape {
        Shape::Frame { name, color } => {
            let _ = writeln!(
                s,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" rx="8" fill="{}" stroke="#8a8a86" stroke-width="2"/>"##,
                r.x,
                r.y,
                r.w,
                r.h,
                tint(*color)
            );
            let label = one_line(name, ((r.w / 16.0 / 0.62) as usize).max(4));
            let _ = writeln!(
                s,
                r##"<text x="{:.2}" y="{:.2}" font-size="18" font-weight="bold" fill="#3a3a38">{}</text>"##,
                r.x + 12.0,
                r.y + 26.0,
                text::xml_escape(&label)
            );
        }
        Shape::Note { id, text, color } => {
            let _ = writeln!(
                s,
                r##"<g data-note="{}"><rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" rx="4" fill="{}" stroke="#00000033" stroke-width="1"/>"##,
                text::xml_escape(id),
                r.x,
                r.y,
                r.w,
                r.h,
                fill(*color)
            );
            let fitted = text::fit(text, r.w - 2.0 * PAD, r.h - 2.0 * PAD, 18.0, 8.0);
            write_lines(
                s,
                r.x + PAD,
                r.y + PAD,
                fitted.size,
                &fitted.lines,
                "#1d1d1b",
            );
            s.push_str("</g>\n");
        }
        Shape::Node { text, color, depth } => {
            let stroke = if *depth == 0 { 3 } else { 1 };
            let _ = writeln!(
                s,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" rx="12" fill="{}" stroke="#5a5a58" stroke-width="{stroke}"/>"##,
                r.x,
                r.y,
                r.w,
                r.h,
                fill(*color)
            );
            let fitted = text::fit(text, r.w - 2.0 * PAD, r.h - 2.0 * PAD, NODE_FONT, 8.0);
            write_lines(
                s,
                r.x + PAD,
                r.y + PAD,
                fitted.size,
                &fitted.lines,
                "#1d1d1b",
            );
        }
        Shape::Edge { from, to, label } => {
            let _ = writeln!(
                s,
                r##"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#6b6b68" stroke-width="2"/>"##,
                from.0, from.1, to.0, to.1
            );
            if !label.is_empty() {
                let _ = writeln!(
                    s,
                    r##"<text x="{:.2}" y="{:.2}" font-size="14" fill="#3a3a38" text-anchor="middle">{}</text>"##,
                    (from.0 + to.0) / 2.0,
                    (from.1 + to.1) / 2.0 - 4.0,
                    text::xml_escape(&one_line(label, 60))
                );
            }
        }
        Shape::Caption { text } => {
            let _ = writeln!(
                s,
                r##"<text x="{:.2}" y="{:.2}" font-size="16" font-weight="bold" fill="#3a3a38">{}</text>"##,
                r.x,
                r.y + 18.0,
                text::xml_escape(&one_line(text, 80))
            );
        }
    }
}
