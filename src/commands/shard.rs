//! Shards for a cluster: parsing `--shard I/N`, which run a shard belongs to (its identity),
//! and reading a shard's partial result back for `merge`.

use super::*;

/// Parses `--shard I/N` (1 <= I <= N).
pub(crate) fn parse_shard(text: &str) -> Result<orgsim::run::chunks::Shard, Error> {
    let bad = || {
        Error::Usage(format!(
            "--shard: expected I/N with 1 <= I <= N <= 100000 (e.g. 3/8), found '{text}'"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n || n > 100_000 {
        return Err(bad());
    }
    Ok(orgsim::run::chunks::Shard {
        index: i - 1,
        count: n,
    })
}

/// Which run a shard belongs to: everything that decides its numbers. `merge` requires every
/// shard's to be equal, and a shard whose folder already holds a complete partial of the same
/// run is skipped.
pub(crate) fn shard_identity(
    model: &orgsim::scenario::model::Model,
    source: &load::Source,
    sets: &[String],
    seed: u64,
    trials: u64,
    shard: orgsim::run::chunks::Shard,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = shard_identity_of(source, sets, seed, trials, shard);
    m.insert("kind".into(), "run".into());
    m.insert("name".into(), model.name.clone().into());
    m
}

/// The identity every kind of shard shares: version, scenario, overrides, seed, trials, shards.
pub(crate) fn shard_identity_of(
    source: &load::Source,
    sets: &[String],
    seed: u64,
    trials: u64,
    shard: orgsim::run::chunks::Shard,
) -> serde_json::Map<String, serde_json::Value> {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(source.text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut m = serde_json::Map::new();
    m.insert("orgsim_version".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("scenario_source".into(), source.name.clone().into());
    m.insert("scenario_sha256".into(), sha.into());
    m.insert("sets".into(), sets.to_vec().into());
    m.insert("seed".into(), seed.into());
    m.insert("trials".into(), trials.into());
    m.insert("shards".into(), shard.count.into());
    // The text itself, so that `merge` needs no access to the scenario file.
    m.insert("scenario_text".into(), source.text.clone().into());
    m
}

/// A shard's partial result, as `merge` reads it: a run's (its aggregate) or a sweep's (its
/// points).
pub(crate) struct ShardPart {
    pub(crate) dir: PathBuf,
    pub(crate) identity: serde_json::Map<String, serde_json::Value>,
    pub(crate) index: u64,
    pub(crate) command: Vec<String>,
    pub(crate) aggregate: Option<orgsim::stats::metrics::Aggregate>,
    pub(crate) points: Option<Vec<orgsim::experiment::sweep::Point>>,
    pub(crate) sums: Option<orgsim::experiment::compare::Sums>,
    /// The playbooks the shard ran with (none in a partial of an older orgsim).
    pub(crate) playbooks: Vec<orgsim::writers::fit_cache::Keyed>,
}

pub(crate) fn read_part(dir: &std::path::Path) -> Result<ShardPart, Error> {
    let path = dir.join(output::PARTIAL);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a shard's folder (no readable {}: {e})",
            dir.display(),
            output::PARTIAL
        ))
    })?;
    #[derive(serde::Deserialize)]
    struct Doc {
        identity: serde_json::Map<String, serde_json::Value>,
        shard: u64,
        command: Vec<String>,
        aggregate: Option<orgsim::stats::metrics::Aggregate>,
        points: Option<Vec<orgsim::experiment::sweep::Point>>,
        sums: Option<orgsim::experiment::compare::Sums>,
        #[serde(default)]
        playbooks: Vec<orgsim::writers::fit_cache::Keyed>,
    }
    let doc: Doc = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{}: not a partial result of orgsim run --shard ({e})",
            path.display()
        ))
    })?;
    Ok(ShardPart {
        dir: dir.to_path_buf(),
        identity: doc.identity,
        index: doc.shard,
        command: doc.command,
        aggregate: doc.aggregate,
        points: doc.points,
        sums: doc.sums,
        playbooks: doc.playbooks,
    })
}

/// Whether `out` already holds the complete partial of this shard of this run.
pub(crate) fn shard_complete(
    out: &std::path::Path,
    identity: &serde_json::Map<String, serde_json::Value>,
    shard: orgsim::run::chunks::Shard,
) -> bool {
    out.join("manifest.json").is_file()
        && read_part(out).is_ok_and(|p| &p.identity == identity && p.index == shard.index + 1)
}
