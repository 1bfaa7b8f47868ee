//! A shard's partial result, `partial.json`, as typed data: the identity of the command it is a
//! part of ([`ShardIdentity`]) and what the shard computed ([`ShardPartial`]: a run's aggregate,
//! a sweep's points or a comparison's sums). The writers write it, `orgsim merge` reads it back
//! with [`ShardPartial::from_json`].
//!
//! The fields are declared in the order the file holds them: serialising these types gives the
//! very bytes earlier builds wrote, so a shard written by one build merges with another's.

use crate::experiment::compare::Sums;
use crate::experiment::sweep::Point;
use crate::stats::metrics::Aggregate;
use crate::writers::fit_cache::Keyed;
use serde::{Deserialize, Serialize, Serializer};

/// The file a shard writes: who it belongs to and what it computed.
pub const PARTIAL: &str = "partial.json";

/// Which command a shard belongs to: everything that decides its numbers. `orgsim merge`
/// requires every shard's to be equal, and a shard whose folder already holds a complete
/// partial of the same command is skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardIdentity {
    /// The orgsim version that wrote it.
    pub orgsim_version: String,
    /// Where the scenario came from (`built-in NAME` or a path).
    pub scenario_source: String,
    /// The SHA-256 of the scenario text, in hex.
    pub scenario_sha256: String,
    /// The `--set` overrides (a comparison's: those every arm shares).
    pub sets: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// The trials of the whole command (of every point, of every arm).
    pub trials: u64,
    /// How many shards the command is split into.
    pub shards: u64,
    /// The scenario text itself, so that `merge` needs no access to the scenario file.
    pub scenario_text: String,
    /// What kind of command, and what only that kind has.
    #[serde(flatten)]
    pub of: ShardOf,
}

/// The command a shard is part of, with what only that kind of command has; `kind` in the
/// identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ShardOf {
    /// `orgsim run --shard I/N`.
    Run {
        /// The run's name (`--name`, else the scenario's).
        name: String,
        /// Whether the merge certifies the playbook (a shard never does).
        #[serde(default)]
        certificate: bool,
    },
    /// `orgsim sweep --shard I/N`.
    Sweep {
        /// The scenario's name.
        name: String,
        /// The `--vary` arguments, as given.
        vary: Vec<String>,
    },
    /// `orgsim compare --shard I/N`.
    Compare {
        /// Every arm, in order.
        arms: Vec<ArmIdentity>,
    },
}

/// One arm of a comparison, as its shards' identity holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmIdentity {
    /// The arm's label.
    pub label: String,
    /// Where its scenario came from.
    pub scenario_source: String,
    /// Its scenario text.
    pub scenario_text: String,
    /// Its overrides: the shared ones, then its own.
    pub sets: Vec<String>,
}

/// What one shard of a run writes beside its `trials.csv`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunPartial {
    /// The run it belongs to ([`ShardOf::Run`]).
    pub identity: ShardIdentity,
    /// Which shard, from 1.
    pub shard: u64,
    /// The trials this shard ran.
    pub trials_in_shard: u64,
    /// The shard's command line.
    pub command: Vec<String>,
    /// The playbooks it ran with, keyed by the model each was fitted to (none in a partial of
    /// an older orgsim).
    #[serde(default)]
    pub playbooks: Vec<Keyed>,
    /// Its trials' exact aggregate.
    pub aggregate: Aggregate,
}

/// What one shard of a sweep writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepPartial {
    /// The sweep it belongs to ([`ShardOf::Sweep`]).
    pub identity: ShardIdentity,
    /// Which shard, from 1.
    pub shard: u64,
    /// The grid index of its first point.
    pub first_point: usize,
    /// The shard's command line.
    pub command: Vec<String>,
    /// Its points, in grid order.
    pub points: Vec<Point>,
}

/// What one shard of a comparison writes.
#[derive(Clone, Serialize, Deserialize)]
pub struct ComparePartial {
    /// The comparison it belongs to ([`ShardOf::Compare`]).
    pub identity: ShardIdentity,
    /// Which shard, from 1.
    pub shard: u64,
    /// The shard's command line.
    pub command: Vec<String>,
    /// The playbooks its arms ran with, keyed by the model each was fitted to.
    #[serde(default)]
    pub playbooks: Vec<Keyed>,
    /// Its exact sums, every arm's.
    pub sums: Sums,
}

/// A shard's `partial.json`. A sweep's and a comparison's carry their `kind` first; a run's
/// has none of its own (its identity says `"kind": "run"`), as the first sharded runs wrote it.
/// Reading one checks that the partial's kind is its identity's.
#[derive(Clone)]
pub enum ShardPartial {
    /// A run's shard.
    Run(RunPartial),
    /// A sweep's shard.
    Sweep(SweepPartial),
    /// A comparison's shard.
    Compare(ComparePartial),
}

impl ShardPartial {
    /// The identity of the command the shard is part of.
    pub fn identity(&self) -> &ShardIdentity {
        match self {
            ShardPartial::Run(p) => &p.identity,
            ShardPartial::Sweep(p) => &p.identity,
            ShardPartial::Compare(p) => &p.identity,
        }
    }

    /// Which shard, from 1.
    pub fn shard(&self) -> u64 {
        match self {
            ShardPartial::Run(p) => p.shard,
            ShardPartial::Sweep(p) => p.shard,
            ShardPartial::Compare(p) => p.shard,
        }
    }

    /// The shard's command line.
    pub fn command(&self) -> &[String] {
        match self {
            ShardPartial::Run(p) => &p.command,
            ShardPartial::Sweep(p) => &p.command,
            ShardPartial::Compare(p) => &p.command,
        }
    }

    /// The playbooks the shard ran with (a sweep's partial carries none).
    pub fn playbooks(&self) -> &[Keyed] {
        match self {
            ShardPartial::Run(p) => &p.playbooks,
            ShardPartial::Sweep(_) => &[],
            ShardPartial::Compare(p) => &p.playbooks,
        }
    }

    /// The partial's kind as its `kind` field names it (`run` for a run's, which has none).
    fn kind(&self) -> &'static str {
        match self {
            ShardPartial::Run(_) => "run",
            ShardPartial::Sweep(_) => "sweep",
            ShardPartial::Compare(_) => "compare",
        }
    }
}

impl ShardOf {
    /// The kind, as the identity's `kind` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            ShardOf::Run { .. } => "run",
            ShardOf::Sweep { .. } => "sweep",
            ShardOf::Compare { .. } => "compare",
        }
    }
}

/// A sweep's and a comparison's partial as written: `kind` first, then their own fields.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Tagged<S, C> {
    Sweep(S),
    Compare(C),
}

impl Serialize for ShardPartial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ShardPartial::Run(p) => p.serialize(s),
            ShardPartial::Sweep(p) => Tagged::<_, &ComparePartial>::Sweep(p).serialize(s),
            ShardPartial::Compare(p) => Tagged::<&SweepPartial, _>::Compare(p).serialize(s),
        }
    }
}

impl ShardPartial {
    /// Reads a partial from the text of its file, and checks that its kind is its identity's.
    ///
    /// Each kind is parsed straight from the text, never through a `serde_json::Value` or an
    /// internally tagged enum: both buffer the document first, and a buffered map's keys are
    /// strings, while an aggregate's sketches keep their buckets in maps keyed by integers
    /// (`"1063446": 1`), which serde_json reads from a file's text only.
    pub fn from_json(text: &str) -> serde_json::Result<ShardPartial> {
        use serde::de::Error as _;
        #[derive(Deserialize)]
        struct Head {
            kind: Option<String>,
        }
        let head: Head = serde_json::from_str(text)?;
        let partial = match head.kind.as_deref() {
            None => ShardPartial::Run(serde_json::from_str(text)?),
            Some("sweep") => ShardPartial::Sweep(serde_json::from_str(text)?),
            Some("compare") => ShardPartial::Compare(serde_json::from_str(text)?),
            Some(other) => {
                let kinds = &["sweep", "compare"];
                return Err(serde_json::Error::unknown_variant(other, kinds));
            }
        };
        let (kind, of) = (partial.kind(), partial.identity().of.kind());
        if kind != of {
            return Err(serde_json::Error::custom(format!(
                "a {kind}'s partial with the identity of a {of}"
            )));
        }
        Ok(partial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(of: ShardOf) -> ShardIdentity {
        ShardIdentity {
            orgsim_version: "0.1.0".into(),
            scenario_source: "built-in x".into(),
            scenario_sha256: "ab".into(),
            sets: vec!["seed=1".into()],
            seed: 4,
            trials: 30,
            shards: 2,
            scenario_text: "{}".into(),
            of,
        }
    }

    const COMMON: &str = r#""orgsim_version":"0.1.0","scenario_source":"built-in x","scenario_sha256":"ab","sets":["seed=1"],"seed":4,"trials":30,"shards":2,"scenario_text":"{}""#;

    /// Each kind's identity holds its fields in the order the first sharded commands wrote
    /// them, `kind` after the scenario text.
    #[test]
    fn identities_keep_the_layout_of_the_file() {
        let cases = [
            (
                ShardOf::Run {
                    name: "n".into(),
                    certificate: true,
                },
                r#""kind":"run","name":"n","certificate":true"#,
            ),
            (
                ShardOf::Sweep {
                    name: "n".into(),
                    vary: vec!["a=0:1:2".into()],
                },
                r#""kind":"sweep","name":"n","vary":["a=0:1:2"]"#,
            ),
            (
                ShardOf::Compare {
                    arms: vec![ArmIdentity {
                        label: "l".into(),
                        scenario_source: "s".into(),
                        scenario_text: "t".into(),
                        sets: vec![],
                    }],
                },
                r#""kind":"compare","arms":[{"label":"l","scenario_source":"s","scenario_text":"t","sets":[]}]"#,
            ),
        ];
        for (of, own) in cases {
            let id = identity(of);
            let text = serde_json::to_string(&id).unwrap();
            assert_eq!(text, format!("{{{COMMON},{own}}}"));
            assert_eq!(serde_json::from_str::<ShardIdentity>(&text).unwrap(), id);
        }
    }

    /// A partial reads back to the very bytes it was written as; a sweep's and a comparison's
    /// carry their kind first, a run's none.
    #[test]
    fn partials_read_back_to_the_same_bytes() {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        let model = crate::scenario::load::load(&source, &[]).unwrap();
        let run = ShardPartial::Run(RunPartial {
            identity: identity(ShardOf::Run {
                name: "n".into(),
                certificate: false,
            }),
            shard: 1,
            trials_in_shard: 0,
            command: vec!["orgsim".into()],
            playbooks: vec![],
            aggregate: Aggregate::new(&model),
        });
        let sweep = ShardPartial::Sweep(SweepPartial {
            identity: identity(ShardOf::Sweep {
                name: "n".into(),
                vary: vec![],
            }),
            shard: 2,
            first_point: 3,
            command: vec!["orgsim".into()],
            points: vec![],
        });
        let compare = ShardPartial::Compare(ComparePartial {
            identity: identity(ShardOf::Compare { arms: vec![] }),
            shard: 1,
            command: vec!["orgsim".into()],
            playbooks: vec![],
            sums: Sums::new(&[], 0),
        });
        for (p, starts) in [
            (run, "{\"identity\":"),
            (sweep, "{\"kind\":\"sweep\",\"identity\":"),
            (compare, "{\"kind\":\"compare\",\"identity\":"),
        ] {
            let text = serde_json::to_string(&p).unwrap();
            assert!(text.starts_with(starts), "{text}");
            let back = ShardPartial::from_json(&text).unwrap();
            assert_eq!(back.kind(), p.kind());
            assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
        let sweep = format!(
            r#"{{"kind":"sweep","identity":{{{COMMON},"kind":"sweep","name":"n","vary":[]}},"shard":2,"first_point":3,"command":["orgsim"],"points":[]}}"#
        );
        let p = ShardPartial::from_json(&sweep).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), sweep);
    }

    /// A partial with a field missing, of an unknown kind, or whose kind is not its identity's
    /// is refused, saying why.
    #[test]
    fn a_bad_partial_says_what_is_wrong() {
        let err = |text: String| ShardPartial::from_json(&text).err().unwrap();
        let sweep_id = format!(r#"{{{COMMON},"kind":"sweep","name":"n","vary":[]}}"#);
        let e = err(format!(
            r#"{{"kind":"sweep","identity":{sweep_id},"shard":2,"command":[],"points":[]}}"#
        ));
        assert!(e.to_string().contains("missing field `first_point`"), "{e}");
        let e = err(format!(
            r#"{{"kind":"swept","identity":{sweep_id},"shard":2,"command":[],"points":[]}}"#
        ));
        assert!(e.to_string().contains("unknown variant `swept`"), "{e}");
        let e = err(format!(
            r#"{{"kind":"compare","identity":{sweep_id},"shard":2,"command":[],"sums":{{"value":[],"diff":[],"aggregates":[]}}}}"#
        ));
        assert!(
            e.to_string()
                .contains("a compare's partial with the identity of a sweep"),
            "{e}"
        );
        let e = err(format!(
            r#"{{"kind":"sweep","identity":{{{COMMON}}},"shard":2,"first_point":0,"command":[],"points":[]}}"#
        ));
        assert!(e.to_string().contains("missing field `kind`"), "{e}");
    }

    /// A partial whose aggregate's sketches hold buckets (past the values a sketch keeps
    /// unbucketed) reads back to the same bytes: the buckets are maps keyed by integers, which
    /// a reader that buffers the document first (a `serde_json::Value`, an internally tagged
    /// enum) refuses.
    #[test]
    fn a_partial_with_bucketed_sketches_reads_back() {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        let sets = ["world.stores=2".to_string(), "horizon_weeks=8".to_string()];
        let model = crate::scenario::load::load(&source, &sets).unwrap();
        let mut aggregate = Aggregate::new(&model);
        for trial in 0..1_100 {
            aggregate.add(&crate::sim::trial::run_trial(&model, 1, trial));
        }
        let partial = ShardPartial::Run(RunPartial {
            identity: identity(ShardOf::Run {
                name: "n".into(),
                certificate: false,
            }),
            shard: 1,
            trials_in_shard: 1_100,
            command: vec!["orgsim".into()],
            playbooks: Vec::new(),
            aggregate,
        });
        let text = serde_json::to_string(&partial).unwrap();
        assert!(
            text.contains("\"buckets\":{\""),
            "no bucketed sketch to read back"
        );
        let back = ShardPartial::from_json(&text).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}
