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
    let world = Memo::new(move |_| {
        let view = ui.visible();
        ui.camera.track();
        ui.size.track();
        camera::bounds(content().iter().map(|(r, _)| *r))
            .map(|b| b.union(&view))
            .unwrap_or(view)
            .grow(40.0)
    });
    let scale = move || {
        let w = world.get();
        (W / w.w).min(H / w.h)
    };
    // Built as SVG elements (markup set through innerHTML is not reliably
    // parsed as SVG).
    let shapes = move || {
        let w = world.get();
        let s = scale();
        let c = content();
        {
            c.iter()
                .map(|(r, color)| {
                    let class = format!("mm-{color}");
                    let x = format!("{:.1}", (r.x - w.x) * s);
                    let y = format!("{:.1}", (r.y - w.y) * s);
                    let width = format!("{:.1}", (r.w * s).max(1.5));
                    let height = format!("{:.1}", (r.h * s).max(1.5));
                    view! {
                        <rect class=class data-testid="minimap-item" x=x y=y width=width height=height/>
                    }
                })
                .collect_view()
        }
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
            <svg width=W height=H>{shapes}</svg>
            <div class="minimap-view" data-testid="minimap-view" style=view_box></div>
        </div>
    }
}
