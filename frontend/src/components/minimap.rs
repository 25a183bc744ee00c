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
    // The board's extent, and the view's: only the second follows the
    // camera, so panning moves one SVG group instead of redrawing every
    // shape (2,000 notes took several frames to redraw).
    let content = Memo::new(move |_| content());
    let bounds = Memo::new(move |_| content.with(|c| camera::bounds(c.iter().map(|(r, _)| *r))));
    let world = Memo::new(move |_| {
        let view = ui.visible();
        ui.camera.track();
        ui.size.track();
        bounds
            .get()
            .map(|b| b.union(&view))
            .unwrap_or(view)
            .grow(40.0)
    });
    let scale = move || {
        let w = world.get();
        (W / w.w).min(H / w.h)
    };
    // Built as SVG elements (markup set through innerHTML is not reliably
    // parsed as SVG), in board units from the content's corner; the group's
    // transform places and scales them. The stroke keeps small notes visible.
    let shapes = move || {
        let origin = bounds.get().map(|b| (b.x, b.y)).unwrap_or_default();
        content.with(|c| {
            c.iter()
                .map(|(r, color)| {
                    view! {
                        <rect class=format!("mm-{color}") data-testid="minimap-item"
                            x=format!("{:.0}", r.x - origin.0) y=format!("{:.0}", r.y - origin.1)
                            width=format!("{:.0}", r.w) height=format!("{:.0}", r.h)/>
                    }
                })
                .collect_view()
        })
    };
    let placement = move || {
        let w = world.get();
        let s = scale();
        let origin = bounds.get().map(|b| (b.x, b.y)).unwrap_or_default();
        format!(
            "translate({:.2} {:.2}) scale({s})",
            (origin.0 - w.x) * s,
            (origin.1 - w.y) * s
        )
    };
    let view_box = move || {
        let w = world.get();
        let s = scale();
        let v = ui.visible();
        ui.camera.track();
        format!(
            "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px",
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
        let s = scale();
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
            <svg width=W height=H><g transform=placement>{shapes}</g></svg>
            <div class="minimap-view" data-testid="minimap-view" style=view_box></div>
        </div>
    }
}
