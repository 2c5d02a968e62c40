//! The CSV dialect of a transfer: one file read into memory, its byte-order mark, its separator
//! detected from the header, its header matched against the columns of the format, and its records
//! with their true line numbers and raw bytes.

use std::path::Path;

use csv::ByteRecord;

use super::error::{quote, Position, RowError, Rule, TransferError, Warning};

/// A column of the format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The name, lower case, as in docs/FORMAT.md.
    pub name: &'static str,
    /// Whether the header must have it.
    pub required: bool,
    /// Whether its values may identify a person (the participant key): they are never repeated
    /// in a message, whatever rule they break.
    pub private: bool,
}

pub(crate) const fn req(name: &'static str) -> Column {
    Column {
        name,
        required: true,
        private: false,
    }
}

pub(crate) const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
        private: false,
    }
}

/// A required column whose values are never repeated in a message (see [`Column::private`]).
pub(crate) const fn key(name: &'static str) -> Column {
    Column {
        name,
        required: true,
        private: true,
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One file of a transfer, read into memory with its header checked.
pub(crate) struct Table {
    pub file: &'static str,
    /// The file's bytes after the byte-order mark; every span below is an offset into them.
    pub data: Vec<u8>,
    pub sep: u8,
    pub columns: &'static [Column],
    /// For each column of the format, its field index in the file.
    pub map: Vec<Option<usize>>,
    /// Number of fields of the header.
    pub width: usize,
    /// The header's bytes, line ending included.
    pub header: (usize, usize),
    /// False when the header is unusable (empty file, missing or duplicate column, bad UTF-8):
    /// every row of the file is then refused without being checked.
    pub usable: bool,
    /// Whether `data` starts with the header (a whole file, or a big file's first block).
    pub has_header: bool,
    /// The line `data` starts on.
    pub first_line: u64,
}

/// A record of the file: where it starts and its raw bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRow {
    pub line: u64,
    pub span: (usize, usize),
    /// Number of fields in the record.
    pub width: usize,
}

impl Table {
    /// Reads `file` in `folder` and checks its header; `Ok(None)` when the file is absent.
    pub fn open(
        folder: &Path,
        file: &'static str,
        columns: &'static [Column],
        errors: &mut Vec<RowError>,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Table>, TransferError> {
        let path = folder.join(file);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return match std::fs::symlink_metadata(&path) {
                    Ok(_) => Err(TransferError::DanglingLink { path }),
                    Err(_) => Ok(None),
                }
            }
            Err(source) => return Err(TransferError::Io { path, source }),
        };
        Ok(Some(Table::from_bytes(
            file, bytes, columns, errors, warnings,
        )))
    }

    /// Reads `file` from `handle`, opened when the folder was listed; `Ok(None)` when the file
    /// was not in the folder.
    pub fn read(
        folder: &Path,
        file: &'static str,
        handle: Option<std::fs::File>,
        columns: &'static [Column],
        errors: &mut Vec<RowError>,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Table>, TransferError> {
        use std::io::Read;
        let Some(mut handle) = handle else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        handle
            .read_to_end(&mut bytes)
            .map_err(|source| TransferError::Io {
                path: folder.join(file),
                source,
            })?;
        Ok(Some(Table::from_bytes(
            file, bytes, columns, errors, warnings,
        )))
    }

    pub fn from_bytes(
        file: &'static str,
        mut bytes: Vec<u8>,
        columns: &'static [Column],
        errors: &mut Vec<RowError>,
        warnings: &mut Vec<Warning>,
    ) -> Table {
        if bytes.starts_with(BOM) {
            bytes.drain(..BOM.len());
        }
        let sep = detect_separator(&bytes);
        let mut table = Table {
            file,
            data: bytes,
            sep,
            columns,
            map: vec![None; columns.len()],
            width: 0,
            header: (0, 0),
            usable: false,
            has_header: true,
            first_line: 1,
        };
        let mut rows = Rows::new(&table);
        let Some(raw) = rows.next_record() else {
            // Line 1, where the header should be: an editor opens the file there.
            errors.push(RowError {
                position: Position {
                    file: file.into(),
                    line: 1,
                    column: None,
                    field: None,
                },
                value: None,
                rule: Rule::EmptyFile,
                message: "the file is empty: it needs at least a header line".into(),
            });
            return table;
        };
        let record = rows.record.clone();
        drop(rows);
        table.header = raw.span;
        table.width = raw.width;
        table.usable = table.read_header(&record, raw.line, errors, warnings);
        table
    }

    /// Matches the header against the format's columns; returns whether it is usable.
    fn read_header(
        &mut self,
        record: &ByteRecord,
        line: u64,
        errors: &mut Vec<RowError>,
        warnings: &mut Vec<Warning>,
    ) -> bool {
        let mut usable = true;
        let file = self.file;
        let at = |column: Option<usize>, field: Option<String>| Position {
            file: file.into(),
            line,
            column,
            field,
        };
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, raw) in record.iter().enumerate() {
            let Ok(text) = std::str::from_utf8(raw) else {
                errors.push(RowError {
                    position: at(Some(i + 1), None),
                    value: Some(String::from_utf8_lossy(raw).trim().to_string()),
                    rule: Rule::InvalidUtf8,
                    message: format!("the column name {}", super::values::not_utf8(raw, false)),
                });
                usable = false;
                continue;
            };
            let name = text.trim().to_ascii_lowercase();
            if name.is_empty() {
                warnings.push(Warning {
                    position: at(Some(i + 1), None),
                    message: "a column without a name: its values are ignored".into(),
                });
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                errors.push(RowError {
                    position: at(Some(i + 1), Some(name.clone())),
                    value: Some(text.trim().to_string()),
                    rule: Rule::DuplicateColumn,
                    message: format!(
                        "the column {} appears twice in the header (also column {})",
                        quote(&name),
                        first + 1
                    ),
                });
                usable = false;
                continue;
            }
            seen.push((name.clone(), i));
            match self.columns.iter().position(|c| c.name == name) {
                Some(c) => self.map[c] = Some(i),
                None => warnings.push(Warning {
                    position: at(Some(i + 1), Some(name.clone())),
                    message: format!(
                        "unknown column {}, ignored (the columns of {} are: {})",
                        quote(text.trim()),
                        self.file,
                        self.columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        for (c, column) in self.columns.iter().enumerate() {
            if column.required && self.map[c].is_none() {
                errors.push(RowError {
                    position: at(None, Some(column.name.into())),
                    value: None,
                    rule: Rule::MissingColumn,
                    message: format!(
                        "the required column {} is not in the header, so no row of {} can be read",
                        column.name, self.file
                    ),
                });
                usable = false;
            }
        }
        usable
    }

    /// The data rows (after the header).
    pub fn rows(&self) -> Rows<'_> {
        let mut rows = Rows::new(self);
        if self.has_header {
            let _ = rows.next_record();
        }
        rows
    }

    /// The file's header and dialect without its data: what the rules between rows need to
    /// place an error.
    pub fn header_only(&self) -> Table {
        Table {
            file: self.file,
            data: Vec::new(),
            sep: self.sep,
            columns: self.columns,
            map: self.map.clone(),
            width: self.width,
            header: (0, 0),
            usable: self.usable,
            has_header: false,
            first_line: 1,
        }
    }

    /// The header line's bytes, line ending included.
    pub fn header_bytes(&self) -> &[u8] {
        &self.data[self.header.0..self.header.1]
    }

    /// A block of the same file: `data` holds whole records starting on `line`, after the header
    /// unless `first`.
    pub fn block(&self, data: Vec<u8>, line: u64, first: bool) -> Table {
        Table {
            data,
            has_header: first,
            first_line: line,
            ..self.header_only()
        }
    }

    /// The trimmed text of column `c` in `record`, a row's bytes read again from the file.
    pub fn cell_of(&self, record: &[u8], c: usize) -> Option<String> {
        let i = self.map[c]?;
        let mut reader = reader(self.sep, record);
        let mut fields = ByteRecord::new();
        reader.read_byte_record(&mut fields).ok()?;
        let text = String::from_utf8_lossy(fields.get(i)?).trim().to_string();
        (!text.is_empty()).then_some(text)
    }

    /// Position of column `c` of the format on `line`.
    pub fn position(&self, line: u64, c: usize) -> Position {
        Position {
            file: self.file.into(),
            line,
            column: self.map[c].map(|i| i + 1),
            field: Some(self.columns[c].name.into()),
        }
    }

    /// The trimmed text of column `c` in the raw row `span`, read again from the file (for the
    /// rare errors raised after the row was parsed).
    pub fn cell(&self, span: (usize, usize), c: usize) -> Option<String> {
        let i = self.map[c]?;
        let mut reader = reader(self.sep, &self.data[span.0..span.1]);
        let mut record = ByteRecord::new();
        reader.read_byte_record(&mut record).ok()?;
        let text = String::from_utf8_lossy(record.get(i)?).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

fn reader(sep: u8, data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .buffer_capacity(64 * 1024)
        .from_reader(data)
}

/// `;` or `,`, whichever appears more often outside quotes in the first line (`;` on a tie, and
/// for a one-column header that has neither).
fn detect_separator(data: &[u8]) -> u8 {
    let (mut semicolons, mut commas, mut quoted) = (0usize, 0usize, false);
    let first = data
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(data.len());
    for &b in &data[first..] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b';' if !quoted => semicolons += 1,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if commas > semicolons {
        b','
    } else {
        b';'
    }
}

/// The records of a table, with line numbers and raw spans computed from the bytes (the csv
/// crate's own positions count a CRLF record's line ending into the next record).
pub(crate) struct Rows<'t> {
    data: &'t [u8],
    reader: csv::Reader<&'t [u8]>,
    pub record: ByteRecord,
    /// Offset up to which line feeds have been counted, and the line there.
    counted: usize,
    line: u64,
}

impl<'t> Rows<'t> {
    fn new(table: &'t Table) -> Rows<'t> {
        Rows {
            data: &table.data,
            reader: reader(table.sep, &table.data),
            record: ByteRecord::new(),
            counted: 0,
            line: table.first_line,
        }
    }

    /// The next record, blank lines skipped by the csv reader.
    fn next_record(&mut self) -> Option<RawRow> {
        // Reading from memory cannot fail, and ByteRecords do not check UTF-8.
        if !self
            .reader
            .read_byte_record(&mut self.record)
            .unwrap_or(false)
        {
            return None;
        }
        let reported = self.record.position().map_or(0, |p| p.byte() as usize);
        let mut start = reported;
        while matches!(self.data.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += super::stream::line_breaks(&self.data[self.counted..start]);
        self.counted = start;
        let mut end = self.reader.position().byte() as usize;
        if end > 0 && self.data[end - 1] == b'\r' && self.data.get(end) == Some(&b'\n') {
            end += 1;
        }
        Some(RawRow {
            line: self.line,
            span: (start, end),
            width: self.record.len(),
        })
    }

    /// The next data row; rows whose fields are all blank (`;;;` lines left by spreadsheets) are
    /// skipped and counted in `blank`.
    pub fn next_row(&mut self, blank: &mut Vec<u64>) -> Option<RawRow> {
        loop {
            let raw = self.next_record()?;
            let is_blank = self
                .record
                .iter()
                .all(|f| f.iter().all(|&b| b == b' ' || b == b'\t'));
            if is_blank {
                blank.push(raw.line);
                continue;
            }
            return Some(raw);
        }
    }
}
