//! Writing the transfer: the six CSV files of FORMAT.md, `,`-separated, ISO dates, with the csv
//! crate. Chunks are serialized in parallel into byte buffers and appended in order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::parcours::ChunkOut;
use super::plies::Plie;
use super::{date_of, put, Annexes};
use crate::model::{Inactivite, PlieInfo};

const ETAPES_HEADER: &[&str] = &[
    "plie",
    "participant",
    "entree",
    "type",
    "debut",
    "fin",
    "finance_plie",
];
const PLIE_HEADER: &[&str] = &[
    "plie",
    "nom",
    "departement",
    "region",
    "communes",
    "structure_porteuse",
    "gestion_fse",
    "extraction",
    "complet_depuis",
];
const FINANCEMENTS_HEADER: &[&str] = &[
    "plie",
    "annee",
    "axe",
    "financeur",
    "direct",
    "indirect",
    "mobilise",
];
const ALLOCATIONS_HEADER: &[&str] = &["plie", "annee", "structure", "montant", "dont_fse"];
const ACTIVITE_HEADER: &[&str] = &["plie", "annee", "indicateur", "valeur"];

/// A chunk as CSV bytes.
pub(crate) struct ChunkBytes {
    pub parcours: u64,
    pub etapes: u64,
    pub parcours_csv: Vec<u8>,
    pub etapes_csv: Vec<u8>,
}

fn writer(out: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out)
}

/// `YYYY-MM-DD` of a day number.
fn iso(day: i32) -> [u8; 10] {
    let d = date_of(day);
    let (y, m, dd) = (d.year() as u32, d.month() as u32, u32::from(d.day()));
    let mut b = *b"0000-00-00";
    b[0] = b'0' + (y / 1000 % 10) as u8;
    b[1] = b'0' + (y / 100 % 10) as u8;
    b[2] = b'0' + (y / 10 % 10) as u8;
    b[3] = b'0' + (y % 10) as u8;
    b[5] = b'0' + (m / 10) as u8;
    b[6] = b'0' + (m % 10) as u8;
    b[8] = b'0' + (dd / 10) as u8;
    b[9] = b'0' + (dd % 10) as u8;
    b
}

fn bool01(b: bool) -> &'static [u8] {
    if b {
        b"1"
    } else {
        b"0"
    }
}

/// Euros with two decimals from cents.
fn euros(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Serializes a chunk of `plie`.
pub(crate) fn serialize(plie: &Plie, out: &ChunkOut) -> ChunkBytes {
    let code = plie.code().as_bytes();
    let mut w = writer(Vec::with_capacity(out.parcours.len() * 110));
    let mut num = String::new();
    let mut birth = String::new();
    let mut dur = String::new();
    for p in &out.parcours {
        let entree = iso(p.entree);
        let sortie = p.sortie.map(|(d, _)| iso(d));
        num.clear();
        match p.inactivite {
            Inactivite::Mois(m) => num.push_str(&m.to_string()),
            Inactivite::Jamais => num.push_str("JAMAIS"),
            Inactivite::Inconnue => {}
        }
        birth.clear();
        birth.push_str(&format!("{:04}-{:02}", p.naissance.year, p.naissance.month));
        dur.clear();
        if let Some(d) = p.formation.duree_mois {
            dur.push_str(&d.to_string());
        }
        let secteur = p.emploi.secteur.map(|s| [b'A' + s]);
        let record: [&[u8]; 23] = [
            code,
            &p.key,
            &entree,
            sortie.as_ref().map_or(b"", |s| &s[..]),
            p.sortie.map_or(b"", |(_, m)| m.code().as_bytes()),
            p.sexe.code().as_bytes(),
            birth.as_bytes(),
            p.public.code().as_bytes(),
            bool01(p.inscrit_pe),
            bool01(p.th),
            p.niveau.code().as_bytes(),
            num.as_bytes(),
            p.qpv.map_or(b"", bool01),
            p.commune
                .map_or(b"", |c| plie.communes[c as usize].as_bytes()),
            secteur.as_ref().map_or(b"", |s| &s[..]),
            p.emploi.employeur.map_or(b"", |v| v.code().as_bytes()),
            p.emploi.taille.map_or(b"", |v| v.code().as_bytes()),
            p.emploi.contrat.map_or(b"", |v| v.code().as_bytes()),
            p.emploi.mesure.map_or(b"", |v| v.code().as_bytes()),
            p.formation.domaine.map_or(b"", |v| v.code().as_bytes()),
            p.formation.niveau.map_or(b"", |v| v.code().as_bytes()),
            p.formation.validation.map_or(b"", |v| v.code().as_bytes()),
            dur.as_bytes(),
        ];
        w.write_record(record).expect("writing to memory");
    }
    let parcours_csv = w.into_inner().expect("writing to memory");

    let mut w = writer(Vec::with_capacity(out.etapes.len() * 60));
    for e in &out.etapes {
        let p = &out.parcours[e.parcours as usize];
        let entree = iso(p.entree);
        let debut = iso(e.debut);
        let fin = e.fin.map(iso);
        let record: [&[u8]; 7] = [
            code,
            &p.key,
            &entree,
            e.etape.code().as_bytes(),
            &debut,
            fin.as_ref().map_or(b"", |f| &f[..]),
            e.finance.map_or(b"", bool01),
        ];
        w.write_record(record).expect("writing to memory");
    }
    let etapes_csv = w.into_inner().expect("writing to memory");
    ChunkBytes {
        parcours: out.parcours.len() as u64,
        etapes: out.etapes.len() as u64,
        parcours_csv,
        etapes_csv,
    }
}

/// The six open files of a transfer.
pub(crate) struct Files {
    parcours: BufWriter<File>,
    etapes: BufWriter<File>,
    plie: csv::Writer<BufWriter<File>>,
    financements: csv::Writer<BufWriter<File>>,
    allocations: csv::Writer<BufWriter<File>>,
    activite: csv::Writer<BufWriter<File>>,
    bytes: u64,
}

fn open(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

fn open_csv(
    dir: &Path,
    name: &str,
    header: &[&str],
) -> std::io::Result<csv::Writer<BufWriter<File>>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(open(dir, name)?);
    w.write_record(header)?;
    Ok(w)
}

fn header_line(header: &[&str]) -> Vec<u8> {
    let mut w = writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

impl Files {
    pub fn create(dir: &Path) -> std::io::Result<Files> {
        let mut files = Files {
            parcours: open(dir, "parcours.csv")?,
            etapes: open(dir, "etapes.csv")?,
            plie: open_csv(dir, "plie.csv", PLIE_HEADER)?,
            financements: open_csv(dir, "financements.csv", FINANCEMENTS_HEADER)?,
            allocations: open_csv(dir, "allocations.csv", ALLOCATIONS_HEADER)?,
            activite: open_csv(dir, "activite.csv", ACTIVITE_HEADER)?,
            bytes: 0,
        };
        put(
            &mut files.parcours,
            &header_line(&crate::transfer::parcours_columns().collect::<Vec<_>>()),
            &mut files.bytes,
        )?;
        put(
            &mut files.etapes,
            &header_line(ETAPES_HEADER),
            &mut files.bytes,
        )?;
        Ok(files)
    }

    pub fn chunk(&mut self, c: &ChunkBytes) -> std::io::Result<()> {
        put(&mut self.parcours, &c.parcours_csv, &mut self.bytes)?;
        put(&mut self.etapes, &c.etapes_csv, &mut self.bytes)
    }

    pub fn plie(&mut self, info: &PlieInfo) -> std::io::Result<()> {
        let communes = info.communes.map(|c| c.to_string()).unwrap_or_default();
        let date =
            |d: Option<crate::model::Day>| d.map(|d| d.date().to_string()).unwrap_or_default();
        let (extraction, complet_depuis) = (date(info.extraction), date(info.complet_depuis));
        self.plie.write_record([
            info.plie.as_str(),
            info.nom.as_deref().unwrap_or(""),
            info.departement.as_deref().unwrap_or(""),
            info.region.as_deref().unwrap_or(""),
            &communes,
            info.structure_porteuse.as_deref().unwrap_or(""),
            info.gestion_fse.map_or("", |g| g.code()),
            &extraction,
            &complet_depuis,
        ])?;
        Ok(())
    }

    pub fn annexes(&mut self, a: &Annexes) -> std::io::Result<()> {
        for f in &a.financements {
            self.financements.write_record([
                f.plie.as_str(),
                &f.annee.to_string(),
                &f.axe.to_string(),
                f.financeur.code(),
                &euros(f.direct_centimes),
                &euros(f.indirect_centimes),
                if f.mobilise { "1" } else { "0" },
            ])?;
        }
        for x in &a.allocations {
            self.allocations.write_record([
                x.plie.as_str(),
                &x.annee.to_string(),
                x.structure.code(),
                &euros(x.montant_centimes),
                &euros(x.dont_fse_centimes),
            ])?;
        }
        for x in &a.activite {
            self.activite.write_record([
                x.plie.as_str(),
                &x.annee.to_string(),
                &x.indicateur,
                &euros(x.valeur_centiemes),
            ])?;
        }
        Ok(())
    }

    /// Flushes every file; returns the bytes written in all six.
    pub fn finish(mut self) -> std::io::Result<u64> {
        self.parcours.flush()?;
        self.etapes.flush()?;
        let mut bytes = self.bytes;
        for w in [
            &mut self.plie,
            &mut self.financements,
            &mut self.allocations,
            &mut self.activite,
        ] {
            w.flush()?;
            bytes += w.get_ref().get_ref().metadata()?.len();
        }
        Ok(bytes)
    }
}
