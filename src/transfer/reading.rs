//! A transfer read in two passes, in bounded memory. The first streams parcours.csv and
//! etapes.csv block by block, each block checked in parallel against the rules of a row, and sets
//! the rows aside by PLIE in compact form ([`Partition`]); the small files are read whole. The
//! second takes one PLIE at a time (a few in parallel) through the rules between rows and hands
//! its valid rows on, so that the store can encode and write it while the next is checked.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use rayon::prelude::*;

use super::dialect::{Column, Table};
use super::error::ErrorTally;
pub use super::etapes::LinkedEtape;
use super::partition::{BlockOut, Partition};
use super::stream::{Blocks, Source};
use super::{etapes, parcours, row, Ctx, FileCounts, ReadOptions, RejectedRows, Transfer};
use super::{TransferError, FILES};
use crate::model::{Activite, Allocation, Financement, Parcours, PlieInfo};

/// Blocks read at a time: enough for every thread, few enough to bound memory.
const BLOCKS_PER_THREAD: usize = 4;

/// The compact bytes of the PLIE in the second pass at once, from their taking out of the
/// partition until the store has written them. A PLIE takes a few times its compact size while
/// it is checked and encoded: PLIE go two or more at a time up to this, and a PLIE above it goes
/// alone, so that memory follows the largest PLIE rather than the two largest.
const IN_FLIGHT: u64 = 512 << 20;

/// Lets a PLIE into the second pass when the ones in flight leave room for it.
struct Admission {
    /// The bytes in flight, and whether the pass has stopped.
    state: std::sync::Mutex<(u64, bool)>,
    freed: std::sync::Condvar,
}

impl Admission {
    fn new() -> Admission {
        Admission {
            state: std::sync::Mutex::new((0, false)),
            freed: std::sync::Condvar::new(),
        }
    }

    /// Waits for room for `size` bytes; `false` once the pass has stopped.
    fn enter(&self, size: u64) -> bool {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while !s.1 && s.0 > 0 && s.0 + size > IN_FLIGHT {
            s = self
                .freed
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        s.0 += size;
        !s.1
    }

    fn leave(&self, size: u64) {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 -= size;
        self.freed.notify_all();
    }

    /// Wakes every waiting worker for good (the caller stopped taking PLIE).
    fn stop(&self) {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.1 = true;
        self.freed.notify_all();
    }
}

/// parcours.csv or etapes.csv after the first pass.
pub(crate) struct BigFile {
    /// The header and dialect (no data).
    pub header: Table,
    header_bytes: Vec<u8>,
    source: Source,
    partition: Partition,
    /// Per PLIE id: rows (read, refused).
    counts: Vec<(u64, u64)>,
    unowned: (u64, u64),
    blank: (u64, Option<u64>),
    rejects: Vec<(u64, Vec<u8>)>,
}

/// Reads `file` from `handle` (absent: `None`), checking each block with `check(block, offset)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_big(
    folder: &Path,
    name: &'static str,
    handle: Option<File>,
    columns: &'static [Column],
    spill: &Path,
    ctx: &mut Ctx,
    tally: &mut ErrorTally,
    options: &ReadOptions,
    check: impl Fn(&Table, u64) -> BlockOut + Sync,
) -> Result<Option<BigFile>, TransferError> {
    let limit = options.errors_kept;
    let Some(mut file) = handle else {
        return Ok(None);
    };
    let io = |source| TransferError::Io {
        path: folder.join(name),
        source,
    };
    let (first, offset, eof) = Blocks::first_bytes(&mut file).map_err(io)?;
    let head = Table::from_bytes(
        name,
        first.clone(),
        columns,
        &mut ctx.errors,
        &mut ctx.warnings,
    );
    let source = Source::new(file.try_clone().map_err(io)?);
    let mut big = BigFile {
        header: head.header_only(),
        header_bytes: head.header_bytes().to_vec(),
        source,
        partition: Partition::new(spill),
        counts: Vec::new(),
        unowned: (0, 0),
        blank: (0, None),
        rejects: Vec::new(),
    };
    drop(head);
    let mut blocks = Blocks::new(file, first, offset, eof, big.header.sep);
    let batch = BLOCKS_PER_THREAD * rayon::current_num_threads();
    // A thread reads the next blocks while the pool checks these.
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        scope.spawn(move || loop {
            let read = blocks.next_batch(batch);
            let last = read.as_ref().map_or(true, Vec::is_empty);
            if tx.send(read).is_err() || last {
                break;
            }
        });
        let mut first_block = true;
        for read in rx {
            let read = read.map_err(io)?;
            if read.is_empty() {
                break;
            }
            let bytes: u64 = read.iter().map(|b| b.data.len() as u64).sum();
            let header = &big.header;
            let outs: Vec<BlockOut> = read
                .into_par_iter()
                .enumerate()
                .map(|(i, b)| {
                    let table = header.block(b.data, b.line, first_block && i == 0);
                    check(&table, b.offset)
                })
                .collect();
            first_block = false;
            for mut out in outs {
                if let (Some(sink), Some(lines)) = (&options.errors_to, out.all_errors.take()) {
                    sink.write(&lines).map_err(io)?;
                }
                if let Some(progress) = &options.progress {
                    let rows = out.counts.iter().map(|c| c.0).sum::<u64>() + out.unowned.0;
                    progress
                        .rows
                        .fetch_add(rows, std::sync::atomic::Ordering::Relaxed);
                }
                big.merge(out, ctx, tally, limit).map_err(io)?;
            }
            if let Some(progress) = &options.progress {
                progress
                    .bytes
                    .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok::<(), TransferError>(())
    })?;
    Ok(Some(big))
}

impl BigFile {
    fn merge(
        &mut self,
        out: BlockOut,
        ctx: &mut Ctx,
        tally: &mut ErrorTally,
        limit: usize,
    ) -> std::io::Result<()> {
        let ids: Vec<u32> = out
            .plies
            .names()
            .iter()
            .map(|code| ctx.plies.intern(code))
            .collect();
        for (local, bytes) in out.bytes.iter().enumerate() {
            if !bytes.is_empty() {
                self.partition.append(ids[local], bytes)?;
            }
        }
        for (local, &(read, refused)) in out.counts.iter().enumerate() {
            let id = ids[local] as usize;
            if self.counts.len() <= id {
                self.counts.resize(id + 1, (0, 0));
            }
            self.counts[id].0 += read;
            self.counts[id].1 += refused;
        }
        self.unowned.0 += out.unowned.0;
        self.unowned.1 += out.unowned.1;
        self.blank.0 += out.blank.0;
        self.blank.1 = self.blank.1.or(out.blank.1);
        self.rejects.extend(out.rejects);
        tally.merge(out.errors);
        tally.trim(limit, super::rank);
        Ok(())
    }

    /// The data rows read.
    pub fn rows(&self) -> u64 {
        self.counts.iter().map(|c| c.0).sum::<u64>() + self.unowned.0
    }

    fn count(&self, id: u32) -> (u64, u64) {
        self.counts.get(id as usize).copied().unwrap_or((0, 0))
    }

    /// The file's counts, its refused rows (with `keep`), and its blank-rows warning.
    fn finish(
        mut self,
        ctx: &mut Ctx,
        keep: bool,
    ) -> (FileCounts, Option<RejectedRows>, Option<super::Warning>) {
        let file = self.header.file;
        let mut counts = FileCounts {
            file: file.into(),
            ..FileCounts::default()
        };
        for (id, &(read, refused)) in self.counts.iter().enumerate() {
            counts.read += read;
            counts.rejected += refused;
            if read > 0 {
                let name = ctx.plies.name(id as u32).to_string();
                counts.per_plie.insert(name, (read, refused));
                if refused < read {
                    ctx.valid_plies.push(id as u32);
                }
            }
        }
        counts.read += self.unowned.0;
        counts.rejected += self.unowned.1;
        if self.unowned.0 > 0 {
            counts.per_plie.insert(String::new(), self.unowned);
        }
        self.rejects.sort_unstable_by_key(|r| r.0);
        let rejects = (keep && !self.rejects.is_empty()).then(|| RejectedRows {
            file: file.into(),
            header: self.header_bytes,
            rows: self.rejects,
        });
        let blank = row::blank_rows(file, self.blank.0, self.blank.1);
        (counts, rejects, blank)
    }
}

/// One PLIE of a transfer after the rules between rows: its valid rows, ready for the store.
#[derive(Debug, Clone, Default)]
pub struct PlieTransfer {
    pub plie: String,
    pub info: Option<PlieInfo>,
    pub parcours: Vec<Parcours>,
    /// Its étapes, each linked to its place in `parcours`.
    pub etapes: Vec<LinkedEtape>,
    pub financements: Vec<Financement>,
    pub allocations: Vec<Allocation>,
    pub activite: Vec<Activite>,
    /// Its parcours.csv rows read and refused (by every rule).
    pub parcours_read: u64,
    pub parcours_rejected: u64,
}

/// A PLIE for the second pass: its id, its rows of parcours.csv and etapes.csv as set aside,
/// its rows of the small files, and its size for the [`Admission`].
type Job = (u32, [Vec<u8>; 2], PlieTransfer, u64);

/// What the second pass found in one PLIE.
struct Checked {
    id: u32,
    errors: ErrorTally,
    refused_here: [u64; 2],
    rejects: [Vec<(u64, Vec<u8>)>; 2],
    plie: PlieTransfer,
}

/// A transfer after its first pass: see [`read`](super::read) and the import.
pub struct Reading {
    pub(crate) transfer: Transfer,
    pub(crate) ctx: Ctx,
    pub(crate) parcours: Option<BigFile>,
    pub(crate) etapes: Option<BigFile>,
    pub(crate) tally: ErrorTally,
    pub(crate) options: ReadOptions,
}

impl Reading {
    /// The PLIE codes the transfer's rows name (valid or not), in order of appearance.
    pub fn plies(&self) -> &[String] {
        self.ctx.plies.names()
    }

    /// Whether a rule was broken so far.
    pub fn has_errors(&self) -> bool {
        !self.ctx.errors.is_empty() || self.tally.total() > 0
    }

    /// The folder read.
    pub fn folder(&self) -> &Path {
        &self.transfer.folder
    }

    /// The second pass: each PLIE through the rules between rows, on as many threads as rayon
    /// has, each thread taking the next PLIE as it is free; `prepare` runs on those threads on
    /// each checked PLIE, `take` on the caller's, PLIE by PLIE as they are ready, at most
    /// `window` waiting (so that memory holds a few PLIE, never the transfer).
    pub fn check_plies<P: Send, E: From<TransferError>>(
        &mut self,
        window: usize,
        prepare: impl Fn(PlieTransfer) -> P + Sync,
        mut take: impl FnMut(P) -> Result<(), E>,
    ) -> Result<(), E> {
        let names: Vec<String> = self.ctx.plies.names().to_vec();
        let annexes = self.annexes_by_plie();
        let keep = self.options.keep_valid_rows;
        let folder = self.transfer.folder.clone();
        // The workers share the files' headers and sources; the partitions, one at a time.
        let mut partitions = [&mut self.parcours, &mut self.etapes].map(|big| {
            big.as_mut().map(|b| {
                (
                    b.header.file,
                    std::mem::replace(&mut b.partition, Partition::new(Path::new("."))),
                )
            })
        });
        let queue = std::sync::Mutex::new((0..names.len() as u32, &mut partitions, annexes));
        let admission = Admission::new();
        let (parcours, etapes) = (self.parcours.as_ref(), self.etapes.as_ref());
        let next = || -> Option<Result<Job, TransferError>> {
            let mut q = queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let id = q.0.next()?;
            // Waited for with the queue held: the PLIE are taken in order, each when it fits.
            let size: u64 = q.1.iter().flatten().map(|(_, p)| p.len(id)).sum();
            if !admission.enter(size) {
                return None;
            }
            let mut bytes: [Vec<u8>; 2] = Default::default();
            for (slot, part) in bytes.iter_mut().zip(q.1.iter_mut()) {
                if let Some((file, partition)) = part {
                    match partition.take(id) {
                        Ok(b) => *slot = b,
                        Err(source) => {
                            let path = folder.join(*file);
                            return Some(Err(TransferError::Io { path, source }));
                        }
                    }
                }
            }
            let base = q.2.remove(&id).unwrap_or_default();
            Some(Ok((id, bytes, base, size)))
        };
        let mut done: Vec<Checked> = Vec::new();
        let (mut tally, limit) = (ErrorTally::default(), self.options.errors_kept);
        let result = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(window.max(1));
            for _ in 0..rayon::current_num_threads().max(1) {
                let tx = tx.clone();
                let (next, prepare, names) = (&next, &prepare, &names);
                scope.spawn(move || {
                    while let Some(job) = next() {
                        let sent = match job {
                            Ok((id, [p, e], base, size)) => {
                                let mut c = check_plie(
                                    id,
                                    &names[id as usize],
                                    &p,
                                    &e,
                                    parcours,
                                    etapes,
                                    keep,
                                );
                                drop((p, e));
                                c.plie.info = base.info;
                                c.plie.financements = base.financements;
                                c.plie.allocations = base.allocations;
                                c.plie.activite = base.activite;
                                let made = prepare(std::mem::take(&mut c.plie));
                                tx.send(Ok((c, made, size)))
                            }
                            Err(e) => tx.send(Err(e)),
                        };
                        if sent.is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut result = Ok(());
            for job in rx.iter() {
                match job {
                    Ok((mut c, made, size)) => {
                        if let Some(sink) = &self.options.errors_to {
                            let lines: String =
                                c.errors.kept.iter().map(|e| format!("{e}\n")).collect();
                            if let Err(source) = sink.write(&lines) {
                                let path = folder.clone();
                                result = Err(TransferError::Io { path, source }.into());
                                break;
                            }
                        }
                        tally.merge(std::mem::take(&mut c.errors));
                        tally.trim(limit, super::rank);
                        done.push(c);
                        let taken = take(made);
                        admission.leave(size);
                        if let Err(e) = taken {
                            result = Err(e);
                            break;
                        }
                    }
                    Err(e) => {
                        result = Err(e.into());
                        break;
                    }
                }
            }
            // Stops the workers at their next PLIE when `take` failed.
            admission.stop();
            drop(rx);
            result
        });
        for (big, part) in [&mut self.parcours, &mut self.etapes]
            .into_iter()
            .zip(partitions)
        {
            if let (Some(big), Some((_, partition))) = (big.as_mut(), part) {
                big.partition = partition;
            }
        }
        self.tally.merge(tally);
        self.tally.trim(limit, super::rank);
        for c in done {
            self.merge(c);
        }
        result
    }

    fn annexes_by_plie(&mut self) -> BTreeMap<u32, PlieTransfer> {
        let mut by: BTreeMap<u32, PlieTransfer> = BTreeMap::new();
        let t = &self.transfer;
        let plies = &mut self.ctx.plies;
        for p in &t.plie_info {
            by.entry(plies.intern(&p.plie)).or_default().info = Some(p.clone());
        }
        for f in &t.financements {
            by.entry(plies.intern(&f.plie))
                .or_default()
                .financements
                .push(f.clone());
        }
        for a in &t.allocations {
            by.entry(plies.intern(&a.plie))
                .or_default()
                .allocations
                .push(a.clone());
        }
        for a in &t.activite {
            by.entry(plies.intern(&a.plie))
                .or_default()
                .activite
                .push(a.clone());
        }
        by
    }

    fn merge(&mut self, c: Checked) {
        let limit = self.options.errors_kept;
        self.tally.merge(c.errors);
        self.tally.trim(limit, super::rank);
        for (big, (refused, rejects)) in [&mut self.parcours, &mut self.etapes]
            .into_iter()
            .zip(c.refused_here.into_iter().zip(c.rejects))
        {
            if let Some(big) = big {
                let id = c.id as usize;
                if big.counts.len() <= id {
                    big.counts.resize(id + 1, (0, 0));
                }
                big.counts[id].1 += refused;
                big.rejects.extend(rejects);
            }
        }
    }

    /// The transfer as read and checked (without its parcours and étapes, handed on by
    /// [`Reading::check_plies`]).
    pub fn finish(mut self) -> Transfer {
        let keep = self.options.keep_valid_rows;
        let mut files = Vec::new();
        let mut rejects = Vec::new();
        for big in [self.parcours.take(), self.etapes.take()]
            .into_iter()
            .flatten()
        {
            let (counts, r, blank) = big.finish(&mut self.ctx, keep);
            files.push(counts);
            rejects.extend(r);
            self.ctx.warnings.extend(blank);
        }
        let mut t = self.transfer;
        files.append(&mut t.files);
        t.files = files;
        rejects.append(&mut t.rejects);
        t.rejects = rejects;
        let mut tally = self.tally;
        if let Some(sink) = &self.options.errors_to {
            let lines: String = self.ctx.errors.iter().map(|e| format!("{e}\n")).collect();
            // Failing here loses no error the summary prints: the file is a copy.
            let _ = sink.write(&lines).and_then(|()| sink.flush());
        }
        for e in std::mem::take(&mut self.ctx.errors) {
            tally.push(e);
        }
        tally.sort(super::rank);
        tally.kept.truncate(self.options.errors_kept);
        t.error_counts =
            tally.counts(|f| FILES.iter().position(|x| *x == f).unwrap_or(FILES.len()));
        t.errors = std::mem::take(&mut tally.kept);
        self.ctx.warnings.sort_by_key(|w| super::rank(&w.position));
        t.warnings = self.ctx.warnings;
        let ids: std::collections::BTreeSet<u32> = self.ctx.valid_plies.iter().copied().collect();
        t.plies = ids
            .into_iter()
            .map(|id| self.ctx.plies.name(id).to_string())
            .collect();
        t
    }
}

/// The rules between rows for PLIE `id` (`plie`), whose rows the first pass set aside as
/// `p` (parcours.csv) and `e` (etapes.csv).
fn check_plie(
    id: u32,
    plie: &str,
    p: &[u8],
    e: &[u8],
    parcours: Option<&BigFile>,
    etapes: Option<&BigFile>,
    keep: bool,
) -> Checked {
    let mut errors = ErrorTally::default();
    let usable = parcours.filter(|b| b.header.usable);
    let (rows, mut records) = parcours::decode(p);
    let checked =
        usable.map(|b| parcours::Checked::new(rows, plie, &b.header, &b.source, &mut errors));
    let mut refused_here = [0u64; 2];
    let mut rejects: [Vec<(u64, Vec<u8>)>; 2] = Default::default();
    let mut out = PlieTransfer {
        plie: plie.to_string(),
        ..PlieTransfer::default()
    };
    // Each parcours row's place among the valid ones.
    let mut index = Vec::new();
    if let (Some(checked), Some(big)) = (&checked, parcours) {
        index.reserve_exact(checked.rows.len());
        let mut valid = 0;
        for (row, record) in checked.rows.iter().zip(&mut records) {
            if row.failed_here {
                refused_here[0] += 1;
                if keep {
                    rejects[0].push((
                        row.line,
                        big.source.read(row.offset, row.len).unwrap_or_default(),
                    ));
                }
            }
            index.push(valid);
            match record {
                Some(r) if !row.failed => {
                    r.plie = plie.to_string();
                    r.participant = row.participant.to_string();
                    valid += 1;
                }
                _ => *record = None,
            }
        }
        // In place: the records move into the PLIE's parcours without a copy (`flatten` would
        // allocate anew), while the étapes still need the rows' keys, days and states.
        #[allow(clippy::filter_map_identity)]
        let parcours = records.into_iter().filter_map(|r| r).collect();
        out.parcours = parcours;
        let (read, refused) = big.count(id);
        out.parcours_read = read;
        out.parcours_rejected = refused + refused_here[0];
    }
    if let Some(big) = etapes {
        for mut row in etapes::rows(e) {
            if usable.is_some() {
                etapes::check(
                    &mut row,
                    checked.as_ref(),
                    &big.header,
                    &big.source,
                    &mut errors,
                );
            }
            if row.failed_here {
                refused_here[1] += 1;
                if keep {
                    rejects[1].push((
                        row.line,
                        big.source.read(row.offset, row.len).unwrap_or_default(),
                    ));
                }
            }
            out.etapes.extend(etapes::linked(&row, &index));
        }
    }
    Checked {
        id,
        errors,
        refused_here,
        rejects,
        plie: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plie_in_flight_stay_within_the_budget_or_alone() {
        let admission = Admission::new();
        let sizes = [
            IN_FLIGHT / 3,
            IN_FLIGHT * 2,
            IN_FLIGHT / 2,
            1,
            IN_FLIGHT,
            IN_FLIGHT / 5,
        ];
        std::thread::scope(|scope| {
            for round in 0..4 {
                for (i, &size) in sizes.iter().enumerate() {
                    let admission = &admission;
                    scope.spawn(move || {
                        assert!(admission.enter(size));
                        let held = admission.state.lock().unwrap().0;
                        assert!(
                            held <= IN_FLIGHT || held == size,
                            "{held} in flight ({i}, {round})"
                        );
                        admission.leave(size);
                    });
                }
            }
        });
        assert_eq!(admission.state.lock().unwrap().0, 0);
        // Once stopped, a worker waiting for room gives up instead of waiting for good.
        assert!(admission.enter(IN_FLIGHT));
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| admission.enter(IN_FLIGHT));
            admission.stop();
            assert!(!waiting.join().unwrap());
        });
    }
}
