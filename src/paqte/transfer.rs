//! Reading a commitments transfer (PAQTE.md): its eight files in the transfer dialect, each row
//! checked value by value ([`super::rows`]); the rules between rows and files are in
//! [`super::rules`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use time::Date;

use super::model::{
    Action, Adhesion, Club, Contexte, Convention, Engagement, Entreprise, Realisation,
};
use super::rows::{
    action, adhesion, club, contexte, convention, engagement, entreprise, realisation,
};
use crate::transfer::dialect::{opt, req, Column, Table};
use crate::transfer::row::{finish, scan_rows, Plies, Row, Scanned};
use crate::transfer::{FileCounts, RowError, Rule, TransferError, Warning};

pub(crate) const ENTREPRISES: &str = "entreprises.csv";
pub(crate) const CONVENTIONS: &str = "conventions.csv";
pub(crate) const ENGAGEMENTS: &str = "engagements.csv";
pub(crate) const REALISATIONS: &str = "realisations.csv";
pub(crate) const CONTEXTE: &str = "contexte.csv";
pub(crate) const CLUBS: &str = "clubs.csv";
pub(crate) const ADHESIONS: &str = "adhesions.csv";
pub(crate) const ACTIONS: &str = "actions.csv";

/// The files of a commitments transfer, in the order errors are listed.
pub const FILES: [&str; 8] = [
    ENTREPRISES,
    CONVENTIONS,
    ENGAGEMENTS,
    REALISATIONS,
    CONTEXTE,
    CLUBS,
    ADHESIONS,
    ACTIONS,
];

const ENTREPRISES_COLUMNS: &[Column] = &[
    req("entreprise"),
    opt("nom"),
    req("taille"),
    req("secteur"),
    req("departement"),
];
const CONVENTIONS_COLUMNS: &[Column] = &[
    req("convention"),
    req("entreprise"),
    req("departement"),
    req("dispositif"),
    req("debut"),
    req("fin"),
    req("axes"),
];
const ENGAGEMENTS_COLUMNS: &[Column] = &[
    req("convention"),
    req("indicateur"),
    req("annee"),
    req("objectif"),
];
const REALISATIONS_COLUMNS: &[Column] = &[
    req("convention"),
    req("indicateur"),
    req("periode"),
    req("valeur"),
];
const CONTEXTE_COLUMNS: &[Column] = &[
    req("departement"),
    req("periode"),
    req("qpv"),
    req("pru_nationaux"),
    req("population_qpv"),
    req("defm_qpv"),
    opt("referent"),
];
const CLUBS_COLUMNS: &[Column] = &[req("club"), req("departement"), req("date_convention")];
const ADHESIONS_COLUMNS: &[Column] = &[req("club"), req("entreprise"), req("date")];
const ACTIONS_COLUMNS: &[Column] = &[
    req("club"),
    req("entreprise"),
    req("thematique"),
    req("nature"),
    req("periode"),
    req("valeur"),
];

/// The code standing for a national convention in `conventions.departement`, and the key its
/// conventions are stored under.
pub const NATIONAL: &str = "NATIONAL";

/// A commitments transfer, read and checked.
#[derive(Debug, Clone, Default)]
pub struct PaqteTransfer {
    pub folder: PathBuf,
    /// The departments whose data the transfer replaces (`NATIONAL` for national conventions):
    /// those of its conventions, contexte lines and clubs.
    pub departements: BTreeSet<String>,
    pub entreprises: Vec<Entreprise>,
    pub conventions: Vec<Convention>,
    pub engagements: Vec<Engagement>,
    pub realisations: Vec<Realisation>,
    pub contexte: Vec<Contexte>,
    pub clubs: Vec<Club>,
    pub adhesions: Vec<Adhesion>,
    pub actions: Vec<Action>,
    /// One entry per file present, in the order of [`FILES`].
    pub files: Vec<FileCounts>,
    /// Every broken rule, in file order then line order.
    pub errors: Vec<RowError>,
    pub warnings: Vec<Warning>,
}

/// Whether `folder` holds a file of a commitments transfer.
pub fn is_commitments(folder: &Path) -> bool {
    FILES.iter().any(|f| folder.join(f).is_file())
}

/// A row checked on its own: its key (readable even when the row is refused) and its record
/// (only when every value is valid).
pub(crate) struct Item<R> {
    pub key: Option<String>,
    pub record: Option<R>,
}

/// One file of the transfer, read.
pub(crate) struct File<R> {
    pub table: Table,
    pub rows: Vec<Scanned<Item<R>>>,
}

impl<R> File<R> {
    /// Refuses row `i` for breaking `rule` on column `c`; `tail` follows the quoted value.
    pub fn refuse(
        &mut self,
        i: usize,
        c: usize,
        rule: Rule,
        tail: &str,
        errors: &mut Vec<RowError>,
    ) {
        let row = &mut self.rows[i];
        row.failed = true;
        let value = self.table.cell(row.span, c);
        errors.push(RowError {
            position: self.table.position(row.line, c),
            message: format!(
                "{} {tail}",
                crate::transfer::quote(value.as_deref().unwrap_or_default())
            ),
            value,
            rule,
        });
    }

    /// The rows with a record, with their index.
    pub fn records(&self) -> impl Iterator<Item = (usize, &R)> {
        self.rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r.item.as_ref()?.record.as_ref()?)))
    }

    /// The keys of the rows whose key could be read, refused or not.
    pub fn keys(&self) -> BTreeSet<&str> {
        self.rows
            .iter()
            .filter_map(|r| r.item.as_ref()?.key.as_deref())
            .collect()
    }

    fn finish(self, counts: &mut Vec<FileCounts>) -> Vec<R> {
        let (c, _, items) = finish(
            &self.table,
            self.rows,
            &Plies::default(),
            false,
            &mut Vec::new(),
        );
        counts.push(c);
        items.into_iter().filter_map(|i| i.record).collect()
    }
}

/// What the rows of every file are read with.
struct Reader<'a> {
    folder: &'a Path,
    today: Date,
    errors: Vec<RowError>,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    fn file<R>(
        &mut self,
        name: &'static str,
        columns: &'static [Column],
        f: impl Fn(&mut Row<'_, '_>, Date) -> Item<R>,
    ) -> Result<Option<File<R>>, TransferError> {
        let Some(table) = Table::open(
            self.folder,
            name,
            columns,
            &mut self.errors,
            &mut self.warnings,
        )?
        else {
            return Ok(None);
        };
        let today = self.today;
        let rows = scan_rows(
            &table,
            &mut self.errors,
            &mut self.warnings,
            |_| None,
            |row| {
                let mut item = f(row, today);
                if row.failed {
                    item.record = None;
                }
                (None, Some(item))
            },
        );
        Ok(Some(File { table, rows }))
    }
}

/// The files read, before the rules between rows.
pub(crate) struct Files {
    pub entreprises: Option<File<Entreprise>>,
    pub conventions: Option<File<Convention>>,
    pub engagements: Option<File<Engagement>>,
    pub realisations: Option<File<Realisation>>,
    pub contexte: Option<File<Contexte>>,
    pub clubs: Option<File<Club>>,
    pub adhesions: Option<File<Adhesion>>,
    pub actions: Option<File<Action>>,
}

/// Reads and checks the commitments transfer in `folder`; only a folder that cannot be read at
/// all is an `Err`.
pub fn read(folder: &Path, today: Date) -> Result<PaqteTransfer, TransferError> {
    let io = |source| TransferError::Io {
        path: folder.to_path_buf(),
        source,
    };
    if !std::fs::metadata(folder).map_err(io)?.is_dir() {
        return Err(TransferError::NotAFolder {
            path: folder.to_path_buf(),
        });
    }
    let mut r = Reader {
        folder,
        today,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut files = Files {
        entreprises: r.file(ENTREPRISES, ENTREPRISES_COLUMNS, entreprise)?,
        conventions: r.file(CONVENTIONS, CONVENTIONS_COLUMNS, convention)?,
        engagements: r.file(ENGAGEMENTS, ENGAGEMENTS_COLUMNS, engagement)?,
        realisations: r.file(REALISATIONS, REALISATIONS_COLUMNS, realisation)?,
        contexte: r.file(CONTEXTE, CONTEXTE_COLUMNS, contexte)?,
        clubs: r.file(CLUBS, CLUBS_COLUMNS, club)?,
        adhesions: r.file(ADHESIONS, ADHESIONS_COLUMNS, adhesion)?,
        actions: r.file(ACTIONS, ACTIONS_COLUMNS, action)?,
    };
    super::rules::check(&mut files, &mut r.errors);

    let mut t = PaqteTransfer {
        folder: folder.to_path_buf(),
        ..PaqteTransfer::default()
    };
    let counts = &mut t.files;
    t.entreprises = files
        .entreprises
        .map_or_else(Vec::new, |f| f.finish(counts));
    t.conventions = files
        .conventions
        .map_or_else(Vec::new, |f| f.finish(counts));
    t.engagements = files
        .engagements
        .map_or_else(Vec::new, |f| f.finish(counts));
    t.realisations = files
        .realisations
        .map_or_else(Vec::new, |f| f.finish(counts));
    t.contexte = files.contexte.map_or_else(Vec::new, |f| f.finish(counts));
    t.clubs = files.clubs.map_or_else(Vec::new, |f| f.finish(counts));
    t.adhesions = files.adhesions.map_or_else(Vec::new, |f| f.finish(counts));
    t.actions = files.actions.map_or_else(Vec::new, |f| f.finish(counts));
    t.departements = t
        .conventions
        .iter()
        .map(|c| c.departement.as_deref().unwrap_or(NATIONAL))
        .chain(t.contexte.iter().map(|c| c.departement.as_str()))
        .chain(t.clubs.iter().map(|c| c.departement.as_str()))
        .map(str::to_owned)
        .collect();
    let rank = |e: &RowError| {
        let file = FILES.iter().position(|f| *f == e.position.file);
        (file, e.position.line, e.position.column.unwrap_or(0))
    };
    r.errors.sort_by_key(rank);
    t.errors = r.errors;
    t.warnings = r.warnings;
    Ok(t)
}
