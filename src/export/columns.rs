//! The exported columns: each stored chunk of parcours or étapes becomes one row group, its codes
//! decoded to CLI.md's (`H`/`F`, `15-24`, `VBIS`, `IV+`, `JAMAIS`...), its days to Parquet DATEs.

use super::batch::{codes, date, date_opt, Batch, Code};
use crate::model::{
    BirthMonth, Contrat, Domaine, Employeur, Inactivite, Mesure, Motif, Niveau, Public, Sexe,
    Taille, Validation,
};
use crate::store::{EtapesChunk, KeysChunk, ParcoursChunk, PlieRecord, CHUNK_ROWS, NONE};

/// Every code an exported column can hold, interned once per export.
pub(super) struct Codes {
    sexe: Vec<Code>,
    public: Vec<Code>,
    niveau: Vec<Code>,
    motif: Vec<Code>,
    etape: Vec<Code>,
    employeur: Vec<Code>,
    taille: Vec<Code>,
    contrat: Vec<Code>,
    mesure: Vec<Code>,
    domaine: Vec<Code>,
    validation: Vec<Code>,
    /// NAF sections `A`..`U`.
    secteur: Vec<Code>,
    age_26: Vec<Code>,
    age45: Vec<Code>,
    tranche_age: Vec<Code>,
    niveau_groupe: Vec<Code>,
    inactivite: Vec<Code>,
}

fn list(codes: &[&str]) -> Vec<Code> {
    codes.iter().map(|c| Code::new(c)).collect()
}

impl Codes {
    pub fn new() -> Codes {
        Codes {
            sexe: codes(Sexe::ALL, Sexe::code),
            public: codes(Public::ALL, Public::code),
            niveau: codes(Niveau::ALL, Niveau::code),
            motif: codes(Motif::ALL, Motif::code),
            etape: codes(crate::model::EtapeType::ALL, crate::model::EtapeType::code),
            employeur: codes(Employeur::ALL, Employeur::code),
            taille: codes(Taille::ALL, Taille::code),
            contrat: codes(Contrat::ALL, Contrat::code),
            mesure: codes(Mesure::ALL, Mesure::code),
            domaine: codes(Domaine::ALL, Domaine::code),
            validation: codes(Validation::ALL, Validation::code),
            secteur: (b'A'..=b'U')
                .map(|c| Code::new(&char::from(c).to_string()))
                .collect(),
            age_26: list(&["<26", ">=26"]),
            age45: list(&["<45", ">=45"]),
            tranche_age: list(&["15-24", "25-44", "45-54", "55-64", "65+"]),
            niveau_groupe: list(&["VI", "VBIS", "V", "IV+", "9", "NC"]),
            inactivite: list(&["<1", "1-2", "2-3", "3-5", "5+", "JAMAIS", "?"]),
        }
    }
}

/// The code stored as `v` (`NONE` or out of range: null).
fn get(codes: &[Code], v: u8) -> Option<&Code> {
    codes.get(usize::from(v))
}

/// The value index of an age at entry in CLI.md's `tranche_age` (the rule of
/// `query::Dimension::TrancheAge`; the SQL check compares the two).
fn tranche_age(age: u8) -> usize {
    match age {
        0..=24 => 0,
        25..=44 => 1,
        45..=54 => 2,
        55..=64 => 3,
        _ => 4,
    }
}

/// CLI.md's `niveau_groupe` of a stored niveau: IV, III, II and I are `IV+`.
fn niveau_groupe(niveau: u8) -> u8 {
    match niveau {
        0..=2 => niveau,
        3..=6 => 3,
        n => n - 3,
    }
}

fn flag(v: u8) -> Option<bool> {
    (v != NONE).then_some(v == 1)
}

/// One row group of `parcours`: the chunk, its keys and its PLIE's place.
pub(super) fn parcours(
    codes: &Codes,
    record: &PlieRecord,
    chunk: &ParcoursChunk,
    keys: &KeysChunk,
) -> Batch {
    let n = chunk.entree.len();
    let mut b = Batch::default();
    let plie = Code::new(&record.plie);
    let departement = Code::new(record.departement.as_deref().unwrap_or("?"));
    let region = Code::new(record.region.as_deref().unwrap_or("?"));
    b.code("plie", false, std::iter::repeat_n(Some(&plie), n));
    b.code(
        "departement",
        false,
        std::iter::repeat_n(Some(&departement), n),
    );
    b.code("region", false, std::iter::repeat_n(Some(&region), n));
    b.text("participant", keys.participant.iter().map(String::as_str));
    b.date("entree", false, chunk.entree.iter().map(|&d| Some(date(d))));
    b.date("sortie", true, chunk.sortie.iter().map(|&d| date_opt(d)));
    b.code(
        "motif_sortie",
        true,
        chunk.motif.iter().map(|&v| get(&codes.motif, v)),
    );
    b.code(
        "sexe",
        false,
        chunk.sexe.iter().map(|&v| get(&codes.sexe, v)),
    );
    // A few hundred birth months among the rows: each formatted once.
    let mut months = std::collections::HashMap::new();
    let naissance: Vec<Code> = chunk
        .naissance
        .iter()
        .map(|&m| {
            let month = months.entry(m).or_insert_with(|| {
                let m = BirthMonth::from_u16(m);
                Code::new(&format!("{:04}-{:02}", m.year, m.month))
            });
            month.clone()
        })
        .collect();
    b.code("naissance", false, naissance.iter().map(Some));
    b.int("age", false, chunk.age.iter().map(|&a| Some(i32::from(a))));
    let age = |codes: &[Code], band: fn(u8) -> usize| -> Vec<Option<Code>> {
        chunk
            .age
            .iter()
            .map(|&a| codes.get(band(a)).cloned())
            .collect()
    };
    b.code(
        "age_26",
        false,
        age(&codes.age_26, |a| usize::from(a >= 26))
            .iter()
            .map(Option::as_ref),
    );
    b.code(
        "tranche_age",
        false,
        age(&codes.tranche_age, tranche_age)
            .iter()
            .map(Option::as_ref),
    );
    b.code(
        "age45",
        false,
        age(&codes.age45, |a| usize::from(a >= 45))
            .iter()
            .map(Option::as_ref),
    );
    b.code(
        "public",
        false,
        chunk.public.iter().map(|&v| get(&codes.public, v)),
    );
    b.boolean(
        "inscrit_pe",
        false,
        chunk.inscrit_pe.iter().map(|&v| Some(v == 1)),
    );
    b.boolean("th", false, chunk.th.iter().map(|&v| Some(v == 1)));
    b.code(
        "niveau",
        false,
        chunk.niveau.iter().map(|&v| get(&codes.niveau, v)),
    );
    b.code(
        "niveau_groupe",
        false,
        chunk
            .niveau
            .iter()
            .map(|&v| get(&codes.niveau_groupe, niveau_groupe(v))),
    );
    b.code(
        "inactivite",
        false,
        chunk
            .inactivite
            .iter()
            .map(|&m| get(&codes.inactivite, Inactivite::from_u16(m).band())),
    );
    b.int(
        "inactivite_mois",
        true,
        chunk
            .inactivite
            .iter()
            .map(|&m| match Inactivite::from_u16(m) {
                Inactivite::Mois(m) => Some(i32::from(m)),
                _ => None,
            }),
    );
    b.boolean("qpv", true, chunk.qpv.iter().map(|&v| flag(v)));
    b.text_opt("commune", keys.commune.iter().map(String::as_str));
    let [secteur, employeur, taille, contrat, mesure] = &chunk.emploi;
    b.code(
        "emploi_secteur",
        true,
        secteur.iter().map(|&v| get(&codes.secteur, v)),
    );
    b.code(
        "emploi_employeur",
        true,
        employeur.iter().map(|&v| get(&codes.employeur, v)),
    );
    b.code(
        "emploi_taille",
        true,
        taille.iter().map(|&v| get(&codes.taille, v)),
    );
    b.code(
        "emploi_contrat",
        true,
        contrat.iter().map(|&v| get(&codes.contrat, v)),
    );
    b.code(
        "emploi_mesure",
        true,
        mesure.iter().map(|&v| get(&codes.mesure, v)),
    );
    let [domaine, niveau, validation] = &chunk.formation;
    b.code(
        "formation_domaine",
        true,
        domaine.iter().map(|&v| get(&codes.domaine, v)),
    );
    b.code(
        "formation_niveau",
        true,
        niveau.iter().map(|&v| get(&codes.niveau, v)),
    );
    b.code(
        "formation_validation",
        true,
        validation.iter().map(|&v| get(&codes.validation, v)),
    );
    b.int(
        "formation_duree_mois",
        true,
        chunk
            .formation_duree_mois
            .iter()
            .map(|&m| (m != u16::MAX).then_some(i32::from(m))),
    );
    b
}

/// The parcours an étape belongs to: per stored chunk, the participant keys and entry days.
pub(super) struct ParcoursKeys<'a> {
    pub chunks: Vec<(&'a [String], &'a [u16])>,
}

impl ParcoursKeys<'_> {
    /// The participant and entry day of PLIE-local row `row` (chunk * 65 536 + index).
    fn get(&self, row: u32) -> Option<(&str, u16)> {
        let (participants, entrees) = self.chunks.get(row as usize / CHUNK_ROWS)?;
        let i = row as usize % CHUNK_ROWS;
        Some((participants.get(i)?.as_str(), *entrees.get(i)?))
    }
}

/// One row group of `etapes`, or why the chunk cannot be exported (a row or code that does not
/// exist: the store is damaged).
pub(super) fn etapes(
    codes: &Codes,
    record: &PlieRecord,
    chunk: &EtapesChunk,
    parcours: &ParcoursKeys,
) -> Result<Batch, String> {
    let n = chunk.parcours.len();
    let lens = [
        chunk.etape.len(),
        chunk.debut.len(),
        chunk.fin.len(),
        chunk.finance_plie.len(),
    ];
    if lens.iter().any(|&l| l != n) {
        return Err("étapes columns of different lengths".into());
    }
    let owners = chunk
        .parcours
        .iter()
        .map(|&r| {
            parcours
                .get(r)
                .ok_or_else(|| format!("an étape names parcours row {r}, which does not exist"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(t) = chunk
        .etape
        .iter()
        .find(|&&t| get(&codes.etape, t).is_none())
    {
        return Err(format!("an étape has type code {t}, which does not exist"));
    }
    let mut b = Batch::default();
    let plie = Code::new(&record.plie);
    b.code("plie", false, std::iter::repeat_n(Some(&plie), n));
    b.text("participant", owners.iter().map(|o| o.0));
    b.date("entree", false, owners.iter().map(|o| Some(date(o.1))));
    b.code(
        "type",
        false,
        chunk.etape.iter().map(|&v| get(&codes.etape, v)),
    );
    b.date("debut", false, chunk.debut.iter().map(|&d| Some(date(d))));
    b.date("fin", true, chunk.fin.iter().map(|&d| date_opt(d)));
    b.boolean(
        "finance_plie",
        false,
        chunk.finance_plie.iter().map(|&v| Some(v == 1)),
    );
    Ok(b)
}

/// The one row group of `plie`: plie.csv's line of each PLIE and what the store holds of it.
pub(super) fn plies(records: &[PlieRecord]) -> Batch {
    let place = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    let count = |n: u64| Some(i32::try_from(n).unwrap_or(i32::MAX));
    let mut b = Batch::default();
    b.text("plie", records.iter().map(|r| r.plie.as_str()));
    b.text_opt(
        "nom",
        records.iter().map(|r| r.nom.as_deref().unwrap_or("")),
    );
    let departements: Vec<String> = records.iter().map(|r| place(&r.departement)).collect();
    let regions: Vec<String> = records.iter().map(|r| place(&r.region)).collect();
    b.text("departement", departements.iter().map(String::as_str));
    b.text("region", regions.iter().map(String::as_str));
    b.int(
        "communes",
        true,
        records.iter().map(|r| r.communes.map(|c| c as i32)),
    );
    b.text_opt(
        "structure_porteuse",
        records
            .iter()
            .map(|r| r.structure_porteuse.as_deref().unwrap_or("")),
    );
    b.text_opt(
        "gestion_fse",
        records.iter().map(|r| {
            r.gestion_fse
                .and_then(crate::model::GestionFse::from_u8)
                .map_or("", |g| g.code())
        }),
    );
    b.int("parcours", false, records.iter().map(|r| count(r.parcours)));
    b.int("etapes", false, records.iter().map(|r| count(r.etapes)));
    b
}
