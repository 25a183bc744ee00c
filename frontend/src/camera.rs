//! The canvas camera: which part of the (unbounded) board the screen shows.
//! Pure arithmetic, no browser: the canvas moves the whole board by one CSS
//! transform built from it (`transform()`), so panning never touches notes.
//!
//! A screen point `s` (CSS pixels relative to the canvas element) shows the
//! board point `b = (x, y) + s / zoom`.

pub const MIN_ZOOM: f64 = 0.1;
pub const MAX_ZOOM: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// The board point at the canvas's top-left corner.
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
    }
}

/// A rectangle in board units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn contains(&self, px: f64, py: f64) -> bool {
        px >= self.x && py >= self.y && px <= self.x + self.w && py <= self.y + self.h
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect {
            x,
            y,
            w: (self.x + self.w).max(o.x + o.w) - x,
            h: (self.y + self.h).max(o.y + o.h) - y,
        }
    }

    /// From two corners in any order.
    pub fn from_corners(a: (f64, f64), b: (f64, f64)) -> Rect {
        Rect {
            x: a.0.min(b.0),
            y: a.1.min(b.1),
            w: (a.0 - b.0).abs(),
            h: (a.1 - b.1).abs(),
        }
    }

    pub fn grow(&self, by: f64) -> Rect {
        Rect {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }
}

fn clamp_zoom(z: f64) -> f64 {
    if z.is_finite() {
        z.clamp(MIN_ZOOM, MAX_ZOOM)
    } else {
        1.0
    }
}

impl Camera {
    pub fn to_board(self, sx: f64, sy: f64) -> (f64, f64) {
        (self.x + sx / self.zoom, self.y + sy / self.zoom)
    }

    pub fn to_screen(self, bx: f64, by: f64) -> (f64, f64) {
        ((bx - self.x) * self.zoom, (by - self.y) * self.zoom)
    }

    /// Moves the view by a screen distance (the board follows the finger).
    pub fn pan_by(&mut self, dx: f64, dy: f64) {
        self.x -= dx / self.zoom;
        self.y -= dy / self.zoom;
    }

    /// Zooms by `factor`, keeping the board point under the screen point
    /// `(sx, sy)` where it is.
    pub fn zoom_at(&mut self, sx: f64, sy: f64, factor: f64) {
        let (bx, by) = self.to_board(sx, sy);
        self.zoom = clamp_zoom(self.zoom * factor);
        self.x = bx - sx / self.zoom;
        self.y = by - sy / self.zoom;
    }

    /// The part of the board a `w`×`h` canvas shows.
    pub fn visible(&self, w: f64, h: f64) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: w / self.zoom,
            h: h / self.zoom,
        }
    }

    /// A camera that shows all of `bounds` in a `w`×`h` canvas with a margin,
    /// never zooming in past 1 (a single note is not blown up).
    pub fn fit(bounds: Rect, w: f64, h: f64) -> Camera {
        let margin = 40.0;
        let zx = (w - 2.0 * margin).max(1.0) / bounds.w.max(1.0);
        let zy = (h - 2.0 * margin).max(1.0) / bounds.h.max(1.0);
        let zoom = clamp_zoom(zx.min(zy).min(1.0));
        Camera {
            x: bounds.x + bounds.w / 2.0 - w / 2.0 / zoom,
            y: bounds.y + bounds.h / 2.0 - h / 2.0 / zoom,
            zoom,
        }
    }

    /// Centres the view on a board point, keeping the zoom.
    pub fn center_on(&mut self, bx: f64, by: f64, w: f64, h: f64) {
        self.x = bx - w / 2.0 / self.zoom;
        self.y = by - h / 2.0 / self.zoom;
    }

    /// The CSS transform of the board layer.
    pub fn transform(&self) -> String {
        format!(
            "transform: translate({}px, {}px) scale({});",
            -self.x * self.zoom,
            -self.y * self.zoom,
            self.zoom
        )
    }
}

/// Two fingers on the canvas: pinch zoom around their midpoint plus pan by
/// its movement. Returns the camera for the new finger positions.
pub fn pinch(
    start: Camera,
    from: ((f64, f64), (f64, f64)),
    to: ((f64, f64), (f64, f64)),
) -> Camera {
    let dist =
        |(a, b): ((f64, f64), (f64, f64))| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let mid = |(a, b): ((f64, f64), (f64, f64))| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (d0, d1) = (dist(from), dist(to));
    let factor = if d0 > 1.0 { d1 / d0 } else { 1.0 };
    let (m0, m1) = (mid(from), mid(to));
    // The board point under the first midpoint stays under the moving midpoint.
    let (bx, by) = start.to_board(m0.0, m0.1);
    let zoom = clamp_zoom(start.zoom * factor);
    Camera {
        x: bx - m1.0 / zoom,
        y: by - m1.1 / zoom,
        zoom,
    }
}

/// The board rectangle that holds every given rectangle, if any.
pub fn bounds(rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    rects.into_iter().reduce(|a, b| a.union(&b))
}

/// Where a note of `size` added at the view's centre goes (its top-left
/// corner). People put paper post-its side by side, so a new note goes where
/// it covers no other note: at `want` if that is free, else at the nearest
/// free place of a grid of note-sized steps around it, ring by ring (in a
/// ring the same row first, right before left), that lies inside `view`.
/// `taken` holds the other notes. Only when the view has no free place does
/// the note go one step right and down from any note at `want`, so that
/// notes added one after another still never hide each other completely.
pub fn free_spot(taken: &[Rect], want: (f64, f64), size: (f64, f64), view: Rect) -> (f64, f64) {
    const GAP: f64 = 16.0;
    let (w, h) = size;
    let free = |x: f64, y: f64| {
        let r = Rect { x, y, w, h }.grow(GAP / 2.0);
        !taken.iter().any(|t| r.intersects(t))
    };
    let inside = |x: f64, y: f64| view.contains(x, y) && view.contains(x + w, y + h);
    let (sx, sy) = (w + GAP, h + GAP);
    let reach = |len: f64, step: f64| ((len / step).ceil() as i32).clamp(1, 12);
    let (ri, rj) = (reach(view.w, sx), reach(view.h, sy));
    let mut cells: Vec<(i32, i32)> = (-rj..=rj)
        .flat_map(|j| (-ri..=ri).map(move |i| (i, j)))
        .collect();
    // Ring by ring around the wanted spot; in a ring the same row first,
    // right before left, above before below.
    samskab_board::sort::sort_by_key(&mut cells, |&(i, j)| {
        (i.abs().max(j.abs()), j.abs(), i.abs(), -i.signum(), j)
    });
    for (i, j) in cells {
        let (x, y) = (want.0 + f64::from(i) * sx, want.1 + f64::from(j) * sy);
        if (inside(x, y) || (i, j) == (0, 0)) && free(x, y) {
            return (x, y);
        }
    }
    // The view is full: fan out from the wanted spot.
    const STEP: f64 = 32.0;
    let (mut x, mut y) = want;
    for _ in 0..64 {
        if !taken
            .iter()
            .any(|t| (t.x - x).abs() < STEP / 2.0 && (t.y - y).abs() < STEP / 2.0)
        {
            break;
        }
        x += STEP;
        y += STEP;
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(x: f64, y: f64) -> Rect {
        Rect {
            x,
            y,
            w: 200.0,
            h: 160.0,
        }
    }

    const VIEW: Rect = Rect {
        x: 0.0,
        y: 0.0,
        w: 1000.0,
        h: 600.0,
    };

    #[test]
    fn notes_added_at_the_centre_go_side_by_side() {
        let size = (200.0, 160.0);
        let want = (400.0, 220.0);
        assert_eq!(free_spot(&[], want, size, VIEW), want);
        // A note elsewhere does not move the new one.
        assert_eq!(free_spot(&[note(0.0, 0.0)], want, size, VIEW), want);
        // Notes added one after another: the first at the centre, the next
        // to its right, then to its left, then the rows above and below;
        // none covers another, and all stay in the view.
        let mut taken: Vec<Rect> = Vec::new();
        for _ in 0..6 {
            let (x, y) = free_spot(&taken, want, size, VIEW);
            taken.push(note(x, y));
        }
        let corners: Vec<(f64, f64)> = taken.iter().map(|r| (r.x, r.y)).collect();
        assert_eq!(
            corners,
            vec![
                (400.0, 220.0),
                (616.0, 220.0),
                (184.0, 220.0),
                (400.0, 44.0),
                (400.0, 396.0),
                (616.0, 44.0)
            ]
        );
        for (i, a) in taken.iter().enumerate() {
            assert!(a.x >= VIEW.x && a.x + a.w <= VIEW.x + VIEW.w, "{a:?}");
            assert!(a.y >= VIEW.y && a.y + a.h <= VIEW.y + VIEW.h, "{a:?}");
            for b in &taken[i + 1..] {
                assert!(!a.intersects(b), "{a:?} covers {b:?}");
            }
        }
        // A note nudged a little off the spot still counts as there.
        assert_eq!(
            free_spot(&[note(405.0, 217.0)], want, size, VIEW),
            (616.0, 220.0)
        );
    }

    #[test]
    fn a_full_view_still_never_stacks_notes_exactly() {
        // The view (zoomed in) is smaller than a note: nothing fits in it,
        // so new notes fan out from the centre one step at a time.
        let view = Rect {
            x: 390.0,
            y: 210.0,
            w: 150.0,
            h: 100.0,
        };
        let size = (200.0, 160.0);
        let mut taken: Vec<Rect> = Vec::new();
        for _ in 0..3 {
            let (x, y) = free_spot(&taken, (400.0, 220.0), size, view);
            taken.push(note(x, y));
        }
        let corners: Vec<(f64, f64)> = taken.iter().map(|r| (r.x, r.y)).collect();
        assert_eq!(
            corners,
            vec![(400.0, 220.0), (432.0, 252.0), (464.0, 284.0)]
        );
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut c = Camera {
            x: 100.0,
            y: 50.0,
            zoom: 1.0,
        };
        let before = c.to_board(300.0, 200.0);
        c.zoom_at(300.0, 200.0, 2.0);
        assert!(close(c.zoom, 2.0));
        let after = c.to_board(300.0, 200.0);
        assert!(close(before.0, after.0) && close(before.1, after.1));
        c.zoom_at(0.0, 0.0, 1000.0);
        assert!(close(c.zoom, MAX_ZOOM));
        c.zoom_at(0.0, 0.0, f64::NAN);
        assert!(close(c.zoom, 1.0));
    }

    #[test]
    fn pan_follows_the_finger_at_any_zoom() {
        let mut c = Camera {
            x: 0.0,
            y: 0.0,
            zoom: 2.0,
        };
        let p = c.to_screen(50.0, 50.0);
        c.pan_by(20.0, -10.0);
        let q = c.to_screen(50.0, 50.0);
        assert!(close(q.0 - p.0, 20.0) && close(q.1 - p.1, -10.0));
    }

    #[test]
    fn fit_shows_everything_and_never_blows_up_one_note() {
        let b = Rect {
            x: -500.0,
            y: 0.0,
            w: 4000.0,
            h: 1000.0,
        };
        let c = Camera::fit(b, 1000.0, 700.0);
        let v = c.visible(1000.0, 700.0);
        assert!(v.x <= b.x && v.y <= b.y && v.x + v.w >= b.x + b.w && v.y + v.h >= b.y + b.h);
        let one = Rect {
            x: 10.0,
            y: 10.0,
            w: 200.0,
            h: 160.0,
        };
        assert!(close(Camera::fit(one, 1000.0, 700.0).zoom, 1.0));
    }

    #[test]
    fn pinch_zooms_around_the_fingers() {
        let start = Camera::default();
        let c = pinch(
            start,
            ((100.0, 100.0), (200.0, 100.0)),
            ((50.0, 100.0), (250.0, 100.0)),
        );
        assert!(close(c.zoom, 2.0));
        // The midpoint (150, 100) still shows the same board point.
        let (bx, by) = c.to_board(150.0, 100.0);
        assert!(close(bx, 150.0) && close(by, 100.0));
        // Two fingers moving together pan.
        let p = pinch(
            start,
            ((100.0, 100.0), (200.0, 100.0)),
            ((130.0, 120.0), (230.0, 120.0)),
        );
        assert!(close(p.zoom, 1.0) && close(p.x, -30.0) && close(p.y, -20.0));
    }

    #[test]
    fn rect_helpers() {
        let r = Rect::from_corners((10.0, 30.0), (0.0, 0.0));
        assert_eq!(
            r,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 10.0,
                h: 30.0
            }
        );
        assert!(r.contains(5.0, 5.0) && !r.contains(11.0, 5.0));
        let s = Rect {
            x: 9.0,
            y: 29.0,
            w: 5.0,
            h: 5.0,
        };
        assert!(r.intersects(&s));
        assert_eq!(bounds([r, s]).map(|b| b.w), Some(14.0));
        assert_eq!(bounds([]), None);
    }
}
