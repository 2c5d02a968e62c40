//! Reading a commitments transfer (PAQTE.md): its eight files in the transfer dialect, each row
//! checked value by value; the rules between rows and files are in [`super::rules`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use time::Date;

use super::model::{
    bit, Action, Adhesion, Axe, Axes, Club, Contexte, Convention, Dispositif, Engagement,
    Entreprise, Indicateur, Nature, Periode, Realisation, Taille,
};
use crate::transfer::dialect::{opt, req, Column, Table};
use crate::transfer::row::{finish, scan_rows, Plies, Row, Scanned, V};
use crate::transfer::values;
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

/// The last day the store can hold.
fn last_day() -> Date {
    crate::model::Day(u16::MAX - 1).date()
}

/// A required value read with `v`.
fn need<T>(row: &mut Row<'_, '_>, c: usize, v: V<T>) -> Option<T> {
    row.need(c, v)
}

fn siren(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Siren, |s| {
        if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s.to_owned())
        } else {
            Err("is not a SIREN: write the company's 9 digits, without spaces".into())
        }
    });
    need(row, c, v)
}

fn identifiant(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Identifiant, |s| {
        let ok = s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'));
        if ok {
            Ok(s.to_owned())
        } else {
            Err("is not an id: 1 to 64 letters, digits, _, -, . or /".into())
        }
    });
    need(row, c, v)
}

fn departement(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    let v = row.parse(c, Rule::Departement, values::departement);
    need(row, c, v)
}

fn periode(row: &mut Row<'_, '_>, c: usize, per_year: u8, today: Date) -> Option<Periode> {
    let what = if per_year == 2 {
        "a semester: write 2019S1 or 2019S2"
    } else {
        "a quarter: write 2019T1 to 2019T4"
    };
    let v = row.parse(c, Rule::Periode, |s| {
        Periode::parse(s, per_year).ok_or_else(|| format!("is not {what}"))
    });
    let p = need(row, c, v)?;
    let text = row.text(c).ok().unwrap_or_default();
    if p.annee < crate::model::FIRST_YEAR {
        row.invalid(c, text, Rule::DateBefore1990, "starts before 1990-01-01");
        return None;
    }
    if p.debut() > today {
        let tail = format!("starts after the day of the import, {today}");
        row.invalid(c, text, Rule::DateAfterImport, &tail);
        return None;
    }
    Some(p)
}

fn number(row: &mut Row<'_, '_>, c: usize) -> Option<i64> {
    let comma_ok = row.table.sep == b';';
    let v = row.parse(c, Rule::Number, |s| values::hundredths(s, comma_ok));
    need(row, c, v)
}

fn count(row: &mut Row<'_, '_>, c: usize) -> Option<u64> {
    let v = row.parse(c, Rule::Integer, |s| {
        values::integer(s, u64::from(u32::MAX))
    });
    need(row, c, v)
}

fn entreprise(row: &mut Row<'_, '_>, _: Date) -> Item<Entreprise> {
    let siren = siren(row, 0);
    let nom = row.text(1).ok().map(str::to_owned);
    let taille = row.code(2, Taille::parse, Taille::codes);
    let taille = need(row, 2, taille);
    let secteur = row.parse(3, Rule::Code, |s| {
        values::secteur(s)
            .map_err(|_| "is not a code of secteur: write a NAF section, A to U".into())
    });
    let secteur = need(row, 3, secteur);
    let departement = departement(row, 4);
    let record = (|| {
        Some(Entreprise {
            siren: siren.clone()?,
            nom: nom.unwrap_or_default(),
            taille: taille?,
            secteur: secteur?,
            departement: departement?,
        })
    })();
    Item { key: siren, record }
}

/// `SENSIBILISER|FORMER`: the set of axes.
fn axes(s: &str) -> Result<Axes, String> {
    let mut set: Axes = 0;
    for part in s.split('|') {
        let part = part.trim();
        let axe = Axe::parse(part).ok_or_else(|| {
            format!(
                "is not a list of axes: {:?} is not one of {}",
                part,
                Axe::codes()
            )
        })?;
        if set & bit(axe) != 0 {
            return Err(format!("names the axis {} twice", axe.code()));
        }
        set |= bit(axe);
    }
    Ok(set)
}

fn convention(row: &mut Row<'_, '_>, today: Date) -> Item<Convention> {
    let id = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let departement = match row.text(2) {
        V::Ok(s) if s.eq_ignore_ascii_case(NATIONAL) => Some(None),
        _ => departement(row, 2).map(Some),
    };
    let dispositif = row.code(3, Dispositif::parse, Dispositif::codes);
    let dispositif = need(row, 3, dispositif);
    let debut = row.date(4, today);
    let debut = need(row, 4, debut);
    // A convention is signed for years to come: its end is bounded only by what the store holds.
    let fin = row.date(5, last_day());
    let fin = need(row, 5, fin);
    let axes = row.parse(6, Rule::Axes, axes);
    let axes = need(row, 6, axes);
    let record = (|| {
        Some(Convention {
            convention: id.clone()?,
            entreprise: entreprise?,
            departement: departement?,
            dispositif: dispositif?,
            debut: debut?,
            fin: fin?,
            axes: axes?,
        })
    })();
    Item { key: id, record }
}

fn indicateur(row: &mut Row<'_, '_>, c: usize) -> Option<Indicateur> {
    let v = row.code(c, Indicateur::parse, Indicateur::codes);
    need(row, c, v)
}

fn engagement(row: &mut Row<'_, '_>, _: Date) -> Item<Engagement> {
    let convention = identifiant(row, 0);
    let indicateur = indicateur(row, 1);
    // Objectives are set for years to come; EngagementOutsideConvention bounds them.
    let annee = row.parse(2, Rule::Year, |s| values::year(s, last_day().year()));
    let annee = need(row, 2, annee);
    let objectif = number(row, 3);
    let record = (|| {
        Some(Engagement {
            convention: convention.clone()?,
            indicateur: indicateur?,
            annee: annee?,
            objectif: objectif?,
        })
    })();
    Item {
        key: convention,
        record,
    }
}

fn realisation(row: &mut Row<'_, '_>, today: Date) -> Item<Realisation> {
    let convention = identifiant(row, 0);
    let indicateur = indicateur(row, 1);
    let periode = periode(row, 2, 2, today);
    let valeur = number(row, 3);
    let record = (|| {
        Some(Realisation {
            convention: convention.clone()?,
            indicateur: indicateur?,
            periode: periode?,
            valeur: valeur?,
        })
    })();
    Item {
        key: convention,
        record,
    }
}

fn contexte(row: &mut Row<'_, '_>, today: Date) -> Item<Contexte> {
    let departement = departement(row, 0);
    let periode = periode(row, 1, 2, today);
    let figures = [2, 3, 4, 5].map(|c| count(row, c));
    let referent = row.text(6).ok().map(str::to_owned);
    let record = (|| {
        Some(Contexte {
            departement: departement.clone()?,
            periode: periode?,
            qpv: figures[0]?,
            pru_nationaux: figures[1]?,
            population_qpv: figures[2]?,
            defm_qpv: figures[3]?,
            referent,
        })
    })();
    Item {
        key: departement,
        record,
    }
}

fn club(row: &mut Row<'_, '_>, today: Date) -> Item<Club> {
    let id = identifiant(row, 0);
    let departement = departement(row, 1);
    let date = row.date(2, today);
    let date = need(row, 2, date);
    let record = (|| {
        Some(Club {
            club: id.clone()?,
            departement: departement?,
            date_convention: date?,
        })
    })();
    Item { key: id, record }
}

fn adhesion(row: &mut Row<'_, '_>, today: Date) -> Item<Adhesion> {
    let club = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let date = row.date(2, today);
    let date = need(row, 2, date);
    let record = (|| {
        Some(Adhesion {
            club: club.clone()?,
            entreprise: entreprise?,
            date: date?,
        })
    })();
    Item { key: club, record }
}

fn action(row: &mut Row<'_, '_>, today: Date) -> Item<Action> {
    let club = identifiant(row, 0);
    let entreprise = siren(row, 1);
    let thematique = row.parse(2, Rule::Code, |s| match s.parse::<u8>() {
        Ok(n @ 1..=14) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err("is not a code of thematique: write the theme's number, 1 to 14".into()),
    });
    let thematique = need(row, 2, thematique);
    let nature = row.code(3, Nature::parse, Nature::codes);
    let nature = need(row, 3, nature);
    let periode = periode(row, 4, 4, today);
    let valeur = number(row, 5);
    let record = (|| {
        Some(Action {
            club: club.clone()?,
            entreprise: entreprise?,
            thematique: thematique?,
            nature: nature?,
            periode: periode?,
            valeur: valeur?,
        })
    })();
    Item { key: club, record }
}
