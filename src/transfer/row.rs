//! One row being checked: typed access to its cells, each broken rule recorded with its position;
//! and the loop shared by every file (blank rows, field count, the `plie` column, counts, rejects).

use std::collections::HashMap;

use csv::ByteRecord;
use time::{Date, Month};

use super::dialect::{RawRow, Table};
use super::error::{quote, Position, RowError, Rule, Warning};
use super::values::{self, Tail};
use super::{FileCounts, RejectedRows};
use crate::model::{Day, FIRST_YEAR};

/// A cell read with its rule: absent (empty), bad (an error was recorded) or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum V<T> {
    Absent,
    Bad,
    Ok(T),
}

impl<T> V<T> {
    pub fn ok(self) -> Option<T> {
        match self {
            V::Ok(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, V::Absent)
    }
}

/// The PLIE codes met in a transfer, numbered in order of appearance.
#[derive(Debug, Default)]
pub(crate) struct Plies {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    /// The last code interned: rows of one PLIE usually follow each other.
    last: Option<u32>,
}

impl Plies {
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(last) = self.last.filter(|&id| self.names[id as usize] == code) {
            return last;
        }
        if let Some(&id) = self.ids.get(code) {
            self.last = Some(id);
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(code.to_string(), id);
        self.names.push(code.to_string());
        self.last = Some(id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Every code, by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// A row being checked.
pub(crate) struct Row<'r, 'e> {
    pub table: &'r Table,
    record: &'r ByteRecord,
    pub raw: RawRow,
    errors: &'e mut Vec<RowError>,
    /// Whether the row broke a rule.
    pub failed: bool,
}

impl<'r> Row<'r, '_> {
    /// Records a broken rule about column `c`. The value of a private column is not kept: an
    /// identity sent by mistake must not spread to logs and reports.
    pub fn error(&mut self, c: usize, value: Option<&str>, rule: Rule, message: String) {
        self.failed = true;
        let private = self.table.columns[c].private;
        self.errors.push(RowError {
            position: self.table.position(self.raw.line, c),
            value: value.filter(|_| !private).map(str::to_string),
            rule,
            message,
        });
    }

    /// Records that `value` in column `c` breaks `rule`; `tail` ends the sentence, which starts
    /// with the quoted value, or with "the key" in a private column.
    pub fn invalid(&mut self, c: usize, value: &str, rule: Rule, tail: &str) {
        let shown = if self.table.columns[c].private {
            "the key".to_string()
        } else {
            quote(value)
        };
        self.error(c, Some(value), rule, format!("{shown} {tail}"));
    }

    /// The participant key of column `c`: present, at most 64 characters, and not shaped like an
    /// identity (which the message names without repeating the key).
    pub fn participant(&mut self, c: usize) -> Option<&'r str> {
        let key = self.parse(c, Rule::Participant, |s| values::participant(s).map(|()| s));
        let key = self.need(c, key)?;
        if let Some(what) = values::identity(key) {
            let message = format!("the key looks like {what}: send a pseudonymous key instead");
            self.error(c, Some(key), Rule::ParticipantIdentity, message);
        }
        Some(key)
    }

    /// The trimmed text of column `c`.
    pub fn text(&mut self, c: usize) -> V<&'r str> {
        let Some(field) = self.table.map[c].and_then(|i| self.record.get(i)) else {
            return V::Absent;
        };
        match std::str::from_utf8(field) {
            Ok(text) => match text.trim() {
                "" => V::Absent,
                text => V::Ok(text),
            },
            Err(_) => {
                let lossy = String::from_utf8_lossy(field);
                let tail = super::values::not_utf8(field, self.table.columns[c].private);
                self.invalid(c, lossy.trim(), Rule::InvalidUtf8, &tail);
                V::Bad
            }
        }
    }

    /// Column `c` read with `f`; a failure breaks `rule`.
    pub fn parse<T>(
        &mut self,
        c: usize,
        rule: Rule,
        f: impl FnOnce(&'r str) -> Result<T, Tail>,
    ) -> V<T> {
        match self.text(c) {
            V::Ok(text) => match f(text) {
                Ok(v) => V::Ok(v),
                Err(tail) => {
                    self.invalid(c, text, rule, &tail);
                    V::Bad
                }
            },
            V::Absent => V::Absent,
            V::Bad => V::Bad,
        }
    }

    /// A value of a required column: an absent one breaks [`Rule::Required`].
    pub fn need<T>(&mut self, c: usize, v: V<T>) -> Option<T> {
        match v {
            V::Ok(v) => Some(v),
            V::Bad => None,
            V::Absent => {
                let name = self.table.columns[c].name;
                self.error(
                    c,
                    None,
                    Rule::Required,
                    format!("no value, but {name} is required"),
                );
                None
            }
        }
    }

    /// A code of a list (case-insensitive).
    pub fn code<T>(
        &mut self,
        c: usize,
        parse: fn(&str) -> Option<T>,
        codes: fn() -> String,
    ) -> V<T> {
        let name = self.table.columns[c].name;
        self.parse(c, Rule::Code, |s| {
            parse(s).ok_or_else(|| format!("is not a code of {name}: write one of {}", codes()))
        })
    }

    pub fn boolean(&mut self, c: usize) -> V<bool> {
        self.parse(c, Rule::Boolean, values::boolean)
    }

    /// A date of the format, between 1990-01-01 and the day of the import.
    pub fn date(&mut self, c: usize, today: Date) -> V<Day> {
        let (date, text) = match self.text(c) {
            V::Ok(text) => match values::date(text) {
                Ok(date) => (date, text),
                Err(tail) => {
                    self.invalid(c, text, Rule::Date, &tail);
                    return V::Bad;
                }
            },
            V::Absent => return V::Absent,
            V::Bad => return V::Bad,
        };
        let floor = Date::from_calendar_date(FIRST_YEAR, Month::January, 1).expect("a date");
        if date < floor {
            self.invalid(c, text, Rule::DateBefore1990, "is before 1990-01-01");
            return V::Bad;
        }
        if date > today {
            let tail = format!("is after the day of the import, {today}");
            self.invalid(c, text, Rule::DateAfterImport, &tail);
            return V::Bad;
        }
        match Day::from_date(date) {
            Some(day) => V::Ok(day),
            None => {
                self.invalid(
                    c,
                    text,
                    Rule::Date,
                    "is beyond the last day the store can hold",
                );
                V::Bad
            }
        }
    }

    /// An amount in euros, as cents; a decimal comma only in `;` files.
    pub fn amount(&mut self, c: usize, rule: Rule) -> V<i64> {
        let comma_ok = self.table.sep == b';';
        self.parse(c, rule, |s| values::hundredths(s, comma_ok))
    }

    /// A year of the format, up to the year of the import.
    pub fn year(&mut self, c: usize, today: Date) -> V<i32> {
        self.parse(c, Rule::Year, |s| values::year(s, today.year()))
    }
}

/// A row's outcome: where it is, its PLIE, whether it was refused, and what the file's reader
/// made of it (`None` when the row could not be read at all).
pub(crate) struct Scanned<T> {
    pub line: u64,
    pub span: (usize, usize),
    pub plie: Option<u32>,
    pub failed: bool,
    pub item: Option<T>,
}

/// The column `plie`: every file has it first.
pub(crate) const PLIE: usize = 0;

/// Reads every row of `table`: skips blank rows, checks the field count and the `plie` column,
/// then hands the row to `f`. A table with an unusable header has all its rows refused unchecked.
pub(crate) fn scan<T>(
    table: &Table,
    plies: &mut Plies,
    errors: &mut Vec<RowError>,
    warnings: &mut Vec<Warning>,
    f: impl FnMut(&mut Row<'_, '_>, Option<u32>) -> Option<T>,
) -> Vec<Scanned<T>> {
    let mut blank = Vec::new();
    let rows = scan_block(table, plies, errors, &mut blank, f);
    warnings.extend(blank_rows(
        table.file,
        blank.len() as u64,
        blank.first().copied(),
    ));
    rows
}

/// [`scan`] over one block of a big file: its blank rows' lines are told, not warned about, so
/// that the file's blocks make one warning.
pub(crate) fn scan_block<T>(
    table: &Table,
    plies: &mut Plies,
    errors: &mut Vec<RowError>,
    blank: &mut Vec<u64>,
    mut f: impl FnMut(&mut Row<'_, '_>, Option<u32>) -> Option<T>,
) -> Vec<Scanned<T>> {
    let plies = std::cell::RefCell::new(plies);
    scan_rows_blank(
        table,
        errors,
        blank,
        |record| {
            // Only to count the row under its PLIE; nothing is reported.
            table.map[PLIE]
                .and_then(|i| record.get(i))
                .and_then(|f| std::str::from_utf8(f).ok())
                .map(str::trim)
                .filter(|s| values::plie_code(s).is_ok())
                .map(|s| plies.borrow_mut().intern(s))
        },
        |row| {
            let plie = row.parse(PLIE, Rule::PlieCode, |s| values::plie_code(s).map(|()| s));
            let plie = row.need(PLIE, plie).map(|s| plies.borrow_mut().intern(s));
            (plie, f(row, plie))
        },
    )
}

/// Reads every row of `table`: skips blank rows, checks the field count, then hands the row to
/// `f`, which returns the row's owner (a PLIE id) and item. A table with an unusable header has
/// all its rows refused unchecked, `unusable` telling their owner.
pub(crate) fn scan_rows<T>(
    table: &Table,
    errors: &mut Vec<RowError>,
    warnings: &mut Vec<Warning>,
    unusable: impl FnMut(&ByteRecord) -> Option<u32>,
    f: impl FnMut(&mut Row<'_, '_>) -> (Option<u32>, Option<T>),
) -> Vec<Scanned<T>> {
    let mut blank = Vec::new();
    let rows = scan_rows_blank(table, errors, &mut blank, unusable, f);
    warnings.extend(blank_rows(
        table.file,
        blank.len() as u64,
        blank.first().copied(),
    ));
    rows
}

/// The warning for `count` blank rows of `file`, the first at line `first`.
pub(crate) fn blank_rows(file: &str, count: u64, first: Option<u64>) -> Option<Warning> {
    let first = first?;
    Some(Warning {
        position: Position {
            file: file.into(),
            line: first,
            column: None,
            field: None,
        },
        message: format!("{count} blank row(s) ignored, the first at line {first}"),
    })
}

fn scan_rows_blank<T>(
    table: &Table,
    errors: &mut Vec<RowError>,
    blank: &mut Vec<u64>,
    mut unusable: impl FnMut(&ByteRecord) -> Option<u32>,
    mut f: impl FnMut(&mut Row<'_, '_>) -> (Option<u32>, Option<T>),
) -> Vec<Scanned<T>> {
    let mut out = Vec::new();
    let mut rows = table.rows();
    while let Some(raw) = rows.next_row(blank) {
        let mut row = Row {
            table,
            record: &rows.record,
            raw,
            errors,
            failed: !table.usable,
        };
        if !table.usable {
            out.push(Scanned {
                line: raw.line,
                span: raw.span,
                plie: unusable(&rows.record),
                failed: true,
                item: None,
            });
            continue;
        }
        if raw.width != table.width {
            row.errors.push(RowError {
                position: Position {
                    file: table.file.into(),
                    line: raw.line,
                    column: None,
                    field: None,
                },
                value: None,
                rule: Rule::FieldCount,
                message: format!(
                    "the row has {} fields, the header has {}",
                    raw.width, table.width
                ),
            });
            out.push(Scanned {
                line: raw.line,
                span: raw.span,
                plie: None,
                failed: true,
                item: None,
            });
            continue;
        }
        let (plie, item) = f(&mut row);
        out.push(Scanned {
            line: raw.line,
            span: raw.span,
            plie,
            failed: row.failed,
            item,
        });
    }
    out
}

/// The counts of a scanned file, its refused rows (when `keep` asks for them) and its valid items.
pub(crate) fn finish<T>(
    table: &Table,
    rows: Vec<Scanned<T>>,
    plies: &Plies,
    keep: bool,
    valid_plies: &mut Vec<u32>,
) -> (FileCounts, Option<RejectedRows>, Vec<T>) {
    let mut counts = FileCounts {
        file: table.file.into(),
        ..FileCounts::default()
    };
    let mut rejects = RejectedRows {
        file: table.file.into(),
        header: table.data[table.header.0..table.header.1].to_vec(),
        rows: Vec::new(),
    };
    // (read, rejected) per PLIE id; the last slot for rows without a readable code.
    let mut per_id = vec![(0u64, 0u64); plies.names.len() + 1];
    let mut last_plie = None;
    for row in &rows {
        counts.read += 1;
        let slot = &mut per_id[row.plie.map_or(plies.names.len(), |id| id as usize)];
        slot.0 += 1;
        if row.failed {
            counts.rejected += 1;
            slot.1 += 1;
            if keep {
                rejects
                    .rows
                    .push((row.line, table.data[row.span.0..row.span.1].to_vec()));
            }
        } else if let Some(id) = row.plie.filter(|&id| last_plie != Some(id)) {
            valid_plies.push(id);
            last_plie = Some(id);
        }
    }
    // Collected in place: the rows' allocation is reused for the items.
    let items = rows
        .into_iter()
        .filter(|row| !row.failed)
        .filter_map(|row| row.item)
        .collect();
    for (id, &n) in per_id.iter().enumerate() {
        if n.0 > 0 {
            let name = plies.names.get(id).map_or("", String::as_str);
            counts.per_plie.insert(name.to_string(), n);
        }
    }
    let rejects = (keep && !rejects.rows.is_empty()).then_some(rejects);
    (counts, rejects, items)
}
