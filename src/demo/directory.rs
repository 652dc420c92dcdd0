//! The demo directory: real Swedish municipalities and agencies, with synthetic contacts.

use std::collections::BTreeMap;

use crate::domain::enums::{ContactRole, OrgKind};
use crate::store::ChangeSet;

use super::Gen;

/// Municipalities the demo clients live in, with a weight and some districts (stadsdelar).
pub const MUNICIPALITIES: &[(&str, u32, &[&str])] = &[
    ("Göteborg", 30, &["Västra Hisingen", "Västra Göteborg", "Biskopsgården", "Tynnered", "Centrum"]),
    ("Stockholm", 25, &["Rinkeby-Kista", "Skärholmen", "Södermalm", "Farsta"]),
    ("Malmö", 15, &["Rosengård", "Fosie", "Centrum"]),
    ("Örebro", 8, &[]),
    ("Norrköping", 7, &[]),
    ("Umeå", 7, &[]),
    ("Uppsala", 5, &[]),
    ("Linköping", 3, &[]),
];

/// Prisons with their security class.
const PRISONS: &[(&str, i64)] = &[
    ("Anstalten Kumla", 1),
    ("Anstalten Hall", 1),
    ("Anstalten Tidaholm", 1),
    ("Anstalten Hinseberg", 1),
    ("Anstalten Salberga", 2),
    ("Anstalten Skänninge", 2),
    ("Anstalten Skogome", 2),
    ("Anstalten Ystad", 2),
    ("Anstalten Umeå", 2),
    ("Anstalten Täby", 3),
];

/// A contact person of an organisation.
#[derive(Debug, Clone)]
pub struct Contact {
    /// Row id.
    pub id: String,
}

/// An organisation of the directory.
#[derive(Debug, Clone)]
pub struct Org {
    /// Row id.
    pub id: String,
    /// Kind.
    pub kind: OrgKind,
    /// Its contacts.
    pub contacts: Vec<Contact>,
    /// Display name.
    pub name: String,
}

/// The organisations of one municipality.
#[derive(Debug, Clone)]
pub struct Local {
    /// Probation office (frivårdskontor).
    pub frivard: Org,
    /// Social services.
    pub social: Org,
    /// Arbetsförmedlingen's local office.
    pub af: Org,
    /// Budget and debt advice.
    pub bus: Org,
    /// Regional psychiatry.
    pub psychiatry: Org,
    /// Addiction care.
    pub addiction: Org,
    /// Police area.
    pub police: Org,
    /// Municipal housing company.
    pub landlord: Org,
    /// Adult education.
    pub komvux: Org,
    /// KRIS local association.
    pub kris: Org,
}

/// The whole demo directory.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Organisations per municipality.
    pub local: BTreeMap<&'static str, Local>,
    /// Prisons.
    pub prisons: Vec<(Org, i64)>,
    /// Kronofogden (national).
    pub kronofogden: Org,
    /// Försäkringskassan (national).
    pub fk: Org,
    /// RFS, support persons.
    pub rfs: Org,
    /// Fryshuset Passus, gang exit.
    pub passus: Org,
}

impl Gen {
    fn org(
        &mut self,
        cs: &mut ChangeSet,
        name: String,
        kind: OrgKind,
        muni: Option<&str>,
        contacts: &[(ContactRole, usize)],
    ) -> Org {
        self.org_with_class(cs, name, kind, muni, None, contacts)
    }

    fn org_with_class(
        &mut self,
        cs: &mut ChangeSet,
        name: String,
        kind: OrgKind,
        muni: Option<&str>,
        class: Option<i64>,
        contacts: &[(ContactRole, usize)],
    ) -> Org {
        let id = self.id();
        cs.insert_with_id("organisation", id.clone())
            .set("name", name.clone())
            .set("kind", kind.code())
            .set_opt("municipality", muni)
            .set_opt("security_class", class)
            .set("phone", self.phone());
        let mut list = Vec::new();
        for &(role, n) in contacts {
            for _ in 0..n {
                let cid = self.id();
                let verified = self.today - chrono::Days::new(self.rng_range(0, 400) as u64);
                let woman = self.rng_bool(0.6);
                let name = self.person_name(woman);
                cs.insert_with_id("contact", cid.clone())
                    .set("org_id", id.clone())
                    .set("name", name)
                    .set("role", role.code())
                    .set("function", role.label(crate::i18n::Lang::Sv))
                    .set("phone", self.phone())
                    .set("last_verified", verified.to_string());
                list.push(Contact { id: cid });
            }
        }
        Org { id, kind, contacts: list, name }
    }

    /// Writes the directory into the change set and returns it.
    pub fn directory(&mut self, cs: &mut ChangeSet) -> Directory {
        use ContactRole as R;
        use OrgKind as K;
        let mut local = BTreeMap::new();
        for &(m, _, _) in MUNICIPALITIES {
            let frivard = self.org(
                cs,
                format!("Frivården {m}"),
                K::Frivard,
                Some(m),
                &[(R::Frivardsinspektor, 4), (R::Kriminalvardsinspektor, 1)],
            );
            let social = self.org(
                cs,
                format!("Socialtjänsten {m}"),
                K::Socialtjanst,
                Some(m),
                &[(R::Socialsekreterare, 3), (R::Boendesamordnare, 1), (R::SigKoordinator, 1)],
            );
            let af = self.org(
                cs,
                format!("Arbetsförmedlingen {m}"),
                K::Arbetsformedlingen,
                Some(m),
                &[(R::Arbetsformedlare, 2)],
            );
            let bus =
                self.org(cs, format!("Budget- och skuldrådgivningen {m}"), K::Bus, Some(m), &[(R::BusRadgivare, 1)]);
            let psychiatry = self.org(
                cs,
                format!("Psykiatrin {m}"),
                K::Psykiatri,
                Some(m),
                &[(R::Lakare, 1), (R::Sjukskoterska, 1)],
            );
            let addiction =
                self.org(cs, format!("Beroendemottagningen {m}"), K::Beroendevard, Some(m), &[(R::Sjukskoterska, 2)]);
            let police = self.org(cs, format!("Polisen, lokalpolisområde {m}"), K::Polis, Some(m), &[(R::Polis, 1)]);
            let landlord =
                self.org(cs, format!("Kommunala bostadsbolaget {m}"), K::Hyresvard, Some(m), &[(R::Annan, 1)]);
            let komvux = self.org(cs, format!("Komvux {m}"), K::Utbildning, Some(m), &[(R::Studievagledare, 1)]);
            let kris = self.org(cs, format!("KRIS {m}"), K::CivilOrg, Some(m), &[(R::Stodperson, 2)]);
            local.insert(m, Local { frivard, social, af, bus, psychiatry, addiction, police, landlord, komvux, kris });
        }
        let mut prisons = Vec::new();
        for &(name, class) in PRISONS {
            let contacts = [(R::Klienthandlaggare, 2), (R::KontaktpersonAnstalt, 1)];
            let org = self.org_with_class(cs, name.to_owned(), K::Anstalt, None, Some(class), &contacts);
            prisons.push((org, class));
        }
        let kronofogden =
            self.org(cs, "Kronofogden".to_owned(), K::Kronofogden, None, &[(R::KronofogdenHandlaggare, 2)]);
        let fk = self.org(cs, "Försäkringskassan".to_owned(), K::Forsakringskassan, None, &[(R::Annan, 1)]);
        let rfs = self.org(
            cs,
            "RFS – Riksförbundet för kriminalvårdens frivilliga".to_owned(),
            K::CivilOrg,
            None,
            &[(R::BitradandeOvervakare, 3)],
        );
        let passus = self.org(cs, "Fryshuset Passus".to_owned(), K::CivilOrg, None, &[(R::Annan, 1)]);
        let id = self.id();
        cs.insert_with_id("org_structure", id.clone())
            .set("name", "Inslussningsgruppens chefsmöte")
            .set("frequency_per_year", 4)
            .set("updated_on", (self.today - chrono::Days::new(120)).to_string());
        for org in [&local["Göteborg"].frivard, &local["Göteborg"].social, &local["Göteborg"].af] {
            let mid = self.id();
            cs.insert_with_id("org_structure_member", mid)
                .set("structure_id", id.clone())
                .set("org_id", org.id.clone());
        }
        Directory { local, prisons, kronofogden, fk, rfs, passus }
    }
}
