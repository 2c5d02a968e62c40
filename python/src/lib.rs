//! `consolide._consolide`: the engine's calls for Python. The `consolide` Python package wraps
//! them (`consolide.Store`); each call opens the store file the way the command line does (read
//! only for a query, for writing for an import), works with the GIL released, and returns Python
//! values: a `pyarrow.Table` for every table, built from Arrow arrays and handed over through the
//! Arrow PyCapsule interface (`__arrow_c_stream__`), with the columns and codes of the command
//! line's `--format csv`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampSecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_arrow::PyTable;

use consolide::store::PlieRecord;
use consolide::{
    Cell, Corpus, Crosstab, CrosstabResult, Dimension, Error, Filter, ImportOptions, Measure,
    Period, QueryError, Store, StoreError, Table, Tableau, Value,
};

/// The Python exception of `class` (a class of `consolide._errors`) built from `args`.
fn raise<'py, A>(py: Python<'py>, class: &str, args: A) -> PyErr
where
    A: pyo3::call::PyCallArgs<'py>,
{
    let made = py
        .import("consolide._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1(args));
    match made {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// The exception class of a store error: what the command line exits 3 for.
fn store_class(e: &StoreError) -> &'static str {
    match e {
        StoreError::Busy(_) => "StoreBusy",
        StoreError::NotFound(_) => "StoreNotFound",
        StoreError::NotAStore { .. }
        | StoreError::Corrupt(_)
        | StoreError::ValueVersion { .. }
        | StoreError::UnsupportedVersion { .. } => "StoreCorrupt",
        _ => "StoreError",
    }
}

/// An engine error as the exception of `consolide._errors` that says what it is.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    if let Error::Query(q) = &e {
        return raise(py, "QueryError", (message, q.suggestion()));
    }
    let class = match &e {
        Error::Store(s) => store_class(s),
        Error::Export(consolide::ExportError::Store(s)) => store_class(s),
        Error::Export(consolide::ExportError::NotEmpty(_)) => "ExportError",
        Error::Export(_) => "ExportError",
        Error::Io(_) => "StoreError",
        Error::Transfer(_) => "TransferError",
        Error::Secret(_) => "QueryError",
        _ => "ConsolideError",
    };
    raise(py, class, (message,))
}

fn query_error(py: Python<'_>, e: QueryError) -> PyErr {
    to_py(py, Error::from(e))
}

/// The period of `text` (`2017` or `2014..2017`).
fn period(py: Python<'_>, text: &str) -> PyResult<Period> {
    Period::parse(text).map_err(|e| query_error(py, e))
}

/// The filter of `clauses` (`DIM=V1[,V2...]` each, as `--filter` takes them).
fn filter(py: Python<'_>, clauses: &[String]) -> PyResult<Filter> {
    let mut filter = Filter::none();
    for clause in clauses {
        filter.add(clause).map_err(|e| query_error(py, e))?;
    }
    Ok(filter)
}

/// A `pyarrow.Table` of one record batch, through the PyCapsule interface.
fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    Error::Io(std::io::Error::other(format!(
        "building the Arrow table: {e}"
    )))
}

/// How a column of a published table is typed in Arrow: counts as integers, any other figure
/// (rates and shares as fractions, amounts in euros, means) as floats; blank, undefined and
/// masked cells are nulls (empty in csv).
fn is_count_column(table: &Table, c: usize) -> bool {
    table.rows.iter().all(|r| {
        matches!(
            r.cells.get(c),
            Some(Cell::Count(_) | Cell::Blank | Cell::Masked) | None
        )
    })
}

/// A published table as Arrow: `group`, `row`, `label`, then one column per csv key; the
/// table's title, period, filter, PLIE count, secrecy and notes in the schema's metadata.
fn table_batch(table: &Table) -> Result<RecordBatch, Error> {
    let n = table.rows.len();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (name, get) in [
        (
            "group",
            (|r: &consolide::tables::Row| r.group.as_str()) as fn(&_) -> &str,
        ),
        ("row", |r| r.code.as_str()),
        ("label", |r| r.label.as_str()),
    ] {
        let mut b = StringBuilder::with_capacity(n, n * 8);
        for r in &table.rows {
            b.append_value(get(r));
        }
        fields.push(Field::new(name, DataType::Utf8, false));
        columns.push(Arc::new(b.finish()));
    }
    for (c, column) in table.columns.iter().enumerate() {
        if is_count_column(table, c) {
            let mut b = Int64Builder::with_capacity(n);
            for r in &table.rows {
                match r.cells.get(c) {
                    Some(Cell::Count(v)) => b.append_value(*v as i64),
                    _ => b.append_null(),
                }
            }
            fields.push(Field::new(&column.key, DataType::Int64, true));
            columns.push(Arc::new(b.finish()));
        } else {
            let mut b = Float64Builder::with_capacity(n);
            for r in &table.rows {
                b.append_option(r.cells.get(c).and_then(|cell| cell.number()));
            }
            fields.push(Field::new(&column.key, DataType::Float64, true));
            columns.push(Arc::new(b.finish()));
        }
    }
    let mut metadata = std::collections::HashMap::from([
        ("tableau".to_owned(), table.tableau.to_owned()),
        ("title".to_owned(), table.title.clone()),
        ("period".to_owned(), period_code(table.period)),
        ("filter".to_owned(), table.filter.describe()),
        ("plie".to_owned(), table.plies.to_string()),
    ]);
    if let Some(n) = table.secret {
        metadata.insert("secret".into(), n.to_string());
    }
    for note in &table.notes {
        let value = note.value.number().map_or(String::new(), |x| x.to_string());
        metadata.insert(note.key.clone(), value);
    }
    let schema = Schema::new(fields).with_metadata(metadata);
    RecordBatch::try_new(Arc::new(schema), columns).map_err(arrow_error)
}

/// `2017` or `2014..2017`, as `--year`/`--years` take it.
fn period_code(p: Period) -> String {
    if p.first == p.last {
        p.first.to_string()
    } else {
        format!("{}..{}", p.first, p.last)
    }
}

/// A cross-tab as Arrow in csv's long form: the row dimension, the column dimension if any, the
/// measure (an integer count, or a fraction for a rate; null where undefined or masked).
fn crosstab_batch(x: &CrosstabResult) -> Result<RecordBatch, Error> {
    let q = &x.query;
    let width = x.col_values.len().max(1);
    let n = x.row_values.len() * width;
    let mut rows = StringBuilder::with_capacity(n, n * 8);
    let mut cols = StringBuilder::with_capacity(n, n * 8);
    let mut counts = Int64Builder::with_capacity(n);
    let mut rates = Float64Builder::with_capacity(n);
    for (r, rv) in x.row_values.iter().enumerate() {
        for c in 0..width {
            rows.append_value(rv);
            if let Some(cv) = x.col_values.get(c) {
                cols.append_value(cv);
            }
            let masked = x.is_masked(r, c);
            match x.value(r, c) {
                Value::Count(v) if !masked => counts.append_value(v as i64),
                Value::Rate(Some(v)) if !masked => rates.append_value(v),
                _ => {
                    counts.append_null();
                    rates.append_null();
                }
            }
        }
    }
    let mut fields = vec![Field::new(q.rows.code(), DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(rows.finish())];
    if let Some(cd) = q.cols {
        fields.push(Field::new(cd.code(), DataType::Utf8, false));
        columns.push(Arc::new(cols.finish()));
    }
    if q.measure.is_rate() {
        fields.push(Field::new(q.measure.code(), DataType::Float64, true));
        columns.push(Arc::new(rates.finish()));
    } else {
        fields.push(Field::new(q.measure.code(), DataType::Int64, true));
        columns.push(Arc::new(counts.finish()));
    }
    let mut metadata = std::collections::HashMap::from([
        ("measure".to_owned(), q.measure.code().to_owned()),
        ("period".to_owned(), period_code(q.period)),
        ("filter".to_owned(), q.filter.describe()),
        ("plie".to_owned(), x.plies.to_string()),
    ]);
    if let Some(n) = x.secret {
        metadata.insert("secret".into(), n.to_string());
    }
    let schema = Schema::new(fields).with_metadata(metadata);
    RecordBatch::try_new(Arc::new(schema), columns).map_err(arrow_error)
}

/// One read snapshot of the store at `db`, the store file closed again.
fn corpus(db: &Path) -> Result<Corpus, Error> {
    let store = Store::open(db)?;
    Ok(Corpus::load(&store)?)
}

/// Opens the store at `db` for reading and closes it: raises what a query would (not found,
/// not a store, corrupt, busy).
#[pyfunction]
fn check_store(py: Python<'_>, db: PathBuf) -> PyResult<()> {
    py.detach(|| Store::open(&db).map(drop).map_err(Error::from))
        .map_err(|e| to_py(py, e))
}

/// The codes of the published tables, in the report's order.
#[pyfunction]
fn tableaux() -> Vec<&'static str> {
    Tableau::ALL.iter().map(|t| t.code()).collect()
}

/// The measures' codes (`--measure`).
#[pyfunction]
fn measures() -> Vec<&'static str> {
    Measure::ALL.iter().map(|m| m.code()).collect()
}

/// Published table `code` for `period`, filtered, protected by secrecy `secret` when given.
#[pyfunction]
#[pyo3(signature = (db, code, period, filters, secret=None))]
fn tableau<'py>(
    py: Python<'py>,
    db: PathBuf,
    code: &str,
    period: &str,
    filters: Vec<String>,
    secret: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let which = Tableau::parse(code).ok_or_else(|| {
        let codes: Vec<&str> = Tableau::ALL.iter().map(|t| t.code()).collect();
        raise(
            py,
            "QueryError",
            (format!(
                "unknown tableau {code:?}; valid: {}",
                codes.join(", ")
            ),),
        )
    })?;
    let period = self::period(py, period)?;
    let filter = filter(py, &filters)?;
    let batch = py
        .detach(|| {
            let corpus = corpus(&db)?;
            let mut table = corpus.tableau(which, period, &filter)?;
            if let Some(n) = secret {
                table = table.with_secret(n)?;
            }
            table_batch(&table)
        })
        .map_err(|e| to_py(py, e))?;
    to_pyarrow(py, batch)
}

/// A cross-tab of `measure` by `rows` (and `cols`) for `period`, filtered, with secrecy.
#[pyfunction]
#[pyo3(signature = (db, measure, rows, cols, period, filters, secret=None))]
#[allow(clippy::too_many_arguments)]
fn crosstab<'py>(
    py: Python<'py>,
    db: PathBuf,
    measure: &str,
    rows: &str,
    cols: Option<&str>,
    period: &str,
    filters: Vec<String>,
    secret: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let query = Crosstab {
        measure: Measure::parse(measure).map_err(|e| query_error(py, e))?,
        period: self::period(py, period)?,
        rows: Dimension::parse(rows).map_err(|e| query_error(py, e))?,
        cols: cols
            .map(Dimension::parse)
            .transpose()
            .map_err(|e| query_error(py, e))?,
        filter: filter(py, &filters)?,
    };
    let batch = py
        .detach(|| {
            let corpus = corpus(&db)?;
            let mut result = corpus.crosstab(&query)?;
            if let Some(n) = secret {
                result = result.with_secret(n)?;
            }
            crosstab_batch(&result)
        })
        .map_err(|e| to_py(py, e))?;
    to_pyarrow(py, batch)
}

/// The Julian day of 1970-01-01, from which Arrow's `date32` counts.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// A day of the store as Arrow's `date32` (days since 1970-01-01).
fn date32(day: u16) -> i32 {
    consolide::model::Day(day).date().to_julian_day() - UNIX_EPOCH_JULIAN_DAY
}

/// The PLIE in the store, as `consolide status --format csv` lists them (`imported_at` a UTC
/// timestamp; `extraction` and `complet_depuis`, the observation window, as dates, each with
/// whether it was derived rather than sent in plie.csv, which the csv writes `(deduite)`), and
/// the file's size in bytes.
#[pyfunction]
fn status(py: Python<'_>, db: PathBuf) -> PyResult<(Bound<'_, PyAny>, u64)> {
    let (batch, size) = py
        .detach(|| -> Result<(RecordBatch, u64), Error> {
            let store = Store::open(&db)?;
            // Through a corpus, as the command line: a record written before the observation
            // window existed gets it derived from its parcours.
            let corpus = Corpus::load(&store)?;
            let plies = corpus.plies();
            let size = store.file_size()?;
            let n = plies.len();
            let text = |get: &dyn Fn(&PlieRecord) -> String| {
                let mut b = StringBuilder::with_capacity(n, n * 8);
                for p in plies {
                    b.append_value(get(p));
                }
                Arc::new(b.finish()) as ArrayRef
            };
            let place = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
            let plie = text(&|p| p.plie.clone());
            let departement = text(&|p| place(&p.departement));
            let region = text(&|p| place(&p.region));
            let annees = text(&|p| p.years.map_or("-".into(), |(a, b)| format!("{a}..{b}")));
            let hash = text(&|p| format!("{:032x}", p.content_hash));
            let count = |get: fn(&PlieRecord) -> u64| {
                let mut b = Int64Builder::with_capacity(n);
                for p in plies {
                    b.append_value(get(p) as i64);
                }
                Arc::new(b.finish()) as ArrayRef
            };
            let mut at = TimestampSecondBuilder::with_capacity(n).with_timezone("UTC");
            for p in plies {
                at.append_value(p.imported_at);
            }
            // A bound of the window (null when the PLIE has none: no parcours and nothing
            // sent), and whether it was derived (null with it).
            let window = |get: fn(&PlieRecord) -> Option<u16>, sent: u8| {
                let mut day = Date32Builder::with_capacity(n);
                let mut deduite = BooleanBuilder::with_capacity(n);
                for p in plies {
                    day.append_option(get(p).map(date32));
                    deduite.append_option(get(p).map(|_| p.fenetre_declaree & sent == 0));
                }
                (
                    Arc::new(day.finish()) as ArrayRef,
                    Arc::new(deduite.finish()) as ArrayRef,
                )
            };
            let (extraction, extraction_deduite) =
                window(|p| p.extraction, PlieRecord::EXTRACTION_DECLAREE);
            let (complet_depuis, complet_depuis_deduite) =
                window(|p| p.complet_depuis, PlieRecord::COMPLET_DECLARE);
            let timestamp = DataType::Timestamp(TimeUnit::Second, Some("UTC".into()));
            let schema = Schema::new(vec![
                Field::new("plie", DataType::Utf8, false),
                Field::new("departement", DataType::Utf8, false),
                Field::new("region", DataType::Utf8, false),
                Field::new("parcours", DataType::Int64, false),
                Field::new("etapes", DataType::Int64, false),
                Field::new("annees", DataType::Utf8, false),
                Field::new("content_hash", DataType::Utf8, false),
                Field::new("imported_at", timestamp, false),
                Field::new("extraction", DataType::Date32, true),
                Field::new("complet_depuis", DataType::Date32, true),
                Field::new("extraction_deduite", DataType::Boolean, true),
                Field::new("complet_depuis_deduite", DataType::Boolean, true),
            ]);
            let columns = vec![
                plie,
                departement,
                region,
                count(|p| p.parcours),
                count(|p| p.etapes),
                annees,
                hash,
                Arc::new(at.finish()) as ArrayRef,
                extraction,
                complet_depuis,
                extraction_deduite,
                complet_depuis_deduite,
            ];
            let batch = RecordBatch::try_new(Arc::new(schema), columns).map_err(arrow_error)?;
            Ok((batch, size))
        })
        .map_err(|e| to_py(py, e))?;
    Ok((to_pyarrow(py, batch)?, size))
}

/// One positioned error of a transfer as `consolide._errors.Issue`.
fn issue<'py>(py: Python<'py>, e: &consolide::RowError) -> PyResult<Bound<'py, PyAny>> {
    let class = py.import("consolide._errors")?.getattr("Issue")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("file", &e.position.file)?;
    kwargs.set_item("line", e.position.line)?;
    kwargs.set_item("column", e.position.column)?;
    kwargs.set_item("field", &e.position.field)?;
    kwargs.set_item("value", &e.value)?;
    kwargs.set_item("rule", e.rule.describe())?;
    kwargs.set_item("rule_name", format!("{:?}", e.rule))?;
    kwargs.set_item("message", &e.message)?;
    kwargs.set_item("text", e.to_string())?;
    class.call((), Some(&kwargs))
}

/// Reads, checks and imports `folders` into the store at `db` (created if absent), as
/// `consolide import` does; raises `ImportRefused` with every positioned error when refused.
#[pyfunction]
#[pyo3(signature = (db, folders, rejects=None, dry_run=false, max_rejected=0.05))]
fn import_transfers<'py>(
    py: Python<'py>,
    db: PathBuf,
    folders: Vec<PathBuf>,
    rejects: Option<PathBuf>,
    dry_run: bool,
    max_rejected: f64,
) -> PyResult<Bound<'py, PyDict>> {
    if !(0.0..=1.0).contains(&max_rejected) {
        return Err(raise(
            py,
            "QueryError",
            (format!(
                "max_rejected {max_rejected} is not a share from 0 to 1"
            ),),
        ));
    }
    let options = ImportOptions {
        rejects,
        dry_run,
        max_rejected,
        ..ImportOptions::now()
    };
    let summary = py
        .detach(|| consolide::import(&db, &folders, &options))
        .map_err(|e| to_py(py, e))?;
    let errors = PyList::empty(py);
    for e in summary.errors() {
        errors.append(issue(py, e)?)?;
    }
    let warnings: Vec<String> = summary
        .transfers
        .iter()
        .flat_map(|t| &t.warnings)
        .map(|w| format!("{}: {}", w.position, w.message))
        .chain(summary.held_back.iter().map(ToString::to_string))
        .collect();
    if summary.refused() {
        let n = errors.len();
        let message = format!(
            "the import was refused ({n} error{}); nothing was written",
            if n == 1 { "" } else { "s" }
        );
        return Err(raise(
            py,
            "ImportRefused",
            (message, errors, summary.conflicts.clone()),
        ));
    }
    let out = PyDict::new(py);
    let plies = PyList::empty(py);
    if let Some(report) = &summary.report {
        for p in &report.plies {
            let d = PyDict::new(py);
            d.set_item("plie", &p.plie)?;
            let outcome = match p.outcome {
                consolide::PlieOutcome::New => "new",
                consolide::PlieOutcome::Replaced => "replaced",
                consolide::PlieOutcome::Unchanged => "unchanged",
            };
            d.set_item("outcome", outcome)?;
            d.set_item("parcours", p.parcours)?;
            d.set_item("etapes", p.etapes)?;
            plies.append(d)?;
        }
    }
    out.set_item("written", summary.report.is_some())?;
    out.set_item("plies", plies)?;
    out.set_item("rejected", errors)?;
    out.set_item("warnings", warnings)?;
    let held: Vec<&str> = summary.held_back.iter().map(|h| h.plie.as_str()).collect();
    out.set_item("held_back", held)?;
    out.set_item("rejects_written", summary.rejects_written.clone())?;
    Ok(out)
}

/// `consolide export --parquet DIR`: every parcours and étape of the store as Parquet.
#[pyfunction]
fn export_parquet<'py>(py: Python<'py>, db: PathBuf, dir: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let s = py
        .detach(|| -> Result<consolide::ExportSummary, Error> {
            let store = Store::open(&db)?;
            Ok(consolide::export::parquet(&store, &dir)?)
        })
        .map_err(|e| to_py(py, e))?;
    let out = PyDict::new(py);
    out.set_item("plies", s.plies)?;
    out.set_item("parcours", s.parcours)?;
    out.set_item("etapes", s.etapes)?;
    out.set_item("files", s.files)?;
    out.set_item("bytes", s.bytes)?;
    Ok(out)
}

#[pymodule]
fn _consolide(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(check_store, m)?)?;
    m.add_function(wrap_pyfunction!(tableaux, m)?)?;
    m.add_function(wrap_pyfunction!(measures, m)?)?;
    m.add_function(wrap_pyfunction!(tableau, m)?)?;
    m.add_function(wrap_pyfunction!(crosstab, m)?)?;
    m.add_function(wrap_pyfunction!(status, m)?)?;
    m.add_function(wrap_pyfunction!(import_transfers, m)?)?;
    m.add_function(wrap_pyfunction!(export_parquet, m)?)?;
    m.add("ENGINE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
