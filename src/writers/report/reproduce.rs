//! The report's last section: how to reproduce the run. The command as one portable shell line
//! (without the options that change no result), the seed, the trial count and the version.

use serde::Serialize;

/// What the page prints to reproduce the run.
#[derive(Serialize)]
pub(super) struct Reproduce {
    pub(super) command: String,
    pub(super) seed: u64,
    pub(super) trials: u64,
    pub(super) version: &'static str,
}

/// Options that change no result, left out of the line that reproduces one: the threads, the
/// output folder, the shard (a merged run's report equals the unsharded run's), how much is
/// printed or overwritten, and whether charts are drawn (shards run without them; the merge
/// draws them). Each takes a value but the last three.
const NO_RESULT: [(&str, bool); 6] = [
    ("--threads", true),
    ("--out", true),
    ("--shard", true),
    ("--quiet", false),
    ("--force", false),
    ("--no-charts", false),
];

/// The command as one shell line: the program named `orgsim` (not the path it ran from), without
/// the options that change no result (`--out`, `--quiet`, `--force`, `--no-charts` ...): each
/// would make the reports of the same run differ.
pub fn shell_line(command: &[String]) -> String {
    let mut words = vec!["orgsim".to_string()];
    let mut skip = false;
    for a in command.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        let option = a.split('=').next().unwrap_or(a);
        if let Some(&(_, takes_value)) = NO_RESULT.iter().find(|(o, _)| *o == option) {
            skip = takes_value && !a.contains('=');
            continue;
        }
        words.push(quote(a));
    }
    words.join(" ")
}

fn quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_portable() {
        let cmd: Vec<String> = [
            "/tmp/x/orgsim",
            "run",
            "--threads",
            "8",
            "--set",
            "strategy.statement=it's fine",
            "--threads=2",
            "--out",
            "results/x",
            "--shard=2/8",
            "--quiet",
            "--no-charts",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            shell_line(&cmd),
            "orgsim run --set 'strategy.statement=it'\\''s fine'"
        );
    }
}
