//! The big files of a transfer (parcours.csv, etapes.csv) read as a stream of blocks: each block
//! ends where a record ends, so that blocks parse on their own and in parallel, and each knows the
//! line and the file offset it starts at. Memory holds a few blocks, never the file.

use std::fs::File;
use std::io::Read;

use rayon::prelude::*;

/// The size a block is read at (it grows only for a record longer than this).
pub(crate) const BLOCK: usize = 2 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A run of whole records of the file.
pub(crate) struct Block {
    pub data: Vec<u8>,
    /// Offset in the file of `data[0]`.
    pub offset: u64,
    /// The physical line `data[0]` is on (the header is line 1).
    pub line: u64,
}

/// The blocks of one file, in order.
pub(crate) struct Blocks {
    file: File,
    sep: u8,
    /// Bytes read past the end of the last block.
    tail: Vec<u8>,
    /// Offset in the file of `tail[0]`.
    offset: u64,
    line: u64,
    eof: bool,
}

impl Blocks {
    /// Starts reading `file` from its beginning; `sep` is the file's separator, told by
    /// [`Blocks::first_bytes`].
    pub fn new(file: File, first: Vec<u8>, offset: u64, eof: bool, sep: u8) -> Blocks {
        Blocks {
            file,
            sep,
            tail: first,
            offset,
            line: 1,
            eof,
        }
    }

    /// The first bytes of `file` (a block's worth, the byte-order mark taken off), their offset in
    /// the file, and whether they are the whole file: enough to read the header and detect the
    /// separator before the blocks are cut.
    pub fn first_bytes(file: &mut File) -> std::io::Result<(Vec<u8>, u64, bool)> {
        let mut data = Vec::with_capacity(BLOCK);
        let n = file.by_ref().take(BLOCK as u64).read_to_end(&mut data)?;
        let eof = n < BLOCK;
        let offset = if data.starts_with(BOM) {
            data.drain(..BOM.len());
            BOM.len() as u64
        } else {
            0
        };
        Ok((data, offset, eof))
    }

    /// Up to `n` more blocks, with their first lines (empty at the end of the file).
    pub fn next_batch(&mut self, n: usize) -> std::io::Result<Vec<Block>> {
        let mut blocks = Vec::with_capacity(n);
        while blocks.len() < n {
            match self.next_block()? {
                Some(block) => blocks.push(block),
                None => break,
            }
        }
        let breaks: Vec<u64> = blocks.par_iter().map(|b| line_breaks(&b.data)).collect();
        for (block, breaks) in blocks.iter_mut().zip(breaks) {
            block.line = self.line;
            self.line += breaks;
        }
        Ok(blocks)
    }

    fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        if self.eof && self.tail.is_empty() {
            return Ok(None);
        }
        let mut data = std::mem::take(&mut self.tail);
        let mut want = BLOCK.max(data.len());
        let cut = loop {
            if !self.eof && data.len() < want {
                let missing = (want - data.len()) as u64;
                let n = self.file.by_ref().take(missing).read_to_end(&mut data)?;
                self.eof = (n as u64) < missing;
            }
            if self.eof {
                break data.len();
            }
            if let Some(cut) = record_end(&data, self.sep) {
                break cut;
            }
            // One record longer than the block: read on until it ends.
            want = data.len() * 2;
        };
        self.tail = data[cut..].to_vec();
        data.truncate(cut);
        let offset = self.offset;
        self.offset += cut as u64;
        Ok(Some(Block {
            data,
            offset,
            line: 0,
        }))
    }
}

/// Where the last complete record of `data` ends (`data` goes on in the file), if one does.
///
/// Without a quote, a record ends at every line break. With quotes, a break may be inside a
/// field: the records are then found by the CSV state machine itself.
fn record_end(data: &[u8], sep: u8) -> Option<usize> {
    // The last byte's line break is complete only if it is `\n` (a `\r` may be half of `\r\n`).
    let known = data.len() - usize::from(data.last() == Some(&b'\r'));
    let cut = if memchr::memchr(b'"', data).is_none() {
        match memchr::memrchr(b'\n', &data[..known]) {
            Some(p) => p + 1,
            // Old Mac files: a lone `\r` ends a line.
            None => memchr::memrchr(b'\r', &data[..known])? + 1,
        }
    } else {
        let mut reader = csv_core::ReaderBuilder::new().delimiter(sep).build();
        let (mut output, mut ends) = (vec![0u8; 1 << 16], vec![0usize; 1024]);
        let (mut at, mut last) = (0, None);
        loop {
            let (result, nin, _, _) = reader.read_record(&data[at..known], &mut output, &mut ends);
            at += nin;
            match result {
                csv_core::ReadRecordResult::Record => last = Some(at),
                csv_core::ReadRecordResult::OutputFull => output.resize(output.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    break last?
                }
            }
        }
    };
    // A record's `\r\n` stays whole in its block.
    Some(if data[cut - 1] == b'\r' && data.get(cut) == Some(&b'\n') {
        cut + 1
    } else {
        cut
    })
}

/// The line breaks in `bytes`: `\r\n`, `\n` and a lone `\r` (old Mac files, and files whose
/// line endings were mixed by hand) each end one line, as the csv reader takes them. A block
/// never ends inside a `\r\n`, so a `\r` that ends `bytes` is a lone one.
pub(crate) fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for p in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let lone_cr = bytes[p] == b'\r' && bytes.get(p + 1) != Some(&b'\n');
        if bytes[p] == b'\n' || lone_cr {
            n += 1;
        }
    }
    n
}

/// The file a transfer's rows came from, kept open to read a row again by its offset: the text
/// of a cell for a rule between rows, the bytes of a refused row for `--rejects`.
pub(crate) struct Source {
    file: File,
}

impl Source {
    pub fn new(file: File) -> Source {
        Source { file }
    }

    /// The bytes at `offset`, `len` long.
    pub fn read(&self, offset: u64, len: u32) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0u8; len as usize];
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(&self.file, &mut bytes, offset)?;
        #[cfg(not(unix))]
        {
            use std::io::{Seek, SeekFrom};
            let mut file = &self.file;
            file.seek(SeekFrom::Start(offset))?;
            file.read_exact(&mut bytes)?;
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut_all(data: &[u8], block: usize) -> Vec<Vec<u8>> {
        // Cuts `data` as blocks of `block` bytes would be.
        let mut out = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let mut want = block;
            loop {
                let end = (at + want).min(data.len());
                if end == data.len() {
                    out.push(data[at..].to_vec());
                    return out;
                }
                if let Some(cut) = record_end(&data[at..end], b';') {
                    out.push(data[at..at + cut].to_vec());
                    at += cut;
                    break;
                }
                want *= 2;
            }
        }
        out
    }

    #[test]
    fn blocks_end_where_records_end() {
        let data = b"a;b\n1;\"x\ny\"\r\n2;3\r4;5\r\n6;\"\"\"\"\n".to_vec();
        for block in 1..data.len() {
            let parts = cut_all(&data, block);
            assert_eq!(parts.concat(), data);
            let lines: u64 = parts.iter().map(|p| line_breaks(p)).sum();
            assert_eq!(lines, line_breaks(&data), "block {block}");
            for p in &parts {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(b';')
                    .from_reader(p.as_slice());
                for rec in r.byte_records() {
                    let rec = rec.unwrap();
                    assert!(
                        rec.len() == 2 || rec.iter().all(|f| f.is_empty()),
                        "{rec:?}"
                    );
                }
            }
        }
    }
}
