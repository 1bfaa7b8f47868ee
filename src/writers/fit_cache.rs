//! The fit cache: a fitted playbook (and its certificate, once computed) remembered by what it
//! was fitted to, so that running the same scenario again, a compare arm, a sweep point seen
//! before or another shard of the same run does not fit again.
//!
//! An entry is content-addressed: its file name is a SHA-256 of the build (a hash of orgsim's
//! sources and locked dependencies, stamped by `build.rs`) and of the resolved scenario (after
//! every `--set`, less its `name` and `description`, which no fit reads). The fit is a pure
//! function of those two (`sim::fit`), so an entry found under its key is the playbook a fresh
//! fit would give, to the bit; a different build or a changed scenario is a different key, never
//! a stale hit.
//!
//! An entry is trusted only if it says it is one (its format and its own key) and fits the model
//! (a rule per lever, each option on the lever's menu, a fit per role); anything else is ignored
//! with the reason, and fitted afresh. Entries are written whole or not at all (a temporary file
//! renamed into place), and the cache deletes nothing.

use crate::scenario::model::Model;
use crate::scenario::playbook::Playbook;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What an entry file says it is.
const FORMAT: &str = "orgsim fit cache 1";

/// The build's stamp: a hash of the sources it was built from (`build.rs`).
pub const BUILD: &str = env!("ORGSIM_SOURCE_HASH");

/// A folder of cached playbooks.
#[derive(Debug, Clone)]
pub struct FitCache {
    dir: PathBuf,
}

/// What looking a model up found.
#[derive(Debug)]
pub enum Lookup {
    /// A playbook fitted to this model by this build.
    Hit(Box<Playbook>),
    /// No entry.
    Miss,
    /// An entry that could not be trusted, and why: it is refitted (and replaced).
    Ignored(String),
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: String,
    key: String,
    scenario: String,
    playbook: Playbook,
}

impl FitCache {
    /// The cache in `dir` (created when the first entry is written).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        FitCache { dir: dir.into() }
    }

    /// The folder the entries live in (`playbooks/` under the cache).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a model: what its fitted playbook depends on.
    pub fn key(model: &Model) -> String {
        let mut scenario = serde_json::json!(model.scenario);
        if let Some(map) = scenario.as_object_mut() {
            map.remove("name");
            map.remove("description");
        }
        let mut h = Sha256::new();
        h.update(FORMAT.as_bytes());
        h.update([0]);
        h.update(BUILD.as_bytes());
        h.update([0]);
        h.update(scenario.to_string().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Looks up the playbook fitted to `model`.
    pub fn lookup(&self, model: &Model) -> Lookup {
        let key = Self::key(model);
        let path = self.path(&key);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => return Lookup::Ignored(format!("{}: {e}", path.display())),
        };
        let entry: Entry = match serde_json::from_str(&text) {
            Ok(e) => e,
            Err(e) => {
                return Lookup::Ignored(format!("{}: not a cache entry ({e})", path.display()))
            }
        };
        if entry.format != FORMAT || entry.key != key {
            return Lookup::Ignored(format!(
                "{}: an entry for another key or format ({:?}, {:?})",
                path.display(),
                entry.format,
                entry.key
            ));
        }
        match fits(model, &entry.playbook) {
            Ok(()) => Lookup::Hit(Box::new(entry.playbook)),
            Err(why) => Lookup::Ignored(format!("{}: {why}", path.display())),
        }
    }

    /// Remembers the playbook fitted to `model`. The entry is written only if it reads back
    /// equal, to the bit (a float JSON could not carry exactly is not cached), and whole: a
    /// temporary file in the same folder is renamed over the entry.
    pub fn store(&self, model: &Model, playbook: &Playbook) -> std::io::Result<()> {
        let key = Self::key(model);
        let entry = Entry {
            format: FORMAT.into(),
            key: key.clone(),
            scenario: model.scenario.name.clone(),
            playbook: playbook.clone(),
        };
        let text = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        if !survives_json(&text, |e: Entry| e.playbook == *playbook) {
            return Err(std::io::Error::other(
                "the playbook does not survive JSON exactly",
            ));
        }
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, self.path(&key)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// A playbook with the key of the model it was fitted to: what a shard's partial carries, so
/// that `orgsim merge` need not fit again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Keyed {
    /// [`FitCache::key`] of the model.
    pub key: String,
    /// Its fitted playbook.
    pub playbook: Playbook,
}

impl Keyed {
    /// The playbook fitted to `model`, keyed; `None` if JSON would not carry it exactly.
    pub fn of(model: &Model, playbook: &Playbook) -> Option<Keyed> {
        let keyed = Keyed {
            key: FitCache::key(model),
            playbook: playbook.clone(),
        };
        let text = serde_json::to_string(&keyed).ok()?;
        survives_json(&text, |k: Keyed| k.playbook == *playbook).then_some(keyed)
    }

    /// The playbook, if it was fitted to `model` by this build and fits it.
    pub fn playbook_for(&self, model: &Model) -> Option<Playbook> {
        (self.key == FitCache::key(model) && fits(model, &self.playbook).is_ok())
            .then(|| self.playbook.clone())
    }
}

/// Whether `text` parses back into something `same` accepts. serde_json prints the shortest
/// decimal that names a float, but its parser is not guaranteed to round every such decimal back
/// to the same float: a playbook is cached only when it does, so a cached run's bytes are a
/// fresh run's.
fn survives_json<T: serde::de::DeserializeOwned>(text: &str, same: impl Fn(T) -> bool) -> bool {
    serde_json::from_str(text).is_ok_and(same)
}

/// Whether a playbook can be this model's: one rule per lever with options on its menu, and a
/// fit per role.
fn fits(model: &Model, p: &Playbook) -> Result<(), String> {
    if p.rules.len() != model.levers.len() {
        return Err(format!(
            "{} rules for {} levers",
            p.rules.len(),
            model.levers.len()
        ));
    }
    for (rule, lever) in p.rules.iter().zip(&model.levers) {
        let n = lever.options.len();
        if rule.base >= n
            || rule.push >= n
            || rule.trigger >= crate::scenario::playbook::TRIGGERS.len()
        {
            return Err(format!("a rule outside lever {}'s menu", lever.name));
        }
    }
    if p.fitted && p.fits.len() != model.roles.len() {
        return Err(format!(
            "{} fits for {} roles",
            p.fits.len(),
            model.roles.len()
        ));
    }
    Ok(())
}
