//! Format version 2's column segments: which columns a chunk of parcours or étapes has, how each
//! is turned into integers for [`super::codec`], and the zone maps that let a query skip a chunk
//! without reading it.
//!
//! Each column of a chunk is its own value in the store, keyed `(plie, chunk, column)`, so a
//! query reads the columns it touches and no other. Absent optional codes (`NONE`, `u16::MAX`)
//! are stored as 0 and every present value one higher, so that a column of a few codes and some
//! absences still packs in a few bits. An exit day is stored as its distance from the entry day
//! (plus one; 0 while in parcours), an étape's end as its distance from its start: both pack in
//! 11 to 12 bits where a day takes 14.

use super::codec;
use super::encoding::{EtapesChunk, KeysChunk, ParcoursChunk, NONE};

/// A column of a parcours chunk, as stored: the byte is the last part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ParcoursColumn {
    Entree = 0,
    Sortie = 1,
    Motif = 2,
    Sexe = 3,
    Naissance = 4,
    Age = 5,
    Public = 6,
    InscritPe = 7,
    Th = 8,
    Niveau = 9,
    Inactivite = 10,
    Qpv = 11,
    EmploiSecteur = 12,
    EmploiEmployeur = 13,
    EmploiTaille = 14,
    EmploiContrat = 15,
    EmploiMesure = 16,
    FormationDomaine = 17,
    FormationNiveau = 18,
    FormationValidation = 19,
    FormationDuree = 20,
    /// The participant's number within its PLIE (see [`participant_numbers`]).
    Participant = 21,
    /// The participant's key as sent: read only by what needs the string (re-entries, export).
    Key = 22,
    /// INSEE commune code, empty when absent.
    Commune = 23,
}

impl ParcoursColumn {
    pub const ALL: [ParcoursColumn; 24] = [
        ParcoursColumn::Entree,
        ParcoursColumn::Sortie,
        ParcoursColumn::Motif,
        ParcoursColumn::Sexe,
        ParcoursColumn::Naissance,
        ParcoursColumn::Age,
        ParcoursColumn::Public,
        ParcoursColumn::InscritPe,
        ParcoursColumn::Th,
        ParcoursColumn::Niveau,
        ParcoursColumn::Inactivite,
        ParcoursColumn::Qpv,
        ParcoursColumn::EmploiSecteur,
        ParcoursColumn::EmploiEmployeur,
        ParcoursColumn::EmploiTaille,
        ParcoursColumn::EmploiContrat,
        ParcoursColumn::EmploiMesure,
        ParcoursColumn::FormationDomaine,
        ParcoursColumn::FormationNiveau,
        ParcoursColumn::FormationValidation,
        ParcoursColumn::FormationDuree,
        ParcoursColumn::Participant,
        ParcoursColumn::Key,
        ParcoursColumn::Commune,
    ];

    /// How error messages name it.
    pub fn name(self) -> &'static str {
        use ParcoursColumn as C;
        match self {
            C::Entree => "entree",
            C::Sortie => "sortie",
            C::Motif => "motif_sortie",
            C::Sexe => "sexe",
            C::Naissance => "naissance",
            C::Age => "age",
            C::Public => "public",
            C::InscritPe => "inscrit_pe",
            C::Th => "th",
            C::Niveau => "niveau",
            C::Inactivite => "inactivite",
            C::Qpv => "qpv",
            C::EmploiSecteur => "emploi_secteur",
            C::EmploiEmployeur => "emploi_employeur",
            C::EmploiTaille => "emploi_taille",
            C::EmploiContrat => "emploi_contrat",
            C::EmploiMesure => "emploi_mesure",
            C::FormationDomaine => "formation_domaine",
            C::FormationNiveau => "formation_niveau",
            C::FormationValidation => "formation_validation",
            C::FormationDuree => "formation_duree_mois",
            C::Participant => "participant number",
            C::Key => "participant key",
            C::Commune => "commune",
        }
    }

    /// The `u8` code column of a chunk this column fills, if it is one.
    fn codes(self, c: &mut ParcoursChunk) -> Option<&mut Vec<u8>> {
        use ParcoursColumn as C;
        Some(match self {
            C::Motif => &mut c.motif,
            C::Sexe => &mut c.sexe,
            C::Age => &mut c.age,
            C::Public => &mut c.public,
            C::InscritPe => &mut c.inscrit_pe,
            C::Th => &mut c.th,
            C::Niveau => &mut c.niveau,
            C::Qpv => &mut c.qpv,
            C::EmploiSecteur => &mut c.emploi[0],
            C::EmploiEmployeur => &mut c.emploi[1],
            C::EmploiTaille => &mut c.emploi[2],
            C::EmploiContrat => &mut c.emploi[3],
            C::EmploiMesure => &mut c.emploi[4],
            C::FormationDomaine => &mut c.formation[0],
            C::FormationNiveau => &mut c.formation[1],
            C::FormationValidation => &mut c.formation[2],
            _ => return None,
        })
    }
}

/// A set of parcours columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Columns(u32);

impl Columns {
    pub const NONE: Columns = Columns(0);

    pub fn of(columns: &[ParcoursColumn]) -> Columns {
        Columns(columns.iter().fold(0, |set, &c| set | 1 << c as u8))
    }

    /// Every column but the strings.
    pub fn codes_and_days() -> Columns {
        Columns((1 << ParcoursColumn::Key as u8) - 1)
    }

    pub fn with(self, column: ParcoursColumn) -> Columns {
        Columns(self.0 | 1 << column as u8)
    }

    pub fn union(self, other: Columns) -> Columns {
        Columns(self.0 | other.0)
    }

    pub fn contains(self, column: ParcoursColumn) -> bool {
        self.0 & 1 << column as u8 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = ParcoursColumn> {
        ParcoursColumn::ALL
            .into_iter()
            .filter(move |&c| self.contains(c))
    }
}

/// A column of an étapes chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EtapesColumn {
    /// The parcours's row among its PLIE's parcours (chunk × 65 536 + row), sorted.
    Parcours = 0,
    Etape = 1,
    Debut = 2,
    Fin = 3,
    FinancePlie = 4,
}

impl EtapesColumn {
    pub const ALL: [EtapesColumn; 5] = [
        EtapesColumn::Parcours,
        EtapesColumn::Etape,
        EtapesColumn::Debut,
        EtapesColumn::Fin,
        EtapesColumn::FinancePlie,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EtapesColumn::Parcours => "parcours row",
            EtapesColumn::Etape => "etape",
            EtapesColumn::Debut => "debut",
            EtapesColumn::Fin => "fin",
            EtapesColumn::FinancePlie => "finance_plie",
        }
    }
}

/// What a query may know of a chunk of parcours before reading it.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct ParcoursZone {
    pub rows: u32,
    /// Smallest and largest entry day.
    pub entree: (u16, u16),
    /// Smallest and largest exit day of the parcours that exited, `None` if none has.
    pub sortie: Option<(u16, u16)>,
    /// Whether a parcours of the chunk is still open.
    pub open: bool,
    /// Per code column of [`ZONE_COLUMNS`], the codes present (bit `c` of word `c / 64`).
    pub codes: Vec<[u64; 4]>,
}

/// The code columns whose codes present a zone map keeps: those a filter can name.
pub const ZONE_COLUMNS: [ParcoursColumn; 8] = [
    ParcoursColumn::Motif,
    ParcoursColumn::Sexe,
    ParcoursColumn::Age,
    ParcoursColumn::Public,
    ParcoursColumn::InscritPe,
    ParcoursColumn::Th,
    ParcoursColumn::Niveau,
    ParcoursColumn::Qpv,
];

impl ParcoursZone {
    pub fn of(c: &ParcoursChunk) -> ParcoursZone {
        let min_max = |days: &mut dyn Iterator<Item = u16>| {
            days.fold(None, |acc: Option<(u16, u16)>, d| {
                Some(acc.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
            })
        };
        let mut scratch = c.clone();
        let codes = ZONE_COLUMNS
            .iter()
            .map(|&column| {
                let mut present = [0u64; 4];
                for &v in column.codes(&mut scratch).expect("a code column").iter() {
                    present[usize::from(v / 64)] |= 1 << (v % 64);
                }
                present
            })
            .collect();
        ParcoursZone {
            rows: c.entree.len() as u32,
            entree: min_max(&mut c.entree.iter().copied()).unwrap_or((0, 0)),
            sortie: min_max(&mut c.sortie.iter().copied().filter(|&d| d != u16::MAX)),
            open: c.sortie.contains(&u16::MAX),
            codes,
        }
    }

    /// Whether some row of the chunk has one of the codes `pass` lets through in `column`;
    /// `true` for a column the zone map does not keep.
    pub fn may_hold(&self, column: ParcoursColumn, pass: &[bool; 256]) -> bool {
        let Some(k) = ZONE_COLUMNS.iter().position(|&c| c == column) else {
            return true;
        };
        let Some(present) = self.codes.get(k) else {
            return true;
        };
        (0..256).any(|c| pass[c] && present[c / 64] & 1 << (c % 64) != 0)
    }
}

/// What a query may know of a chunk of étapes before reading it: the parcours rows it covers.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct EtapesZone {
    pub rows: u32,
    /// The first and last parcours row (within the PLIE) its étapes belong to.
    pub parcours: (u32, u32),
}

/// The zone maps of one PLIE's chunks, and its number of distinct participants.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Zones {
    pub parcours: Vec<ParcoursZone>,
    pub etapes: Vec<EtapesZone>,
    pub participants: u32,
}

fn optional_u8(v: u8) -> u32 {
    if v == NONE {
        0
    } else {
        u32::from(v) + 1
    }
}

fn optional_u16(v: u16) -> u32 {
    if v == u16::MAX {
        0
    } else {
        u32::from(v) + 1
    }
}

/// The segment payload of each column of `chunk` (full, with its keys and participant numbers),
/// in [`ParcoursColumn::ALL`]'s order.
pub fn encode_parcours(
    chunk: &ParcoursChunk,
    keys: &[impl AsRef<str>],
    communes: &[impl AsRef<str>],
    participants: &[u32],
) -> Vec<(ParcoursColumn, Vec<u8>)> {
    use ParcoursColumn as C;
    let u8s = |v: &[u8]| codec::packed(&v.iter().map(|&x| optional_u8(x)).collect::<Vec<_>>());
    let u16s = |v: &[u16]| codec::packed(&v.iter().map(|&x| optional_u16(x)).collect::<Vec<_>>());
    let mut scratch = chunk.clone();
    ParcoursColumn::ALL
        .into_iter()
        .map(|column| {
            let bytes = match column {
                C::Entree => codec::sorted(
                    &chunk
                        .entree
                        .iter()
                        .map(|&d| u32::from(d))
                        .collect::<Vec<_>>(),
                ),
                C::Sortie => codec::packed(
                    &chunk
                        .entree
                        .iter()
                        .zip(&chunk.sortie)
                        .map(|(&e, &s)| {
                            if s == u16::MAX {
                                0
                            } else {
                                u32::from(s - e) + 1
                            }
                        })
                        .collect::<Vec<_>>(),
                ),
                C::Naissance => u16s(&chunk.naissance),
                C::Inactivite => u16s(&chunk.inactivite),
                C::FormationDuree => u16s(&chunk.formation_duree_mois),
                C::Participant => codec::packed(participants),
                C::Key => codec::strings(keys),
                C::Commune => codec::strings(communes),
                code => u8s(code.codes(&mut scratch).expect("a code column")),
            };
            (column, bytes)
        })
        .collect()
}

/// Fills `column` of `chunk` (or of `participants` / `keys`) from its segment payload. `Sortie`
/// needs `Entree` decoded first.
pub fn decode_parcours(
    column: ParcoursColumn,
    bytes: &[u8],
    chunk: &mut ParcoursChunk,
    participants: &mut Vec<u32>,
    keys: &mut KeysChunk,
    scratch: &mut Vec<u32>,
) -> Result<(), codec::Invalid> {
    use ParcoursColumn as C;
    // Range checked once per segment, then converted in a loop the compiler vectorises, into the
    // column's vector as it is (a reader reuses its buffers from chunk to chunk).
    fn narrow_u8(scratch: &[u32], bound: u32, out: &mut Vec<u8>) -> Result<(), codec::Invalid> {
        match scratch.iter().max().filter(|_| bound > 255) {
            Some(&max) if max > 255 => Err(format!("code {max} out of range")),
            _ => {
                out.clear();
                out.extend(scratch.iter().map(|&v| (v as u8).wrapping_sub(1)));
                Ok(())
            }
        }
    }
    fn narrow_u16(scratch: &[u32], bound: u32, out: &mut Vec<u16>) -> Result<(), codec::Invalid> {
        match scratch.iter().max().filter(|_| bound > 65_535) {
            Some(&max) if max > 65_535 => Err(format!("value {max} out of range")),
            _ => {
                out.clear();
                out.extend(scratch.iter().map(|&v| (v as u16).wrapping_sub(1)));
                Ok(())
            }
        }
    }
    // Codes and months whose blocks are bounded within range go straight into their column.
    if let Some(out) = column.codes(chunk) {
        if codec::decode_narrow(bytes, 255, out, |v| (v as u8).wrapping_sub(1))? {
            return Ok(());
        }
    }
    let months = match column {
        C::Naissance => Some(&mut chunk.naissance),
        C::Inactivite => Some(&mut chunk.inactivite),
        C::FormationDuree => Some(&mut chunk.formation_duree_mois),
        _ => None,
    };
    if let Some(out) = months {
        if codec::decode_narrow(bytes, 65_535, out, |v| (v as u16).wrapping_sub(1))? {
            return Ok(());
        }
    }
    match column {
        C::Key => keys.participant = codec::decode_strings(bytes)?,
        C::Commune => keys.commune = codec::decode_strings(bytes)?,
        _ => {
            let bound = codec::decode_integers(bytes, scratch)?;
            match column {
                C::Entree => {
                    let max = scratch.iter().max().filter(|_| bound > 65_535);
                    if let Some(&max) = max.filter(|&&d| d > 65_535) {
                        return Err(format!("day {max} out of range"));
                    }
                    chunk.entree.clear();
                    chunk.entree.extend(scratch.iter().map(|&d| d as u16));
                }
                C::Sortie => {
                    if chunk.entree.len() != scratch.len() {
                        return Err("exit days without as many entry days".into());
                    }
                    // Exit days: entry + distance - 1, 0 while in parcours; computed wide, so a
                    // damaged distance is refused, never wrapped into a day.
                    let mut worst = 0u32;
                    chunk.sortie.clear();
                    chunk
                        .sortie
                        .extend(chunk.entree.iter().zip(scratch.iter()).map(|(&e, &x)| {
                            let day = u32::from(e).wrapping_add(x).wrapping_sub(1);
                            if x == 0 {
                                u16::MAX
                            } else {
                                worst = worst.max(day);
                                day as u16
                            }
                        }));
                    if worst >= 65_535 {
                        return Err(format!("an exit on day {worst}"));
                    }
                }
                C::Naissance => narrow_u16(scratch, bound, &mut chunk.naissance)?,
                C::Inactivite => narrow_u16(scratch, bound, &mut chunk.inactivite)?,
                C::FormationDuree => narrow_u16(scratch, bound, &mut chunk.formation_duree_mois)?,
                C::Participant => {
                    participants.clear();
                    participants.extend_from_slice(scratch);
                }
                code => narrow_u8(scratch, bound, code.codes(chunk).expect("a code column"))?,
            }
        }
    }
    Ok(())
}

/// The segment payload of each column of an étapes chunk, in [`EtapesColumn::ALL`]'s order.
pub fn encode_etapes(chunk: &EtapesChunk) -> Vec<(EtapesColumn, Vec<u8>)> {
    let u8s = |v: &[u8]| codec::packed(&v.iter().map(|&x| u32::from(x)).collect::<Vec<_>>());
    EtapesColumn::ALL
        .into_iter()
        .map(|column| {
            let bytes = match column {
                EtapesColumn::Parcours => codec::sorted(&chunk.parcours),
                EtapesColumn::Etape => u8s(&chunk.etape),
                EtapesColumn::Debut => codec::packed(
                    &chunk
                        .debut
                        .iter()
                        .map(|&d| u32::from(d))
                        .collect::<Vec<_>>(),
                ),
                EtapesColumn::Fin => codec::packed(
                    &chunk
                        .debut
                        .iter()
                        .zip(&chunk.fin)
                        .map(|(&d, &f)| {
                            if f == u16::MAX {
                                0
                            } else {
                                // A valid transfer never ends an étape before it starts; the
                                // wrapping keeps any u16 storable all the same.
                                u32::from(f.wrapping_sub(d)) + 1
                            }
                        })
                        .collect::<Vec<_>>(),
                ),
                EtapesColumn::FinancePlie => u8s(&chunk.finance_plie),
            };
            (column, bytes)
        })
        .collect()
}

/// Fills `column` of `chunk` from its segment payload. `Fin` needs `Debut` decoded first.
pub fn decode_etapes(
    column: EtapesColumn,
    bytes: &[u8],
    chunk: &mut EtapesChunk,
    scratch: &mut Vec<u32>,
) -> Result<(), codec::Invalid> {
    // Codes and start days whose blocks are bounded within range go straight into their column.
    let fits = match column {
        EtapesColumn::Etape => codec::decode_narrow(bytes, 255, &mut chunk.etape, |v| v as u8)?,
        EtapesColumn::FinancePlie => {
            codec::decode_narrow(bytes, 255, &mut chunk.finance_plie, |v| v as u8)?
        }
        EtapesColumn::Debut => codec::decode_narrow(bytes, 65_535, &mut chunk.debut, |v| v as u16)?,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    let bound = codec::decode_integers(bytes, scratch)?;
    let too_big = |max: u32| bound > max && scratch.iter().any(|&v| v > max);
    match column {
        EtapesColumn::Parcours => {
            chunk.parcours.clear();
            chunk.parcours.extend_from_slice(scratch);
        }
        EtapesColumn::Etape | EtapesColumn::FinancePlie => {
            if too_big(255) {
                return Err("a code out of range".into());
            }
            let out = if column == EtapesColumn::Etape {
                &mut chunk.etape
            } else {
                &mut chunk.finance_plie
            };
            out.clear();
            out.extend(scratch.iter().map(|&v| v as u8));
        }
        EtapesColumn::Debut => {
            if too_big(65_535) {
                return Err("a day out of range".into());
            }
            chunk.debut.clear();
            chunk.debut.extend(scratch.iter().map(|&v| v as u16));
        }
        EtapesColumn::Fin => {
            if chunk.debut.len() != scratch.len() {
                return Err("end days without as many start days".into());
            }
            if too_big(65_536) {
                return Err("an end too many days after its start".into());
            }
            chunk.fin.clear();
            chunk
                .fin
                .extend(chunk.debut.iter().zip(scratch.iter()).map(|(&d, &x)| {
                    if x == 0 {
                        u16::MAX
                    } else {
                        d.wrapping_add((x - 1) as u16)
                    }
                }));
        }
    }
    Ok(())
}

/// Numbers the participants of one PLIE's parcours (in store order) by first appearance: two
/// rows share a number exactly when they share a key. Returns the numbers and how many there are.
pub fn participant_numbers<'k>(keys: impl Iterator<Item = &'k str>) -> (Vec<u32>, u32) {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let numbers = keys
        .map(|k| {
            let next = seen.len() as u32;
            *seen.entry(k).or_insert(next)
        })
        .collect();
    (numbers, seen.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk() -> (ParcoursChunk, KeysChunk) {
        let n = 300;
        let mut c = ParcoursChunk::default();
        let mut k = KeysChunk::default();
        for i in 0..n {
            let e = 9_000 + i as u16 / 3;
            c.entree.push(e);
            c.sortie.push(if i % 4 == 0 {
                u16::MAX
            } else {
                e + i as u16 % 700
            });
            c.motif.push(if i % 4 == 0 { NONE } else { (i % 6) as u8 });
            c.sexe.push((i % 2) as u8);
            c.naissance.push(23_000 + i as u16);
            c.age.push(15 + (i % 80) as u8);
            c.public.push((i % 3) as u8);
            c.inscrit_pe.push((i % 2) as u8);
            c.th.push(((i / 2) % 2) as u8);
            c.niveau.push((i % 9) as u8);
            c.inactivite
                .push(if i % 5 == 0 { u16::MAX } else { i as u16 % 90 });
            c.qpv.push([0, 1, NONE][i % 3]);
            for (b, col) in c.emploi.iter_mut().enumerate() {
                col.push(if i % 3 == 0 { (b + i % 4) as u8 } else { NONE });
            }
            for col in c.formation.iter_mut() {
                col.push(if i % 7 == 0 { 2 } else { NONE });
            }
            c.formation_duree_mois
                .push(if i % 7 == 0 { 6 } else { u16::MAX });
            k.participant.push(format!("p{}", i % 250));
            k.commune.push(if i % 2 == 0 {
                "44109".into()
            } else {
                String::new()
            });
        }
        (c, k)
    }

    #[test]
    fn a_chunk_round_trips_column_by_column() {
        let (c, k) = chunk();
        let (numbers, distinct) = participant_numbers(k.participant.iter().map(String::as_str));
        assert_eq!(distinct, 250);
        let segments = encode_parcours(&c, &k.participant, &k.commune, &numbers);
        let (mut back, mut keys, mut participants, mut scratch) = (
            ParcoursChunk::default(),
            KeysChunk::default(),
            Vec::new(),
            Vec::new(),
        );
        for (column, bytes) in &segments {
            decode_parcours(
                *column,
                bytes,
                &mut back,
                &mut participants,
                &mut keys,
                &mut scratch,
            )
            .unwrap();
        }
        assert_eq!(back, c);
        assert_eq!(keys, k);
        assert_eq!(participants, numbers);
        let total: usize = segments.iter().map(|(_, b)| b.len()).sum();
        assert!(total < 300 * 20, "{total} bytes for 300 parcours");
    }

    #[test]
    fn etapes_round_trip() {
        let c = EtapesChunk {
            parcours: vec![0, 0, 1, 5, 5, 5, 9],
            etape: vec![0, 3, 2, 1, 1, 7, 4],
            debut: vec![9_000, 9_010, 9_100, 9_200, 9_300, 9_301, 12_000],
            fin: vec![9_005, u16::MAX, 9_100, 9_400, u16::MAX, 9_302, 12_500],
            finance_plie: vec![1, 0, 1, 1, 0, 0, 1],
        };
        let mut back = EtapesChunk::default();
        let mut scratch = Vec::new();
        for (column, bytes) in encode_etapes(&c) {
            decode_etapes(column, &bytes, &mut back, &mut scratch).unwrap();
        }
        assert_eq!(back, c);
    }

    #[test]
    fn zone_maps_know_codes_and_days() {
        let (c, _) = chunk();
        let zone = ParcoursZone::of(&c);
        assert_eq!(zone.entree, (9_000, 9_099));
        assert!(zone.open);
        let mut pass = [false; 256];
        pass[2] = true;
        assert!(zone.may_hold(ParcoursColumn::Public, &pass));
        pass = [false; 256];
        pass[3] = true;
        assert!(!zone.may_hold(ParcoursColumn::Public, &pass));
        assert!(zone.may_hold(ParcoursColumn::Naissance, &pass));
    }
}
