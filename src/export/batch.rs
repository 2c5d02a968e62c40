//! One Parquet file written row group by row group with the crate's low-level column writers
//! (no Arrow: it would double the build for a flat schema of strings, dates, integers, amounts
//! and booleans). A [`Batch`] is one row group, its columns named and typed as they are filled; the
//! file's schema is that of its first batch.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// Days from 1970-01-01 (Parquet's DATE origin) to 1990-01-01 (the store's day 0).
const DAY_ZERO: i32 = 7_305;

/// A store day as a Parquet DATE.
pub(super) fn date(day: u16) -> i32 {
    DAY_ZERO + i32::from(day)
}

/// A stored optional day (`u16::MAX` = absent) as an optional Parquet DATE.
pub(super) fn date_opt(day: u16) -> Option<i32> {
    (day != u16::MAX).then(|| date(day))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Date,
    Int,
    /// A 64-bit integer (counts that may pass 2^31).
    Long,
    /// An amount in hundredths as DECIMAL(18,2): exact euros (or FTE, hours) in every engine.
    Hundredths,
    Bool,
}

enum Values {
    Bytes(Vec<ByteArray>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Bool(Vec<bool>),
}

struct Column {
    name: &'static str,
    kind: Kind,
    optional: bool,
    values: Values,
    /// Definition levels of an optional column: 1 present, 0 null.
    defined: Vec<i16>,
}

/// The columns of one row group, in the order of the file's schema.
#[derive(Default)]
pub(super) struct Batch {
    columns: Vec<Column>,
}

/// A code interned once, so that a column of codes shares its few buffers.
#[derive(Clone)]
pub(super) struct Code(ByteArray);

impl Code {
    pub fn new(code: &str) -> Code {
        Code(ByteArray::from(code))
    }
}

/// The interned codes of a `model` code list, by stored discriminant.
pub(super) fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<Code> {
    all.iter().map(|&v| Code::new(code(v))).collect()
}

impl Batch {
    fn push<T>(
        &mut self,
        name: &'static str,
        kind: Kind,
        optional: bool,
        values: impl IntoIterator<Item = Option<T>>,
        wrap: fn(Vec<T>) -> Values,
    ) {
        let mut present = Vec::new();
        let mut defined = Vec::new();
        for v in values {
            defined.push(i16::from(v.is_some()));
            present.extend(v);
        }
        assert!(
            optional || present.len() == defined.len(),
            "column {name} is required but has nulls"
        );
        self.columns.push(Column {
            name,
            kind,
            optional,
            values: wrap(present),
            defined,
        });
    }

    /// A required text column.
    pub fn text<'a>(&mut self, name: &'static str, values: impl IntoIterator<Item = &'a str>) {
        let values = values.into_iter().map(|s| Some(ByteArray::from(s)));
        self.push(name, Kind::Text, false, values, Values::Bytes);
    }

    /// An optional text column (an empty string is null).
    pub fn text_opt<'a>(&mut self, name: &'static str, values: impl IntoIterator<Item = &'a str>) {
        let values = values
            .into_iter()
            .map(|s| (!s.is_empty()).then(|| ByteArray::from(s)));
        self.push(name, Kind::Text, true, values, Values::Bytes);
    }

    /// A text column of interned codes; nullable when `optional`.
    pub fn code<'a>(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<&'a Code>>,
    ) {
        let values = values.into_iter().map(|c| c.map(|c| c.0.clone()));
        self.push(name, Kind::Text, optional, values, Values::Bytes);
    }

    /// A DATE column (days since 1970-01-01); nullable when `optional`.
    pub fn date(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<i32>>,
    ) {
        self.push(name, Kind::Date, optional, values, Values::Int32);
    }

    /// A 32-bit integer column; nullable when `optional`.
    pub fn int(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<i32>>,
    ) {
        self.push(name, Kind::Int, optional, values, Values::Int32);
    }

    /// A 64-bit integer column; nullable when `optional`.
    pub fn long(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<i64>>,
    ) {
        self.push(name, Kind::Long, optional, values, Values::Int64);
    }

    /// An amount given in hundredths (cents), written as DECIMAL(18,2); nullable when `optional`.
    pub fn hundredths(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<i64>>,
    ) {
        self.push(name, Kind::Hundredths, optional, values, Values::Int64);
    }

    /// A boolean column; nullable when `optional`.
    pub fn boolean(
        &mut self,
        name: &'static str,
        optional: bool,
        values: impl IntoIterator<Item = Option<bool>>,
    ) {
        self.push(name, Kind::Bool, optional, values, Values::Bool);
    }

    /// The Parquet message type of these columns.
    fn schema(&self, table: &str) -> String {
        let mut message = format!("message {table} {{\n");
        for c in &self.columns {
            let repetition = if c.optional { "OPTIONAL" } else { "REQUIRED" };
            let physical = match c.kind {
                Kind::Text => "BYTE_ARRAY",
                Kind::Date | Kind::Int => "INT32",
                Kind::Long | Kind::Hundredths => "INT64",
                Kind::Bool => "BOOLEAN",
            };
            let logical = match c.kind {
                Kind::Text => " (STRING)",
                Kind::Date => " (DATE)",
                Kind::Hundredths => " (DECIMAL(18,2))",
                Kind::Int | Kind::Long | Kind::Bool => "",
            };
            message += &format!("  {repetition} {physical} {}{logical};\n", c.name);
        }
        message + "}"
    }
}

/// A Parquet file being written, one [`Batch`] per row group.
pub(super) struct ParquetFile {
    table: &'static str,
    writer: Option<SerializedFileWriter<File>>,
    file: Option<File>,
    schema: String,
}

impl ParquetFile {
    /// Creates `path` (its folder must exist); `table` names the schema.
    pub fn create(path: &Path, table: &'static str) -> std::io::Result<ParquetFile> {
        Ok(ParquetFile {
            table,
            writer: None,
            file: Some(File::create(path)?),
            schema: String::new(),
        })
    }

    /// Writes `batch` as the next row group.
    pub fn write(&mut self, batch: Batch) -> parquet::errors::Result<()> {
        let schema = batch.schema(self.table);
        let writer = match &mut self.writer {
            Some(w) => {
                assert_eq!(schema, self.schema, "every row group has the file's schema");
                w
            }
            None => {
                let properties = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_created_by(format!("consolide {}", env!("CARGO_PKG_VERSION")))
                    .build();
                let file = self
                    .file
                    .take()
                    .expect("the file before the first row group");
                let parsed = Arc::new(parse_message_type(&schema)?);
                self.schema = schema;
                self.writer
                    .insert(SerializedFileWriter::new(file, parsed, properties.into())?)
            }
        };
        let mut group = writer.next_row_group()?;
        for column in batch.columns {
            let mut out = group.next_column()?.expect("a column per schema field");
            let defined = column.optional.then_some(&column.defined[..]);
            match &column.values {
                Values::Bytes(v) => {
                    out.typed::<ByteArrayType>().write_batch(v, defined, None)?;
                }
                Values::Int32(v) => {
                    out.typed::<Int32Type>().write_batch(v, defined, None)?;
                }
                Values::Int64(v) => {
                    out.typed::<Int64Type>().write_batch(v, defined, None)?;
                }
                Values::Bool(v) => {
                    out.typed::<BoolType>().write_batch(v, defined, None)?;
                }
            }
            out.close()?;
        }
        group.close()?;
        Ok(())
    }

    /// Writes the footer (after at least one [`ParquetFile::write`], which gives the schema).
    pub fn finish(self) -> parquet::errors::Result<()> {
        let writer = self.writer.expect("a row group before the footer");
        writer.close().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Day;

    #[test]
    fn day_zero_is_1990_01_01_in_unix_days() {
        let unix = time::macros::date!(1970 - 01 - 01).to_julian_day();
        let ours = time::macros::date!(1990 - 01 - 01).to_julian_day();
        assert_eq!(ours - unix, DAY_ZERO);
        assert_eq!(date(Day(0).0), DAY_ZERO);
        assert_eq!(date_opt(u16::MAX), None);
    }

    #[test]
    fn the_schema_follows_the_columns() {
        let mut b = Batch::default();
        b.text("plie", ["P44"]);
        b.date("sortie", true, [None]);
        b.boolean("th", false, [Some(true)]);
        b.hundredths("montant", false, [Some(123_456)]);
        b.long("population", true, [None]);
        assert_eq!(
            b.schema("parcours"),
            "message parcours {\n  REQUIRED BYTE_ARRAY plie (STRING);\n  \
             OPTIONAL INT32 sortie (DATE);\n  REQUIRED BOOLEAN th;\n  \
             REQUIRED INT64 montant (DECIMAL(18,2));\n  OPTIONAL INT64 population;\n}"
        );
        // The parser takes what the schema says.
        parse_message_type(&b.schema("parcours")).unwrap();
    }
}
