//! What a transfer can do wrong, said so that a data manager can find and fix it.

use std::fmt;
use std::path::PathBuf;

/// Where a problem is: file, physical line where the record starts (the header is line 1), column
/// number (1-based, in the file's own column order) and column name.
///
/// Line 0 stands for the file as a whole (a missing or empty file, a file that is not part of the
/// format); a `None` column is printed as column 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: String,
    pub line: u64,
    pub column: Option<usize>,
    pub field: Option<String>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.file,
            self.line,
            self.column.unwrap_or(0)
        )?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        Ok(())
    }
}

/// The rule a row breaks: one variant per rule of the transfer format (docs/FORMAT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    // The folder and the dialect.
    /// parcours.csv is part of every transfer.
    MissingParcours,
    /// A file holds at least its header line.
    EmptyFile,
    /// Files are UTF-8.
    InvalidUtf8,
    /// Every required column is in the header.
    MissingColumn,
    /// A column name appears once in the header.
    DuplicateColumn,
    /// Every row has as many fields as the header.
    FieldCount,
    // Values.
    /// A required value is present.
    Required,
    /// A PLIE code is 1 to 32 characters among `A-Z a-z 0-9 _ -`.
    PlieCode,
    /// A participant key is 1 to 64 characters.
    Participant,
    /// A participant key is a pseudonym, never an identity: not a social-security number, an
    /// e-mail address or a phone number.
    ParticipantIdentity,
    /// A date is `YYYY-MM-DD` or `DD/MM/YYYY` and is a day of the calendar.
    Date,
    /// A birth month is `YYYY-MM`.
    BirthMonth,
    /// A yes/no value is `0`, `1`, `non` or `oui`.
    Boolean,
    /// A coded value is one of the codes of its column.
    Code,
    /// A count is a whole number, 0 or more.
    Integer,
    /// Months without work are a whole number, 0 or more, or `JAMAIS`.
    Inactivite,
    /// An amount is a number of euros, 0 or more, with at most two decimals.
    Amount,
    /// An indicator value is a number, 0 or more, with at most two decimals.
    Number,
    /// A commune is a 5-character INSEE code.
    Commune,
    /// A department is the INSEE code of one of the 101 departments of the reference.
    Departement,
    /// An indicator code is 1 to 64 characters among `A-Z 0-9 _`.
    Indicateur,
    /// A year has four digits, from 1990 to the year of the import.
    Year,
    /// The ESF axis is 3 or 4.
    Axe,
    /// No date is before 1990-01-01.
    DateBefore1990,
    /// No date is after the day of the import.
    DateAfterImport,
    // parcours.csv
    /// The exit date is on or after the entry date.
    ExitBeforeEntry,
    /// `motif_sortie` is given if and only if `sortie` is.
    MotifIffSortie,
    /// The `emploi_*` columns are filled only for an exit to employment.
    EmploiDetail,
    /// The `formation_*` columns are filled only for an exit to training.
    FormationDetail,
    /// The birth month is before the entry date.
    BirthAfterEntry,
    /// The age at entry is between 15 and 99.
    AgeAtEntry,
    /// (`plie`, `participant`, `entree`) is unique.
    DuplicateParcours,
    /// Two parcours of one participant in one PLIE do not overlap.
    OverlappingParcours,
    // etapes.csv
    /// An étape belongs to a parcours of parcours.csv.
    UnknownParcours,
    /// An étape belongs to a valid parcours.
    RejectedParcours,
    /// An étape starts within its parcours.
    DebutOutsideParcours,
    /// An étape ends on or after its start.
    FinBeforeDebut,
    /// An étape ends on or before the exit of its parcours.
    FinAfterSortie,
    // plie.csv, financements.csv, allocations.csv, activite.csv
    /// A PLIE has at most one line in plie.csv.
    DuplicatePlie,
    /// The ESF part of an allocation is at most its amount.
    DontFseAboveMontant,
    /// plie.csv's `complet_depuis` is on or before its `extraction`.
    CompletAfterExtraction,
    // The commitments transfer (PAQTE.md, docs/paqte.md).
    /// A company is its SIREN: 9 digits.
    Siren,
    /// A convention or club id is 1 to 64 characters among `A-Z a-z 0-9 _ - . /`.
    Identifiant,
    /// A period is a semester or a quarter, as its column asks.
    Periode,
    /// `axes` lists one to four axes, each once, separated by `|`.
    Axes,
    /// A row's key appears once in its file.
    DuplicateKey,
    /// A company, convention or club named by a row is described in the same transfer.
    UnknownReference,
    /// A convention ends after it starts.
    ConventionDates,
    /// A PAQTE convention lasts at most three years.
    ConventionLength,
    /// A convention's indicators belong to its axes.
    IndicateurAxe,
    /// An objective's year meets its convention.
    EngagementOutsideConvention,
    /// A realisation's semester lies within its convention.
    RealisationOutsideConvention,
    /// A company joins only clubs of its head office's department.
    AdhesionDepartement,
    /// A company adheres to a club of its department at most once.
    DuplicateAdhesion,
    /// `EMPLOIS_FRANCS` ("dont emplois francs") is at most `RECRUTEMENTS_QPV`, its parent line.
    EmploisFrancsAboveRecrutements,
    /// A context's sub-counts are at most their parent counts.
    ContexteAboveParent,
}

impl Rule {
    /// Every rule, in the order of docs/FORMAT.md.
    pub const ALL: &'static [Rule] = &[
        Rule::MissingParcours,
        Rule::EmptyFile,
        Rule::InvalidUtf8,
        Rule::MissingColumn,
        Rule::DuplicateColumn,
        Rule::FieldCount,
        Rule::Required,
        Rule::PlieCode,
        Rule::Participant,
        Rule::ParticipantIdentity,
        Rule::Date,
        Rule::BirthMonth,
        Rule::Boolean,
        Rule::Code,
        Rule::Integer,
        Rule::Inactivite,
        Rule::Amount,
        Rule::Number,
        Rule::Commune,
        Rule::Departement,
        Rule::Indicateur,
        Rule::Year,
        Rule::Axe,
        Rule::DateBefore1990,
        Rule::DateAfterImport,
        Rule::ExitBeforeEntry,
        Rule::MotifIffSortie,
        Rule::EmploiDetail,
        Rule::FormationDetail,
        Rule::BirthAfterEntry,
        Rule::AgeAtEntry,
        Rule::DuplicateParcours,
        Rule::OverlappingParcours,
        Rule::UnknownParcours,
        Rule::RejectedParcours,
        Rule::DebutOutsideParcours,
        Rule::FinBeforeDebut,
        Rule::FinAfterSortie,
        Rule::DuplicatePlie,
        Rule::DontFseAboveMontant,
        Rule::CompletAfterExtraction,
        Rule::Siren,
        Rule::Identifiant,
        Rule::Periode,
        Rule::Axes,
        Rule::DuplicateKey,
        Rule::UnknownReference,
        Rule::ConventionDates,
        Rule::ConventionLength,
        Rule::IndicateurAxe,
        Rule::EngagementOutsideConvention,
        Rule::RealisationOutsideConvention,
        Rule::AdhesionDepartement,
        Rule::DuplicateAdhesion,
        Rule::EmploisFrancsAboveRecrutements,
        Rule::ContexteAboveParent,
    ];

    /// The rule as one sentence, printed after each error.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::MissingParcours => "parcours.csv is part of every transfer",
            Rule::EmptyFile => "a file holds at least its header line",
            Rule::InvalidUtf8 => "files are encoded in UTF-8",
            Rule::MissingColumn => "every required column is in the header",
            Rule::DuplicateColumn => "a column name appears once in the header",
            Rule::FieldCount => "every row has as many fields as the header",
            Rule::Required => "a required value is present",
            Rule::PlieCode => "a PLIE code is 1 to 32 characters among A-Z a-z 0-9 _ -",
            Rule::Participant => "a participant key is 1 to 64 characters",
            Rule::ParticipantIdentity => {
                "a participant key is a pseudonym, never an identity (social-security number, \
                 e-mail address or phone number)"
            }
            Rule::Date => "a date is YYYY-MM-DD or DD/MM/YYYY and is a day of the calendar",
            Rule::BirthMonth => "a birth month is YYYY-MM",
            Rule::Boolean => "a yes/no value is 0, 1, non or oui",
            Rule::Code => "a coded value is one of the codes of its column",
            Rule::Integer => "a count is a whole number, 0 or more",
            Rule::Inactivite => "months without work are a whole number, 0 or more, or JAMAIS",
            Rule::Amount => "an amount is a number of euros, 0 or more, with at most two decimals",
            Rule::Number => "an indicator value is a number, 0 or more, with at most two decimals",
            Rule::Commune => {
                "a commune is a 5-character INSEE code (5 digits, or 2A/2B and 3 digits)"
            }
            Rule::Departement => {
                "a department is the INSEE code of one of the 101 departments (01 to 95, 2A, 2B, 971 to 974, \
                 976)"
            }
            Rule::Indicateur => "an indicator code is 1 to 64 characters among A-Z 0-9 _",
            Rule::Year => "a year has four digits, from 1990 to the year of the import",
            Rule::Axe => "the ESF axis is 3 or 4",
            Rule::DateBefore1990 => "no date is before 1990-01-01",
            Rule::DateAfterImport => "no date is after the day of the import",
            Rule::ExitBeforeEntry => "the exit date is on or after the entry date",
            Rule::MotifIffSortie => "motif_sortie is given if and only if sortie is",
            Rule::EmploiDetail => {
                "the emploi_* columns are filled only when motif_sortie is EMPLOI"
            }
            Rule::FormationDetail => {
                "the formation_* columns are filled only when motif_sortie is FORMATION"
            }
            Rule::BirthAfterEntry => "the birth month is before the entry date",
            Rule::AgeAtEntry => "the age at entry is between 15 and 99",
            Rule::DuplicateParcours => "(plie, participant, entree) is unique",
            Rule::OverlappingParcours => {
                "two parcours of one participant in one PLIE do not overlap: the later one starts \
                 at the earliest the day after the earlier one's exit"
            }
            Rule::UnknownParcours => "an étape belongs to a parcours of parcours.csv",
            Rule::RejectedParcours => "an étape belongs to a valid parcours",
            Rule::DebutOutsideParcours => {
                "an étape starts within its parcours (on or after entree, on or before sortie)"
            }
            Rule::FinBeforeDebut => "an étape ends on or after its start",
            Rule::FinAfterSortie => "an étape ends on or before the exit of its parcours",
            Rule::DuplicatePlie => "a PLIE has at most one line in plie.csv",
            Rule::DontFseAboveMontant => "the ESF part of an allocation is at most its amount",
            Rule::CompletAfterExtraction => {
                "a PLIE's complet_depuis is on or before its extraction date"
            }
            Rule::Siren => "a company is its SIREN, 9 digits",
            Rule::Identifiant => {
                "a convention or club id is 1 to 64 characters among A-Z a-z 0-9 _ - . /"
            }
            Rule::Periode => {
                "a period is a semester (2019S1, 2019S2) or a quarter (2019T1 to 2019T4), as its \
                 column asks"
            }
            Rule::Axes => {
                "axes lists one to four of SENSIBILISER, FORMER, RECRUTER, ACHETER, each once, \
                 separated by vertical bars"
            }
            Rule::DuplicateKey => "a row's key appears once in its file",
            Rule::UnknownReference => {
                "a company, convention or club named by a row is described in the same transfer"
            }
            Rule::ConventionDates => "a convention ends after it starts (fin after debut)",
            Rule::ConventionLength => "a PAQTE convention lasts at most three years",
            Rule::IndicateurAxe => "a convention's indicators belong to its axes",
            Rule::EngagementOutsideConvention => {
                "an objective's year meets the years of its convention"
            }
            Rule::RealisationOutsideConvention => {
                "a realisation's semester lies within its convention (meets its days)"
            }
            Rule::AdhesionDepartement => {
                "a company joins only the clubs of its head office's department"
            }
            Rule::DuplicateAdhesion => "a company adheres to a club of its department at most once",
            Rule::EmploisFrancsAboveRecrutements => {
                "EMPLOIS_FRANCS is part of RECRUTEMENTS_QPV: a convention's objective (or \
                 realisation) of it for a year (or semester) is at most that of RECRUTEMENTS_QPV"
            }
            Rule::ContexteAboveParent => {
                "a context's national renewal projects are at most its QPV (pru_nationaux <= qpv) \
                 and its jobseekers in QPV at most their population (defm_qpv <= population_qpv)"
            }
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub position: Position,
    /// The offending value, as read (trimmed); `None` when the problem is an absent value.
    pub value: Option<String>,
    pub rule: Rule,
    /// The sentence shown to the user.
    pub message: String,
}

/// One line: `file:line:column (field): message — rule: description`.
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} — rule: {}",
            self.position,
            one_line(&self.message),
            self.rule.describe()
        )
    }
}

impl std::error::Error for RowError {}

/// Something worth saying that does not stop the import (an unknown column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub position: Position,
    pub message: String,
}

/// One line: `file:line:column (field): message`.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, one_line(&self.message))
    }
}

/// A transfer folder that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a folder (a transfer is a folder of CSV files)")]
    NotAFolder { path: PathBuf },
    /// A file of the folder's listing was gone when it was opened: the folder changed during
    /// the import, and reading what is left would import a part of it as if it were whole.
    #[error(
        "{path}: the file was in the folder but disappeared before it could be read: the folder \
         changed during the import; import it again once it is complete"
    )]
    Vanished { path: PathBuf },
    /// A transfer file is a symbolic link to nothing: not the same as no file.
    #[error(
        "{path}: a symbolic link to a file that does not exist: fix the link or remove it (a \
         missing file is not taken as absent)"
    )]
    DanglingLink { path: PathBuf },
}

/// Messages quote values with `{:?}`, so they never hold a line break; this is a last guard.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        s.replace(['\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

/// A value quoted for a message: in double quotes, control characters escaped, cut after 60
/// characters so that a stray multi-line field does not flood the report.
pub(crate) fn quote(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
        None => format!("{value:?}"),
    }
}

/// How many errors of one file and rule a transfer counts, and the lines of the first ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCount {
    pub file: String,
    pub rule: Rule,
    pub count: u64,
    /// The lines of the first errors (at most [`FIRST_LINES`]), in order.
    pub first_lines: Vec<u64>,
}

/// The lines an [`ErrorCount`] keeps.
pub const FIRST_LINES: usize = 5;

/// The errors of a read: every one counted by file and rule; the first ones in file order kept
/// whole, up to a limit, so that a file broken on every row is refused in bounded memory.
#[derive(Debug, Default)]
pub(crate) struct ErrorTally {
    pub kept: Vec<RowError>,
    counts: std::collections::BTreeMap<(String, Rule), (u64, Vec<u64>)>,
}

impl ErrorTally {
    pub fn push(&mut self, e: RowError) {
        self.count(&e);
        self.kept.push(e);
    }

    /// Counts `e` without keeping it.
    pub fn count_only(&mut self, e: &RowError) {
        self.count(e);
    }

    fn count(&mut self, e: &RowError) {
        let (n, lines) = self
            .counts
            .entry((e.position.file.clone(), e.rule))
            .or_default();
        *n += 1;
        if lines.len() < FIRST_LINES && !lines.contains(&e.position.line) {
            lines.push(e.position.line);
            lines.sort_unstable();
        }
    }

    /// Adds `other`'s errors and counts.
    pub fn merge(&mut self, other: ErrorTally) {
        for (key, (n, lines)) in other.counts {
            let (total, first) = self.counts.entry(key).or_default();
            *total += n;
            first.extend(lines);
            first.sort_unstable();
            first.dedup();
            first.truncate(FIRST_LINES);
        }
        self.kept.extend(other.kept);
    }

    /// Keeps the first `limit` errors by `rank` (file, line, column), once they are twice that.
    pub fn trim(&mut self, limit: usize, rank: impl Fn(&Position) -> (usize, u64, usize)) {
        if self.kept.len() > limit.saturating_mul(2) {
            self.sort(&rank);
            self.kept.truncate(limit);
        }
    }

    pub fn sort(&mut self, rank: impl Fn(&Position) -> (usize, u64, usize)) {
        self.kept.sort_by_key(|e| rank(&e.position));
    }

    /// Every error counted, whether kept or not.
    pub fn total(&self) -> u64 {
        self.counts.values().map(|c| c.0).sum()
    }

    /// The counts per file and rule, in the order of `file_rank` then rule.
    pub fn counts(&self, file_rank: impl Fn(&str) -> usize) -> Vec<ErrorCount> {
        let mut counts: Vec<ErrorCount> = self
            .counts
            .iter()
            .map(|((file, rule), (count, lines))| ErrorCount {
                file: file.clone(),
                rule: *rule,
                count: *count,
                first_lines: lines.clone(),
            })
            .collect();
        counts.sort_by_key(|c| (file_rank(&c.file), c.first_lines.first().copied()));
        counts
    }
}

impl fmt::Display for ErrorCount {
    /// `file: N error(s) of rule R (lines a, b, c…)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.first_lines.iter().map(u64::to_string).collect();
        let more = if self.count > self.first_lines.len() as u64 {
            ", …"
        } else {
            ""
        };
        write!(
            f,
            "{}: {} error(s): {} (line {}{more})",
            self.file,
            self.count,
            self.rule.describe(),
            lines.join(", ")
        )
    }
}
