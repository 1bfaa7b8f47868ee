//! Shards for a cluster: parsing `--shard I/N`, which run a shard belongs to (its identity),
//! and reading a shard's partial result back for `merge`.

use super::*;
use orgsim::writers::partial::{ShardIdentity, ShardOf, ShardPartial, PARTIAL};

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

/// Which command a shard belongs to: everything that decides its numbers, `of` saying what
/// kind of command and what only that kind has. `merge` requires every shard's to be equal,
/// and a shard whose folder already holds a complete partial of the same command is skipped.
pub(crate) fn shard_identity(
    source: &load::Source,
    sets: &[String],
    seed: u64,
    trials: u64,
    shard: orgsim::run::chunks::Shard,
    of: ShardOf,
) -> ShardIdentity {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(source.text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    ShardIdentity {
        orgsim_version: env!("CARGO_PKG_VERSION").into(),
        scenario_source: source.name.clone(),
        scenario_sha256: sha,
        sets: sets.to_vec(),
        seed,
        trials,
        shards: shard.count,
        scenario_text: source.text.clone(),
        of,
    }
}

/// A shard's partial result, as `merge` reads it, and the folder it is in.
pub(crate) struct ShardPart {
    pub(crate) dir: PathBuf,
    pub(crate) partial: ShardPartial,
}

impl ShardPart {
    /// The identity of the command the shard is part of.
    pub(crate) fn identity(&self) -> &ShardIdentity {
        self.partial.identity()
    }
}

/// Reads the partial result in `dir`.
pub(crate) fn read_part(dir: &std::path::Path) -> Result<ShardPart, Error> {
    let path = dir.join(PARTIAL);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a shard's folder (no readable {}: {e})",
            dir.display(),
            PARTIAL
        ))
    })?;
    let partial = ShardPartial::from_json(&text).map_err(|e| {
        Error::Usage(format!(
            "{}: not a partial result of orgsim run --shard ({e})",
            path.display()
        ))
    })?;
    Ok(ShardPart {
        dir: dir.to_path_buf(),
        partial,
    })
}

/// Whether `out` already holds the complete partial of this shard of this command.
pub(crate) fn shard_complete(
    out: &std::path::Path,
    identity: &ShardIdentity,
    shard: orgsim::run::chunks::Shard,
) -> bool {
    out.join("manifest.json").is_file()
        && read_part(out)
            .is_ok_and(|p| p.identity() == identity && p.partial.shard() == shard.index + 1)
}

/// Says so and gives `true` when `out` already holds the complete partial of this shard of this
/// command: a re-submitted job array resumes, skipping the shards that finished.
pub(crate) fn already_complete(
    out: &std::path::Path,
    identity: &ShardIdentity,
    shard: orgsim::run::chunks::Shard,
    quiet: bool,
) -> Result<bool, Error> {
    if !shard_complete(out, identity, shard) {
        return Ok(false);
    }
    if !quiet {
        say(&format!(
            "shard {}/{} is already complete in {}: skipped\n",
            shard.index + 1,
            shard.count,
            out.display()
        ))?;
    }
    Ok(true)
}
