//! How values are laid out inside the redb file: rkyv-archived column chunks and small records,
//! each wrapped in an envelope that names its kind and format version and carries a checksum, so
//! that a flipped byte, a value from another table or from another version is an error, never a
//! wrong figure.
//!
//! Envelope: `b"CSD"`, one kind byte, the format version (u16 LE), the xxh3-64 of the payload
//! (u64 LE), then the rkyv payload.

use rkyv::rancor;
use rkyv::util::AlignedVec;

use super::StoreError;

/// The store format this build writes: 1 kept each chunk of parcours, keys or étapes as one
/// archived value; 2 keeps each column of a chunk as its own compressed segment, with zone maps.
/// Both are read (`super::Layout`).
pub const FORMAT_VERSION: u16 = 2;

/// The layout version of a value of `kind`: its envelope must say this one. The values both
/// store formats hold (records, optional files, summaries, commitments) kept their layout; the
/// chunks of version 1 and the segments of version 2 each belong to their format.
pub(crate) fn value_version(kind: Kind) -> u16 {
    match kind {
        Kind::ParcoursSegment | Kind::EtapesSegment | Kind::Zones | Kind::Plie => 2,
        _ => 1,
    }
}

const MAGIC: &[u8; 3] = b"CSD";
const HEADER: usize = 3 + 1 + 2 + 8;

/// What a stored value holds; the byte stands in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Parcours = 1,
    Keys = 2,
    Etapes = 3,
    Plie = 4,
    Annexes = 5,
    Summary = 6,
    /// The bookkeeping of one department's commitments.
    PaqteRecord = 7,
    /// One department's commitments.
    PaqteData = 8,
    /// A company of the commitments.
    Entreprise = 9,
    /// One column of a chunk of parcours (format version 2).
    ParcoursSegment = 10,
    /// One column of a chunk of étapes (format version 2).
    EtapesSegment = 11,
    /// The zone maps of a PLIE's chunks (format version 2).
    Zones = 12,
}

/// Up to 65 536 parcours of one PLIE, column by column, ordered by entry day then participant.
/// Codes are the `u8` discriminants of `model`; `NONE` marks an absent optional code.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ParcoursChunk {
    /// Days since 1990-01-01.
    pub entree: Vec<u16>,
    /// Days since 1990-01-01, `u16::MAX` while in parcours.
    pub sortie: Vec<u16>,
    /// `model::Motif`, `NONE` while in parcours.
    pub motif: Vec<u8>,
    pub sexe: Vec<u8>,
    /// `model::BirthMonth::to_u16`.
    pub naissance: Vec<u16>,
    /// Age in whole years at entry (derived from naissance and entree at import, kept because every
    /// table reads it).
    pub age: Vec<u8>,
    pub public: Vec<u8>,
    pub inscrit_pe: Vec<u8>,
    pub th: Vec<u8>,
    pub niveau: Vec<u8>,
    /// `model::Inactivite::to_u16`.
    pub inactivite: Vec<u16>,
    /// 0 no, 1 yes, `NONE` unknown.
    pub qpv: Vec<u8>,
    /// Exit to employment: NAF section 0..=20, employeur, taille, contrat, mesure.
    pub emploi: [Vec<u8>; 5],
    /// Exit to training: domaine, niveau, validation.
    pub formation: [Vec<u8>; 3],
    /// Training length in months, `u16::MAX` when absent.
    pub formation_duree_mois: Vec<u16>,
}

/// The absent value of an optional `u8` code.
pub const NONE: u8 = u8::MAX;

/// The strings of a parcours chunk, kept apart so that opening a store never reads them.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct KeysChunk {
    pub participant: Vec<String>,
    /// INSEE commune code, empty when absent.
    pub commune: Vec<String>,
}

/// Up to 65 536 étapes of one PLIE.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct EtapesChunk {
    /// Row number of the parcours among its PLIE's parcours (chunk * 65 536 + row).
    pub parcours: Vec<u32>,
    pub etape: Vec<u8>,
    pub debut: Vec<u16>,
    /// `u16::MAX` when absent.
    pub fin: Vec<u16>,
    pub finance_plie: Vec<u8>,
}

/// What the store knows of one PLIE: plie.csv's line and the bookkeeping of its last import.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PlieRecord {
    pub plie: String,
    pub nom: Option<String>,
    pub departement: Option<String>,
    pub region: Option<String>,
    pub communes: Option<u32>,
    pub structure_porteuse: Option<String>,
    pub gestion_fse: Option<u8>,
    /// xxh3-128 of the PLIE's encoded content: equal hashes mean an unchanged re-import.
    pub content_hash: u128,
    pub parcours: u64,
    pub etapes: u64,
    pub parcours_chunks: u32,
    pub etapes_chunks: u32,
    pub financements: u64,
    pub allocations: u64,
    pub activite: u64,
    /// First and last calendar year with a parcours entry or exit; `None` without parcours.
    pub years: Option<(i32, i32)>,
    /// Unix seconds of the import that wrote this PLIE.
    pub imported_at: i64,
    /// The transfer folder it came from.
    pub source: String,
    /// The last day observed (plie.csv's `extraction`, or when not sent the latest date of the
    /// PLIE's parcours and étapes), days since 1990-01-01; `None` for a PLIE without parcours
    /// that sent none, or a record of layout 1 (derived when read, `index`).
    pub extraction: Option<u16>,
    /// The first day from which every parcours active is in the store (plie.csv's
    /// `complet_depuis`, or when not sent 1 January of the earliest entry year).
    pub complet_depuis: Option<u16>,
    /// Which of the two were sent in plie.csv: bit 0 `extraction`, bit 1 `complet_depuis`.
    pub fenetre_declaree: u8,
}

/// [`PlieRecord`] as layout 1 stored it (before the observation window): still read, never
/// written. Its window is derived from its parcours when the corpus is loaded.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PlieRecordV1 {
    pub plie: String,
    pub nom: Option<String>,
    pub departement: Option<String>,
    pub region: Option<String>,
    pub communes: Option<u32>,
    pub structure_porteuse: Option<String>,
    pub gestion_fse: Option<u8>,
    pub content_hash: u128,
    pub parcours: u64,
    pub etapes: u64,
    pub parcours_chunks: u32,
    pub etapes_chunks: u32,
    pub financements: u64,
    pub allocations: u64,
    pub activite: u64,
    pub years: Option<(i32, i32)>,
    pub imported_at: i64,
    pub source: String,
}

impl From<PlieRecordV1> for PlieRecord {
    fn from(r: PlieRecordV1) -> PlieRecord {
        PlieRecord {
            plie: r.plie,
            nom: r.nom,
            departement: r.departement,
            region: r.region,
            communes: r.communes,
            structure_porteuse: r.structure_porteuse,
            gestion_fse: r.gestion_fse,
            content_hash: r.content_hash,
            parcours: r.parcours,
            etapes: r.etapes,
            parcours_chunks: r.parcours_chunks,
            etapes_chunks: r.etapes_chunks,
            financements: r.financements,
            allocations: r.allocations,
            activite: r.activite,
            years: r.years,
            imported_at: r.imported_at,
            source: r.source,
            extraction: None,
            complet_depuis: None,
            fenetre_declaree: 0,
        }
    }
}

impl PlieRecord {
    /// Bit of [`PlieRecord::fenetre_declaree`]: `extraction` was sent.
    pub const EXTRACTION_DECLAREE: u8 = 1;
    /// Bit of [`PlieRecord::fenetre_declaree`]: `complet_depuis` was sent.
    pub const COMPLET_DECLARE: u8 = 2;

    /// Fills the window's dates plie.csv did not send from the PLIE's data (FORMAT.md):
    /// `extraction` the latest date of its parcours and étapes, `complet_depuis` 1 January of
    /// its earliest entry year. Days since 1990-01-01, as the chunks hold them.
    pub fn derive_window(&mut self, parcours: &[ParcoursChunk], etapes: &[EtapesChunk]) {
        let mut latest: Option<u16> = None;
        let mut earliest: Option<u16> = None;
        let mut see = |d: u16| {
            if d != u16::MAX {
                latest = Some(latest.map_or(d, |l| l.max(d)));
            }
        };
        for c in parcours {
            for (&e, &x) in c.entree.iter().zip(&c.sortie) {
                see(e);
                see(x);
                earliest = Some(earliest.map_or(e, |m| m.min(e)));
            }
        }
        for c in etapes {
            c.debut.iter().chain(&c.fin).for_each(|&d| see(d));
        }
        if self.extraction.is_none() {
            self.extraction = latest;
        }
        if self.complet_depuis.is_none() {
            self.complet_depuis = earliest.map(january_first);
        }
    }

    /// The bytes an import hashes for the record (the content hash covers them and every
    /// value): the record as layout 1 wrote it, bookkeeping and window aside, then the dates
    /// plie.csv sent. A derived window is a function of the values already hashed, so a PLIE
    /// sent again as it was is "unchanged" whichever layout stored it.
    pub fn content_bytes(&self) -> Vec<u8> {
        let v1 = PlieRecordV1 {
            plie: self.plie.clone(),
            nom: self.nom.clone(),
            departement: self.departement.clone(),
            region: self.region.clone(),
            communes: self.communes,
            structure_porteuse: self.structure_porteuse.clone(),
            gestion_fse: self.gestion_fse,
            content_hash: self.content_hash,
            parcours: self.parcours,
            etapes: self.etapes,
            parcours_chunks: self.parcours_chunks,
            etapes_chunks: self.etapes_chunks,
            financements: self.financements,
            allocations: self.allocations,
            activite: self.activite,
            years: self.years,
            imported_at: self.imported_at,
            source: self.source.clone(),
        };
        let payload =
            rkyv::to_bytes::<rancor::Error>(&v1).expect("archiving plain data cannot fail");
        let mut out = wrap_version(Kind::Plie, 1, &payload);
        if self.fenetre_declaree & Self::EXTRACTION_DECLAREE != 0 {
            out.push(b'E');
            out.extend_from_slice(&self.extraction.unwrap_or(u16::MAX).to_le_bytes());
        }
        if self.fenetre_declaree & Self::COMPLET_DECLARE != 0 {
            out.push(b'C');
            out.extend_from_slice(&self.complet_depuis.unwrap_or(u16::MAX).to_le_bytes());
        }
        out
    }
}

/// 1 January of the year of day `d` (days since 1990-01-01).
pub(crate) fn january_first(d: u16) -> u16 {
    let year = crate::model::Day(d).year();
    let date = time::Date::from_calendar_date(year, time::Month::January, 1).expect("a date");
    crate::model::Day::from_date(date).map_or(0, |d| d.0)
}

/// Reads a PLIE's record, of layout 2 or of layout 1 (whose window is then `None`).
pub fn decode_record(bytes: &[u8], what: &dyn Fn() -> String) -> Result<PlieRecord, StoreError> {
    if bytes.len() >= HEADER && u16::from_le_bytes([bytes[4], bytes[5]]) == 1 {
        let payload = unwrap_version(Kind::Plie, 1, bytes, what)?;
        let v1: PlieRecordV1 = from_payload(payload, what)?;
        return Ok(v1.into());
    }
    decode(Kind::Plie, bytes, what)
}

/// The optional files of one PLIE, as rows without the PLIE code; amounts in cents.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Annexes {
    /// (annee, axe, financeur, direct, indirect, mobilise)
    pub financements: Vec<(i32, u8, u8, i64, i64, bool)>,
    /// (annee, structure, montant, dont_fse)
    pub allocations: Vec<(i32, u8, i64, i64)>,
    /// (annee, indicateur, valeur in hundredths)
    pub activite: Vec<(i32, String, i64)>,
}

/// Archives `value` of `kind` inside an envelope.
pub fn encode<T>(kind: Kind, value: &T) -> Vec<u8>
where
    T: for<'a> rkyv::Serialize<
        rkyv::api::high::HighSerializer<
            AlignedVec,
            rkyv::ser::allocator::ArenaHandle<'a>,
            rancor::Error,
        >,
    >,
{
    let payload = rkyv::to_bytes::<rancor::Error>(value).expect("archiving plain data cannot fail");
    wrap(kind, &payload)
}

/// `payload` of `kind` inside an envelope.
pub fn wrap(kind: Kind, payload: &[u8]) -> Vec<u8> {
    wrap_version(kind, value_version(kind), payload)
}

/// `payload` of `kind` inside an envelope saying layout `version`.
fn wrap_version(kind: Kind, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.push(kind as u8);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Checks the envelope of `bytes` (kind, version, checksum) and returns its payload; `what`
/// names the value in the error.
pub fn unwrap<'b>(
    kind: Kind,
    bytes: &'b [u8],
    what: &dyn Fn() -> String,
) -> Result<&'b [u8], StoreError> {
    unwrap_version(kind, value_version(kind), bytes, what)
}

/// [`unwrap`] for a value of layout `expected`.
fn unwrap_version<'b>(
    kind: Kind,
    expected: u16,
    bytes: &'b [u8],
    what: &dyn Fn() -> String,
) -> Result<&'b [u8], StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("{}: {why}", what()));
    if bytes.len() < HEADER || &bytes[..3] != MAGIC {
        return Err(corrupt("not a consolide value (bad envelope)".into()));
    }
    if bytes[3] != kind as u8 {
        return Err(corrupt(format!(
            "holds a value of kind {} where kind {} was expected",
            bytes[3], kind as u8
        )));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != expected {
        return Err(StoreError::ValueVersion {
            what: what(),
            found: version,
            supported: value_version(kind),
        });
    }
    let checksum = u64::from_le_bytes(bytes[6..14].try_into().expect("8 bytes"));
    let payload = &bytes[HEADER..];
    if xxhash_rust::xxh3::xxh3_64(payload) != checksum {
        return Err(corrupt("checksum mismatch".into()));
    }
    Ok(payload)
}

/// Checks the envelope of `bytes` (kind, version, checksum) and reads the value it holds;
/// `what` names the value in the error.
pub fn decode<T>(kind: Kind, bytes: &[u8], what: &dyn Fn() -> String) -> Result<T, StoreError>
where
    T: rkyv::Archive,
    T::Archived: for<'a> rkyv::bytecheck::CheckBytes<rkyv::api::high::HighValidator<'a, rancor::Error>>
        + rkyv::Deserialize<T, rkyv::api::high::HighDeserializer<rancor::Error>>,
{
    from_payload(unwrap(kind, bytes, what)?, what)
}

/// Reads the value an envelope's `payload` holds.
fn from_payload<T>(payload: &[u8], what: &dyn Fn() -> String) -> Result<T, StoreError>
where
    T: rkyv::Archive,
    T::Archived: for<'a> rkyv::bytecheck::CheckBytes<rkyv::api::high::HighValidator<'a, rancor::Error>>
        + rkyv::Deserialize<T, rkyv::api::high::HighDeserializer<rancor::Error>>,
{
    let corrupt = |why: String| StoreError::Corrupt(format!("{}: {why}", what()));
    // redb does not align values; rkyv wants its archive aligned.
    let mut aligned = AlignedVec::<16>::with_capacity(payload.len());
    aligned.extend_from_slice(payload);
    rkyv::from_bytes::<T, rancor::Error>(&aligned)
        .map_err(|e| corrupt(format!("unreadable archive: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> String {
        "test value".into()
    }

    /// A record of layout 1 (a store of before the observation window) still reads, without
    /// window; a record of layout 2 round-trips; both hash their content alike when no window
    /// was sent, so a PLIE sent again as it was stays "unchanged" whichever layout stored it.
    #[test]
    fn plie_records_of_both_layouts_read_and_hash_alike() {
        let v1 = PlieRecordV1 {
            plie: "P1".into(),
            departement: Some("44".into()),
            parcours: 3,
            years: Some((2015, 2017)),
            ..PlieRecordV1::default()
        };
        let old = wrap_version(
            Kind::Plie,
            1,
            &rkyv::to_bytes::<rancor::Error>(&v1).unwrap(),
        );
        let read = decode_record(&old, &name).unwrap();
        assert_eq!(read, PlieRecord::from(v1.clone()));
        assert_eq!((read.extraction, read.complet_depuis), (None, None));
        assert_eq!(read.content_bytes(), old);

        let mut v2 = read.clone();
        v2.extraction = Some(10_000);
        v2.complet_depuis = Some(9_000);
        let bytes = encode(Kind::Plie, &v2);
        assert_eq!(decode_record(&bytes, &name).unwrap(), v2);
        // A derived window is not content; a window sent is.
        assert_eq!(v2.content_bytes(), old);
        v2.fenetre_declaree = PlieRecord::EXTRACTION_DECLAREE;
        assert_ne!(v2.content_bytes(), old);
    }

    #[test]
    fn round_trip_and_every_corruption_is_an_error() {
        let chunk = ParcoursChunk {
            entree: vec![1, 2, 3],
            motif: vec![0, NONE, 5],
            ..Default::default()
        };
        let bytes = encode(Kind::Parcours, &chunk);
        let back: ParcoursChunk = decode(Kind::Parcours, &bytes, &name).unwrap();
        assert_eq!(back, chunk);

        let wrong_kind = decode::<ParcoursChunk>(Kind::Etapes, &bytes, &name).unwrap_err();
        assert!(wrong_kind.to_string().contains("kind"), "{wrong_kind}");

        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x40;
            assert!(
                decode::<ParcoursChunk>(Kind::Parcours, &flipped, &name).is_err(),
                "byte {i}"
            );
        }
        assert!(decode::<ParcoursChunk>(Kind::Parcours, &bytes[..bytes.len() - 1], &name).is_err());

        let mut other_version = bytes.clone();
        other_version[4] = 9;
        assert!(matches!(
            decode::<ParcoursChunk>(Kind::Parcours, &other_version, &name),
            Err(StoreError::ValueVersion { found: 9, ref what, .. }) if what == "test value"
        ));
    }
}
