//! Checks of Automerge bytes that come from outside (an imported file, a
//! peer's sync message or raw changes) *before* Automerge reads them.
//!
//! Automerge's formats are compact on purpose: run-length encoded columns
//! and deflate let a few bytes declare millions of rows, and Automerge 0.12
//! expands what a file declares before it checks that the rows make sense.
//! Fuzzing found a 1.8 KB file whose load asked for more than 4 GB
//! (`fuzz/regressions/oom`), and a 1.8 KB sync message whose bloom filter
//! made every answer to that peer spin for minutes (`fuzz/regressions/slow`).
//!
//! This module walks the same formats without expanding them: it counts the
//! rows each column declares (and inflates deflated data up to a cap), and
//! refuses anything that declares more than [`Limits`] allow. It reads, it
//! does not validate: what passes here is then parsed by Automerge, which
//! refuses what is inconsistent.
//!
//! The formats are those of the Automerge binary format specification
//! (chunks, columns and their encodings) and of the sync protocol.
use std::io::Read;

use crate::board::Limits;

/// Why bytes from outside were refused before Automerge read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The bytes do not follow the format (cut short, a bad number, an
    /// unknown chunk type).
    #[error("damaged Automerge data: {0}")]
    Malformed(String),
    /// A valid format Samskab does not take from outside.
    #[error("not accepted: {0}")]
    Unsupported(String),
    /// Well-formed, but declares more than the limits allow.
    #[error("too large: {0}")]
    TooLarge(String),
}

/// What a run of chunks declares, counted without expanding it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Declared {
    /// Chunks (document, change or compressed change).
    pub chunks: u64,
    /// Changes: the rows of every document chunk's change table plus one
    /// per change chunk.
    pub changes: u64,
    /// Operations: the rows of every op table.
    pub ops: u64,
    /// Bytes after inflating deflated columns and chunks.
    pub inflated_bytes: u64,
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED: u8 = 2;
const CHUNK_BUNDLE: u8 = 3;
const SYNC_V1: u8 = 0x42;
const SYNC_V2: u8 = 0x43;
const HASH_LEN: u64 = 32;

/// Automerge writes bloom filters with 10 bits per entry and 7 probes; a
/// filter far outside that is only ever an attack (billions of probes per
/// lookup).
pub const MAX_BLOOM_PARAM: u64 = 64;

/// Checks a file or a run of chunks (a save, concatenated changes, or both)
/// against `limits` before it is given to Automerge.
pub fn check_chunks(bytes: &[u8], limits: &Limits) -> Result<Declared, WireError> {
    let mut budget = Budget::new(limits);
    walk_chunks(bytes, &mut budget)?;
    Ok(budget.declared)
}

/// Checks a sync message (the payload Automerge's `sync::Message::decode`
/// reads): its bloom filters and every chunk it carries.
pub fn check_sync_message(bytes: &[u8], limits: &Limits) -> Result<Declared, WireError> {
    let mut budget = Budget::new(limits);
    let mut r = Reader::new(bytes);
    match r.byte()? {
        SYNC_V1 | SYNC_V2 => {}
        other => return Err(malformed(format!("not a sync message (type {other:#x})"))),
    }
    for _ in 0..2 {
        // heads, need
        let n = r.uleb()?;
        r.take_n(n, HASH_LEN)?;
    }
    let haves = r.uleb()?;
    for _ in 0..haves {
        let n = r.uleb()?;
        r.take_n(n, HASH_LEN)?;
        let len = r.uleb()?;
        check_bloom(r.take(len)?)?;
    }
    let changes = r.uleb()?;
    for _ in 0..changes {
        let len = r.uleb()?;
        walk_chunks(r.take(len)?, &mut budget)?;
    }
    // What follows (flags) is a bit field Automerge reads leniently.
    Ok(budget.declared)
}

fn check_bloom(bytes: &[u8]) -> Result<(), WireError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut r = Reader::new(bytes);
    let entries = r.uleb()?;
    let bits_per_entry = r.uleb()?;
    let probes = r.uleb()?;
    if bits_per_entry > MAX_BLOOM_PARAM || probes > MAX_BLOOM_PARAM {
        return Err(WireError::TooLarge(format!(
            "a bloom filter with {bits_per_entry} bits per entry and {probes} probes (at most {MAX_BLOOM_PARAM})"
        )));
    }
    if entries > 0 && (bits_per_entry == 0 || probes == 0) {
        // Automerge would divide by the filter's size, zero.
        return Err(malformed("a bloom filter with entries but no bits".into()));
    }
    Ok(())
}

/// What may still be declared, and what has been.
struct Budget {
    max_changes: u64,
    max_ops: u64,
    max_inflated: u64,
    declared: Declared,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget {
            max_changes: limits.max_changes,
            max_ops: limits.max_ops,
            max_inflated: limits.max_inflated_bytes,
            declared: Declared::default(),
        }
    }

    fn add_changes(&mut self, n: u64) -> Result<(), WireError> {
        self.declared.changes = self.declared.changes.saturating_add(n);
        if self.declared.changes > self.max_changes {
            return Err(WireError::TooLarge(format!(
                "more than {} changes of history",
                self.max_changes
            )));
        }
        Ok(())
    }

    fn add_ops(&mut self, n: u64) -> Result<(), WireError> {
        self.declared.ops = self.declared.ops.saturating_add(n);
        if self.declared.ops > self.max_ops {
            return Err(WireError::TooLarge(format!(
                "more than {} operations of history",
                self.max_ops
            )));
        }
        Ok(())
    }

    /// Inflates raw deflate data, counting it against the budget.
    fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>, WireError> {
        let left = self.max_inflated - self.declared.inflated_bytes;
        let mut out = Vec::new();
        flate2::bufread::DeflateDecoder::new(data)
            .take(left.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| malformed(format!("deflated data does not inflate: {e}")))?;
        if out.len() as u64 > left {
            return Err(WireError::TooLarge(format!(
                "inflates to more than {} bytes",
                self.max_inflated
            )));
        }
        self.declared.inflated_bytes += out.len() as u64;
        Ok(out)
    }
}

fn walk_chunks(bytes: &[u8], budget: &mut Budget) -> Result<(), WireError> {
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        if r.take(4)? != MAGIC {
            return Err(malformed(
                "not an Automerge chunk (wrong magic bytes)".into(),
            ));
        }
        r.take(4)?; // checksum: Automerge checks it
        let kind = r.byte()?;
        let len = r.uleb()?;
        let data = r.take(len)?;
        budget.declared.chunks += 1;
        match kind {
            CHUNK_DOCUMENT => document(data, budget)?,
            CHUNK_CHANGE => change(data, budget)?,
            CHUNK_COMPRESSED => {
                let inflated = budget.inflate(data)?;
                change(&inflated, budget)?;
            }
            CHUNK_BUNDLE => {
                return Err(WireError::Unsupported(
                    "change bundles (save the document instead)".into(),
                ));
            }
            other => return Err(malformed(format!("unknown chunk type {other}"))),
        }
    }
    Ok(())
}

fn document(data: &[u8], budget: &mut Budget) -> Result<(), WireError> {
    let mut r = Reader::new(data);
    let actors = r.uleb()?;
    for _ in 0..actors {
        let len = r.uleb()?;
        r.take(len)?;
    }
    let heads = r.uleb()?;
    r.take_n(heads, HASH_LEN)?;
    let change_cols = columns_meta(&mut r)?;
    let op_cols = columns_meta(&mut r)?;
    let changes = table(&mut r, &change_cols, budget, Table::Changes)?;
    budget.add_changes(changes)?;
    let ops = table(&mut r, &op_cols, budget, Table::Ops)?;
    budget.add_ops(ops)?;
    // The rest (head indexes) is small and checked by Automerge.
    Ok(())
}

fn change(data: &[u8], budget: &mut Budget) -> Result<(), WireError> {
    let mut r = Reader::new(data);
    let deps = r.uleb()?;
    r.take_n(deps, HASH_LEN)?;
    let actor = r.uleb()?;
    r.take(actor)?;
    r.uleb()?; // seq
    r.uleb()?; // start op
    r.sleb()?; // time
    let message = r.uleb()?;
    r.take(message)?;
    let others = r.uleb()?;
    for _ in 0..others {
        let len = r.uleb()?;
        r.take(len)?;
    }
    let cols = columns_meta(&mut r)?;
    budget.add_changes(1)?;
    let ops = table(&mut r, &cols, budget, Table::Ops)?;
    budget.add_ops(ops)
}

#[derive(Clone, Copy)]
enum Table {
    Changes,
    Ops,
}

/// Column kinds, the low three bits of a column specification.
const COL_GROUP: u32 = 0;
const COL_DELTA: u32 = 3;
const COL_BOOLEAN: u32 = 4;
const COL_STRING: u32 = 5;
const COL_VALUE: u32 = 7;
const COL_DEFLATE: u32 = 8;

/// The column specifications and data lengths of one table.
fn columns_meta(r: &mut Reader<'_>) -> Result<Vec<(u32, u64)>, WireError> {
    let n = r.uleb()?;
    // Each column takes at least two bytes of metadata.
    if n > r.remaining() as u64 / 2 {
        return Err(malformed(format!("{n} columns declared in a short chunk")));
    }
    let mut cols = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let spec = r.uleb()?;
        let spec = u32::try_from(spec)
            .map_err(|_| malformed("a column specification over 32 bits".into()))?;
        let len = r.uleb()?;
        cols.push((spec, len));
    }
    Ok(cols)
}

/// Reads one table's column data and returns its number of rows (the most
/// any column declares). Every column, and every group's inner rows, must
/// stay within the table's limit.
fn table(
    r: &mut Reader<'_>,
    cols: &[(u32, u64)],
    budget: &mut Budget,
    kind: Table,
) -> Result<u64, WireError> {
    let max = match kind {
        Table::Changes => budget.max_changes,
        Table::Ops => budget.max_ops,
    };
    let mut rows = 0u64;
    for &(spec, len) in cols {
        let raw = r.take(len)?;
        let inflated;
        let data = if spec & COL_DEFLATE != 0 {
            inflated = budget.inflate(raw)?;
            &inflated[..]
        } else {
            raw
        };
        let counted = count_rows(spec & 7, data, max)?;
        rows = rows.max(counted.rows);
        if counted.group_total > max {
            return Err(too_many_rows(max));
        }
    }
    Ok(rows)
}

struct Counted {
    rows: u64,
    /// For a group column: the sum of its values, the rows of the columns
    /// it groups.
    group_total: u64,
}

fn too_many_rows(max: u64) -> WireError {
    WireError::TooLarge(format!("a column declares more than {max} rows"))
}

/// Counts the rows a column declares, without expanding them.
fn count_rows(kind: u32, data: &[u8], max: u64) -> Result<Counted, WireError> {
    let mut r = Reader::new(data);
    let mut rows = 0u64;
    let mut group_total = 0u64;
    let add = |rows: &mut u64, n: u64| -> Result<(), WireError> {
        *rows = rows.saturating_add(n);
        if *rows > max {
            return Err(too_many_rows(max));
        }
        Ok(())
    };
    match kind {
        COL_VALUE => {} // raw bytes, as many as the metadata column says
        COL_BOOLEAN => {
            while !r.is_empty() {
                let n = r.uleb()?;
                add(&mut rows, n)?;
            }
        }
        _ => {
            // Run-length encoding: a signed count, then one value repeated
            // (count > 0), -count literal values (count < 0), or a number
            // of nulls (count = 0).
            while !r.is_empty() {
                let count = r.sleb()?;
                if count > 0 {
                    let n = count as u64;
                    add(&mut rows, n)?;
                    let v = value(&mut r, kind)?;
                    group_total = group_total.saturating_add(v.saturating_mul(n));
                } else if count < 0 {
                    let n = count.unsigned_abs();
                    add(&mut rows, n)?;
                    for _ in 0..n {
                        let v = value(&mut r, kind)?;
                        group_total = group_total.saturating_add(v);
                    }
                } else {
                    let n = r.uleb()?;
                    add(&mut rows, n)?;
                }
            }
        }
    }
    if kind != COL_GROUP {
        group_total = 0;
    }
    Ok(Counted { rows, group_total })
}

/// Reads one value of a run-length encoded column; returns it for the
/// unsigned kinds (a group's sizes), 0 otherwise.
fn value(r: &mut Reader<'_>, kind: u32) -> Result<u64, WireError> {
    match kind {
        COL_DELTA => r.sleb().map(|_| 0),
        COL_STRING => {
            let len = r.uleb()?;
            r.take(len).map(|_| 0)
        }
        _ => r.uleb(),
    }
}

fn malformed(what: String) -> WireError {
    WireError::Malformed(what)
}

/// A cursor over bytes that never reads past their end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn byte(&mut self) -> Result<u8, WireError> {
        let (&b, rest) = self.bytes.split_first().ok_or_else(cut_short)?;
        self.bytes = rest;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], WireError> {
        if n > self.bytes.len() as u64 {
            return Err(cut_short());
        }
        let (head, rest) = self.bytes.split_at(n as usize);
        self.bytes = rest;
        Ok(head)
    }

    /// `count` items of `size` bytes each.
    fn take_n(&mut self, count: u64, size: u64) -> Result<&'a [u8], WireError> {
        self.take(count.checked_mul(size).ok_or_else(cut_short)?)
    }

    fn uleb(&mut self) -> Result<u64, WireError> {
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && b > 1 {
                return Err(malformed("a number over 64 bits".into()));
            }
            value |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("a number over 64 bits".into()))
    }

    fn sleb(&mut self) -> Result<i64, WireError> {
        let mut value = 0i64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift == 63 && b != 0 && b != 0x7f {
                return Err(malformed("a number over 64 bits".into()));
            }
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
            if shift > 63 {
                return Err(malformed("a number over 64 bits".into()));
            }
        }
    }
}

/// Writes an unsigned LEB128 number, the way every length and count in
/// these formats is written (for tests and tools that craft such data).
pub fn write_uleb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn cut_short() -> WireError {
    malformed("cut short".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Board, Color, Ctx, Op};

    use super::write_uleb as uleb;

    fn sleb(mut v: i64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    #[test]
    fn leb128_round_trips_at_the_edges() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            uleb(v, &mut b);
            assert_eq!(Reader::new(&b).uleb(), Ok(v));
        }
        for v in [0i64, 1, -1, 63, 64, -64, -65, i64::MAX, i64::MIN] {
            let mut b = Vec::new();
            sleb(v, &mut b);
            assert_eq!(Reader::new(&b).sleb(), Ok(v), "{v}");
        }
        assert!(Reader::new(&[0xff; 11]).uleb().is_err());
        assert!(Reader::new(&[0x80]).uleb().is_err());
    }

    fn sample_board() -> Board {
        let ctx = Ctx::new("anna", 1_700_000_000_000);
        let mut b = Board::create(&[1; 16], "Wire", &ctx).unwrap();
        for i in 0..50 {
            b.apply(
                &Op::CreateNote {
                    id: format!("n{i}"),
                    x: i as f64 * 10.0,
                    y: 0.0,
                    color: Color::Yellow,
                    text: "x".repeat(300),
                },
                &ctx,
            )
            .unwrap();
        }
        b
    }

    #[test]
    fn what_automerge_writes_passes_and_is_counted() {
        let mut b = sample_board();
        let save = b.save();
        let declared = check_chunks(&save, &Limits::default()).unwrap();
        assert_eq!(declared.chunks, 1);
        assert_eq!(declared.changes, b.doc_mut().get_changes(&[]).len() as u64);
        assert!(declared.ops > 50 * 300, "{declared:?}");
        // The same history as change chunks, one per change.
        let changes: Vec<u8> = b
            .doc_mut()
            .get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        let as_changes = check_chunks(&changes, &Limits::default()).unwrap();
        assert_eq!(as_changes.changes, declared.changes);
        assert_eq!(as_changes.ops, declared.ops);
    }

    #[test]
    fn a_history_over_the_limits_is_refused() {
        let save = sample_board().save();
        let limits = Limits {
            max_ops: 1_000,
            ..Limits::default()
        };
        assert!(matches!(
            check_chunks(&save, &limits),
            Err(WireError::TooLarge(_))
        ));
        let limits = Limits {
            max_changes: 3,
            ..Limits::default()
        };
        assert!(matches!(
            check_chunks(&save, &limits),
            Err(WireError::TooLarge(_))
        ));
    }

    /// A change chunk whose one column is a run of `rows` copies of one value.
    fn change_with_run(rows: i64) -> Vec<u8> {
        let mut data = Vec::new();
        uleb(0, &mut data); // deps
        uleb(1, &mut data); // actor
        data.push(7);
        uleb(1, &mut data); // seq
        uleb(1, &mut data); // start op
        sleb(0, &mut data); // time
        uleb(0, &mut data); // message
        uleb(0, &mut data); // other actors
        let mut col = Vec::new();
        sleb(rows, &mut col);
        uleb(1, &mut col);
        uleb(1, &mut data); // one column
        uleb((1 << 4) | 2, &mut data); // id 1, uleb
        uleb(col.len() as u64, &mut data);
        data.extend(&col);
        let mut chunk = MAGIC.to_vec();
        chunk.extend([0; 4]);
        chunk.push(CHUNK_CHANGE);
        uleb(data.len() as u64, &mut chunk);
        chunk.extend(data);
        chunk
    }

    #[test]
    fn a_run_declaring_billions_of_rows_is_refused_without_expanding_it() {
        let ok = change_with_run(10);
        assert_eq!(check_chunks(&ok, &Limits::default()).unwrap().ops, 10);
        let bomb = change_with_run(1 << 40);
        assert!(bomb.len() < 40);
        assert!(matches!(
            check_chunks(&bomb, &Limits::default()),
            Err(WireError::TooLarge(_))
        ));
    }

    #[test]
    fn a_deflate_bomb_is_refused_at_the_cap() {
        use std::io::Write;
        let limits = Limits {
            max_inflated_bytes: 1 << 20,
            ..Limits::default()
        };
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 4 << 20]).unwrap();
        let deflated = enc.finish().unwrap();
        let mut chunk = MAGIC.to_vec();
        chunk.extend([0; 4]);
        chunk.push(CHUNK_COMPRESSED);
        uleb(deflated.len() as u64, &mut chunk);
        chunk.extend(&deflated);
        assert!(matches!(
            check_chunks(&chunk, &limits),
            Err(WireError::TooLarge(_))
        ));
    }

    #[test]
    fn damaged_bytes_get_a_reason_not_a_panic() {
        let save = sample_board().save();
        for cut in [0, 3, 8, 9, 20, save.len() / 2, save.len() - 1] {
            if cut == 0 {
                continue;
            }
            assert!(
                check_chunks(&save[..cut], &Limits::default()).is_err(),
                "{cut}"
            );
        }
        assert!(matches!(
            check_chunks(b"hello world", &Limits::default()),
            Err(WireError::Malformed(_))
        ));
        assert!(check_chunks(&[], &Limits::default()).is_ok());
    }

    #[test]
    fn sync_messages_with_absurd_bloom_filters_are_refused() {
        let mut msg = vec![SYNC_V1, 0, 0, 1, 0];
        let mut bloom = Vec::new();
        uleb(1, &mut bloom);
        uleb(10, &mut bloom);
        uleb(u32::MAX as u64, &mut bloom);
        bloom.extend([0xff; 2]);
        uleb(bloom.len() as u64, &mut msg);
        msg.extend(&bloom);
        msg.push(0); // no changes
        assert!(matches!(
            check_sync_message(&msg, &Limits::default()),
            Err(WireError::TooLarge(_))
        ));
    }

    #[test]
    fn real_sync_messages_pass() {
        use automerge::sync::{self, SyncDoc};
        let mut a = sample_board();
        let mut b = Board::new(&[2; 16]);
        let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
        let mut rounds = 0;
        loop {
            rounds += 1;
            assert!(rounds < 20);
            let ma = a.doc_mut().sync().generate_sync_message(&mut sa);
            let mb = b.doc_mut().sync().generate_sync_message(&mut sb);
            if ma.is_none() && mb.is_none() {
                break;
            }
            if let Some(m) = ma {
                let bytes = m.encode();
                check_sync_message(&bytes, &Limits::default()).unwrap();
                let m = sync::Message::decode(&bytes).unwrap();
                b.doc_mut().sync().receive_sync_message(&mut sb, m).unwrap();
            }
            if let Some(m) = mb {
                let bytes = m.encode();
                check_sync_message(&bytes, &Limits::default()).unwrap();
                let m = sync::Message::decode(&bytes).unwrap();
                a.doc_mut().sync().receive_sync_message(&mut sa, m).unwrap();
            }
        }
        assert_eq!(b.notes().len(), 50);
    }
}
