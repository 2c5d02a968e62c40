//! The published figures the generator is calibrated on, and the model parameters derived from
//! them.
//!
//! Every reference figure comes from `data/reference/` (transcribed from the 2017 national
//! consolidation, seed 004), embedded with `include_str!` so that the crate needs nothing outside
//! itself. What is *derived* here (entry mixes per year, outcome factors per exit year, duration
//! multipliers) is computed from those files when the generator starts; what is *tuned* (a few
//! constants at the top) was set by generating at scale 1 and measuring, see the calibration test
//! `tests/it/calibration.rs`.

use std::collections::HashMap;

/// Tableau 1 of 2017 (flows by characteristic).
pub const TABLEAU1: &str = include_str!("../../data/reference/plie2017_tableau1.csv");
/// Tableau 1BIS totals per year.
pub const TOTAUX: &str = include_str!("../../data/reference/plie_2014_2017_totaux.csv");
/// Rates per category and year.
pub const TAUX: &str = include_str!("../../data/reference/plie_2014_2017_taux.csv");
/// Tableau 1BIS shares per category and year.
pub const TABLEAU1BIS: &str = include_str!("../../data/reference/plie_2014_2017_tableau1bis.csv");
/// Characteristics, rates and funds per ESF programming period.
pub const PERIODES: &str = include_str!("../../data/reference/plie_periodes.csv");
/// Tableau 2 (étapes active in 2017).
pub const TABLEAU2: &str = include_str!("../../data/reference/plie2017_tableau2.csv");
/// Tableau 3 (mean durations of the parcours that ended in 2017).
pub const TABLEAU3: &str = include_str!("../../data/reference/plie2017_tableau3.csv");
/// Tableaux 4 and 5 (participants in IAE steps).
pub const TABLEAUX4_5: &str = include_str!("../../data/reference/plie2017_tableaux4_5.csv");
/// Tableau 6 (funds of 2017).
pub const TABLEAU6: &str = include_str!("../../data/reference/plie2017_tableau6.csv");
/// Tableau 6BIS (funds 2014-2017).
pub const TABLEAU6BIS: &str = include_str!("../../data/reference/plie_2014_2017_tableau6bis.csv");
/// Tableau 7 (allocations of 2017).
pub const TABLEAU7: &str = include_str!("../../data/reference/plie2017_tableau7.csv");
/// Tableau 8 (exits to employment, 2017).
pub const TABLEAU8: &str = include_str!("../../data/reference/plie2017_tableau8.csv");
/// Tableau 9 (exits to training, 2017).
pub const TABLEAU9: &str = include_str!("../../data/reference/plie2017_tableau9.csv");
/// Tableau 10 (activity of the PLIE, 2017).
pub const TABLEAU10: &str = include_str!("../../data/reference/plie2017_tableau10.csv");
/// Key figures (number of PLIE, gestion_fse mix...).
pub const CHIFFRES_CLES: &str = include_str!("../../data/reference/plie_chiffres_cles.csv");
/// French departments with their region, and how many synthetic PLIE each holds.
pub use crate::territoires::DEPARTEMENTS;

// ---- Tuned constants (set by generating at scale 1 and measuring) -------------------------------

/// National entries per year before the first published year (2014).
pub const ENTREES_AVANT_2014: f64 = 35_500.0;
/// Years simulated before `from`, so that the first year's carried-over parcours are realistic.
pub const WARM_UP_YEARS: i32 = 14;
/// Mean parcours duration in months before the multipliers by age and public.
pub const DUREE_MOYENNE_MOIS: f64 = 25.4;
/// How much a long parcours (relative to the mean of its category) raises the chance of a
/// positive exit: P(positive) × (1 + β z), z = duration / mean − 1. Tableau 3 has RSA positive
/// exits 2.7 months longer than the sans suite ones, and the contrary for the young and the
/// other publics. β = base + public effect + age-class effect.
pub const BETA_BASE: f64 = 0.023;
pub const BETA_PUBLIC: [f64; 3] = [-0.054, 0.091, -0.089];
pub const BETA_AGE: [f64; 6] = [-0.104, -0.05, 0.031, -0.029, -0.019, -0.019];
/// Shape of the gamma distribution of durations (coefficient of variation 1/sqrt(shape)).
pub const DUREE_FORME: f64 = 1.8;
/// 2014 opened the 2014-2020 programming period: long parcours entered before 2013 and due to
/// end in 2014-2016 were closed during 2014 with this probability (the published 2014 exits,
/// 40 328, are a third above the other years).
pub const CLOTURE_2014_PROBABILITE: f64 = 0.45;
/// ... among the parcours whose exit was due before this year.
pub const CLOTURE_2014_JUSQUA: i32 = 2017;
/// Exits are typed into the PLIE's software with a delay (exponential, this mean in days): an
/// exit whose record would come after the last day of the corpus is not in it yet, and the
/// parcours is still open there. It thins the exits of the last weeks (about 4 % of the last
/// year's), as in the published 2017 figures.
pub const SAISIE_DELAI_JOURS: f64 = 10.0;
/// A participant whose parcours ended without a positive outcome comes back later with this
/// probability (a new parcours under the same key).
pub const RETOUR_PROBABILITE: f64 = 0.06;
/// Mean months of inactivity beyond 60 for the `plus de 5 ans` band (Tableau 1's mean: 37.94).
pub const INACTIVITE_5ANS_EXCES_MOIS: f64 = 60.0;
/// Mean gap in days between two étapes (Tableau 2's 1.85 steps per participant in parcours).
pub const ETAPE_INTERVALLE_JOURS: f64 = 85.0;
/// Weight of an `EMPLOI_SORTIE` step that does not end the parcours (a job that did not hold),
/// relative to Tableau 2's count, among the other steps.
pub const EMPLOI_SORTIE_INTERMEDIAIRE: f64 = 0.2;
/// Multipliers of the positive and abandon rates per exit year 2014..=2017, correcting what the
/// independence assumption of the factor model leaves.
pub const CORRECTION_POSITIVES: [f64; 4] = [1.0, 0.99, 1.01, 1.01];
pub const CORRECTION_ABANDONS: [f64; 4] = [1.0, 1.0, 1.0, 1.0];

// ---- The embedded CSV files are read by `territoires`' reader ----------------------------------

pub use crate::territoires::Csv;

pub use crate::territoires::num;

// ---- Category indexes used by the model ---------------------------------------------------------

/// Dimensions of the outcome model, in the order of [`Factors`].
pub const SEXE: usize = 0;
pub const AGE: usize = 1;
pub const TH: usize = 2;
pub const PUBLIC_PE: usize = 3;
pub const NIVEAU: usize = 4;
pub const INACTIVITE: usize = 5;
pub const DIMS: usize = 6;
/// Largest number of categories of a dimension (niveau).
pub const CATS: usize = 9;

/// Age classes: 15-24, 25, 26-44, 45-54, 55-64, 65+ (both published groupings can be rebuilt).
pub fn age_class(age: i32) -> usize {
    match age {
        ..=24 => 0,
        25 => 1,
        26..=44 => 2,
        45..=54 => 3,
        55..=64 => 4,
        _ => 5,
    }
}

/// public × inscrit_pe: DELD+, DELD-, RSA+, RSA-, AUTRE+, AUTRE-.
pub fn public_pe(public: usize, inscrit: bool) -> usize {
    public * 2 + usize::from(!inscrit)
}

/// Inactivity classes: the five bands, JAMAIS, unknown.
pub const INACT_CLASSES: usize = 7;

/// Factors per dimension and category.
pub type Factors = [[f64; CATS]; DIMS];

const ONES: Factors = [[1.0; CATS]; DIMS];

// ---- Entry mix per year -------------------------------------------------------------------------

/// The characteristics of the participants entering in a year, as probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    pub femmes: f64,
    /// Age classes (see [`age_class`]).
    pub age: [f64; 6],
    pub th: f64,
    /// DELD, RSA, AUTRE.
    pub public: [f64; 3],
    /// P(inscrit_pe | public).
    pub inscrit: [f64; 3],
    /// Niveau in code order.
    pub niveau: [f64; 9],
    /// Inactivity classes.
    pub inactivite: [f64; INACT_CLASSES],
}

impl Mix {
    fn lerp(a: &Mix, b: &Mix, t: f64) -> Mix {
        fn l<const N: usize>(x: &[f64; N], y: &[f64; N], t: f64) -> [f64; N] {
            std::array::from_fn(|i| x[i] + (y[i] - x[i]) * t)
        }
        Mix {
            femmes: a.femmes + (b.femmes - a.femmes) * t,
            age: l(&a.age, &b.age, t),
            th: a.th + (b.th - a.th) * t,
            public: l(&a.public, &b.public, t),
            inscrit: l(&a.inscrit, &b.inscrit, t),
            niveau: l(&a.niveau, &b.niveau, t),
            inactivite: l(&a.inactivite, &b.inactivite, t),
        }
    }
}

fn normalize<const N: usize>(mut v: [f64; N]) -> [f64; N] {
    let s: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= s);
    v
}

/// Counts of a Tableau 1 row: entrees, en_parcours, report, sorties_positives, sorties_emploi,
/// sorties_formation, sorties_sans_suite, abandons, ddr, autres_sans_suite.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct T1 {
    pub v: [f64; 10],
}

impl T1 {
    fn sub(self, o: T1) -> T1 {
        T1 {
            v: std::array::from_fn(|i| self.v[i] - o.v[i]),
        }
    }
    fn entrees(&self) -> f64 {
        self.v[0]
    }
    pub fn sorties(&self) -> f64 {
        self.v[3] + self.v[6]
    }
}

/// Tableau 1 of 2017, by the model's categories.
struct Tableau1Ref {
    total: T1,
    /// Per dimension, per category.
    cats: [Vec<T1>; DIMS],
}

fn tableau1_ref() -> Tableau1Ref {
    let csv = Csv::parse(TABLEAU1);
    let row = |i: usize| T1 {
        v: std::array::from_fn(|c| num(&csv.rows[i][c + 2])),
    };
    let find = |group: &str, label: &str| {
        let i = csv
            .rows
            .iter()
            .position(|r| r[0] == group && r[1] == label)
            .unwrap_or_else(|| panic!("Tableau 1 row {group} {label}"));
        row(i)
    };
    // The public_x_inscrit_pe row that follows a public row (DELD and RSA have one; the
    // registered AUTRE are the registered participants less the other two).
    let with_pe = |label: &str| {
        let i = csv
            .rows
            .iter()
            .position(|r| r[0] == "public" && r[1] == label)
            .expect("public row");
        (row(i), row(i + 1))
    };
    let total = find("total", "Nombre total");
    let sexe = vec![find("sexe", "hommes"), find("sexe", "femmes")];
    let jeunes = find("age_26", "< 26 ans");
    let a15 = find("tranche_age", "15-24 ans");
    let a25 = jeunes.sub(a15);
    let a26 = find("tranche_age", "25-44 ans").sub(a25);
    let age = vec![
        a15,
        a25,
        a26,
        find("tranche_age", "45-54 ans"),
        find("tranche_age", "55-64 ans"),
        find("tranche_age", "65 ans et +"),
    ];
    let th1 = find("th", "Travailleurs handicapés");
    let th = vec![total.sub(th1), th1];
    let (deld, deld_pe) = with_pe("DELD");
    let (rsa, rsa_pe) = with_pe("RSA");
    let autre = find("public", "Autres publics en difficulté");
    let autre_pe = find("inscrit_pe", "Participants inscrits à Pôle emploi")
        .sub(deld_pe)
        .sub(rsa_pe);
    let public = vec![
        deld_pe,
        deld.sub(deld_pe),
        rsa_pe,
        rsa.sub(rsa_pe),
        autre_pe,
        autre.sub(autre_pe),
    ];
    let niveau = ["VI", "V bis", "V", "IV", "III", "II", "I", "9", "Non connu"]
        .iter()
        .map(|l| find("niveau", l))
        .collect::<Vec<_>>();
    let mut inact: Vec<T1> = [
        "< 1 an",
        "de 1 à 2 ans",
        "de 2 à 3 ans",
        "de 3 à 5 ans",
        "plus de 5 ans",
        "aucune activité",
    ]
    .iter()
    .map(|l| find("inactivite", l))
    .collect();
    let known = inact.iter().fold(T1::default(), |acc, t| T1 {
        v: std::array::from_fn(|i| acc.v[i] + t.v[i]),
    });
    inact.push(total.sub(known));
    Tableau1Ref {
        total,
        cats: [sexe, age, th, public, niveau, inact],
    }
}

/// Entry mix of 2017 from Tableau 1 (exact counts).
fn mix_2017(t: &Tableau1Ref) -> Mix {
    let share = |d: usize| -> Vec<f64> {
        t.cats[d]
            .iter()
            .map(|c| c.entrees() / t.total.entrees())
            .collect()
    };
    let age = share(AGE);
    let pubpe = &t.cats[PUBLIC_PE];
    let niveau = share(NIVEAU);
    let inact = share(INACTIVITE);
    Mix {
        femmes: share(SEXE)[1],
        age: normalize(std::array::from_fn(|i| age[i])),
        th: share(TH)[1],
        public: std::array::from_fn(|p| {
            (pubpe[2 * p].entrees() + pubpe[2 * p + 1].entrees()) / t.total.entrees()
        }),
        inscrit: std::array::from_fn(|p| {
            pubpe[2 * p].entrees() / (pubpe[2 * p].entrees() + pubpe[2 * p + 1].entrees())
        }),
        niveau: normalize(std::array::from_fn(|i| niveau[i])),
        inactivite: normalize(std::array::from_fn(|i| inact[i])),
    }
}

/// Entry mix of 2014, 2015 or 2016 from Tableau 1BIS (whole percents), with 2017's details where
/// the table has none.
fn mix_bis(year: i32, m2017: &Mix) -> Mix {
    let csv = Csv::parse(TABLEAU1BIS);
    let col = format!("entrees_{year}");
    let get = |group: &str, label: &str| csv.num(csv.row(&[group, label]), &col) / 100.0;
    let jeunes = get("age_26", "< 26 ans");
    let a15 = get("tranche_age", "15-24 ans");
    let a25 = (jeunes - a15).max(0.005);
    let age = normalize([
        a15,
        a25,
        (get("tranche_age", "25-44 ans") - a25).max(0.0),
        get("tranche_age", "45-54 ans"),
        get("tranche_age", "55-64 ans"),
        m2017.age[5],
    ]);
    let public = normalize([
        get("public", "DELD"),
        get("public", "RSA"),
        get("public", "Autres publics en difficulté"),
    ]);
    // P(inscrit | public): 2017's, scaled to the year's share of registered participants.
    let inscrit_2017: f64 = (0..3).map(|p| m2017.public[p] * m2017.inscrit[p]).sum();
    let inscrit_year = get("inscrit_pe", "Participants inscrits à Pôle emploi");
    let k = inscrit_year / inscrit_2017;
    let inscrit = std::array::from_fn(|p| (m2017.inscrit[p] * k).min(0.995));
    let niveau_labels = ["VI", "V bis", "V", "IV", "III", "II", "I", "9", "Non connu"];
    let mut niveau: [f64; 9] = std::array::from_fn(|i| get("niveau", niveau_labels[i]));
    if niveau[8] == 0.0 {
        niveau[8] = m2017.niveau[8];
    }
    let inact_labels = [
        "< 1 an",
        "de 1 à 2 ans",
        "de 2 à 3 ans",
        "de 3 à 5 ans",
        "plus de 5 ans",
        "aucune activité",
    ];
    let mut inactivite = [0.0; INACT_CLASSES];
    for (i, l) in inact_labels.iter().enumerate() {
        inactivite[i] = get("inactivite", l);
    }
    inactivite[6] = (1.0 - inactivite[..6].iter().sum::<f64>()).max(0.0);
    let femmes = get("sexe", "femmes") / (get("sexe", "femmes") + get("sexe", "hommes"));
    Mix {
        femmes,
        age,
        th: get("th", "Travailleurs handicapés"),
        public,
        inscrit,
        niveau: normalize(niveau),
        inactivite: normalize(inactivite),
    }
}

/// Tableau 1BIS's whole-percent shares of 2014-2016 entries by inactivity (48 % unknown) do not
/// give Tableau 1's 2017 stock and exits (only 44.6 % and 41.7 % unknown): the known classes of
/// the entries before 2017 are raised by these factors (the unknown class takes the rest).
pub const INACTIVITE_CONNUE_AVANT_2017: [f64; 6] = [1.10, 1.12, 1.17, 1.15, 1.03, 1.15];
/// Level 9 before 2017 (1BIS: 5 %, 6 %, 5 %) gives too many level 9 in the 2017 stock.
pub const NIVEAU_9_AVANT_2017: f64 = 0.92;
/// Other shares of the entries before 2017 that 1BIS rounds to whole percents, adjusted so that
/// the 2017 stock and exits come out (Tableau 1): public (DELD, RSA, AUTRE), level VI, age
/// classes. Judged by z-score over several seeds (tests/it/calibration.rs): 1.03 / 0.97 for DELD
/// and RSA put the DELD stock 4 standard deviations above and the RSA one below; the 15-24 a
/// little more numerous (with longer parcours, [`DUREE_CORRECTION_AGE`]) bring their stock up.
pub const PUBLIC_AVANT_2017: [f64; 3] = [1.015, 0.985, 0.96];
pub const NIVEAU_VI_AVANT_2017: f64 = 0.95;
pub const AGE_AVANT_2017: [f64; 6] = [1.02, 0.8, 1.0, 1.0, 0.91, 1.0];
/// The young of 2014 and before, fewer again (1BIS: 17 % of the 2014 entries were 15-24; the
/// 2017 exits and durations of the young want fewer).
pub const JEUNES_2014_ET_AVANT: f64 = 0.97;

/// The adjustments above, for a mix of a year before 2017.
fn adjust_before_2017(mut m: Mix, m2017: &Mix) -> Mix {
    for (i, k) in INACTIVITE_CONNUE_AVANT_2017.iter().enumerate() {
        m.inactivite[i] *= k;
    }
    m.inactivite[6] = (1.0 - m.inactivite[..6].iter().sum::<f64>()).max(0.05);
    m.inactivite = normalize(m.inactivite);
    m.niveau[7] *= NIVEAU_9_AVANT_2017;
    m.niveau[0] *= NIVEAU_VI_AVANT_2017;
    for (p, k) in m.public.iter_mut().zip(PUBLIC_AVANT_2017) {
        *p *= k;
    }
    m.public = normalize(m.public);
    for (a, k) in m.age.iter_mut().zip(AGE_AVANT_2017) {
        *a *= k;
    }
    m.age = normalize(m.age);
    m.niveau[8] = m2017.niveau[8];
    m.niveau = normalize(m.niveau);
    m
}

fn fewer_young(mut m: Mix) -> Mix {
    m.age[0] *= JEUNES_2014_ET_AVANT;
    m.age = normalize(m.age);
    m
}

/// Entry mix of a programming period (0: 2000-2006, 1: 2007-2013), details from `base` (2014).
fn mix_periode(p: usize, base: &Mix) -> Mix {
    let csv = Csv::parse(PERIODES);
    let col = ["2000-2006", "2007-2013"][p];
    let get = |name: &str| csv.num(csv.row(&[name]), col) / 100.0;
    let jeunes = get("moins_26_pct");
    let seniors = get("plus_45_pct");
    let b = &base.age;
    let (bj, bs) = (b[0] + b[1], b[3] + b[4] + b[5]);
    let age = normalize([
        jeunes * b[0] / bj,
        jeunes * b[1] / bj,
        1.0 - jeunes - seniors,
        seniors * b[3] / bs,
        seniors * b[4] / bs,
        seniors * b[5] / bs,
    ]);
    let n = &base.niveau;
    let (iv_plus, indet) = (n[3] + n[4] + n[5] + n[6], n[7] + n[8]);
    let niveau = normalize([
        get("niveau_vi_pct"),
        get("niveau_vbis_pct"),
        get("niveau_v_pct"),
        get("niveau_iv_et_plus_pct") * n[3] / iv_plus,
        get("niveau_iv_et_plus_pct") * n[4] / iv_plus,
        get("niveau_iv_et_plus_pct") * n[5] / iv_plus,
        get("niveau_iv_et_plus_pct") * n[6] / iv_plus,
        get("niveau_indetermine_pct") * n[7] / indet,
        get("niveau_indetermine_pct") * n[8] / indet,
    ]);
    Mix {
        femmes: get("femmes_pct"),
        age,
        th: get("th_pct"),
        public: normalize([get("deld_pct"), get("rsa_pct"), get("autres_pct")]),
        inscrit: base.inscrit,
        niveau,
        inactivite: base.inactivite,
    }
}

// ---- Outcomes per exit year ---------------------------------------------------------------------

/// How a parcours that ends in a given year ends, as a function of its characteristics:
/// P(outcome | x) = base × Π over dimensions of factor[dim][category of x].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Positive exits, abandons, moves/deaths/retirements, among all exits.
    pub base: [f64; 3],
    pub factors: [Factors; 3],
}

/// How a positive exit splits (formation and autre positive shares among positives; the rest is
/// emploi), the same every year.
#[derive(Debug, Clone, PartialEq)]
pub struct PositiveSplit {
    pub base: [f64; 2],
    pub factors: [Factors; 2],
}

/// Rate of `num` among the exits of each category of a dimension, shrunk towards the total with
/// a pseudo-count so that tiny categories (65 and over: 13 exits) do not get extreme factors.
fn factors_of(t: &Tableau1Ref, rate: impl Fn(&T1) -> (f64, f64)) -> (f64, Factors) {
    let (tn, td) = rate(&t.total);
    let total = tn / td;
    let mut f = ONES;
    for (d, cats) in t.cats.iter().enumerate() {
        for (c, cat) in cats.iter().enumerate() {
            let (n, den) = rate(cat);
            let shrunk = (n + 50.0 * total) / (den + 50.0);
            f[d][c] = shrunk / total;
        }
    }
    (total, f)
}

/// Published rates per category and year (the `taux` reference): (abandons, positives) per year
/// 2014..=2017, `None` where the report prints nothing.
struct TauxRef {
    rows: HashMap<String, [[Option<f64>; 4]; 2]>,
}

impl TauxRef {
    fn load() -> TauxRef {
        let csv = Csv::parse(TAUX);
        let rows = csv
            .rows
            .iter()
            .map(|r| {
                let v = |i: usize| {
                    let s = r[i].trim();
                    (!s.is_empty()).then(|| num(s) / 100.0)
                };
                (
                    r[0].clone(),
                    [
                        std::array::from_fn(|y| v(1 + y)),
                        std::array::from_fn(|y| v(5 + y)),
                    ],
                )
            })
            .collect();
        TauxRef { rows }
    }

    /// Rate of `cat` for outcome 0 (abandons) or 1 (positives) in year index `y` (0 = 2014).
    fn get(&self, cat: &str, o: usize, y: usize) -> Option<f64> {
        self.rows.get(cat).and_then(|r| r[o][y])
    }
}

/// The exits, positives and abandons of the union of some categories of Tableau 1 (2017).
fn t1_rate(t: &Tableau1Ref, cat: &str, o: usize) -> f64 {
    let cats: Vec<&T1> = match cat {
        "hommes" => vec![&t.cats[SEXE][0]],
        "femmes" => vec![&t.cats[SEXE][1]],
        "< 26 ans" => t.cats[AGE][..2].iter().collect(),
        ">= 26 ans" => t.cats[AGE][2..].iter().collect(),
        "> 45 ans" => t.cats[AGE][3..].iter().collect(),
        "Travailleurs handicapés" => vec![&t.cats[TH][1]],
        "DELD" => t.cats[PUBLIC_PE][0..2].iter().collect(),
        "RSA" => t.cats[PUBLIC_PE][2..4].iter().collect(),
        "Autres publics en difficulté" => t.cats[PUBLIC_PE][4..6].iter().collect(),
        "VI" => vec![&t.cats[NIVEAU][0]],
        "V bis" => vec![&t.cats[NIVEAU][1]],
        "V" => vec![&t.cats[NIVEAU][2]],
        "IV et +" => t.cats[NIVEAU][3..7].iter().collect(),
        _ => vec![&t.total],
    };
    let exits: f64 = cats.iter().map(|c| c.sorties()).sum();
    let n: f64 = cats
        .iter()
        .map(|c| if o == 1 { c.v[3] } else { c.v[7] })
        .sum();
    n / exits
}

/// Divides each dimension's factors by their mean over the 2017 exits, so that the base rate is
/// the total rate whatever rounding the published category rates carry.
fn normalize_factors(t: &Tableau1Ref, f: &mut Factors) {
    for (d, cats) in t.cats.iter().enumerate() {
        let w: f64 = cats.iter().map(T1::sorties).sum();
        let mean: f64 = cats
            .iter()
            .enumerate()
            .map(|(c, cat)| cat.sorties() * f[d][c])
            .sum::<f64>()
            / w;
        for x in f[d].iter_mut().take(cats.len()) {
            *x /= mean;
        }
    }
}

/// The report prints a 24 % abandon rate for level V in 2017 where its Tableau 1 gives 20.1 %;
/// the generator aims between the two so that both comparisons hold.
pub const ABANDONS_V_2017: f64 = 1.12;

/// The per-exit-year outcome model for 2014..=2017.
fn outcomes_published(t: &Tableau1Ref) -> [Outcome; 4] {
    let (_, fpos) = factors_of(t, |c| (c.v[3], c.sorties()));
    let (ab17, fab) = factors_of(t, |c| (c.v[7], c.sorties()));
    let (ddr17, fddr) = factors_of(t, |c| (c.v[8], c.sorties()));
    let taux = TauxRef::load();
    let totaux = Csv::parse(TOTAUX);
    let bis = Csv::parse(TABLEAU1BIS);

    // Totals per year: positives exact from 1BIS; abandons weighted from the sexes by the share
    // of men among the exits, corrected so that 2017 gives Tableau 1's exact rate.
    let mut tpos = [0.0; 4];
    let mut tab_weighted = [0.0; 4];
    for y in 0..4 {
        let year = 2014 + y as i32;
        let r = totaux.row(&[&year.to_string()]);
        let (sp, sss) = (
            totaux.num(r, "sorties_positives"),
            totaux.num(r, "sorties_sans_suite"),
        );
        tpos[y] = sp / (sp + sss);
        let men = bis.row(&["sexe", "hommes"]);
        let h = (sp * bis.num(men, &format!("sorties_positives_{year}"))
            + sss * bis.num(men, &format!("sorties_sans_suite_{year}")))
            / 100.0
            / (sp + sss);
        let ab_h = taux.get("hommes", 0, y).expect("abandons hommes");
        let ab_f = taux.get("femmes", 0, y).expect("abandons femmes");
        tab_weighted[y] = h * ab_h + (1.0 - h) * ab_f;
    }
    let tab: [f64; 4] = std::array::from_fn(|y| tab_weighted[y] * ab17 / tab_weighted[3]);
    // o: 0 = abandons, 1 = positives (the columns of the taux reference).
    let total = |o: usize, y: usize| if o == 1 { tpos[y] } else { tab[y] };
    // Weight of 26-44 and 45+ among the exits of the 26 and over (2017).
    let w2644 = t.cats[AGE][2].sorties();
    let w45: f64 = t.cats[AGE][3..].iter().map(T1::sorties).sum();
    let rate_26_44 = |all: f64, old: f64| (all * (w2644 + w45) - old * w45) / w2644;
    // A published category's rate relative to the total in year y, over the same in 2017.
    let ratio = |cat: &str, o: usize, y: usize| -> f64 {
        match taux.get(cat, o, y) {
            Some(r) if y < 3 => (r / total(o, y)) / (t1_rate(t, cat, o) / total(o, 3)),
            _ => 1.0,
        }
    };

    std::array::from_fn(|y| {
        let mut f = [fab, fpos];
        for (o, fo) in f.iter_mut().enumerate() {
            let r = |cat: &str| ratio(cat, o, y);
            fo[SEXE][0] *= r("hommes");
            fo[SEXE][1] *= r("femmes");
            let young = r("< 26 ans");
            fo[AGE][..2].iter_mut().for_each(|x| *x *= young);
            let old = r(if o == 1 { "> 45 ans" } else { ">= 26 ans" });
            fo[AGE][3..6].iter_mut().for_each(|x| *x *= old);
            fo[AGE][2] *= match (taux.get(">= 26 ans", o, y), taux.get("> 45 ans", o, y)) {
                (Some(all), Some(old)) if y < 3 => {
                    let r17 = rate_26_44(t1_rate(t, ">= 26 ans", o), t1_rate(t, "> 45 ans", o));
                    (rate_26_44(all, old) / total(o, y)) / (r17 / total(o, 3))
                }
                _ => r(">= 26 ans"),
            };
            fo[TH][1] *= r("Travailleurs handicapés");
            for (p, cat) in ["DELD", "RSA", "Autres publics en difficulté"]
                .iter()
                .enumerate()
            {
                fo[PUBLIC_PE][2 * p] *= r(cat);
                fo[PUBLIC_PE][2 * p + 1] *= r(cat);
            }
            fo[NIVEAU][0] *= r("VI");
            fo[NIVEAU][1] *= r("V bis");
            fo[NIVEAU][2] *= r("V");
            let iv = r("IV et +");
            fo[NIVEAU][3..7].iter_mut().for_each(|x| *x *= iv);
            normalize_factors(t, fo);
        }
        let [mut fa, fp] = f;
        if y == 3 {
            fa[NIVEAU][2] *= ABANDONS_V_2017;
        }
        Outcome {
            base: [
                tpos[y] * CORRECTION_POSITIVES[y],
                tab[y] * CORRECTION_ABANDONS[y],
                ddr17,
            ],
            factors: [fp, fa, fddr.to_owned()],
        }
    })
}

fn positive_split(t: &Tableau1Ref) -> PositiveSplit {
    let (form, mut fform) = factors_of(t, |c| (c.v[5], c.v[3]));
    let (autre, mut fautre) = factors_of(t, |c| (c.v[3] - c.v[4] - c.v[5], c.v[3]));
    // Only sex, age and level drive the split.
    for f in [&mut fform, &mut fautre] {
        for d in [TH, PUBLIC_PE, INACTIVITE] {
            f[d] = [1.0; CATS];
        }
    }
    PositiveSplit {
        base: [form, autre],
        factors: [fform, fautre],
    }
}

// ---- Durations ----------------------------------------------------------------------------------

/// Multipliers of the mean duration by age class and by public (Tableau 3, all exits, times the
/// tuned corrections below), and by level (tuned only: Tableau 3 has no level).
#[derive(Debug, Clone, PartialEq)]
pub struct Durations {
    pub age: [f64; 6],
    pub public: [f64; 3],
    pub niveau: [f64; 9],
    /// Not TH, TH.
    pub th: [f64; 2],
    pub inactivite: [f64; 7],
}

/// Disabled workers stay longer (Tableau 1: their stock is 3.1 times their entries, against
/// 3.0 for all).
pub const DUREE_TH: f64 = 1.1;

/// Quantiles of the gamma distribution of shape [`DUREE_FORME`] and scale 1, tabulated.
#[derive(Debug, Clone)]
pub struct GammaQuantiles {
    table: Vec<f64>,
}

impl GammaQuantiles {
    const STEPS: usize = 8192;

    /// Integrates the density numerically (the shape is above 1, so it is bounded).
    pub fn new(shape: f64) -> GammaQuantiles {
        let h = 1e-4;
        let density = |x: f64| x.powf(shape - 1.0) * (-x).exp();
        // Unnormalized CDF on a grid, then inverted at STEPS + 1 levels.
        let mut xs = vec![0.0];
        let mut cdf = vec![0.0];
        let mut x = 0.0;
        let mut acc = 0.0;
        while x < 60.0 {
            acc += h * (density(x) + 4.0 * density(x + h / 2.0) + density(x + h)) / 6.0;
            x += h;
            xs.push(x);
            cdf.push(acc);
        }
        let total = acc;
        let mut table = Vec::with_capacity(Self::STEPS + 1);
        let mut j = 0;
        for i in 0..=Self::STEPS {
            let level = total * i as f64 / Self::STEPS as f64;
            while j + 1 < cdf.len() - 1 && cdf[j + 1] < level {
                j += 1;
            }
            let (c0, c1) = (cdf[j], cdf[j + 1]);
            let t = if c1 > c0 {
                ((level - c0) / (c1 - c0)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            table.push(xs[j] + t * (xs[j + 1] - xs[j]));
        }
        GammaQuantiles { table }
    }

    /// The quantile of level `u` in [0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        let pos = u.clamp(0.0, 1.0) * Self::STEPS as f64;
        let i = (pos as usize).min(Self::STEPS - 1);
        let t = pos - i as f64;
        self.table[i] + t * (self.table[i + 1] - self.table[i])
    }
}

/// Tableau 3 gives the mean duration of the parcours that *ended* in 2017; with the share of the
/// young falling since 2014, the generator's durations by age need these corrections to give it
/// (15-24: 0.87, up from 0.845, so that their 2017 stock is within noise of Tableau 1's).
pub const DUREE_CORRECTION_AGE: [f64; 6] = [0.87, 0.9, 1.0, 1.05, 1.15, 1.0];
pub const DUREE_CORRECTION_PUBLIC: [f64; 3] = [1.02, 1.02, 0.95];
/// Low levels stay longer: the 2017 stock holds more level VI and fewer levels III to I than the
/// entries (Tableau 1, en_parcours against entrees).
/// Participants inactive for one to five years leave sooner (their 2017 exits are fewer than
/// their stock suggests, Tableau 1).
pub const DUREE_INACTIVITE: [f64; 7] = [1.0, 0.93, 0.93, 0.95, 1.0, 1.0, 1.0];
pub const DUREE_NIVEAU: [f64; 9] = [1.11, 1.0, 1.0, 0.99, 0.97, 0.98, 0.98, 1.0, 0.9];

fn durations() -> Durations {
    let csv = Csv::parse(TABLEAU3);
    let get = |cat: &str| {
        let r = csv.row(&["toutes", cat]);
        (csv.num(r, "parcours"), csv.num(r, "duree_mois"))
    };
    let (_, total) = get("total");
    let (n_young, d_young) = get("<26");
    let (n15, d15) = get("15-24");
    let (n2544, d2544) = get("25-44");
    let n25 = n_young - n15;
    let d25 = (n_young * d_young - n15 * d15) / n25;
    let d2644 = (n2544 * d2544 - n25 * d25) / (n2544 - n25);
    let age = [
        d15,
        d25,
        d2644,
        get("45-54").1,
        get("55-64").1,
        get("65+").1,
    ];
    let public = [get("DELD").1, get("RSA").1, get("AUTRE").1];
    Durations {
        age: std::array::from_fn(|i| age[i] / total * DUREE_CORRECTION_AGE[i]),
        public: std::array::from_fn(|i| public[i] / total * DUREE_CORRECTION_PUBLIC[i]),
        niveau: DUREE_NIVEAU,
        th: [1.0, DUREE_TH],
        inactivite: DUREE_INACTIVITE,
    }
}

// ---- The whole model ----------------------------------------------------------------------------

/// Everything the parcours generator draws from, for every year it may simulate.
#[derive(Debug, Clone)]
pub struct Model {
    /// First year with a mix (the simulation start).
    pub first_year: i32,
    pub mixes: Vec<Mix>,
    /// National entries per year (scale 1), from `first_year`.
    pub entrees: Vec<f64>,
    pub outcomes: Vec<Outcome>,
    pub split: PositiveSplit,
    pub durations: Durations,
}

impl Model {
    /// The model for the years `first_year..=last_year`.
    pub fn new(first_year: i32, last_year: i32) -> Model {
        let t1 = tableau1_ref();
        let m2017 = mix_2017(&t1);
        let published: Vec<Mix> = (2014..=2016)
            .map(|y| adjust_before_2017(mix_bis(y, &m2017), &m2017))
            .chain([m2017.clone()])
            .collect();
        let p0 = mix_periode(0, &published[0]);
        let p1 = mix_periode(1, &published[0]);
        let totaux = Csv::parse(TOTAUX);
        let outcomes_pub = outcomes_published(&t1);
        let periodes = Csv::parse(PERIODES);
        let pos_period =
            |p: &str| periodes.num(periodes.row(&["taux_sorties_positives_pct"]), p) / 100.0;
        let (pos0, pos1) = (pos_period("2000-2006"), pos_period("2007-2013"));

        let mut mixes = Vec::new();
        let mut entrees = Vec::new();
        let mut outcomes = Vec::new();
        for year in first_year..=last_year {
            let mix = match year {
                ..=2003 => p0.clone(),
                2004..=2010 => Mix::lerp(&p0, &p1, f64::from(year - 2003) / 7.0),
                2011..=2013 => Mix::lerp(&p1, &published[0], f64::from(year - 2010) / 4.0),
                2014..=2017 => published[(year - 2014) as usize].clone(),
                _ => published[3].clone(),
            };
            let mix = if year <= 2014 { fewer_young(mix) } else { mix };
            mixes.push(mix);
            entrees.push(match year {
                2014..=2017 => totaux.num(totaux.row(&[&year.to_string()]), "entrees"),
                ..=2013 => ENTREES_AVANT_2014,
                _ => totaux.num(totaux.row(&["2017"]), "entrees"),
            });
            outcomes.push(match year {
                2014..=2017 => outcomes_pub[(year - 2014) as usize].clone(),
                ..=2013 => {
                    let mut o = outcomes_pub[0].clone();
                    let t = (f64::from(year - 2003) / 7.0).clamp(0.0, 1.0);
                    o.base[0] = pos0 + (pos1 - pos0) * t;
                    o.base[1] = 0.24;
                    o
                }
                _ => outcomes_pub[3].clone(),
            });
        }
        Model {
            first_year,
            mixes,
            entrees,
            outcomes,
            split: positive_split(&t1),
            durations: durations(),
        }
    }

    fn index(&self, year: i32) -> usize {
        ((year - self.first_year).max(0) as usize).min(self.mixes.len() - 1)
    }

    pub fn mix(&self, year: i32) -> &Mix {
        &self.mixes[self.index(year)]
    }

    pub fn outcome(&self, year: i32) -> &Outcome {
        &self.outcomes[self.index(year)]
    }

    pub fn entrees(&self, year: i32) -> f64 {
        self.entrees[self.index(year)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_quantiles() {
        let q = GammaQuantiles::new(1.8);
        let mean: f64 = (0..10_000)
            .map(|i| q.quantile((i as f64 + 0.5) / 10_000.0))
            .sum::<f64>()
            / 10_000.0;
        assert!((mean - 1.8).abs() < 0.01, "{mean}");
        assert!(q.quantile(0.0) == 0.0);
    }

    #[test]
    fn the_2017_mix_is_tableau1() {
        let m = Model::new(2000, 2017);
        let m17 = m.mix(2017);
        assert!((m17.femmes - 16377.0 / 32306.0).abs() < 1e-9);
        assert!((m17.public.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((m17.niveau.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((m17.inactivite.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for y in 2000..=2017 {
            let mix = m.mix(y);
            assert!((mix.age.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{y}");
            assert!(mix.age.iter().all(|&a| a >= 0.0), "{y}");
        }
        let o = m.outcome(2017);
        // 1BIS: 13 618 positive and 17 765 sans suite exits.
        assert!((o.base[0] - 13618.0 / 31383.0 * CORRECTION_POSITIVES[3]).abs() < 1e-9);
    }
}
