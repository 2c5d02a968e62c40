//! The calibration bench of the synthetic generator (src/synth): generates a corpus and measures
//! it straight from the CSV files (independently of the engine) against the reference figures,
//! printing every row of Tableau 1 2017, the yearly totals, the rates per category and year,
//! Tableau 3's durations and Tableau 2's étapes. Lines starting with `ROW` and `T3` are meant
//! for averaging over several seeds when tuning `src/synth/calibration.rs`.
//!
//! `cargo run --release --example synth_check -- DIR [SCALE] [SEED]`

use consolide::synth;

use std::collections::HashMap;
use synth::calibration::{num, Csv};
use time::{Date, Month};

fn d(s: &str) -> i32 {
    let y: i32 = s[0..4].parse().unwrap();
    let m: u8 = s[5..7].parse().unwrap();
    let dd: u8 = s[8..10].parse().unwrap();
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), dd)
        .unwrap()
        .to_julian_day()
}

#[derive(Default, Clone, Copy, Debug)]
struct T {
    entrees: f64,
    report: f64,
    sp: f64,
    se: f64,
    sf: f64,
    sss: f64,
    ab: f64,
    ddr: f64,
    dur_n: [f64; 3],
    dur_sum: [f64; 3],
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).cloned().unwrap_or("/tmp/synth/out".into()));
    let scale: f64 = args.get(2).map_or(1.0, |s| s.parse().unwrap());
    let seed: u64 = args.get(3).map_or(1, |s| s.parse().unwrap());
    let options = synth::SynthOptions {
        scale,
        seed,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let summary = synth::write_transfer(&dir, &options, &|_| {}).unwrap();
    eprintln!("{summary:?} in {:?}", t.elapsed());

    // ---- measure parcours
    let mut rdr = csv::Reader::from_path(dir.join("parcours.csv")).unwrap();
    let years = 2014..=2017;
    let mut tallies: HashMap<(i32, String), T> = HashMap::new();
    let mut inact = (0.0, 0.0);
    let y0 = |y: i32| d(&format!("{y}-01-01"));
    let y1 = |y: i32| d(&format!("{y}-12-31"));
    let mut open_end = 0.0;
    for rec in rdr.records() {
        let r = rec.unwrap();
        let e = d(&r[2]);
        let x = (!r[3].is_empty()).then(|| d(&r[3]));
        let motif = &r[4];
        let birth_y: i32 = r[6][0..4].parse().unwrap();
        let birth_m: i32 = r[6][5..7].parse().unwrap();
        let ed = Date::from_julian_day(e).unwrap();
        let age = ed.year() - birth_y - i32::from((ed.month() as i32) < birth_m);
        let mut cats: Vec<String> = vec!["total".into()];
        cats.push(format!("sexe:{}", &r[5]));
        cats.push(if age < 26 {
            "age26:<26".into()
        } else {
            "age26:>=26".into()
        });
        cats.push(
            match age {
                ..=24 => "age:15-24",
                25..=44 => "age:25-44",
                45..=54 => "age:45-54",
                55..=64 => "age:55-64",
                _ => "age:65+",
            }
            .into(),
        );
        if age >= 45 {
            cats.push("age45".into());
        }
        if &r[9] == "1" {
            cats.push("th".into());
        }
        if &r[8] == "1" {
            cats.push("pe".into());
            cats.push(format!("pubpe:{}", &r[7]));
        }
        cats.push(format!("public:{}", &r[7]));
        cats.push(format!("niveau:{}", &r[10]));
        if matches!(&r[10], "IV" | "III" | "II" | "I") {
            cats.push("niveau:IV+".into());
        }
        let ic = match &r[11] {
            "" => None,
            "JAMAIS" => Some("JAMAIS"),
            m => {
                let m: u32 = m.parse().unwrap();
                Some(match m {
                    0..=11 => "<1",
                    12..=23 => "1-2",
                    24..=35 => "2-3",
                    36..=59 => "3-5",
                    _ => "5+",
                })
            }
        };
        if let Some(ic) = ic {
            cats.push(format!("inact:{ic}"));
        }
        for y in years.clone() {
            let active = e <= y1(y) && x.is_none_or(|x| x >= y0(y));
            if !active {
                continue;
            }
            if y == 2017 {
                if let Ok(m) = r[11].parse::<f64>() {
                    inact.0 += m;
                    inact.1 += 1.0;
                }
                if x.is_none_or(|x| x > y1(y)) {
                    open_end += 1.0;
                }
            }
            for c in &cats {
                let t = tallies.entry((y, c.clone())).or_default();
                if e >= y0(y) {
                    t.entrees += 1.0;
                } else {
                    t.report += 1.0;
                }
                if let Some(x) = x.filter(|&x| x <= y1(y)) {
                    let dur = f64::from(x - e) / 30.4375;
                    let pos = matches!(motif, "EMPLOI" | "FORMATION" | "AUTRE_POSITIVE");
                    if pos {
                        t.sp += 1.0;
                    } else {
                        t.sss += 1.0;
                    }
                    match motif {
                        "EMPLOI" => t.se += 1.0,
                        "FORMATION" => t.sf += 1.0,
                        "ABANDON" => t.ab += 1.0,
                        "DEMENAGEMENT_DECES_RETRAITE" => t.ddr += 1.0,
                        _ => {}
                    }
                    let k = if pos { 1 } else { 2 };
                    t.dur_n[0] += 1.0;
                    t.dur_sum[0] += dur;
                    t.dur_n[k] += 1.0;
                    t.dur_sum[k] += dur;
                }
            }
        }
    }
    let get = |y: i32, c: &str| {
        tallies
            .get(&(y, c.to_string()))
            .copied()
            .unwrap_or_default()
    };

    // ---- Tableau 1 2017
    let t1 = Csv::parse(synth::calibration::TABLEAU1);
    let map = |group: &str, label: &str, after_public: Option<&str>| -> String {
        match (group, label) {
            ("total", _) => "total".into(),
            ("sexe", "hommes") => "sexe:H".into(),
            ("sexe", _) => "sexe:F".into(),
            ("age_26", l) if l.starts_with('<') => "age26:<26".into(),
            ("age_26", _) => "age26:>=26".into(),
            ("tranche_age", "15-24 ans") => "age:15-24".into(),
            ("tranche_age", "25-44 ans") => "age:25-44".into(),
            ("tranche_age", "45-54 ans") => "age:45-54".into(),
            ("tranche_age", "55-64 ans") => "age:55-64".into(),
            ("tranche_age", _) => "age:65+".into(),
            ("th", _) => "th".into(),
            ("inscrit_pe", _) => "pe".into(),
            ("public", "DELD") => "public:DELD".into(),
            ("public", "RSA") => "public:RSA".into(),
            ("public", _) => "public:AUTRE".into(),
            ("public_x_inscrit_pe", _) => format!("pubpe:{}", after_public.unwrap()),
            ("niveau", "V bis") => "niveau:VBIS".into(),
            ("niveau", "Non connu") => "niveau:NC".into(),
            ("niveau", l) => format!("niveau:{l}"),
            ("inactivite", "< 1 an") => "inact:<1".into(),
            ("inactivite", "de 1 à 2 ans") => "inact:1-2".into(),
            ("inactivite", "de 2 à 3 ans") => "inact:2-3".into(),
            ("inactivite", "de 3 à 5 ans") => "inact:3-5".into(),
            ("inactivite", "plus de 5 ans") => "inact:5+".into(),
            _ => "inact:JAMAIS".into(),
        }
    };
    println!("Tableau 1 2017: row | entrees ref gen | en_parcours | sorties_pos | sans_suite | share pts | taux pos | flags");
    let mut last_public = "DELD";
    let total_ref = num(&t1.rows[0][2]);
    let total_gen = get(2017, "total").entrees;
    let mut bad = 0;
    for r in &t1.rows {
        if r[0] == "public" {
            last_public = match r[1].as_str() {
                "DELD" => "DELD",
                "RSA" => "RSA",
                _ => "AUTRE",
            };
        }
        let key = map(&r[0], &r[1], Some(last_public));
        let g = get(2017, &key);
        let rf: Vec<f64> = (2..12).map(|i| num(&r[i])).collect();
        let dev = |a: f64, b: f64| 100.0 * (b - a) / a;
        let share = 100.0 * (g.entrees / total_gen - rf[0] / total_ref);
        let tp_ref = rf[3] / (rf[3] + rf[6]);
        let tp_gen = g.sp / (g.sp + g.sss);
        let checked = rf[0] >= 1000.0;
        let flags = [
            dev(rf[0], g.entrees),
            dev(rf[1], g.entrees + g.report),
            dev(rf[3], g.sp),
            dev(rf[6], g.sss),
        ]
        .iter()
        .any(|v| v.abs() > 5.0)
            || share.abs() > 2.0;
        if checked && flags {
            bad += 1;
        }
        println!(
            "ROW {} {:.2} {:.2} {:.2} {:.2} {:.2}",
            key,
            dev(rf[0], g.entrees),
            dev(rf[1], g.entrees + g.report),
            dev(rf[3], g.sp),
            dev(rf[6], g.sss),
            100.0 * (tp_gen - tp_ref)
        );
        println!(
            "{:>28} | {:>6.0} {:+5.1}% | {:>6.0} {:+5.1}% | {:>5.0} {:+5.1}% | {:>5.0} {:+5.1}% | {:+4.1} | {:.1} {:.1} {}",
            key,
            rf[0],
            dev(rf[0], g.entrees),
            rf[1],
            dev(rf[1], g.entrees + g.report),
            rf[3],
            dev(rf[3], g.sp),
            rf[6],
            dev(rf[6], g.sss),
            share,
            100.0 * tp_ref,
            100.0 * tp_gen,
            if checked && flags { "<<<" } else { "" }
        );
    }
    println!("rows out of tolerance: {bad}");
    println!(
        "inactivite moyenne 2017: {:.2} (ref 37.94); en cours fin 2017 {} (ref 69177)",
        inact.0 / inact.1,
        open_end
    );

    // ---- yearly totals
    let tot = Csv::parse(synth::calibration::TOTAUX);
    for r in &tot.rows {
        let y: i32 = r[0].parse().unwrap();
        let g = get(y, "total");
        println!(
            "{y}: entrees {} vs {:.0} ({:+.1}%), sp {} vs {:.0}, se {} vs {:.0}, sss {} vs {:.0}, report {:.0}",
            r[1],
            g.entrees,
            100.0 * (g.entrees - num(&r[1])) / num(&r[1]),
            r[2],
            g.sp,
            r[3],
            g.se,
            r[4],
            g.sss,
            g.report
        );
    }

    // ---- taux
    let taux = Csv::parse(synth::calibration::TAUX);
    let cat = |name: &str| -> &str {
        match name {
            "hommes" => "sexe:H",
            "femmes" => "sexe:F",
            "< 26 ans" => "age26:<26",
            ">= 26 ans" => "age26:>=26",
            "> 45 ans" => "age45",
            "Travailleurs handicapés" => "th",
            "DELD" => "public:DELD",
            "RSA" => "public:RSA",
            "Autres publics en difficulté" => "public:AUTRE",
            "VI" => "niveau:VI",
            "V bis" => "niveau:VBIS",
            "V" => "niveau:V",
            "IV et +" => "niveau:IV+",
            _ => "total",
        }
    };
    println!("taux: category | abandons ref/gen per year | positives ref/gen per year");
    let mut bad_taux = 0;
    for r in &taux.rows {
        let c = cat(&r[0]);
        let mut line = format!("{:>30} |", r[0]);
        for (o, off) in [(0, 1), (1, 5)] {
            for y in 0..4 {
                let s = &r[off + y];
                let g = get(2014 + y as i32, c);
                let gen = 100.0 * if o == 0 { g.ab } else { g.sp } / (g.sp + g.sss);
                if s.is_empty() {
                    line += &format!("   - {gen:4.1}");
                } else {
                    let diff = gen - num(s);
                    let flag = if diff.abs() > 3.0 {
                        bad_taux += 1;
                        "!"
                    } else {
                        " "
                    };
                    line += &format!(" {:>3} {gen:4.1}{flag}", s);
                }
            }
            line += " |";
        }
        println!("{line}");
    }
    println!("taux out of tolerance: {bad_taux}");

    // ---- Tableau 3
    let t3 = Csv::parse(synth::calibration::TABLEAU3);
    let tcat = |c: &str| -> String {
        match c {
            "total" => "total".into(),
            "DELD" | "RSA" | "AUTRE" => format!("public:{c}"),
            "<26" | ">=26" => format!("age26:{c}"),
            _ => format!("age:{c}"),
        }
    };
    println!("Tableau 3: sorties categorie | n ref gen | duree ref gen");
    for r in &t3.rows {
        let k = match r[0].as_str() {
            "toutes" => 0,
            "positives" => 1,
            _ => 2,
        };
        let g = get(2017, &tcat(&r[1]));
        let mean = g.dur_sum[k] / g.dur_n[k];
        let diff = mean - num(&r[5]);
        println!("T3 {}:{} {:.2}", r[0], r[1], diff);
        println!(
            "{:>10} {:>6} | {:>6} {:>6.0} | {:>6} {:>5.2} {}",
            r[0],
            r[1],
            r[2],
            g.dur_n[k],
            r[5],
            mean,
            if diff.abs() > 2.0 && num(&r[2]) >= 1000.0 {
                "<<<"
            } else {
                ""
            }
        );
    }

    // ---- Tableau 2
    let mut rdr = csv::Reader::from_path(dir.join("etapes.csv")).unwrap();
    let mut counts: HashMap<String, f64> = HashMap::new();
    let (a, b) = (y0(2017), y1(2017));
    let mut n = 0.0;
    for rec in rdr.records() {
        let r = rec.unwrap();
        let debut = d(&r[4]);
        let fin = (!r[5].is_empty()).then(|| d(&r[5]));
        if debut <= b && fin.is_none_or(|f| f >= a) {
            *counts.entry(r[3].to_string()).or_default() += 1.0;
            n += 1.0;
        }
    }
    let t2 = Csv::parse(synth::calibration::TABLEAU2);
    let en_parcours = get(2017, "total").entrees + get(2017, "total").report;
    println!(
        "Tableau 2: {} steps active in 2017, {:.3} per participant (ref 1.85)",
        n,
        n / en_parcours
    );
    for r in t2.rows.iter().take(18) {
        let g = counts.get(&r[0]).copied().unwrap_or(0.0);
        println!(
            "{:>28} {:>6} {:>7.0} {:+6.1}%",
            r[0],
            r[1],
            g,
            100.0 * (g - num(&r[1])) / num(&r[1])
        );
    }
}
