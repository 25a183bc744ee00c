//! A pure, deterministic tidy-tree layout for horizontal mind maps.
//!
//! The root sits at the left, its children in a column to its right, and so
//! on. A node's `x` is its parent's `x + w + level_gap`, so columns follow
//! the box widths along each path. Vertically every subtree owns a *block*:
//! a leaf's block is its own height; a parent's block is the larger of its
//! own height and the span of its children's blocks stacked with
//! `sibling_gap` between them, and the parent is centred on that span.
//! Blocks of siblings never overlap and every box lies inside its subtree's
//! block, so no two boxes overlap.
//!
//! The algorithm runs in `O(n log n)` and never recurses:
//! 1. Keep the first occurrence of each id, then sort the nodes by id so that
//!    everything after this step is independent of the input order.
//! 2. Pick the root: the smallest id without a parent (failing that, the
//!    smallest id whose parent is missing, failing that the smallest id).
//!    Other parentless nodes, nodes whose parent is missing and nodes that
//!    sit on a parent cycle become children of the root; descendants of such
//!    nodes keep their own parents.
//! 3. Sort each node's children by `(order, id)` and walk the tree in
//!    pre-order with an explicit stack, skipping children of collapsed nodes.
//! 4. Compute block heights bottom-up (the reverse of the pre-order), then
//!    positions top-down (the pre-order).
//!
//! Sizes that are NaN, infinite or negative count as 0, a NaN order as 0,
//! and so do NaN, infinite or negative gaps in [`Spacing`].

use serde::{Deserialize, Serialize};

/// Size of a node's box, in board units (the caller measures text).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// One node of the tree to lay out. `parent == None` marks the root (exactly one root expected;
/// if several nodes have no parent, the one with the smallest id is the root and the others are
/// laid out as if they were children of it). `order` sorts siblings (ascending, ties broken by id).
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutInput<'a> {
    pub id: &'a str,
    pub parent: Option<&'a str>,
    pub order: f64,
    pub size: Size,
    pub collapsed: bool,
}

/// Gaps between depth columns (`level_gap`, horizontal) and between sibling
/// subtrees (`sibling_gap`, vertical).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spacing {
    pub level_gap: f64,
    pub sibling_gap: f64,
}

impl Default for Spacing {
    fn default() -> Self {
        Self {
            level_gap: 60.0,
            sibling_gap: 16.0,
        }
    }
}

/// Where a node's box goes: top-left corner, plus its size. Root's box is at x = 0, centered vertically on y = 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub id: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub depth: usize,
}

/// A length that is finite and non-negative, else 0.
fn clean_len(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// An order with NaN as 0 and -0 as 0, so that `total_cmp` sorts sensibly.
fn clean_order(v: f64) -> f64 {
    if v.is_nan() { 0.0 } else { v + 0.0 }
}

/// Marks the nodes that lie on a cycle of `parent` pointers. Iterative, O(n).
fn on_cycle(parent: &[Option<usize>]) -> Vec<bool> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = parent.len();
    let mut state = vec![NEW; n];
    let mut cyclic = vec![false; n];
    let mut path = Vec::new();
    for start in 0..n {
        if state[start] != NEW {
            continue;
        }
        let mut cur = Some(start);
        while let Some(c) = cur {
            if state[c] != NEW {
                break;
            }
            state[c] = ON_PATH;
            path.push(c);
            cur = parent[c];
        }
        if let Some(c) = cur
            && state[c] == ON_PATH
        {
            // The walk came back to a node of this very path: `c` and
            // everything after it on the path form a cycle.
            for &p in path.iter().rev() {
                cyclic[p] = true;
                if p == c {
                    break;
                }
            }
        }
        for &p in &path {
            state[p] = DONE;
        }
        path.clear();
    }
    cyclic
}

/// Lays out a mind-map tree; see the [module docs](self). Returns the placed
/// boxes in pre-order (root first, then each child's subtree in sibling
/// order); children of collapsed nodes are left out.
pub fn layout(nodes: &[LayoutInput<'_>], spacing: Spacing) -> Vec<Placed> {
    // 1. Canonical node set: first occurrence of each id, sorted by id.
    // Sorting by (id, input index) puts each id's first occurrence first.
    let mut keyed: Vec<(&str, usize)> = nodes.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    crate::sort::sort_by(&mut keyed, |a, b| a.cmp(b));
    keyed.dedup_by_key(|k| k.0);
    let ns: Vec<&LayoutInput<'_>> = keyed.iter().map(|&(_, i)| &nodes[i]).collect();
    let sorted_ids: Vec<&str> = keyed.iter().map(|k| k.0).collect();
    let n = ns.len();
    if n == 0 {
        return Vec::new();
    }
    let find = |id: &str| sorted_ids.binary_search(&id).ok();

    // 2. Parents, root, and re-attachment of orphans and cycles to the root.
    let mut parent: Vec<Option<usize>> = ns.iter().map(|m| m.parent.and_then(find)).collect();
    let root = ns
        .iter()
        .position(|m| m.parent.is_none())
        .or_else(|| parent.iter().position(Option::is_none))
        .unwrap_or(0);
    parent[root] = None;
    let cyclic = on_cycle(&parent);

    // 3. Children lists (CSR), each sorted by (order, id).
    let mut edges: Vec<(usize, f64, usize)> = Vec::with_capacity(n - 1);
    for (i, m) in ns.iter().enumerate() {
        if i == root {
            continue;
        }
        let p = match parent[i] {
            Some(p) if !cyclic[i] => p,
            _ => root,
        };
        edges.push((p, clean_order(m.order), i));
    }
    crate::sort::sort_by(&mut edges, |a, b| {
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2))
    });
    let mut start = vec![0usize; n + 1];
    for &(p, _, _) in &edges {
        start[p + 1] += 1;
    }
    let mut acc = 0;
    for s in start.iter_mut() {
        acc += *s;
        *s = acc;
    }
    let kids: Vec<usize> = edges.iter().map(|e| e.2).collect();
    let children = |v: usize| -> &[usize] {
        if ns[v].collapsed {
            &[]
        } else {
            &kids[start[v]..start[v + 1]]
        }
    };

    // Pre-order walk with an explicit stack. Every non-root node has exactly
    // one parent edge and the root none, so each node is pushed at most once.
    let mut pre = Vec::with_capacity(n);
    let mut depth = vec![0usize; n];
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        pre.push(v);
        for &c in children(v).iter().rev() {
            depth[c] = depth[v] + 1;
            stack.push(c);
        }
    }

    // 4. Block heights bottom-up, then positions top-down.
    let level_gap = clean_len(spacing.level_gap);
    let sibling_gap = clean_len(spacing.sibling_gap);
    let w: Vec<f64> = ns.iter().map(|m| clean_len(m.size.w)).collect();
    let h: Vec<f64> = ns.iter().map(|m| clean_len(m.size.h)).collect();
    let mut block = vec![0.0f64; n];
    let mut span = vec![0.0f64; n];
    for &v in pre.iter().rev() {
        let ch = children(v);
        if !ch.is_empty() {
            let sum: f64 = ch.iter().map(|&c| block[c]).sum();
            span[v] = sum + sibling_gap * (ch.len() - 1) as f64;
        }
        block[v] = h[v].max(span[v]);
    }
    let mut x = vec![0.0f64; n];
    let mut cy = vec![0.0f64; n];
    for &v in &pre {
        let ch = children(v);
        if ch.is_empty() {
            continue;
        }
        let cx = x[v] + w[v] + level_gap;
        let mut top = cy[v] - span[v] / 2.0;
        for &c in ch {
            x[c] = cx;
            cy[c] = top + block[c] / 2.0;
            top += block[c] + sibling_gap;
        }
    }

    pre.iter()
        .map(|&v| Placed {
            id: ns[v].id.to_string(),
            x: x[v],
            y: cy[v] - h[v] / 2.0,
            w: w[v],
            h: h[v],
            depth: depth[v],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const EPS: f64 = 1e-6;

    fn node<'a>(
        id: &'a str,
        parent: Option<&'a str>,
        order: f64,
        w: f64,
        h: f64,
    ) -> LayoutInput<'a> {
        LayoutInput {
            id,
            parent,
            order,
            size: Size { w, h },
            collapsed: false,
        }
    }

    fn ids(out: &[Placed]) -> Vec<&str> {
        out.iter().map(|p| p.id.as_str()).collect()
    }

    fn by_id(out: &[Placed]) -> BTreeMap<&str, &Placed> {
        out.iter().map(|p| (p.id.as_str(), p)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS * (1.0 + a.abs().max(b.abs()))
    }

    fn overlap(a: &Placed, b: &Placed) -> bool {
        a.x < b.x + b.w - EPS
            && b.x < a.x + a.w - EPS
            && a.y < b.y + b.h - EPS
            && b.y < a.y + a.h - EPS
    }

    fn assert_no_overlap(out: &[Placed]) {
        for (i, a) in out.iter().enumerate() {
            for b in &out[i + 1..] {
                assert!(!overlap(a, b), "{a:?} overlaps {b:?}");
            }
        }
    }

    /// Deterministic pseudo-random numbers (Knuth's MMIX LCG).
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// (parent index, order, w, h, collapsed) of one generated node.
    type Spec = (usize, f64, f64, f64, bool);

    /// Ids and (parent index, order, w, h, collapsed) for a random tree
    /// whose node 0 is the root and node i's parent is some node j < i.
    fn random_tree(seed: u64, n: usize, collapse_pct: u64) -> (Vec<String>, Vec<Spec>) {
        let mut rng = Lcg(seed);
        let ids = (0..n).map(|i| format!("n{i:04}")).collect();
        let spec = (0..n)
            .map(|i| {
                let parent = if i == 0 {
                    0
                } else {
                    rng.below(i as u64) as usize
                };
                let order = rng.below(4) as f64; // many ties, to exercise the id tie-break
                let w = 20.0 + rng.below(180) as f64;
                let h = 10.0 + rng.below(110) as f64 + 0.5;
                let collapsed = i > 0 && rng.below(100) < collapse_pct;
                (parent, order, w, h, collapsed)
            })
            .collect();
        (ids, spec)
    }

    fn inputs<'a>(ids: &'a [String], spec: &[Spec]) -> Vec<LayoutInput<'a>> {
        spec.iter()
            .enumerate()
            .map(|(i, &(p, order, w, h, collapsed))| LayoutInput {
                id: &ids[i],
                parent: (i > 0).then(|| ids[p].as_str()),
                order,
                size: Size { w, h },
                collapsed,
            })
            .collect()
    }

    /// Checks every tidy-tree property of `out` against a well-formed input tree.
    fn check_tidy(input: &[LayoutInput<'_>], out: &[Placed], sp: Spacing) {
        let inp: BTreeMap<&str, &LayoutInput<'_>> = input.iter().map(|m| (m.id, m)).collect();
        let pos: BTreeMap<&str, usize> = out
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        assert_no_overlap(out);
        let root = &out[0];
        assert_eq!(root.depth, 0);
        assert_eq!(root.x, 0.0);
        assert!(close(root.y + root.h / 2.0, 0.0));

        // Children (in output order) of each placed node; output must be a pre-order.
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); out.len()];
        for (i, p) in out.iter().enumerate().skip(1) {
            let m = inp[p.id.as_str()];
            let pi = pos[m.parent.unwrap()];
            assert!(pi < i, "parent of {} placed after it", p.id);
            assert!(
                !inp[out[pi].id.as_str()].collapsed,
                "child of collapsed node placed"
            );
            assert_eq!(p.depth, out[pi].depth + 1);
            assert!(
                close(p.x, out[pi].x + out[pi].w + sp.level_gap),
                "x column of {}",
                p.id
            );
            assert_eq!((p.w, p.h), (m.size.w, m.size.h));
            kids[pi].push(i);
        }
        // Every child of a placed, expanded node is placed.
        for m in input {
            if let Some(p) = m.parent
                && pos.contains_key(p)
                && !inp[p].collapsed
            {
                assert!(pos.contains_key(m.id), "{} missing", m.id);
            }
        }
        // Subtree extents (top, bottom), bottom-up; pre-order makes each subtree contiguous.
        let mut ext: Vec<(f64, f64)> = out.iter().map(|p| (p.y, p.y + p.h)).collect();
        for i in (0..out.len()).rev() {
            for &c in &kids[i] {
                ext[i].0 = ext[i].0.min(ext[c].0);
                ext[i].1 = ext[i].1.max(ext[c].1);
            }
        }
        for (i, ks) in kids.iter().enumerate() {
            let end = (i + 1..out.len())
                .find(|&j| out[j].depth <= out[i].depth)
                .unwrap_or(out.len());
            let mut expect_next = i + 1;
            for pair in ks.windows(2) {
                let (a, b) = (&out[pair[0]], &out[pair[1]]);
                let (ma, mb) = (inp[a.id.as_str()], inp[b.id.as_str()]);
                assert!(
                    (ma.order, ma.id) < (mb.order, mb.id),
                    "siblings {} and {} out of order",
                    a.id,
                    b.id
                );
                assert!(
                    close(ext[pair[1]].0 - ext[pair[0]].1, sp.sibling_gap),
                    "gap between {} and {}",
                    a.id,
                    b.id
                );
            }
            for &c in ks {
                assert_eq!(c, expect_next, "not a pre-order");
                expect_next = (c + 1..out.len())
                    .find(|&j| out[j].depth <= out[c].depth)
                    .unwrap_or(out.len());
            }
            assert_eq!(expect_next, end);
            if let (Some(&first), Some(&last)) = (ks.first(), ks.last()) {
                let centre = out[i].y + out[i].h / 2.0;
                assert!(
                    close(centre, (ext[first].0 + ext[last].1) / 2.0),
                    "{} not centred",
                    out[i].id
                );
            }
        }
    }

    #[test]
    fn empty_input_returns_empty() {
        assert!(layout(&[], Spacing::default()).is_empty());
    }

    #[test]
    fn spacing_default() {
        assert_eq!(
            Spacing::default(),
            Spacing {
                level_gap: 60.0,
                sibling_gap: 16.0
            }
        );
    }

    #[test]
    fn single_root() {
        let out = layout(&[node("r", None, 0.0, 120.0, 40.0)], Spacing::default());
        assert_eq!(
            out,
            vec![Placed {
                id: "r".into(),
                x: 0.0,
                y: -20.0,
                w: 120.0,
                h: 40.0,
                depth: 0
            }]
        );
    }

    #[test]
    fn root_with_three_children() {
        let input = [
            node("c", Some("r"), 3.0, 50.0, 30.0),
            node("r", None, 0.0, 100.0, 40.0),
            node("a", Some("r"), 1.0, 80.0, 20.0),
            node("b", Some("r"), 2.0, 60.0, 50.0),
        ];
        let sp = Spacing::default();
        let out = layout(&input, sp);
        assert_eq!(ids(&out), ["r", "a", "b", "c"]);
        let m = by_id(&out);
        // Span: 20 + 16 + 50 + 16 + 30 = 132, centred on 0.
        assert_eq!((m["r"].x, m["r"].y), (0.0, -20.0));
        for c in ["a", "b", "c"] {
            assert_eq!(m[c].x, 160.0);
            assert_eq!(m[c].depth, 1);
        }
        assert_eq!(m["a"].y, -66.0);
        assert_eq!(m["b"].y, -30.0);
        assert_eq!(m["c"].y, 36.0);
        assert_eq!(m["c"].y + m["c"].h, 66.0);
        check_tidy(&input, &out, sp);
    }

    #[test]
    fn tall_parent_centres_children_and_pushes_siblings_apart() {
        let input = [
            node("r", None, 0.0, 10.0, 10.0),
            node("big", Some("r"), 0.0, 40.0, 200.0),
            node("small", Some("r"), 1.0, 40.0, 10.0),
            node("k1", Some("big"), 0.0, 30.0, 20.0),
            node("k2", Some("big"), 1.0, 30.0, 20.0),
        ];
        let sp = Spacing {
            level_gap: 10.0,
            sibling_gap: 5.0,
        };
        let out = layout(&input, sp);
        let m = by_id(&out);
        // Block of "big" is its own height (200); "small" follows 5 below it.
        assert!(close(m["small"].y - (m["big"].y + m["big"].h), 5.0));
        assert!(close(m["k1"].y, m["big"].y + 100.0 - 22.5));
        assert!(close(m["k2"].y, m["big"].y + 100.0 + 2.5));
        assert_eq!(m["k1"].x, 10.0 + 10.0 + 40.0 + 10.0);
        check_tidy(&input, &out, sp);
    }

    #[test]
    fn nested_subtrees_never_overlap() {
        for seed in [1, 7, 42] {
            let (ids, spec) = random_tree(seed, 200, 0);
            let input = inputs(&ids, &spec);
            let sp = Spacing::default();
            let out = layout(&input, sp);
            assert_eq!(out.len(), 200);
            check_tidy(&input, &out, sp);
            // x columns really vary with box widths along the path.
            let xs: std::collections::BTreeSet<u64> = out
                .iter()
                .filter(|p| p.depth == 2)
                .map(|p| p.x.to_bits())
                .collect();
            assert!(xs.len() > 1);
        }
    }

    #[test]
    fn random_tree_with_collapsed_nodes_and_odd_spacing() {
        let (ids, spec) = random_tree(99, 300, 15);
        let input = inputs(&ids, &spec);
        let sp = Spacing {
            level_gap: 0.0,
            sibling_gap: 0.0,
        };
        let out = layout(&input, sp);
        assert!(out.len() < 300);
        check_tidy(&input, &out, sp);
    }

    #[test]
    fn collapsed_node_hides_descendants() {
        let mut input = vec![
            node("r", None, 0.0, 100.0, 40.0),
            node("a", Some("r"), 0.0, 50.0, 30.0),
            node("a1", Some("a"), 0.0, 50.0, 300.0),
            node("a2", Some("a"), 1.0, 50.0, 300.0),
            node("a1x", Some("a1"), 0.0, 50.0, 30.0),
            node("b", Some("r"), 1.0, 50.0, 30.0),
        ];
        input[1].collapsed = true;
        let sp = Spacing::default();
        let out = layout(&input, sp);
        assert_eq!(ids(&out), ["r", "a", "b"]);
        let m = by_id(&out);
        // "a" takes only its own height: a and b span 30 + 16 + 30 = 76.
        assert_eq!(m["a"].y, -38.0);
        assert_eq!(m["b"].y, 8.0);
        check_tidy(&input, &out, sp);

        // A collapsed root shows only itself.
        input[0].collapsed = true;
        assert_eq!(ids(&layout(&input, sp)), ["r"]);
    }

    #[test]
    fn orphans_and_two_cycle_attach_to_root() {
        let input = [
            node("r", None, 0.0, 100.0, 40.0),
            node("c", Some("r"), 1.0, 50.0, 20.0),
            node("o", Some("ghost"), 0.0, 50.0, 20.0),
            node("o1", Some("o"), 0.0, 50.0, 20.0),
            node("x", Some("y"), 2.0, 50.0, 20.0),
            node("y", Some("x"), 3.0, 50.0, 20.0),
            node("z", Some("x"), 0.0, 50.0, 20.0),
            node("self", Some("self"), 2.5, 50.0, 20.0),
            node("s", None, 4.0, 50.0, 20.0),
        ];
        let out = layout(&input, Spacing::default());
        assert_eq!(ids(&out), ["r", "o", "o1", "c", "x", "z", "self", "y", "s"]);
        let m = by_id(&out);
        for id in ["o", "c", "x", "self", "y", "s"] {
            assert_eq!(m[id].depth, 1, "{id}");
            assert_eq!(m[id].x, 160.0, "{id}");
        }
        for id in ["o1", "z"] {
            assert_eq!(m[id].depth, 2, "{id}");
            assert_eq!(m[id].x, 270.0, "{id}");
        }
        assert_no_overlap(&out);
    }

    #[test]
    fn several_parentless_nodes_smallest_id_is_root() {
        let input = [
            node("m", None, 0.0, 10.0, 10.0),
            node("b", None, 5.0, 10.0, 10.0),
            node("k", Some("m"), 1.0, 10.0, 10.0),
        ];
        let out = layout(&input, Spacing::default());
        assert_eq!(ids(&out), ["b", "m", "k"]);
        assert_eq!(out.iter().map(|p| p.depth).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn no_parentless_node_still_lays_out_everything() {
        // Whole input is one cycle: the smallest id becomes the root.
        let input = [
            node("q", Some("p"), 0.0, 10.0, 10.0),
            node("p", Some("r"), 0.0, 10.0, 10.0),
            node("r", Some("q"), 0.0, 10.0, 10.0),
        ];
        let out = layout(&input, Spacing::default());
        assert_eq!(ids(&out), ["p", "q", "r"]);
        // Subtree whose top's parent is missing: that top becomes the root.
        let input = [
            node("a", Some("t"), 0.0, 10.0, 10.0),
            node("t", Some("ghost"), 0.0, 10.0, 10.0),
        ];
        assert_eq!(ids(&layout(&input, Spacing::default())), ["t", "a"]);
    }

    #[test]
    fn input_order_does_not_change_output() {
        let (ids, spec) = random_tree(5, 200, 10);
        let mut input = inputs(&ids, &spec);
        // Add orphans and a cycle so every rule is exercised.
        input.push(node("zz1", Some("nope"), 1.0, 30.0, 30.0));
        input.push(node("zz2", Some("zz3"), 1.0, 30.0, 30.0));
        input.push(node("zz3", Some("zz2"), 1.0, 30.0, 30.0));
        let expected = layout(&input, Spacing::default());
        assert_eq!(expected.len(), input.len() - hidden(&input));
        let mut rng = Lcg(123);
        input.reverse();
        assert_eq!(layout(&input, Spacing::default()), expected);
        for _ in 0..5 {
            for i in (1..input.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                input.swap(i, j);
            }
            assert_eq!(layout(&input, Spacing::default()), expected);
        }
    }

    /// Number of nodes below a collapsed node (for a parent-before-child tree).
    fn hidden(input: &[LayoutInput<'_>]) -> usize {
        let inp: BTreeMap<&str, &LayoutInput<'_>> = input.iter().map(|m| (m.id, m)).collect();
        input
            .iter()
            .filter(|m| {
                let mut cur = m.parent;
                let mut steps = 0;
                while let Some(p) = cur.and_then(|p| inp.get(p)) {
                    if p.collapsed {
                        return true;
                    }
                    steps += 1;
                    if steps > input.len() {
                        return false;
                    }
                    cur = p.parent;
                }
                false
            })
            .count()
    }

    #[test]
    fn duplicate_ids_keep_first() {
        let input = [
            node("r", None, 0.0, 100.0, 40.0),
            node("a", Some("r"), 0.0, 50.0, 30.0),
            node("a", Some("r"), 0.0, 999.0, 999.0),
            node("r", Some("a"), 0.0, 1.0, 1.0),
        ];
        let out = layout(&input, Spacing::default());
        assert_eq!(ids(&out), ["r", "a"]);
        assert_eq!((out[0].w, out[1].w, out[1].h), (100.0, 50.0, 30.0));
    }

    #[test]
    fn deep_chain_does_not_overflow_the_stack() {
        // A small thread stack, so a recursive walk would fail here.
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let ids: Vec<String> = (0..5000).map(|i| format!("d{i}")).collect();
                let input: Vec<LayoutInput<'_>> = (0..5000)
                    .map(|i| {
                        node(
                            &ids[i],
                            (i > 0).then(|| ids[i - 1].as_str()),
                            0.0,
                            10.0,
                            20.0,
                        )
                    })
                    .collect();
                layout(&input, Spacing::default())
            })
            .unwrap();
        let out = handle.join().unwrap();
        assert_eq!(out.len(), 5000);
        let last = out.last().unwrap();
        assert_eq!((last.id.as_str(), last.depth), ("d4999", 4999));
        assert_eq!(last.x, 4999.0 * 70.0);
        assert!(out.iter().all(|p| p.y == -10.0));
    }

    #[test]
    fn nan_sizes_do_not_panic() {
        let input = [
            node("r", None, f64::NAN, f64::NAN, f64::INFINITY),
            node("a", Some("r"), f64::NAN, -5.0, f64::NEG_INFINITY),
            node("b", Some("r"), f64::INFINITY, f64::INFINITY, f64::NAN),
            node("c", Some("r"), -0.0, 10.0, 10.0),
            node("d", Some("r"), f64::NEG_INFINITY, 10.0, -0.0),
        ];
        let out = layout(&input, Spacing::default());
        // NaN order counts as 0 and ties with -0 (= 0) break by id.
        assert_eq!(ids(&out), ["r", "d", "a", "c", "b"]);
        for p in &out {
            assert!(
                p.x.is_finite() && p.y.is_finite() && p.w.is_finite() && p.h.is_finite(),
                "{p:?}"
            );
        }
        let m = by_id(&out);
        assert_eq!(
            (m["r"].w, m["r"].h, m["a"].w, m["a"].h, m["b"].w),
            (0.0, 0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(m["a"].x, 60.0);
        assert_no_overlap(&out);

        let weird = Spacing {
            level_gap: f64::NAN,
            sibling_gap: -3.0,
        };
        let out = layout(&input, weird);
        assert!(out.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
    }
}
