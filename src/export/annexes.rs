//! The optional files of each PLIE (financements, allocations, activité) and the companies'
//! commitments (PAQTE conventions and the plan 10 000), as row groups: codes as in the transfers
//! (FORMAT.md, PAQTE.md), days as Parquet DATEs, amounts and indicator values as DECIMAL(18,2).

use super::batch::{date, Batch, Code};
use crate::model::{Financeur, Structure};
use crate::paqte::model::{Axe, Entreprise, Periode};
use crate::paqte::{DepartementData, DepartementRecord};
use crate::store::{Annexes, PlieRecord};

/// The PLIE's place, repeated on each of `n` rows (as in `parcours`).
fn place(b: &mut Batch, record: &PlieRecord, n: usize) {
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
}

/// A stored code of a code list (the store only holds valid ones; an unknown one is a damage).
fn code<T: Copy>(
    from: fn(u8) -> Option<T>,
    name: fn(T) -> &'static str,
    v: u8,
) -> Option<&'static str> {
    from(v).map(name)
}

/// `financements` of one PLIE: plie, departement, region, annee, axe, financeur, direct,
/// indirect, mobilise; or why it cannot be exported.
pub(super) fn financements(record: &PlieRecord, annexes: &Annexes) -> Result<Batch, String> {
    let rows = &annexes.financements;
    let mut financeurs = Vec::with_capacity(rows.len());
    for r in rows {
        financeurs.push(
            code(Financeur::from_u8, Financeur::code, r.2)
                .ok_or_else(|| format!("a financement has financer code {}", r.2))?,
        );
    }
    let mut b = Batch::default();
    place(&mut b, record, rows.len());
    b.int("annee", false, rows.iter().map(|r| Some(r.0)));
    b.int("axe", false, rows.iter().map(|r| Some(i32::from(r.1))));
    b.text("financeur", financeurs);
    b.hundredths("direct", false, rows.iter().map(|r| Some(r.3)));
    b.hundredths("indirect", false, rows.iter().map(|r| Some(r.4)));
    b.boolean("mobilise", false, rows.iter().map(|r| Some(r.5)));
    Ok(b)
}

/// `allocations` of one PLIE: plie, departement, region, annee, structure, montant, dont_fse.
pub(super) fn allocations(record: &PlieRecord, annexes: &Annexes) -> Result<Batch, String> {
    let rows = &annexes.allocations;
    let mut structures = Vec::with_capacity(rows.len());
    for r in rows {
        structures.push(
            code(Structure::from_u8, Structure::code, r.1)
                .ok_or_else(|| format!("an allocation has structure code {}", r.1))?,
        );
    }
    let mut b = Batch::default();
    place(&mut b, record, rows.len());
    b.int("annee", false, rows.iter().map(|r| Some(r.0)));
    b.text("structure", structures);
    b.hundredths("montant", false, rows.iter().map(|r| Some(r.2)));
    b.hundredths("dont_fse", false, rows.iter().map(|r| Some(r.3)));
    Ok(b)
}

/// `activite` of one PLIE: plie, departement, region, annee, indicateur, valeur.
pub(super) fn activite(record: &PlieRecord, annexes: &Annexes) -> Batch {
    let rows = &annexes.activite;
    let mut b = Batch::default();
    place(&mut b, record, rows.len());
    b.int("annee", false, rows.iter().map(|r| Some(r.0)));
    b.text("indicateur", rows.iter().map(|r| r.1.as_str()));
    b.hundredths("valeur", false, rows.iter().map(|r| Some(r.2)));
    b
}

/// The department (or `NATIONAL`) that owns a partition, on each of `n` rows.
fn owner(b: &mut Batch, departement: &str, n: usize) {
    let d = Code::new(departement);
    b.code("departement", false, std::iter::repeat_n(Some(&d), n));
}

/// A half-year or quarter as its code (`2019S2`, `2019T4`), year and number.
fn periode(b: &mut Batch, number: &'static str, periodes: &[Periode]) {
    let codes: Vec<String> = periodes.iter().map(ToString::to_string).collect();
    b.text("periode", codes.iter().map(String::as_str));
    b.int("annee", false, periodes.iter().map(|p| Some(p.annee)));
    b.int(number, false, periodes.iter().map(|p| Some(i32::from(p.n))));
}

/// The commitments' datasets of one department, by name, in the order they are written.
pub(super) fn paqte(departement: &str, data: &DepartementData) -> Vec<(&'static str, Batch)> {
    let mut out = Vec::new();

    let rows = &data.conventions;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("convention", rows.iter().map(|c| c.convention.as_str()));
    b.text("entreprise", rows.iter().map(|c| c.entreprise.as_str()));
    b.text_opt(
        "prefecture",
        rows.iter().map(|c| c.departement.as_deref().unwrap_or("")),
    );
    b.text("dispositif", rows.iter().map(|c| c.dispositif.code()));
    b.date("debut", false, rows.iter().map(|c| Some(date(c.debut.0))));
    b.date("fin", false, rows.iter().map(|c| Some(date(c.fin.0))));
    for (name, axe) in [
        ("sensibiliser", Axe::Sensibiliser),
        ("former", Axe::Former),
        ("recruter", Axe::Recruter),
        ("acheter", Axe::Acheter),
    ] {
        let bit = crate::paqte::model::bit(axe);
        b.boolean(name, false, rows.iter().map(|c| Some(c.axes & bit != 0)));
    }
    out.push(("conventions", b));

    let rows = &data.engagements;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("convention", rows.iter().map(|e| e.convention.as_str()));
    b.text("axe", rows.iter().map(|e| e.indicateur.axe().code()));
    b.text("indicateur", rows.iter().map(|e| e.indicateur.code()));
    b.int("annee", false, rows.iter().map(|e| Some(e.annee)));
    b.hundredths("objectif", false, rows.iter().map(|e| Some(e.objectif)));
    out.push(("engagements", b));

    let rows = &data.realisations;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("convention", rows.iter().map(|r| r.convention.as_str()));
    b.text("axe", rows.iter().map(|r| r.indicateur.axe().code()));
    b.text("indicateur", rows.iter().map(|r| r.indicateur.code()));
    let periodes: Vec<Periode> = rows.iter().map(|r| r.periode).collect();
    periode(&mut b, "semestre", &periodes);
    b.hundredths("valeur", false, rows.iter().map(|r| Some(r.valeur)));
    out.push(("realisations", b));

    let rows = &data.contexte;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    let periodes: Vec<Periode> = rows.iter().map(|c| c.periode).collect();
    periode(&mut b, "semestre", &periodes);
    let long = |v: u64| Some(i64::try_from(v).unwrap_or(i64::MAX));
    b.long("qpv", false, rows.iter().map(|c| long(c.qpv)));
    b.long(
        "pru_nationaux",
        false,
        rows.iter().map(|c| long(c.pru_nationaux)),
    );
    b.long(
        "population_qpv",
        false,
        rows.iter().map(|c| long(c.population_qpv)),
    );
    b.long("defm_qpv", false, rows.iter().map(|c| long(c.defm_qpv)));
    b.text_opt(
        "referent",
        rows.iter().map(|c| c.referent.as_deref().unwrap_or("")),
    );
    out.push(("contexte", b));

    let rows = &data.clubs;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("club", rows.iter().map(|c| c.club.as_str()));
    b.date(
        "date_convention",
        false,
        rows.iter().map(|c| Some(date(c.date_convention.0))),
    );
    out.push(("clubs", b));

    let rows = &data.adhesions;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("club", rows.iter().map(|a| a.club.as_str()));
    b.text("entreprise", rows.iter().map(|a| a.entreprise.as_str()));
    b.date("date", false, rows.iter().map(|a| Some(date(a.date.0))));
    out.push(("adhesions", b));

    let rows = &data.actions;
    let mut b = Batch::default();
    owner(&mut b, departement, rows.len());
    b.text("club", rows.iter().map(|a| a.club.as_str()));
    b.text("entreprise", rows.iter().map(|a| a.entreprise.as_str()));
    b.int(
        "thematique",
        false,
        rows.iter().map(|a| Some(i32::from(a.thematique))),
    );
    b.text("nature", rows.iter().map(|a| a.nature.code()));
    let periodes: Vec<Periode> = rows.iter().map(|a| a.periode).collect();
    periode(&mut b, "trimestre", &periodes);
    b.hundredths("valeur", false, rows.iter().map(|a| Some(a.valeur)));
    out.push(("actions", b));

    out
}

/// `paqte/departements.parquet`: what the store holds of each department's commitments.
pub(super) fn departements(records: &[DepartementRecord]) -> Batch {
    let long = |v: u64| Some(i64::try_from(v).unwrap_or(i64::MAX));
    let mut b = Batch::default();
    b.text(
        "departement",
        records.iter().map(|r| r.departement.as_str()),
    );
    b.long(
        "conventions",
        false,
        records.iter().map(|r| long(r.conventions)),
    );
    b.long(
        "realisations",
        false,
        records.iter().map(|r| long(r.realisations)),
    );
    b.long(
        "adhesions",
        false,
        records.iter().map(|r| long(r.adhesions)),
    );
    b
}

/// `paqte/entreprises.parquet`: the companies, by SIREN.
pub(super) fn entreprises<'a>(
    companies: impl ExactSizeIterator<Item = &'a Entreprise> + Clone,
) -> Batch {
    let secteurs: Vec<String> = companies
        .clone()
        .map(|e| char::from(b'A' + e.secteur.min(25)).to_string())
        .collect();
    let mut b = Batch::default();
    b.text("siren", companies.clone().map(|e| e.siren.as_str()));
    b.text("nom", companies.clone().map(|e| e.nom.as_str()));
    b.text("taille", companies.clone().map(|e| e.taille.code()));
    b.text("secteur", secteurs.iter().map(String::as_str));
    b.text("departement", companies.map(|e| e.departement.as_str()));
    b
}
