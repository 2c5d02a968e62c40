//! The encodings of a column segment (format version 2): one column of one chunk, at most
//! [`super::CHUNK_ROWS`] values, packed so that a query reads and decodes only the columns it
//! touches.
//!
//! Integers are cut into blocks of 128 (the `bitpacking` crate's `BitPacker4x`, SIMD where the CPU
//! has it). Each block is frame-of-reference coded on its own — its smallest value, then every
//! value minus it in as few bits as the block needs — so a column of a few codes costs a few bits a
//! row, and a block that holds one value costs 5 bytes. Sorted columns (entry days, the étapes'
//! parcours rows) are delta coded instead. Strings (participant keys, communes) are a dictionary of
//! the distinct values, compressed with LZ4 (`lz4_flex`), and a packed index per row.
//!
//! Layout of a segment's payload (inside the store's envelope, which carries the kind, version and
//! checksum): a codec byte, the row count (u32 LE), then the codec's body:
//! - `PACKED`: per block, its base (u32 LE), its bit width (u8), and `16 * width` bytes;
//! - `SORTED`: per block, its first value (u32 LE), the bit width of its deltas (u8), and
//!   `16 * width` bytes;
//! - `STRINGS`: the dictionary's size (u32 LE), its LZ4 block (size prepended) holding each
//!   distinct string as a u32 LE length and its bytes, then the indices as a `PACKED` body.
//!
//! Decoding checks every length and count against the bytes present: a damaged segment that
//! slipped past the checksum is an error, never a panic or a figure.

use bitpacking::{BitPacker, BitPacker4x};

const PACKED: u8 = 1;
const SORTED: u8 = 2;
const STRINGS: u8 = 3;

/// Values per block.
const BLOCK: usize = BitPacker4x::BLOCK_LEN;

/// A dictionary bigger than this is refused on read before it is allocated.
const MAX_DICTIONARY_BYTES: usize = 64 << 20;

/// Why a segment cannot be decoded; the caller names the segment.
pub type Invalid = String;

fn packer() -> BitPacker4x {
    BitPacker4x::new()
}

fn header(codec: u8, rows: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + rows);
    out.push(codec);
    out.extend_from_slice(&(rows as u32).to_le_bytes());
    out
}

/// The blocks of `values`, the last one padded with its own first value (so padding never widens
/// a block).
fn blocks(values: &[u32]) -> impl Iterator<Item = [u32; BLOCK]> + '_ {
    values.chunks(BLOCK).map(|chunk| {
        let mut block = [chunk[0]; BLOCK];
        block[..chunk.len()].copy_from_slice(chunk);
        block
    })
}

fn put_packed(out: &mut Vec<u8>, values: &[u32]) {
    let packer = packer();
    let mut buffer = [0u8; 4 * BLOCK];
    for mut block in blocks(values) {
        let base = *block.iter().min().expect("a block is never empty");
        block.iter_mut().for_each(|v| *v -= base);
        let width = packer.num_bits(&block);
        let n = packer.compress(&block, &mut buffer, width);
        out.extend_from_slice(&base.to_le_bytes());
        out.push(width);
        out.extend_from_slice(&buffer[..n]);
    }
}

/// Frame-of-reference blocks of any integers.
pub fn packed(values: &[u32]) -> Vec<u8> {
    let mut out = header(PACKED, values.len());
    put_packed(&mut out, values);
    out
}

/// Delta-coded blocks of non-decreasing integers; falls back to [`packed`] if they are not sorted.
pub fn sorted(values: &[u32]) -> Vec<u8> {
    if !values.is_sorted() {
        return packed(values);
    }
    let packer = packer();
    let mut out = header(SORTED, values.len());
    let mut buffer = [0u8; 4 * BLOCK];
    for chunk in values.chunks(BLOCK) {
        // Padding repeats the last value: a delta of zero.
        let mut block = [*chunk.last().expect("a block is never empty"); BLOCK];
        block[..chunk.len()].copy_from_slice(chunk);
        let width = packer.num_bits_sorted(block[0], &block);
        let n = packer.compress_sorted(block[0], &block, &mut buffer, width);
        out.extend_from_slice(&block[0].to_le_bytes());
        out.push(width);
        out.extend_from_slice(&buffer[..n]);
    }
    out
}

/// A dictionary of the distinct strings and a packed index per row.
pub fn strings<S: AsRef<str>>(values: &[S]) -> Vec<u8> {
    let mut index = std::collections::HashMap::new();
    let mut dictionary = Vec::new();
    let codes: Vec<u32> = values
        .iter()
        .map(|v| {
            let v = v.as_ref();
            let next = index.len() as u32;
            *index.entry(v).or_insert_with(|| {
                dictionary.extend_from_slice(&(v.len() as u32).to_le_bytes());
                dictionary.extend_from_slice(v.as_bytes());
                next
            })
        })
        .collect();
    let compressed = lz4_flex::block::compress_prepend_size(&dictionary);
    let mut out = header(STRINGS, values.len());
    out.extend_from_slice(&(index.len() as u32).to_le_bytes());
    out.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
    out.extend_from_slice(&compressed);
    put_packed(&mut out, &codes);
    out
}

/// Reads bytes off the front of a segment, failing instead of running past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Invalid> {
        if self.bytes.len() < n {
            return Err(format!(
                "segment cut short ({} bytes left, {n} needed)",
                self.bytes.len()
            ));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Invalid> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Invalid> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn width(&mut self) -> Result<u8, Invalid> {
        let width = self.u8()?;
        if width > 32 {
            return Err(format!("a block of {width} bits"));
        }
        Ok(width)
    }

    fn finish(self) -> Result<(), Invalid> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} bytes after the segment's end",
                self.bytes.len()
            ))
        }
    }
}

/// Returns a bound no value exceeds, read off the blocks' bases and widths.
fn get_packed(reader: &mut Reader, rows: usize, out: &mut Vec<u32>) -> Result<u32, Invalid> {
    get_packed_as(reader, rows, out, |v| v)
}

/// [`get_packed`] with each value converted by `f` as it is unpacked.
fn get_packed_as<T>(
    reader: &mut Reader,
    rows: usize,
    out: &mut Vec<T>,
    f: impl Fn(u32) -> T,
) -> Result<u32, Invalid> {
    let packer = packer();
    let mut block = [0u32; BLOCK];
    out.reserve(rows);
    let mut left = rows;
    let mut bound = 0u64;
    while left > 0 {
        let base = reader.u32()?;
        let width = reader.width()?;
        let top = u64::from(base) + (1u64 << width) - 1;
        bound = bound.max(top);
        let bytes = reader.take(BitPacker4x::compressed_block_size(width))?;
        packer.decompress(bytes, &mut block, width);
        let n = left.min(BLOCK);
        // Within range for every segment this module wrote: a damaged one wraps, and the
        // column's own range checks refuse what it gives.
        if top > u64::from(u32::MAX) && block[..n].iter().any(|&v| v > u32::MAX - base) {
            // Never written: a value past the integers' range (a damaged block).
            return Err(format!("a value past the range of a block of base {base}"));
        }
        out.extend(block[..n].iter().map(|&v| f(base.wrapping_add(v))));
        left -= n;
    }
    Ok(u32::try_from(bound).unwrap_or(u32::MAX))
}

/// Decodes a segment of integers (`packed` or `sorted`) into `out`, which it clears; returns a
/// bound no value exceeds (so that a caller checks a range once, not value by value).
pub fn decode_integers(bytes: &[u8], out: &mut Vec<u32>) -> Result<u32, Invalid> {
    out.clear();
    let mut reader = Reader { bytes };
    let codec = reader.u8()?;
    let rows = reader.u32()? as usize;
    if rows > super::CHUNK_ROWS {
        return Err(format!("{rows} rows in one segment"));
    }
    let bound = match codec {
        PACKED => get_packed(&mut reader, rows, out)?,
        SORTED => {
            let packer = packer();
            let mut block = [0u32; BLOCK];
            out.reserve(rows);
            let mut left = rows;
            while left > 0 {
                let first = reader.u32()?;
                let width = reader.width()?;
                let bytes = reader.take(BitPacker4x::compressed_block_size(width))?;
                packer.decompress_sorted(first, bytes, &mut block, width);
                let n = left.min(BLOCK);
                // A damaged delta can wrap around: the values must still be sorted.
                if block[0] != first || !block[..n].is_sorted() {
                    return Err("a sorted segment that is not sorted".into());
                }
                out.extend_from_slice(&block[..n]);
                left -= n;
            }
            out.last().copied().unwrap_or(0)
        }
        other => return Err(format!("codec {other} where integers were expected")),
    };
    reader.finish()?;
    Ok(bound)
}

/// Decodes a `packed` segment of values known to fit `T` straight into `out` (cleared first),
/// converting each by `f`: `None` when the segment is not `packed` or its blocks' bound passes
/// `max`, for the caller to decode it as integers and check them one by one.
pub fn decode_narrow<T>(
    bytes: &[u8],
    max: u32,
    out: &mut Vec<T>,
    f: impl Fn(u32) -> T,
) -> Result<bool, Invalid> {
    let mut reader = Reader { bytes };
    if reader.u8()? != PACKED {
        return Ok(false);
    }
    let rows = reader.u32()? as usize;
    if rows > super::CHUNK_ROWS {
        return Err(format!("{rows} rows in one segment"));
    }
    // The bound is known only once the blocks are read: read their headers first.
    let mut peek = Reader {
        bytes: reader.bytes,
    };
    let mut left = rows;
    while left > 0 {
        let base = peek.u32()?;
        let width = peek.width()?;
        if u64::from(base) + (1u64 << width) - 1 > u64::from(max) {
            return Ok(false);
        }
        peek.take(BitPacker4x::compressed_block_size(width))?;
        left -= left.min(BLOCK);
    }
    out.clear();
    get_packed_as(&mut reader, rows, out, f)?;
    reader.finish()?;
    Ok(true)
}

/// Decodes a segment of strings.
pub fn decode_strings(bytes: &[u8]) -> Result<Vec<String>, Invalid> {
    let mut reader = Reader { bytes };
    let codec = reader.u8()?;
    if codec != STRINGS {
        return Err(format!("codec {codec} where strings were expected"));
    }
    let rows = reader.u32()? as usize;
    if rows > super::CHUNK_ROWS {
        return Err(format!("{rows} rows in one segment"));
    }
    let distinct = reader.u32()? as usize;
    let compressed_len = reader.u32()? as usize;
    let compressed = reader.take(compressed_len)?;
    let (size, _) = lz4_flex::block::uncompressed_size(compressed)
        .map_err(|e| format!("unreadable dictionary: {e}"))?;
    if size > MAX_DICTIONARY_BYTES {
        return Err(format!("a dictionary of {size} bytes"));
    }
    let dictionary = lz4_flex::block::decompress_size_prepended(compressed)
        .map_err(|e| format!("unreadable dictionary: {e}"))?;
    let mut words = Vec::with_capacity(distinct.min(rows));
    let mut d = Reader { bytes: &dictionary };
    for _ in 0..distinct {
        let len = d.u32()? as usize;
        let word =
            std::str::from_utf8(d.take(len)?).map_err(|_| "a dictionary word that is not UTF-8")?;
        words.push(word.to_owned());
    }
    d.finish()?;
    let mut codes = Vec::new();
    get_packed(&mut reader, rows, &mut codes)?;
    reader.finish()?;
    codes
        .into_iter()
        .map(|c| {
            words
                .get(c as usize)
                .cloned()
                .ok_or_else(|| format!("index {c} past a dictionary of {distinct}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn back(bytes: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        decode_integers(bytes, &mut out).unwrap();
        out
    }

    proptest! {
        #[test]
        fn integers_round_trip(values in prop::collection::vec(any::<u32>(), 0..700),
                               small in prop::collection::vec(0u32..7, 0..700)) {
            prop_assert_eq!(back(&packed(&values)), values.clone());
            prop_assert_eq!(back(&packed(&small)), small.clone());
            let mut sorted_values = values.clone();
            sorted_values.sort_unstable();
            prop_assert_eq!(back(&sorted(&sorted_values)), sorted_values);
            prop_assert_eq!(back(&sorted(&values)), values);
        }

        #[test]
        fn strings_round_trip(values in prop::collection::vec("[a-z0-9é]{0,12}", 0..400)) {
            prop_assert_eq!(decode_strings(&strings(&values)).unwrap(), values);
        }

        /// Whatever the bytes, decoding returns (an error or values), never panics.
        #[test]
        fn any_bytes_decode_or_fail(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut out = Vec::new();
            let _ = decode_integers(&bytes, &mut out);
            let _ = decode_strings(&bytes);
        }
    }

    #[test]
    fn few_codes_take_few_bits() {
        let codes: Vec<u32> = (0..65_536u32).map(|i| i % 3).collect();
        // 2 bits a row and 5 bytes a block of 128.
        assert!(packed(&codes).len() <= 65_536 / 4 + 512 * 5 + 5);
        let days: Vec<u32> = (0..65_536u32).map(|i| 9_000 + i / 50).collect();
        assert!(sorted(&days).len() <= 65_536 / 8 + 512 * 5 + 5);
    }

    /// The codec alone cannot see every flip (a row count cut short still decodes): the
    /// envelope's checksum and the zone map's row counts catch those. It never panics.
    #[test]
    fn every_flipped_byte_decodes_or_fails_without_panicking() {
        let values: Vec<u32> = (0..1_000u32).map(|i| i * 7 % 11).collect();
        let bytes = sorted(&(0..1_000).collect::<Vec<u32>>());
        for segment in [packed(&values), bytes] {
            for i in 0..segment.len() {
                let mut flipped = segment.clone();
                flipped[i] ^= 0x55;
                let mut out = Vec::new();
                if decode_integers(&flipped, &mut out).is_ok() {
                    assert!(out.len() <= super::super::CHUNK_ROWS, "byte {i}");
                }
            }
        }
    }
}
