//! The minimap: the whole board in a corner, the view as a box; tap or drag
//! on it to go there.
use leptos::prelude::*;
use samskab_board::FrameView;

use crate::camera::{self, Rect};
use crate::controller::NoteEntry;
use crate::i18n::I18n;
use crate::ui::Ui;

const W: f64 = 180.0;
const H: f64 = 120.0;

#[component]
pub fn Minimap(notes: RwSignal<Vec<NoteEntry>>, frames: RwSignal<Vec<FrameView>>) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    // Everything on the board (recomputed when the board changes, not on pan).
    let content = move || {
        let mut rects: Vec<(Rect, &'static str)> = notes.with(|l| {
            l.iter()
                .map(|e| {
                    e.view.with(|v| {
                        (
                            Rect {
                                x: v.x,
                                y: v.y,
                                w: v.w,
                                h: v.h,
                            },
                            v.color.as_str(),
                        )
                    })
                })
                .collect()
        });
        frames.with(|fs| {
            for f in fs {
                rects.push((
                    Rect {
                        x: f.x,
                        y: f.y,
                        w: f.w,
                        h: f.h,
                    },
                    "frame",
                ));
            }
        });
        rects
    };
    // What the minimap frames: the board's extent (`rest`), joined with the
    // view's while the view reaches past it (`world`).
    let content = Memo::new(move |_| content());
    let bounds = Memo::new(move |_| content.with(|c| camera::bounds(c.iter().map(|(r, _)| *r))));
    let rest = Memo::new(move |_| {
        bounds.get().map(|b| b.grow(40.0)).unwrap_or(Rect {
            x: 0.0,
            y: 0.0,
            w: W,
            h: H,
        })
    });
    // While the view reaches past the board, the frame takes in a margin
    // beyond the view, so that panning there does not rescale the minimap
    // on every frame; it goes back to `rest` once it would be half as
    // large again as needed.
    let world = Memo::new(move |prev: Option<&Rect>| {
        let view = ui.visible();
        ui.camera.track();
        ui.size.track();
        let r = rest.get();
        let needed = match bounds.get() {
            Some(b) => b.union(&view).grow(40.0),
            None => view.grow(40.0),
        };
        let holds = |p: &Rect| {
            p.contains(needed.x, needed.y) && p.contains(needed.x + needed.w, needed.y + needed.h)
        };
        let inside = r.contains(view.x, view.y) && r.contains(view.x + view.w, view.y + view.h);
        match prev {
            Some(p) if holds(p) && p.w <= needed.w * 1.5 && p.h <= needed.h * 1.5 => *p,
            _ if inside => r,
            _ => needed.union(&view.grow(view.w.max(view.h) / 4.0)),
        }
    });
    let fit = |r: Rect| (W / r.w).min(H / r.h);
    // The shapes are drawn once, fitted to `rest`, in a layer of their own;
    // panning only moves the view's box (another layer), and a view past
    // the board's edge scales the shapes' layer. Neither repaints the
    // shapes: with every shape repainted and re-rastered on every frame,
    // the minimap of a 2,000-note board took half of each frame's time.
    // Built as SVG elements (markup set through innerHTML is not reliably
    // parsed as SVG). The stroke keeps small notes visible.
    let shapes = move || {
        let r = rest.get();
        let s = fit(r);
        let placement = format!("scale({s}) translate({:.1} {:.1})", -r.x, -r.y);
        let rects = content.with(|c| {
            c.iter()
                .map(|(r, color)| {
                    view! {
                        <rect class=format!("mm-{color}") data-testid="minimap-item"
                            x=format!("{:.0}", r.x) y=format!("{:.0}", r.y)
                            width=format!("{:.0}", r.w) height=format!("{:.0}", r.h)/>
                    }
                })
                .collect_view()
        });
        view! { <svg width=W height=H><g transform=placement>{rects}</g></svg> }
    };
    // Maps the shapes' layer (fitted to `rest`) onto the minimap's frame.
    let shapes_style = move || {
        let (r, w) = (rest.get(), world.get());
        let s = fit(w);
        format!(
            "transform: translate({:.2}px, {:.2}px) scale({:.5})",
            (r.x - w.x) * s,
            (r.y - w.y) * s,
            s / fit(r)
        )
    };
    let view_box = move || {
        let w = world.get();
        let s = fit(w);
        let v = ui.visible();
        ui.camera.track();
        format!(
            "transform: translate({:.1}px, {:.1}px); width:{:.1}px; height:{:.1}px",
            (v.x - w.x) * s,
            (v.y - w.y) * s,
            v.w * s,
            v.h * s
        )
    };
    let go = move |ev: leptos::ev::PointerEvent| {
        ev.stop_propagation();
        if ev.buttons() == 0 && ev.type_() == "pointermove" {
            return;
        }
        let w = world.get_untracked();
        let s = fit(w);
        let (x, y) = (
            w.x + ev.offset_x() as f64 / s,
            w.y + ev.offset_y() as f64 / s,
        );
        let (cw, ch) = ui.size.get_untracked();
        ui.following.set(None);
        ui.camera.update(|c| c.center_on(x, y, cw, ch));
    };
    view! {
        <div class="minimap" data-testid="minimap" role="img" aria-label=i18n.t(|s| s.minimap)
            on:pointerdown=go on:pointermove=go>
            <div class="minimap-shapes" style=shapes_style>{shapes}</div>
            <div class="minimap-view" data-testid="minimap-view" style=view_box></div>
        </div>
    }
}
