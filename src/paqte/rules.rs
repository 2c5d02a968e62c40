//! The rules of a commitments transfer between rows and files: keys appear once, every company,
//! convention and club named is described in the same transfer, a convention's dates, axes,
//! objectives and realisations agree, and a company joins a club of its department once.
//!
//! References are looked up among every row whose key could be read, refused or not: a row
//! refused for a bad value does not make the rows naming it errors too (one mistake, one error).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use super::model::{bit, Dispositif, Indicateur};
use super::transfer::{File, Files};
use crate::transfer::{RowError, Rule};

pub(crate) fn check(files: &mut Files, errors: &mut Vec<RowError>) {
    unique_keys(files, errors);
    references(files, errors);
    conventions(files, errors);
    per_convention(files, errors);
    sous_lignes(files, errors);
    contexte(files, errors);
    adhesions(files, errors);
}

/// Refuses the later rows of `file` whose `key` was already seen (reported on column `c`).
fn unique<R, K: Hash + Eq>(
    file: &mut Option<File<R>>,
    c: usize,
    key: impl Fn(&R) -> Option<K>,
    errors: &mut Vec<RowError>,
) {
    let Some(file) = file else { return };
    let mut first: HashMap<K, u64> = HashMap::new();
    let mut later = Vec::new();
    for (i, r) in file.records() {
        let Some(k) = key(r) else { continue };
        match first.get(&k) {
            Some(&line) => later.push((i, line)),
            None => {
                first.insert(k, file.rows[i].line);
            }
        }
    }
    for (i, line) in later {
        let tail = format!("repeats the key of line {line}: each key appears once in the file");
        file.refuse(i, c, Rule::DuplicateKey, &tail, errors);
    }
}

fn unique_keys(f: &mut Files, errors: &mut Vec<RowError>) {
    unique(&mut f.entreprises, 0, |r| Some(r.siren.clone()), errors);
    unique(
        &mut f.conventions,
        0,
        |r| Some(r.convention.clone()),
        errors,
    );
    unique(
        &mut f.engagements,
        0,
        |r| Some((r.convention.clone(), r.indicateur, r.annee)),
        errors,
    );
    unique(
        &mut f.realisations,
        0,
        |r| Some((r.convention.clone(), r.indicateur, r.periode)),
        errors,
    );
    unique(
        &mut f.contexte,
        0,
        |r| Some((r.departement.clone(), r.periode)),
        errors,
    );
    unique(&mut f.clubs, 0, |r| Some(r.club.clone()), errors);
    unique(
        &mut f.actions,
        0,
        |r| {
            Some((
                r.club.clone(),
                r.entreprise.clone(),
                r.thematique,
                r.nature,
                r.periode,
            ))
        },
        errors,
    );
}

/// Refuses the rows of `file` whose `name` (column `c`) is not among `known`, a `what` of `other`.
fn known<R>(
    file: &mut Option<File<R>>,
    c: usize,
    name: impl Fn(&R) -> &str,
    known: &BTreeSet<String>,
    (what, other): (&str, &str),
    errors: &mut Vec<RowError>,
) {
    let Some(file) = file else { return };
    let unknown: Vec<usize> = file
        .records()
        .filter(|(_, r)| !known.contains(name(r)))
        .map(|(i, _)| i)
        .collect();
    for i in unknown {
        let tail = format!("is not a {what} of {other} in this transfer");
        file.refuse(i, c, Rule::UnknownReference, &tail, errors);
    }
}

fn keys<R>(file: &Option<File<R>>) -> BTreeSet<String> {
    file.as_ref().map_or_else(BTreeSet::new, |f| {
        f.keys().into_iter().map(str::to_owned).collect()
    })
}

fn references(f: &mut Files, errors: &mut Vec<RowError>) {
    let entreprises = keys(&f.entreprises);
    let conventions = keys(&f.conventions);
    let clubs = keys(&f.clubs);
    let company = ("company", "entreprises.csv");
    let convention = ("convention", "conventions.csv");
    let club = ("club", "clubs.csv");
    known(
        &mut f.conventions,
        1,
        |r| &r.entreprise,
        &entreprises,
        company,
        errors,
    );
    known(
        &mut f.engagements,
        0,
        |r| &r.convention,
        &conventions,
        convention,
        errors,
    );
    known(
        &mut f.realisations,
        0,
        |r| &r.convention,
        &conventions,
        convention,
        errors,
    );
    known(&mut f.adhesions, 0, |r| &r.club, &clubs, club, errors);
    known(
        &mut f.adhesions,
        1,
        |r| &r.entreprise,
        &entreprises,
        company,
        errors,
    );
    known(&mut f.actions, 0, |r| &r.club, &clubs, club, errors);
    known(
        &mut f.actions,
        1,
        |r| &r.entreprise,
        &entreprises,
        company,
        errors,
    );
}

/// `fin` after `debut`; a PAQTE convention at most three years long.
fn conventions(f: &mut Files, errors: &mut Vec<RowError>) {
    let Some(file) = &mut f.conventions else {
        return;
    };
    let mut refused = Vec::new();
    for (i, c) in file.records() {
        let (debut, fin) = (c.debut.date(), c.fin.date());
        if fin <= debut {
            let tail = format!("is not after the start of the convention, {debut}");
            refused.push((i, Rule::ConventionDates, tail));
            continue;
        }
        let limit = debut.replace_year(debut.year() + 3).unwrap_or_else(|_| {
            debut
                .replace_day(28)
                .unwrap()
                .replace_year(debut.year() + 3)
                .unwrap()
        });
        if c.dispositif == Dispositif::Paqte && fin > limit {
            let tail =
                format!("is more than three years after the start {debut} (at most {limit})");
            refused.push((i, Rule::ConventionLength, tail));
        }
    }
    for (i, rule, tail) in refused {
        file.refuse(i, 5, rule, &tail, errors);
    }
}

/// Each objective and realisation against its convention: axis, year, semester.
fn per_convention(f: &mut Files, errors: &mut Vec<RowError>) {
    let Some(conventions) = &f.conventions else {
        return;
    };
    // Conventions with valid values (a refused one is reported once, on its own line).
    let by_id: BTreeMap<&str, (u8, time::Date, time::Date)> = conventions
        .records()
        .filter(|(i, _)| !conventions.rows[*i].failed)
        .map(|(_, c)| {
            (
                c.convention.as_str(),
                (c.axes, c.debut.date(), c.fin.date()),
            )
        })
        .collect();
    let axis_tail = |axes: u8| {
        let names: Vec<&str> = super::model::Axe::ALL
            .iter()
            .filter(|&&a| axes & bit(a) != 0)
            .map(|a| a.code())
            .collect();
        format!(
            "belongs to none of the convention's axes ({})",
            names.join("|")
        )
    };
    if let Some(file) = &mut f.engagements {
        let mut refused = Vec::new();
        for (i, e) in file.records() {
            let Some(&(axes, debut, fin)) = by_id.get(e.convention.as_str()) else {
                continue;
            };
            if axes & bit(e.indicateur.axe()) == 0 {
                refused.push((i, 1, Rule::IndicateurAxe, axis_tail(axes)));
            }
            if !(debut.year()..=fin.year()).contains(&e.annee) {
                let tail = format!("is not a year of the convention, {debut} to {fin}");
                refused.push((i, 2, Rule::EngagementOutsideConvention, tail));
            }
        }
        for (i, c, rule, tail) in refused {
            file.refuse(i, c, rule, &tail, errors);
        }
    }
    if let Some(file) = &mut f.realisations {
        let mut refused = Vec::new();
        for (i, r) in file.records() {
            let Some(&(axes, debut, fin)) = by_id.get(r.convention.as_str()) else {
                continue;
            };
            if axes & bit(r.indicateur.axe()) == 0 {
                refused.push((i, 1, Rule::IndicateurAxe, axis_tail(axes)));
            }
            if !r.periode.overlaps(debut, fin) {
                let tail = format!("does not meet the convention, {debut} to {fin}");
                refused.push((i, 2, Rule::RealisationOutsideConvention, tail));
            }
        }
        for (i, c, rule, tail) in refused {
            file.refuse(i, c, rule, &tail, errors);
        }
    }
}

/// A company joins a club of its head office's department, once per department.
fn adhesions(f: &mut Files, errors: &mut Vec<RowError>) {
    let (Some(file), Some(clubs), Some(entreprises)) = (&mut f.adhesions, &f.clubs, &f.entreprises)
    else {
        return;
    };
    let club_dep: BTreeMap<&str, &str> = clubs
        .records()
        .map(|(_, c)| (c.club.as_str(), c.departement.as_str()))
        .collect();
    let head_office: BTreeMap<&str, &str> = entreprises
        .records()
        .map(|(_, e)| (e.siren.as_str(), e.departement.as_str()))
        .collect();
    let mut refused = Vec::new();
    let mut first: HashMap<(String, String), u64> = HashMap::new();
    for (i, a) in file.records() {
        let (Some(&dep), Some(&office)) = (
            club_dep.get(a.club.as_str()),
            head_office.get(a.entreprise.as_str()),
        ) else {
            continue;
        };
        if dep != office {
            let tail = format!(
                "is a club of department {dep}, and the company's head office is in {office}"
            );
            refused.push((i, 0, Rule::AdhesionDepartement, tail));
            continue;
        }
        match first.get(&(a.entreprise.clone(), dep.to_owned())) {
            Some(line) => {
                let tail = format!(
                    "already has the company joining a club of department {dep}, at line {line}"
                );
                refused.push((i, 0, Rule::DuplicateAdhesion, tail));
            }
            None => {
                first.insert((a.entreprise.clone(), dep.to_owned()), file.rows[i].line);
            }
        }
    }
    for (i, c, rule, tail) in refused {
        file.refuse(i, c, rule, &tail, errors);
    }
}

/// A figure in hundredths as written in a transfer (`12`, `12.5`, `12.05`).
fn hundredths(v: i64) -> String {
    match v % 100 {
        0 => format!("{}", v / 100),
        c if c % 10 == 0 => format!("{}.{}", v / 100, c / 10),
        c => format!("{}.{c:02}", v / 100),
    }
}

/// The "dont" lines of PAQTE.md: `EMPLOIS_FRANCS` counts hires of QPV residents made under an
/// emploi franc, so for a convention and a year (objectives) or a semester (realisations) it is at
/// most `RECRUTEMENTS_QPV`; a parent line not sent counts 0 (decided). The error is on the
/// sub-line's figure. A convention one of whose rows of the file cannot be read is not compared
/// (its parent may be that row: one mistake, one error).
fn sous_lignes(f: &mut Files, errors: &mut Vec<RowError>) {
    fn check<R, K: Ord + Copy + std::fmt::Display>(
        file: &mut Option<File<R>>,
        read: impl Fn(&R) -> (&str, Indicateur, K, i64),
        what: (&str, &str),
        errors: &mut Vec<RowError>,
    ) {
        let Some(file) = file else { return };
        let unreadable: BTreeSet<String> = file
            .rows
            .iter()
            .filter_map(|r| {
                let item = r.item.as_ref()?;
                item.record.is_none().then(|| item.key.clone()).flatten()
            })
            .collect();
        let mut parents: BTreeMap<(&str, K), i64> = BTreeMap::new();
        for (_, r) in file.records() {
            let (c, i, k, v) = read(r);
            if i == Indicateur::RecrutementsQpv {
                parents.entry((c, k)).or_insert(v);
            }
        }
        let (figure, per) = what;
        let mut refused = Vec::new();
        for (i, r) in file.records() {
            let (c, ind, k, v) = read(r);
            if ind != Indicateur::EmploisFrancs || unreadable.contains(c) {
                continue;
            }
            let parent = parents.get(&(c, k)).copied();
            if v > parent.unwrap_or(0) {
                let tail = match parent {
                    Some(p) => format!(
                        "is more than the {figure} of RECRUTEMENTS_QPV for {per} {k}, {}: \
                         emplois francs are part of the recruitments of QPV residents",
                        hundredths(p)
                    ),
                    None => format!(
                        "is more than the {figure} of RECRUTEMENTS_QPV for {per} {k}, which is \
                         not sent (0): emplois francs are part of the recruitments of QPV \
                         residents"
                    ),
                };
                refused.push((i, tail));
            }
        }
        for (i, tail) in refused {
            file.refuse(i, 3, Rule::EmploisFrancsAboveRecrutements, &tail, errors);
        }
    }
    check(
        &mut f.engagements,
        |e| (e.convention.as_str(), e.indicateur, e.annee, e.objectif),
        ("objective", "year"),
        errors,
    );
    check(
        &mut f.realisations,
        |r| (r.convention.as_str(), r.indicateur, r.periode, r.valeur),
        ("realisation", "semester"),
        errors,
    );
}

/// contexte.csv's sub-counts: the national urban-renewal projects concern QPV, so there are at
/// most as many as QPV (`pru_nationaux` <= `qpv`), and the jobseekers living in QPV are part of
/// their population (`defm_qpv` <= `population_qpv`). Reported on the sub-count.
fn contexte(f: &mut Files, errors: &mut Vec<RowError>) {
    let Some(file) = &mut f.contexte else { return };
    let mut refused = Vec::new();
    for (i, c) in file.records() {
        if c.pru_nationaux > c.qpv {
            let tail = format!(
                "national renewal projects are more than the department's {} QPV",
                c.qpv
            );
            refused.push((i, 3, tail));
        }
        if c.defm_qpv > c.population_qpv {
            let tail = format!(
                "jobseekers living in QPV are more than the QPV population, {}",
                c.population_qpv
            );
            refused.push((i, 5, tail));
        }
    }
    for (i, c, tail) in refused {
        file.refuse(i, c, Rule::ContexteAboveParent, &tail, errors);
    }
}
