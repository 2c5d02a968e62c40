//! Parcours: entries of a PLIE in a year, the participant's characteristics at entry, the
//! duration and the exit, the details of exits to employment and training, and follow-up
//! parcours of participants who come back.

use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

use super::calibration::{
    self, age_class, public_pe, Csv, AGE, CLOTURE_2014_PROBABILITE, DUREE_FORME,
    DUREE_MOYENNE_MOIS, INACTIVITE, INACTIVITE_5ANS_EXCES_MOIS, NIVEAU, PUBLIC_PE,
    RETOUR_PROBABILITE, SEXE, TABLEAU8, TABLEAU9, TH,
};
use super::plies::{Activity, Plie};
use super::{date_of, day, etapes, qmc, rng, year_of, Chunk, Ctx, Tag};
use crate::model::{
    BirthMonth, Contrat, Day, Domaine, Employeur, Etape, Inactivite, Mesure, Motif, Niveau,
    Parcours, Public, Sexe, SortieEmploi, SortieFormation, Taille, Validation,
};

/// Share of the entries that are follow-up parcours (participants coming back), taken out of the
/// fresh entries so that the yearly totals stay the published ones.
pub const FOLLOW_UP_SHARE: f64 = RETOUR_PROBABILITE * 0.55;

/// A generated parcours, before it becomes CSV or a [`Parcours`].
#[derive(Debug, Clone)]
pub(crate) struct GenParcours {
    pub key: [u8; 12],
    pub entree: i32,
    pub sortie: Option<(i32, Motif)>,
    pub sexe: Sexe,
    pub naissance: BirthMonth,
    pub public: Public,
    pub inscrit_pe: bool,
    pub th: bool,
    pub niveau: Niveau,
    pub inactivite: Inactivite,
    pub qpv: Option<bool>,
    /// Index into the PLIE's communes.
    pub commune: Option<u32>,
    pub emploi: SortieEmploi,
    pub formation: SortieFormation,
}

/// A generated étape; `parcours` indexes the chunk's parcours.
#[derive(Debug, Clone)]
pub(crate) struct GenEtape {
    pub parcours: u32,
    pub etape: crate::model::EtapeType,
    pub debut: i32,
    pub fin: Option<i32>,
    pub finance: Option<bool>,
}

/// What one chunk produced (only the parcours active in the written years).
#[derive(Debug, Default)]
pub(crate) struct ChunkOut {
    pub parcours: Vec<GenParcours>,
    pub etapes: Vec<GenEtape>,
}

impl ChunkOut {
    /// Appends this chunk's rows as model records.
    pub fn into_model(self, plie: &Plie, parcours: &mut Vec<Parcours>, etapes: &mut Vec<Etape>) {
        let code = plie.code().to_owned();
        let keys: Vec<String> = self.parcours.iter().map(|p| key_str(&p.key)).collect();
        for e in &self.etapes {
            let p = &self.parcours[e.parcours as usize];
            etapes.push(Etape {
                plie: code.clone(),
                participant: keys[e.parcours as usize].clone(),
                entree: Day(p.entree as u16),
                etape: e.etape,
                debut: Day(e.debut as u16),
                fin: e.fin.map(|d| Day(d as u16)),
                finance_plie: e.finance.unwrap_or(false),
            });
        }
        for (p, key) in self.parcours.into_iter().zip(keys) {
            parcours.push(Parcours {
                plie: code.clone(),
                participant: key,
                entree: Day(p.entree as u16),
                sortie: p.sortie.map(|(d, m)| (Day(d as u16), m)),
                sexe: p.sexe,
                naissance: p.naissance,
                public: p.public,
                inscrit_pe: p.inscrit_pe,
                th: p.th,
                niveau: p.niveau,
                inactivite: p.inactivite,
                qpv: p.qpv,
                commune: p.commune.map(|c| plie.communes[c as usize].clone()),
                emploi: p.emploi,
                formation: p.formation,
            });
        }
    }
}

// ---- Participant keys ---------------------------------------------------------------------------

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The pseudonymous key of participant `counter` of a PLIE: a keyed permutation (Feistel) of
/// the counter, so keys look random but never repeat within the PLIE; 12 characters of base32,
/// the first a letter — nothing like a name or a social-security number.
pub(crate) fn participant_key(seed: u64, plie: u64, counter: u64) -> [u8; 12] {
    const HALF: u32 = 29;
    const MASK: u64 = (1 << HALF) - 1;
    debug_assert!(counter < 1 << (2 * HALF));
    let (mut l, mut r) = ((counter >> HALF) & MASK, counter & MASK);
    let k = mix64(seed ^ mix64(plie.wrapping_add(0x5851_f42d_4c95_7f2d)));
    for round in 0..4u64 {
        let f = mix64(r ^ k ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & MASK;
        (l, r) = (r, l ^ f);
    }
    let v = (l << HALF) | r; // 58 bits
    let mut key = [0u8; 12];
    key[0] = b'A' + ((v >> 55) & 0xF) as u8;
    for (i, c) in key[1..].iter_mut().enumerate() {
        *c = BASE32[((v >> (50 - 5 * i as u32)) & 31) as usize];
    }
    key
}

pub(crate) fn key_str(key: &[u8; 12]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

// ---- Exit details (Tableaux 8 and 9) ------------------------------------------------------------

/// One rubric of Tableau 8 or 9 for one sex: how often it is known, and the distribution of its
/// codes when it is.
#[derive(Debug, Clone)]
struct Rubric {
    known: f64,
    cumul: Vec<(String, f64)>,
}

impl Rubric {
    fn draw(&self, r: &mut impl Rng) -> Option<&str> {
        if !r.random_bool(self.known.clamp(0.0, 1.0)) {
            return None;
        }
        let total = self.cumul.last()?.1;
        let u = r.random::<f64>() * total;
        self.cumul
            .iter()
            .find(|(_, c)| u < *c)
            .or(self.cumul.last())
            .map(|(code, _)| code.as_str())
    }
}

/// Share of the PLIE that record exit details at all (see [`Plie::records_details`]).
const DETAILS_RECORDED: f64 = 0.85;

/// The distributions of Tableaux 8 and 9, per sex.
#[derive(Debug, Clone)]
pub(crate) struct Details {
    emploi: [Vec<(String, Rubric)>; 2],
    formation: [Vec<(String, Rubric)>; 2],
}

impl Details {
    pub fn new() -> Details {
        let load = |text: &str, fill: &[(&str, &str)]| -> [Vec<(String, Rubric)>; 2] {
            let csv = Csv::parse(text);
            std::array::from_fn(|sex| {
                let col = ["hommes_pct", "femmes_pct"][sex];
                let mut rubrics: Vec<(String, Rubric)> = Vec::new();
                for row in &csv.rows {
                    let v = csv.num(row, col) / 100.0;
                    let name = &row[0];
                    if rubrics.last().is_none_or(|(n, _)| n != name) {
                        rubrics.push((
                            name.clone(),
                            Rubric {
                                known: 0.0,
                                cumul: Vec::new(),
                            },
                        ));
                    }
                    let rubric = &mut rubrics.last_mut().expect("pushed").1;
                    rubric.known += v;
                    let acc = rubric.cumul.last().map_or(0.0, |c| c.1) + v;
                    rubric.cumul.push((row[1].clone(), acc));
                }
                for (name, rubric) in &mut rubrics {
                    // The rest of a rubric that has a catch-all code goes to it (the report's
                    // "mesure" lists the measures; the remainder had none).
                    if let Some((_, code)) = fill.iter().find(|(n, _)| n == name) {
                        let rest = (1.0 - rubric.known).max(0.0);
                        let acc = rubric.cumul.last().map_or(0.0, |c| c.1) + rest;
                        rubric.cumul.push(((*code).to_owned(), acc));
                        rubric.known = 1.0;
                    }
                    rubric.known = (rubric.known / DETAILS_RECORDED).min(1.0);
                }
                rubrics
            })
        };
        Details {
            emploi: load(TABLEAU8, &[("mesure", "AUCUNE")]),
            formation: load(TABLEAU9, &[]),
        }
    }

    fn emploi(&self, sexe: Sexe, r: &mut impl Rng) -> SortieEmploi {
        let mut e = SortieEmploi::default();
        for (name, rubric) in &self.emploi[sexe as usize] {
            let Some(code) = rubric.draw(r) else { continue };
            match name.as_str() {
                "secteur" => e.secteur = code.bytes().next().map(|b| b - b'A'),
                "employeur" => e.employeur = Employeur::parse(code),
                "taille" => e.taille = Taille::parse(code),
                "contrat" => e.contrat = Contrat::parse(code),
                "mesure" => e.mesure = Mesure::parse(code),
                _ => {}
            }
        }
        e
    }

    fn formation(&self, sexe: Sexe, r: &mut impl Rng) -> SortieFormation {
        let mut f = SortieFormation::default();
        for (name, rubric) in &self.formation[sexe as usize] {
            let Some(code) = rubric.draw(r) else { continue };
            match name.as_str() {
                "domaine" => f.domaine = Domaine::parse(code),
                "niveau" => f.niveau = Niveau::parse(code),
                "validation" => f.validation = Validation::parse(code),
                "duree" => {
                    f.duree_mois = Some(match code {
                        "<3" => r.random_range(1..=2),
                        "3-6" => r.random_range(3..=5),
                        "6-12" => r.random_range(6..=11),
                        _ => r.random_range(13..=24),
                    })
                }
                _ => {}
            }
        }
        f
    }
}

// ---- Drawing ------------------------------------------------------------------------------------

/// An index drawn with the given weights.
pub(crate) fn pick(r: &mut impl Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = r.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// The index where `u` in [0, 1) falls among the weights.
pub(crate) fn pick_at(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = u * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// Entries by month (fewer in summer and at the end of the year).
const SEASON: [f64; 12] = [
    1.1, 1.0, 1.1, 1.0, 0.95, 1.0, 0.8, 0.45, 1.2, 1.2, 1.1, 0.75,
];

/// An entry day in `year`, on a working day, no later than `last`; `months` holds the first day
/// of each month of the year and of the next January.
fn entry_day(u: f64, months: &[i32; 13], last: i32) -> i32 {
    let weights: [f64; 12] =
        std::array::from_fn(|m| if months[m] <= last { SEASON[m] } else { 0.0 });
    let total: f64 = weights.iter().sum();
    let mut v = u * total;
    let mut m = 11;
    for (i, w) in weights.iter().enumerate() {
        if v < *w {
            m = i;
            break;
        }
        v -= w;
    }
    let within = if weights[m] > 0.0 {
        (v / weights[m]).clamp(0.0, 0.999_999)
    } else {
        0.0
    };
    let first = months[m];
    let stop = (months[m + 1] - 1).min(last);
    let mut d = (first + (within * f64::from(stop - first + 1)) as i32).min(stop);
    // 1990-01-01 was a Monday: day % 7 is 5 on Saturdays, 6 on Sundays.
    let weekday = d.rem_euclid(7);
    if weekday >= 5 {
        let monday = d + 7 - weekday;
        let friday = d - (weekday - 4);
        d = if monday <= stop {
            monday
        } else {
            friday.max(first)
        };
    }
    d
}

/// Who enters: characteristics at entry.
#[derive(Debug, Clone, Copy)]
struct Person {
    sexe: Sexe,
    naissance: BirthMonth,
    th: bool,
    public: Public,
    inscrit_pe: bool,
    niveau: Niveau,
    inactivite: Inactivite,
}

fn age_in_class(r: &mut impl Rng, class: usize) -> i32 {
    match class {
        0 => 16 + pick(r, &[0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]) as i32,
        1 => 25,
        2 => r.random_range(26..=44),
        3 => r.random_range(45..=54),
        4 => 55 + pick(r, &[1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3]) as i32,
        _ => 65 + pick(r, &[1.0, 0.6, 0.35, 0.2, 0.1]) as i32,
    }
}

/// A birth month giving `age` whole years on day `entree`.
fn birth_for(r: &mut impl Rng, entree: i32, age: i32) -> BirthMonth {
    let d = date_of(entree);
    let m = d.year() * 12 + (d.month() as i32 - 1) - 12 * age - r.random_range(0..12);
    BirthMonth {
        year: m.div_euclid(12),
        month: (m.rem_euclid(12) + 1) as u8,
    }
}

fn inactivite(r: &mut impl Rng, class: usize, age: i32) -> Inactivite {
    match class {
        0 => Inactivite::Mois(r.random_range(0..=11)),
        1 => Inactivite::Mois(r.random_range(12..=23)),
        2 => Inactivite::Mois(r.random_range(24..=35)),
        3 => Inactivite::Mois(r.random_range(36..=59)),
        4 => {
            let excess = -INACTIVITE_5ANS_EXCES_MOIS * (1.0 - r.random::<f64>()).ln();
            let cap = ((age - 16) * 12).clamp(60, 600);
            Inactivite::Mois((60 + excess as i32).min(cap) as u16)
        }
        5 => Inactivite::Jamais,
        _ => Inactivite::Inconnue,
    }
}

/// The classes of a fresh entrant, drawn by [`stratified`] sampling over a chunk.
#[derive(Debug, Clone, Copy)]
struct Classes {
    femme: bool,
    age: usize,
    th: bool,
    public: usize,
    niveau: usize,
    inactivite: usize,
}

/// The classes of a fresh entrant of `year` from the coordinates of its point.
fn classes(ctx: &Ctx, year: i32, u: &[f64; qmc::DIMS]) -> Classes {
    let mix = ctx.model.mix(year);
    Classes {
        femme: u[1] < mix.femmes,
        age: pick_at(&mix.age, u[2]),
        th: u[3] < mix.th,
        public: pick_at(&mix.public, u[4]),
        niveau: pick_at(&mix.niveau, u[5]),
        inactivite: pick_at(&mix.inactivite, u[6]),
    }
}

/// A fresh entrant with drawn classes.
fn fresh_person(r: &mut impl Rng, ctx: &Ctx, entree: i32, c: Classes) -> Person {
    let mix = ctx.model.mix(year_of(entree));
    let age = age_in_class(r, c.age);
    let naissance = birth_for(r, entree, age);
    Person {
        sexe: if c.femme { Sexe::F } else { Sexe::H },
        naissance,
        th: c.th,
        public: Public::ALL[c.public],
        inscrit_pe: r.random_bool(mix.inscrit[c.public]),
        niveau: Niveau::ALL[c.niveau],
        inactivite: inactivite(r, c.inactivite, age),
    }
}

/// A participant coming back: same sex, birth and disability, the rest drawn again.
fn returning_person(r: &mut impl Rng, ctx: &Ctx, entree: i32, known: Person) -> Person {
    let mix = ctx.model.mix(year_of(entree));
    let public = pick(r, &mix.public);
    let inscrit_pe = r.random_bool(mix.inscrit[public]);
    let niveau = if r.random_bool(0.8) {
        known.niveau
    } else {
        Niveau::ALL[pick(r, &mix.niveau)]
    };
    let age = known.naissance.age_on(date_of(entree));
    let class = pick(r, &mix.inactivite);
    Person {
        public: Public::ALL[public],
        inscrit_pe,
        niveau,
        inactivite: inactivite(r, class, age),
        ..known
    }
}

/// The categories of the outcome model for a person entering at `entree`.
fn categories(p: &Person, entree: i32) -> [usize; calibration::DIMS] {
    let mut c = [0; calibration::DIMS];
    c[SEXE] = p.sexe as usize;
    c[AGE] = age_class(p.naissance.age_on(date_of(entree)));
    c[TH] = usize::from(p.th);
    c[PUBLIC_PE] = public_pe(p.public as usize, p.inscrit_pe);
    c[NIVEAU] = p.niveau as usize;
    c[INACTIVITE] = usize::from(p.inactivite.band());
    c
}

fn product(base: f64, factors: &calibration::Factors, cats: &[usize; calibration::DIMS]) -> f64 {
    cats.iter()
        .enumerate()
        .fold(base, |acc, (d, &c)| acc * factors[d][c])
}

/// The exit reason of a parcours of categories `cats` ending in `year`.
fn motif(
    r: &mut impl Rng,
    ctx: &Ctx,
    year: i32,
    cats: &[usize; calibration::DIMS],
    u: f64,
    z: f64,
) -> Motif {
    let o = ctx.model.outcome(year);
    let mut p: [f64; 3] = std::array::from_fn(|k| product(o.base[k], &o.factors[k], cats));
    let beta = calibration::BETA_BASE
        + calibration::BETA_PUBLIC[cats[PUBLIC_PE] / 2]
        + calibration::BETA_AGE[cats[AGE]];
    p[0] *= (1.0 + beta * z).max(0.0);
    let s: f64 = p.iter().sum();
    if s > 0.97 {
        p.iter_mut().for_each(|x| *x *= 0.97 / s);
    }
    if u < p[0] {
        let split = &ctx.model.split;
        let form = product(split.base[0], &split.factors[0], cats);
        let autre = product(split.base[1], &split.factors[1], cats);
        let v = r.random::<f64>();
        if v < form {
            Motif::Formation
        } else if v < form + autre {
            Motif::AutrePositive
        } else {
            Motif::Emploi
        }
    } else if u < p[0] + p[1] {
        Motif::Abandon
    } else if u < p[0] + p[1] + p[2] {
        Motif::DemenagementDecesRetraite
    } else {
        Motif::AutreSansSuite
    }
}

const DAYS_PER_MONTH: f64 = 30.4375;

/// A parcours' length in days, before any closure, from the quantile `u` of the durations.
fn duration_days(ctx: &Ctx, cats: &[usize], u: f64) -> i32 {
    let d = &ctx.model.durations;
    let public = cats[PUBLIC_PE] / 2;
    let mean = DUREE_MOYENNE_MOIS
        * d.age[cats[AGE]]
        * d.public[public]
        * d.niveau[cats[NIVEAU]]
        * d.th[cats[TH]]
        * d.inactivite[cats[INACTIVITE]];
    let months = mean * ctx.gamma.quantile(u) / DUREE_FORME;
    (months * DAYS_PER_MONTH).round() as i32
}

/// The commune and QPV of a participant of `plie` entering at `entree`.
fn residence(r: &mut impl Rng, plie: &Plie, entree: i32) -> (Option<u32>, Option<bool>) {
    let commune = (plie.fills_commune && !plie.communes.is_empty() && r.random_bool(0.97))
        .then(|| {
            let total = *plie.commune_cumul.last().expect("communes");
            let u = r.random::<f64>() * total;
            plie.commune_cumul.partition_point(|&c| c <= u) as u32
        })
        .map(|c| c.min(plie.communes.len() as u32 - 1));
    // QPV exist since 2015.
    let qpv = (plie.fills_qpv && entree >= day(2015, 1, 1) && r.random_bool(0.9)).then(|| {
        let p = if commune == Some(0) { 0.45 } else { 0.22 };
        r.random_bool(p)
    });
    (commune, qpv)
}

/// Generates one chunk: its fresh entries and their follow-ups; keeps the parcours active in
/// the written years, with their étapes.
pub(crate) fn generate(ctx: &Ctx, chunk: &Chunk) -> ChunkOut {
    let plie = &ctx.plies[chunk.plie];
    let seed = ctx.options.seed;
    let mut r: ChaCha8Rng = rng(
        seed,
        Tag::Chunk,
        chunk.plie as u64,
        ((chunk.year as u64) << 32) | u64::from(chunk.sub),
    );
    let closure = match plie.activity {
        Activity::Closed(c) => Some(c),
        _ => None,
    };
    let last_entry = closure.unwrap_or(i32::MAX).min(ctx.end);
    let cleanup = (
        day(2014, 1, 1),
        day(2013, 1, 1),
        day(calibration::CLOTURE_2014_JUSQUA, 1, 1),
    );
    let mut out = ChunkOut::default();
    let shifts = ctx.qmc.shifts(chunk.year);
    let months: [i32; 13] = std::array::from_fn(|m| {
        if m < 12 {
            day(chunk.year, m as u8 + 1, 1)
        } else {
            day(chunk.year + 1, 1, 1)
        }
    });
    for k in 0..chunk.entries {
        let u = ctx.qmc.point(chunk.first + u64::from(k), &shifts);
        let counter = (((chunk.year - crate::model::FIRST_YEAR) as u64) << 44)
            | (u64::from(chunk.sub) << 24)
            | u64::from(k);
        let key = participant_key(seed, chunk.plie as u64, counter);
        let mix = ctx.model.mix(chunk.year);
        let rare = ctx
            .qmc
            .rare(chunk.first + u64::from(k), mix.th, &mix.inactivite, &shifts);
        let mut classes = classes(ctx, chunk.year, &u);
        classes.th = rare.disabled;
        classes.inactivite = match rare.inactivite {
            Some(c) => c,
            // JAMAIS or unknown, in their proportions.
            None => {
                5 + usize::from(u[6] * (mix.inactivite[5] + mix.inactivite[6]) >= mix.inactivite[5])
            }
        };
        let (u_day, u_d, u_m) = match rare.coords {
            Some(v) => (v[0], v[1], v[2]),
            None => (u[0], u[7], u[8]),
        };
        let mut entree = entry_day(u_day, &months, last_entry);
        let mut person = fresh_person(&mut r, ctx, entree, classes);
        let (mut u_duration, mut u_motif) = (u_d, u_m);
        loop {
            let cats = categories(&person, entree);
            let mut exit = entree + duration_days(ctx, &cats, u_duration);
            // The closure of the 2007-2013 programming period.
            if entree < cleanup.1
                && (cleanup.0..cleanup.2).contains(&exit)
                && r.random_bool(CLOTURE_2014_PROBABILITE)
            {
                exit = cleanup.0 + r.random_range(0..365);
            }
            let z = ctx.gamma.quantile(u_duration) / DUREE_FORME - 1.0;
            let mut reason = motif(&mut r, ctx, year_of(exit), &cats, u_motif, z);
            if let Some(c) = closure {
                if exit > c {
                    exit = c;
                    reason = Motif::AutreSansSuite;
                }
            }
            let typed =
                exit as f64 - calibration::SAISIE_DELAI_JOURS * (1.0 - r.random::<f64>()).ln();
            let sortie = (typed <= f64::from(ctx.end)).then_some((exit, reason));
            let written = sortie.is_none_or(|(x, _)| x >= ctx.from_day);
            if written {
                let (commune, qpv) = residence(&mut r, plie, entree);
                let mut p = GenParcours {
                    key,
                    entree,
                    sortie,
                    sexe: person.sexe,
                    naissance: person.naissance,
                    public: person.public,
                    inscrit_pe: person.inscrit_pe,
                    th: person.th,
                    niveau: person.niveau,
                    inactivite: person.inactivite,
                    qpv,
                    commune,
                    emploi: SortieEmploi::default(),
                    formation: SortieFormation::default(),
                };
                if plie.records_details {
                    match sortie {
                        Some((_, Motif::Emploi)) => p.emploi = ctx.details.emploi(p.sexe, &mut r),
                        Some((_, Motif::Formation)) => {
                            p.formation = ctx.details.formation(p.sexe, &mut r)
                        }
                        _ => {}
                    }
                }
                let index = out.parcours.len() as u32;
                let fate = etapes::Fate { exit, reason };
                etapes::generate(&mut r, ctx, plie, &p, index, fate, &mut out.etapes);
                out.parcours.push(p);
            }
            // A participant whose parcours ended without a positive outcome may come back.
            let Some((x, m)) = sortie else { break };
            if m.is_positive() || closure.is_some_and(|c| x >= c) {
                break;
            }
            if !r.random_bool(RETOUR_PROBABILITE) {
                break;
            }
            let next = x + 180 + r.random_range(0..900);
            if next > last_entry {
                break;
            }
            let age = person.naissance.age_on(date_of(next));
            if age > 99 {
                break;
            }
            entree = next;
            person = returning_person(&mut r, ctx, entree, person);
            (u_duration, u_motif) = (r.random(), r.random());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_pseudonyms() {
        let mut seen = std::collections::HashSet::new();
        for c in 0..10_000u64 {
            let k = participant_key(1, 3, c);
            assert!(k[0].is_ascii_uppercase());
            assert!(k.iter().all(|b| BASE32.contains(b)));
            assert!(seen.insert(k));
        }
    }

    #[test]
    fn birth_months_give_the_age() {
        let mut r = rng(1, Tag::Chunk, 0, 0);
        for entree in [day(2017, 1, 1), day(2017, 3, 15), day(2016, 12, 31)] {
            for age in [16, 25, 26, 64, 99] {
                let b = birth_for(&mut r, entree, age);
                assert_eq!(b.age_on(date_of(entree)), age);
            }
        }
    }
}
