//! The rows of a big file set aside PLIE by PLIE, as compact bytes, until every row of the file has
//! been read: the rules between rows (uniqueness, overlap, the étape → parcours link) and the store
//! then take one PLIE at a time, whatever the order of the file. What does not fit the memory
//! budget goes to a temporary file, which the system deletes with its last handle.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::dialect::Table;
use super::error::ErrorTally;
use super::row::{Plies, Row, Scanned};

/// Bytes held in memory by one partition (its buffers' capacity) before its largest buffers are
/// written out. Both files' partitions stay in memory through the second pass, beside the PLIE
/// being checked, so this is kept well below what a large PLIE takes.
pub(crate) const BUDGET: usize = 96 << 20;

/// Compact rows grouped by PLIE id, held as the LZ4 batches the blocks made of them (a batch: its
/// compressed length and its rows' length as two u32, then the LZ4 block). Compressed by the
/// threads that check the blocks, they cost the reading thread nothing, and they halve what a
/// national transfer holds and spills: a key repeats over a parcours' étapes.
pub(crate) struct Partition {
    /// Per PLIE: the batches not yet written out.
    buffers: Vec<Vec<u8>>,
    /// Per PLIE: its rows' length once decompressed.
    rows_len: Vec<u64>,
    /// Per PLIE: the runs written out, as (offset, length) in `spill`.
    runs: Vec<Vec<(u64, usize)>>,
    spill: Option<(File, u64)>,
    dir: std::path::PathBuf,
    held: usize,
    budget: usize,
}

impl Partition {
    /// A partition whose spill file, if it needs one, goes into `dir`.
    pub fn new(dir: &Path) -> Partition {
        Partition::with_budget(dir, BUDGET)
    }

    fn with_budget(dir: &Path, budget: usize) -> Partition {
        Partition {
            buffers: Vec::new(),
            rows_len: Vec::new(),
            runs: Vec::new(),
            spill: None,
            dir: dir.to_path_buf(),
            held: 0,
            budget,
        }
    }

    /// Appends `bytes` (one batch, from [`Slots::into_batches`]) to PLIE `id`'s.
    pub fn append(&mut self, id: u32, bytes: &[u8]) -> std::io::Result<()> {
        let id = id as usize;
        if self.buffers.len() <= id {
            self.buffers.resize_with(id + 1, Vec::new);
            self.rows_len.resize(id + 1, 0);
            self.runs.resize_with(id + 1, Vec::new);
        }
        self.rows_len[id] += u64::from(batch_header(bytes).1);
        let buffer = &mut self.buffers[id];
        let before = buffer.capacity();
        buffer.extend_from_slice(bytes);
        // Counted by capacity: a growing buffer holds up to twice its bytes.
        self.held += buffer.capacity() - before;
        if self.held > self.budget {
            self.spill_largest()?;
        }
        Ok(())
    }

    /// Writes out the largest buffers until half the budget is free.
    fn spill_largest(&mut self) -> std::io::Result<()> {
        let mut order: Vec<usize> = (0..self.buffers.len()).collect();
        order.sort_unstable_by_key(|&i| std::cmp::Reverse(self.buffers[i].len()));
        for i in order {
            if self.held <= self.budget / 2 {
                break;
            }
            let (file, end) = match &mut self.spill {
                Some(spill) => spill,
                None => self.spill.insert((tempfile::tempfile_in(&self.dir)?, 0)),
            };
            let bytes = std::mem::take(&mut self.buffers[i]);
            file.write_all(&bytes)?;
            self.runs[i].push((*end, bytes.len()));
            *end += bytes.len() as u64;
            self.held -= bytes.capacity();
        }
        Ok(())
    }

    /// The length of PLIE `id`'s rows, once decompressed.
    pub fn len(&self, id: u32) -> u64 {
        self.rows_len.get(id as usize).copied().unwrap_or(0)
    }

    /// PLIE `id`'s rows, decompressed, in the order they were appended; its memory is given back.
    pub fn take(&mut self, id: u32) -> std::io::Result<Vec<u8>> {
        let id = id as usize;
        let Some(buffer) = self.buffers.get_mut(id) else {
            return Ok(Vec::new());
        };
        let tail = std::mem::take(buffer);
        self.held -= tail.capacity();
        let runs = std::mem::take(&mut self.runs[id]);
        let mut rows = Vec::with_capacity(std::mem::take(&mut self.rows_len[id]) as usize);
        let mut run = Vec::new();
        for (offset, len) in runs {
            let (file, _) = self.spill.as_ref().expect("runs were written");
            run.resize(len, 0);
            read_at(file, &mut run, offset)?;
            unbatch(&run, &mut rows)?;
        }
        unbatch(&tail, &mut rows)?;
        Ok(rows)
    }
}

/// A batch's compressed length and rows' length.
fn batch_header(batch: &[u8]) -> (u32, u32) {
    let word = |at: usize| u32::from_le_bytes(batch[at..at + 4].try_into().expect("4 bytes"));
    (word(0), word(4))
}

/// Decompresses the batches end to end in `bytes` onto `rows`.
fn unbatch(mut bytes: &[u8], rows: &mut Vec<u8>) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let (packed, len) = batch_header(bytes);
        let (block, rest) = bytes[8..].split_at(packed as usize);
        let start = rows.len();
        rows.resize(start + len as usize, 0);
        // Only a spill file changed under the import could fail here.
        lz4_flex::block::decompress_into(block, &mut rows[start..])
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        bytes = rest;
    }
    Ok(())
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// The compact rows of one block, by PLIE id. Each row opens with its place in the file, as
/// distances from the previous row of its PLIE in the block: a few bytes instead of 21, a third
/// of what an étape took.
#[derive(Default)]
pub(crate) struct Slots {
    bytes: Vec<Vec<u8>>,
    /// Per PLIE: the line and offset of its last row.
    last: Vec<(u64, u64)>,
}

/// Where a row is in its file, and whether a rule of its own refused it.
pub(crate) struct Place {
    pub line: u64,
    pub offset: u64,
    pub len: u32,
    pub failed: bool,
}

impl Place {
    /// The place of `row`, in a block starting at byte `offset` of its file.
    pub fn of(row: &Row<'_, '_>, offset: u64) -> Place {
        let span = row.raw.span;
        Place {
            line: row.raw.line,
            offset: offset + span.0 as u64,
            len: (span.1 - span.0) as u32,
            failed: row.failed,
        }
    }
}

/// The flag of a row whose place is written whole: the first of its PLIE in a block.
const WHOLE: u8 = 2;

impl Slots {
    /// Opens a row of PLIE `id` at `place`; its values follow through the writer.
    pub fn row(&mut self, id: u32, place: &Place) -> Writer<'_> {
        let id = id as usize;
        if self.bytes.len() <= id {
            self.bytes.resize_with(id + 1, Vec::new);
            self.last.resize(id + 1, (0, 0));
        }
        let whole = self.bytes[id].is_empty();
        let (line, offset) = if whole { (0, 0) } else { self.last[id] };
        self.last[id] = (place.line, place.offset);
        let mut w = Writer(&mut self.bytes[id]);
        w.u8(u8::from(place.failed) | if whole { WHOLE } else { 0 })
            .varint(place.line - line)
            .varint(place.offset - offset)
            .varint(u64::from(place.len));
        w
    }

    /// Each PLIE's rows as one batch for [`Partition::append`] (empty for a PLIE without any).
    pub fn into_batches(self) -> Vec<Vec<u8>> {
        self.bytes
            .into_iter()
            .map(|rows| if rows.is_empty() { rows } else { batch(&rows) })
            .collect()
    }
}

/// `rows` as one batch: see [`Partition`].
fn batch(rows: &[u8]) -> Vec<u8> {
    let block = lz4_flex::block::compress(rows);
    let mut batch = Vec::with_capacity(8 + block.len());
    batch.extend_from_slice(&(block.len() as u32).to_le_bytes());
    batch.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    batch.extend_from_slice(&block);
    batch
}

/// Writing and reading the compact rows: little-endian numbers, varints and length-prefixed
/// texts.
pub(crate) struct Writer<'b>(&'b mut Vec<u8>);

impl Writer<'_> {
    /// LEB128: seven bits a byte, low first.
    pub fn varint(&mut self, mut v: u64) -> &mut Self {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
        self
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// Reads what a [`Writer`] wrote, in the same order.
pub(crate) struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    pub fn new(bytes: &'b [u8]) -> Reader<'b> {
        Reader { bytes, at: 0 }
    }
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
    fn take(&mut self, n: usize) -> &'b [u8] {
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        s
    }
    pub fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take(2).try_into().expect("2 bytes"))
    }
    pub fn varint(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.u8();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }
    /// The place [`Slots::row`] wrote; `last` carries the previous row's from row to row.
    pub fn place(&mut self, last: &mut (u64, u64)) -> Place {
        let flags = self.u8();
        if flags & WHOLE != 0 {
            *last = (0, 0);
        }
        let line = last.0 + self.varint();
        let offset = last.1 + self.varint();
        let len = self.varint() as u32;
        *last = (line, offset);
        Place {
            line,
            offset,
            len,
            failed: flags & 1 != 0,
        }
    }
    pub fn text(&mut self) -> &'b str {
        let len = self.varint() as usize;
        // Written whole from a `&str` by this build.
        std::str::from_utf8(self.take(len)).expect("a text written by Writer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_rows_come_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Partition::with_budget(dir.path(), 1 << 12);
        let row = vec![7u8; 100];
        let mut expected = [Vec::new(), Vec::new()];
        for i in 0..300 {
            let id = (i % 2) as u32;
            let mut r = row.clone();
            r[0] = i as u8;
            p.append(id, &batch(&r)).unwrap();
            expected[id as usize].extend_from_slice(&r);
        }
        assert!(p.spill.is_some());
        assert_eq!(p.take(1).unwrap(), expected[1]);
        assert_eq!(p.take(0).unwrap(), expected[0]);
        assert!(p.take(5).unwrap().is_empty());
    }

    #[test]
    fn places_come_back_across_blocks_and_plie() {
        // Two blocks, rows of two PLIE interleaved, far offsets and lines: a PLIE's bytes are
        // its batches end to end, each opening with a place written whole.
        let places = |block: u64| {
            (0..50u64).map(move |i| Place {
                line: block * 1_000_000_007 + 3 * i + 1,
                offset: block * 40_000_000_000 + 97 * i,
                len: 90 + (i as u32 % 300),
                failed: i % 7 == 0,
            })
        };
        let dir = tempfile::tempdir().unwrap();
        let mut partition = Partition::with_budget(dir.path(), 64);
        type Seen = (u64, u64, u32, bool, String);
        let mut expected: [Vec<Seen>; 2] = Default::default();
        for block in 0..2 {
            let mut slots = Slots::default();
            for (i, p) in places(block).enumerate() {
                let (id, key) = (i % 2, format!("k{i}"));
                slots.row(id as u32, &p).text(&key).u16(i as u16);
                expected[id].push((p.line, p.offset, p.len, p.failed, key));
            }
            for (id, batch) in slots.into_batches().into_iter().enumerate() {
                partition.append(id as u32, &batch).unwrap();
            }
        }
        assert!(partition.spill.is_some());
        for (id, expected) in expected.iter().enumerate() {
            let rows = partition.take(id as u32).unwrap();
            let mut r = Reader::new(&rows);
            let mut last = (0, 0);
            let mut got = Vec::new();
            while !r.done() {
                let p = r.place(&mut last);
                let key = r.text().to_string();
                r.u16();
                got.push((p.line, p.offset, p.len, p.failed, key));
            }
            assert_eq!(&got, expected);
        }
    }
}

/// What one block of a big file gives: its rows set aside by PLIE (numbered within the block),
/// counts, errors and, for `--rejects`, the bytes of its refused rows.
#[derive(Default)]
pub(crate) struct BlockOut {
    pub plies: Plies,
    /// Per block PLIE id: the compact rows.
    pub bytes: Vec<Vec<u8>>,
    /// Per block PLIE id: (read, refused); the last slot for rows without a readable PLIE.
    pub counts: Vec<(u64, u64)>,
    pub unowned: (u64, u64),
    pub errors: ErrorTally,
    /// Blank rows: how many, and the first one's line.
    pub blank: (u64, Option<u64>),
    pub rejects: Vec<(u64, Vec<u8>)>,
    /// Every error of the block, one line each, for [`super::ErrorSink`].
    pub all_errors: Option<String>,
}

impl BlockOut {
    /// An empty block's output; `all_errors` asks for every error as text (`--errors FILE`).
    fn new(all_errors: bool) -> BlockOut {
        BlockOut {
            all_errors: all_errors.then(String::new),
            ..BlockOut::default()
        }
    }

    /// Reads every row of a block with `set_aside`, which writes into the slots what the rules
    /// between rows will need of it; keeps the first `limit` errors and counts them all, counts
    /// the rows under their PLIE, and keeps the bytes of the refused ones with `keep`.
    pub fn read(
        table: &Table,
        limit: usize,
        keep: bool,
        all_errors: bool,
        mut set_aside: impl FnMut(&mut Row<'_, '_>, Option<u32>, &mut Slots),
    ) -> BlockOut {
        let mut out = BlockOut::new(all_errors);
        let mut slots = Slots::default();
        let rows = out.scan(table, limit, |row, plie| {
            set_aside(row, plie, &mut slots);
            Some(())
        });
        out.bytes = slots.into_batches();
        for row in rows {
            out.count(row.plie, row.failed);
            if row.failed && keep {
                out.reject(table, row.line, row.span);
            }
        }
        out
    }

    /// Reads every row of the block with `f`; keeps the first `limit` errors, counts them all.
    fn scan<T>(
        &mut self,
        table: &Table,
        limit: usize,
        f: impl FnMut(&mut Row<'_, '_>, Option<u32>) -> Option<T>,
    ) -> Vec<Scanned<T>> {
        let (mut errors, mut blank) = (Vec::new(), Vec::new());
        let rows = super::row::scan_block(table, &mut self.plies, &mut errors, &mut blank, f);
        errors.sort_by_key(|e| (e.position.line, e.position.column.unwrap_or(0)));
        if let Some(all) = &mut self.all_errors {
            for e in &errors {
                all.push_str(&e.to_string());
                all.push('\n');
            }
        }
        for (i, e) in errors.into_iter().enumerate() {
            if i < limit {
                self.errors.push(e);
            } else {
                self.errors.count_only(&e);
            }
        }
        self.blank = (blank.len() as u64, blank.first().copied());
        rows
    }

    /// Counts a row under its PLIE.
    fn count(&mut self, plie: Option<u32>, failed: bool) {
        let slot = match plie {
            Some(id) => {
                let id = id as usize;
                if self.counts.len() <= id {
                    self.counts.resize(id + 1, (0, 0));
                }
                &mut self.counts[id]
            }
            None => &mut self.unowned,
        };
        slot.0 += 1;
        slot.1 += u64::from(failed);
    }

    /// Keeps the bytes of a refused row.
    fn reject(&mut self, table: &Table, line: u64, span: (usize, usize)) {
        self.rejects
            .push((line, table.data[span.0..span.1].to_vec()));
    }
}
