//! One stable sort that every caller shares.
//!
//! Each `slice::sort_by` call site with its own element and closure type
//! gets its own copy of the standard library's stable sort (driftsort: its
//! merge, quicksort and small-sort functions, a few KB of code each time).
//! The browser downloads every copy: the web app's wasm held about 250 sort
//! functions (bench/RESULTS.md, issue #5). [`sort_by`] sorts the positions
//! instead, through one comparator behind a `dyn` reference, so there is one
//! copy of the sort in the program however many lists use it.
//!
//! The lists sorted here are a board's notes, frames, nodes or votes: one
//! dynamic call per comparison and one extra pass to move the items into
//! place cost far less than reading the board they came from.
use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, as `items.sort_by(compare)` would.
pub fn sort_by<T>(items: &mut Vec<T>, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &mut |a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&i| slots[i].take()));
}

/// Sorts `items` stably by the key `key` gives, as `items.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)))
}

/// The one instance of the standard sort.
#[inline(never)]
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard stable sort, equal keys included
        /// (the second field tells equal keys apart).
        #[test]
        fn sorts_as_the_standard_stable_sort(
            items in proptest::collection::vec((0u8..6, any::<u16>()), 0..200)
        ) {
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = items.clone();
            std_sorted.sort_by_key(|a| a.0);
            prop_assert_eq!(&ours, &std_sorted);

            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |x| std::cmp::Reverse(x.0));
            let mut std_by_key = items;
            std_by_key.sort_by_key(|x| std::cmp::Reverse(x.0));
            prop_assert_eq!(by_key, std_by_key);
        }
    }

    #[test]
    fn moves_owned_items_without_cloning() {
        let mut names = vec!["c".to_string(), "a".to_string(), "b".to_string()];
        sort_by(&mut names, |a, b| a.cmp(b));
        assert_eq!(names, ["a", "b", "c"]);
        let mut empty: Vec<String> = Vec::new();
        sort_by(&mut empty, |a, b| a.cmp(b));
        assert!(empty.is_empty());
    }
}
