//! A national synthetic corpus of commitments, 2018-2022: about 10 000 companies over the 101
//! departments, each department a transfer folder (its companies, their PAQTE conventions or
//! earlier charters with objectives and realisations, its context every semester, its club of the
//! plan 10 000 with adhesions and actions), and a `NATIONAL` folder of the large companies'
//! national conventions. Deterministic per seed: one ChaCha8 stream per folder, files written in
//! a fixed order, so that the same seed writes the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};

use super::model::{bit, Axe, Indicateur, Nature, Periode};
use super::transfer::{
    ACTIONS, ADHESIONS, CLUBS, CONTEXTE, CONVENTIONS, ENGAGEMENTS, ENTREPRISES, NATIONAL,
    REALISATIONS,
};
use crate::synth::{rng, Tag};
use crate::territoires::Territoires;

/// The years the corpus covers.
pub const FIRST: i32 = 2018;
pub const LAST: i32 = 2022;
/// Large companies with a national convention.
const NATIONALES: u64 = 60;

/// The files of one folder, as text.
#[derive(Default)]
struct Folder {
    entreprises: String,
    conventions: String,
    engagements: String,
    realisations: String,
    contexte: String,
    clubs: String,
    adhesions: String,
    actions: String,
}

/// Counts of what was written.
#[derive(Default)]
struct Counts {
    folders: u64,
    entreprises: u64,
    conventions: u64,
    realisations: u64,
    adhesions: u64,
    actions: u64,
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("a month"), d).expect("a date")
}

/// A typical yearly objective of `i` for a company of size `taille` (0 TPE .. 3 GE).
fn objectif(r: &mut ChaCha8Rng, i: Indicateur, taille: u8) -> u64 {
    let scale = [1, 3, 10, 30][taille as usize];
    match i {
        Indicateur::DiagnosticApprentissage => 1,
        Indicateur::MecenatAssociationsQpv => r.random_range(5..50) * 100 * scale,
        Indicateur::AchatsQpvSiaeEuros => r.random_range(10..100) * 500 * scale,
        _ => r.random_range(1..6) * scale,
    }
}

/// A company's convention: dates, axes, objectives per year, realisations per semester.
fn convention(
    r: &mut ChaCha8Rng,
    f: &mut Folder,
    n: &mut Counts,
    (id, siren, departement): (&str, &str, &str),
    taille: u8,
) {
    let debut = date(
        FIRST + r.random_range(0..4),
        r.random_range(1..=12),
        r.random_range(1..=28),
    );
    let charte = debut < date(2019, 2, 1) && r.random_bool(0.3) && departement != NATIONAL;
    let fin = if charte {
        date(2020, 1, 31)
    } else {
        debut
            .replace_year(debut.year() + 3)
            .expect("not 29 February")
            - Duration::days(1)
    };
    let wanted = [1, 2, 3, 4][taille as usize].min(r.random_range(1..=4));
    let mut axes: Vec<Axe> = Vec::new();
    while axes.len() < wanted {
        let a = Axe::ALL[r.random_range(0..4)];
        if !axes.contains(&a) {
            axes.push(a);
        }
    }
    axes.sort();
    let set = axes.iter().fold(0, |s, a| s | bit(*a));
    let codes: Vec<&str> = axes.iter().map(|a| a.code()).collect();
    let dispositif = if charte { "CHARTE_EQ" } else { "PAQTE" };
    let _ = writeln!(
        f.conventions,
        "{id},{siren},{departement},{dispositif},{debut},{fin},{}",
        codes.join("|")
    );
    n.conventions += 1;
    let mut indicateurs: Vec<Indicateur> = Indicateur::ALL
        .iter()
        .copied()
        .filter(|i| set & bit(i.axe()) != 0)
        .filter(|_| r.random_bool(0.6))
        .collect();
    // "dont emplois francs" is part of RECRUTEMENTS_QPV (PAQTE.md): never without its parent
    // line, never above it. RECRUTEMENTS_QPV comes first in the list, so its figures are known
    // when those of EMPLOIS_FRANCS are drawn.
    if !indicateurs.contains(&Indicateur::RecrutementsQpv) {
        indicateurs.retain(|&i| i != Indicateur::EmploisFrancs);
    }
    let mut recrutements: BTreeMap<i32, u64> = BTreeMap::new();
    let mut recrutements_realises: BTreeMap<Periode, u64> = BTreeMap::new();
    for i in indicateurs {
        for annee in debut.year()..=fin.year().min(LAST) {
            let o = match i {
                Indicateur::EmploisFrancs => {
                    let parent = recrutements.get(&annee).copied().unwrap_or(0);
                    (parent as f64 * r.random_range(0.1..0.6)).floor() as u64
                }
                _ => objectif(r, i, taille),
            };
            if i == Indicateur::RecrutementsQpv {
                recrutements.insert(annee, o);
            }
            let _ = writeln!(f.engagements, "{id},{},{annee},{o}", i.code());
            for s in [Periode::semestre(annee, 1), Periode::semestre(annee, 2)] {
                if !s.overlaps(debut, fin) || r.random_bool(0.1) {
                    continue;
                }
                let v = (o as f64 / 2.0 * r.random_range(0.2..1.5)).round() as u64;
                let v = match i {
                    Indicateur::DiagnosticApprentissage => v.min(1),
                    Indicateur::EmploisFrancs => match recrutements_realises.get(&s) {
                        Some(&parent) => v.min(parent),
                        None => continue,
                    },
                    _ => v,
                };
                if i == Indicateur::RecrutementsQpv {
                    recrutements_realises.insert(s, v);
                }
                let _ = writeln!(f.realisations, "{id},{},{s},{v}", i.code());
                n.realisations += 1;
            }
        }
    }
}

fn header(f: &mut Folder) {
    f.entreprises
        .push_str("entreprise,nom,taille,secteur,departement\n");
    f.conventions
        .push_str("convention,entreprise,departement,dispositif,debut,fin,axes\n");
    f.engagements
        .push_str("convention,indicateur,annee,objectif\n");
    f.realisations
        .push_str("convention,indicateur,periode,valeur\n");
    f.contexte
        .push_str("departement,periode,qpv,pru_nationaux,population_qpv,defm_qpv,referent\n");
    f.clubs.push_str("club,departement,date_convention\n");
    f.adhesions.push_str("club,entreprise,date\n");
    f.actions
        .push_str("club,entreprise,thematique,nature,periode,valeur\n");
}

const TAILLES: [&str; 4] = ["TPE", "PME", "ETI", "GE"];
const SECTEURS: &[u8] = b"CCCFFGGGHIJKLMMNNQQRS";

fn taille(r: &mut ChaCha8Rng) -> u8 {
    match r.random_range(0..100) {
        0..45 => 0,
        45..83 => 1,
        83..96 => 2,
        _ => 3,
    }
}

/// The folder of department `d` (the `k`-th of the reference).
fn departement(seed: u64, k: u64, d: &str, n: &mut Counts) -> Folder {
    let mut r = rng(seed, Tag::Paqte, k, 0);
    let mut f = Folder::default();
    header(&mut f);
    let count = r.random_range(60..=140);
    let club = format!("CLUB-{d}");
    let club_date = date(2019, 2, 1) + Duration::days(r.random_range(0..119));
    let _ = writeln!(f.clubs, "{club},{d},{club_date}");
    let qpv = r.random_range(2..40);
    let pru = r.random_range(0..=qpv / 4);
    for annee in FIRST..=LAST {
        for s in [Periode::semestre(annee, 1), Periode::semestre(annee, 2)] {
            if r.random_bool(0.1) {
                continue;
            }
            let population = qpv * r.random_range(2500..3500);
            let defm = population * r.random_range(8..12) / 100;
            let _ = writeln!(
                f.contexte,
                "{d},{s},{qpv},{pru},{population},{defm},Délégué du préfet {d}"
            );
        }
    }
    for i in 0..count {
        let siren = format!("{:09}", 100_000_000 + k * 1_000 + i);
        let t = taille(&mut r);
        let secteur = char::from(SECTEURS[r.random_range(0..SECTEURS.len())]);
        let _ = writeln!(
            f.entreprises,
            "{siren},Entreprise {d}-{i:03},{},{secteur},{d}",
            TAILLES[t as usize]
        );
        n.entreprises += 1;
        if r.random_bool(0.35) {
            convention(&mut r, &mut f, n, (&format!("C{d}-{i:03}"), &siren, d), t);
        }
        if r.random_bool(0.95) {
            let days = (date(LAST, 12, 31) - club_date).whole_days();
            let joined = club_date + Duration::days(r.random_range(0..=days));
            let _ = writeln!(f.adhesions, "{club},{siren},{joined}");
            n.adhesions += 1;
            for annee in joined.year()..=LAST {
                let first = if annee == joined.year() {
                    (joined.month() as u8 - 1) / 3 + 1
                } else {
                    1
                };
                let q = Periode::trimestre(annee, r.random_range(first..=4));
                let theme = r.random_range(1..=14);
                let nature = Nature::ALL[r.random_range(0..3)];
                let v = r.random_range(1..20);
                let _ = writeln!(
                    f.actions,
                    "{club},{siren},{theme},{},{q},{v}",
                    nature.code()
                );
                n.actions += 1;
            }
        }
    }
    f
}

/// The folder of the national conventions.
fn nationales(seed: u64, n: &mut Counts) -> Folder {
    let mut r = rng(seed, Tag::Paqte, u64::MAX, 0);
    let mut f = Folder::default();
    header(&mut f);
    let sieges = ["75", "92", "69", "13", "59", "33", "31", "44", "67", "35"];
    for i in 0..NATIONALES {
        let siren = format!("{:09}", 900_000_000 + i);
        let siege = sieges[r.random_range(0..sieges.len())];
        let secteur = char::from(SECTEURS[r.random_range(0..SECTEURS.len())]);
        let _ = writeln!(
            f.entreprises,
            "{siren},Groupe national {i:02},GE,{secteur},{siege}"
        );
        n.entreprises += 1;
        convention(
            &mut r,
            &mut f,
            n,
            (&format!("N-{i:02}"), &siren, NATIONAL),
            3,
        );
    }
    f
}

fn save(dir: &Path, f: &Folder) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = [
        (ENTREPRISES, &f.entreprises),
        (CONVENTIONS, &f.conventions),
        (ENGAGEMENTS, &f.engagements),
        (REALISATIONS, &f.realisations),
        (CONTEXTE, &f.contexte),
        (CLUBS, &f.clubs),
        (ADHESIONS, &f.adhesions),
        (ACTIONS, &f.actions),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// Writes the corpus of `seed` under `out` (one folder per department, and `NATIONAL`); returns
/// a sentence saying what was written.
pub fn write(out: &Path, seed: u64) -> std::io::Result<String> {
    let mut n = Counts::default();
    for (k, d) in Territoires::get().departements.iter().enumerate() {
        let folder = departement(seed, k as u64, &d.code, &mut n);
        save(&out.join(&d.code), &folder)?;
        n.folders += 1;
    }
    save(&out.join(NATIONAL), &nationales(seed, &mut n))?;
    n.folders += 1;
    Ok(format!(
        "{} commitments transfers ({} companies, {} conventions, {} realisations, {} adhesions, \
         {} actions) written to {}",
        n.folders,
        n.entreprises,
        n.conventions,
        n.realisations,
        n.adhesions,
        n.actions,
        out.display()
    ))
}
