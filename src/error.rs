//! Errors a user can act on: every problem names the file, the JSON path, what was
//! expected and what was found.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a scenario or an override.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// JSON path, e.g. `roles[0].scorecard.components[1].target` (`.` for the whole document;
    /// empty for a `--set` argument that names no value, such as one without `=`).
    pub path: String,
    /// What a valid value looks like.
    pub expected: String,
    /// What the file holds.
    pub found: String,
    /// A likely fix, when the mistake is a common one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// 1-based line, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The `--set PATH=VALUE` argument the problem is in, when it is not in the scenario file
    /// (then it has no line and column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    /// The flag that argument came through, when not `--set` itself: `--arm 'LABEL'` or
    /// `--vary PATH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Problem {
            path: path.into(),
            expected: expected.into(),
            found: found.into(),
            hint: None,
            line: None,
            column: None,
            set: None,
            via: None,
        }
    }
    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Says which `--set` argument (`PATH=VALUE`) the problem is in.
    pub fn in_set(mut self, arg: impl Into<String>) -> Self {
        self.set = Some(arg.into());
        self
    }
    /// The problem as one line of a report on `source_name` (a file or `built-in NAME`): the
    /// source is named unless the problem is in a `--set` argument, which names itself.
    pub fn report_line(&self, source_name: &str) -> String {
        match self.set {
            Some(_) => self.to_string(),
            None => format!("{source_name}: {self}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.set, &self.via) {
            (Some(arg), Some(via)) => write!(f, "{via} ({arg}): ")?,
            (Some(arg), None) => write!(f, "--set {arg}: ")?,
            _ => {}
        }
        // A problem with the argument itself (no '=', a malformed path) has no JSON path.
        if !self.path.is_empty() {
            write!(f, "{}", self.path)?;
            if let (Some(l), Some(c)) = (self.line, self.column) {
                write!(f, " (line {l}, column {c})")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "expected {}, found {}", self.expected, self.found)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl Error {
    /// Names the flag the `--set`-style arguments `args` came through (`--arm 'LABEL'`,
    /// `--vary PATH`) in the problems found in them, so that a message names what the user typed.
    pub fn through(mut self, args: &[String], flag: &str) -> Error {
        if let Error::InvalidScenario { problems, .. } = &mut self {
            for p in problems.iter_mut() {
                if p.set.as_ref().is_some_and(|s| args.contains(s)) {
                    p.via = Some(flag.to_string());
                }
            }
        }
        self
    }
}

/// Everything that can go wrong in the library, with the exit code the CLI uses.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be found or read.
    #[error("{}: cannot read: {source}", path.display())]
    MissingInput {
        /// The path as given on the command line.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A scenario (file or built-in, after `--set` overrides) is invalid.
    #[error("{source_name}: invalid scenario ({} problem{}):\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, list(source_name, problems))]
    InvalidScenario {
        /// File path or `built-in NAME`.
        source_name: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// Writing results failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV file could not be written (a failure of the file itself is [`Error::Io`]).
    #[error("{}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The CSV writer's message.
        message: String,
    },
    /// A page could not be rendered from its template.
    #[error("{}: {message}", path.display())]
    Template {
        /// The file the page was for.
        path: PathBuf,
        /// The template's name (`report.html`, `compare.html`).
        name: String,
        /// The template engine's message (it names the template and the line).
        message: String,
    },
    /// A chart could not be drawn.
    #[error("{}: {message}", path.display())]
    Drawing {
        /// The chart's file.
        path: PathBuf,
        /// The drawing backend's message.
        message: String,
    },
    /// A metric came out as NaN or infinite: a model or scenario the statistics cannot hold.
    #[error(
        "trial {trial}: metric '{metric}' is {value}, not a finite number; nothing was written"
    )]
    NonFinite {
        /// The metric's column name.
        metric: String,
        /// What it was.
        value: f64,
        /// The index of the trial that gave it (replay it with `orgsim trace --trial`).
        trial: u64,
    },
    /// A trial produced a number beyond what orgsim counts or summarises exactly (units past
    /// `world::UNITS_LIMIT`, a value past `metrics::VALUE_LIMIT`): refused, never clamped or
    /// wrapped into the files.
    #[error("trial {trial}: {what}; nothing was written{}", hint.as_ref().map(|h| format!(" (hint: {h})")).unwrap_or_default())]
    TooLarge {
        /// What was too large, and the limit, in words.
        what: String,
        /// The index of the trial that gave it (replay it with `orgsim trace --trial`).
        trial: u64,
        /// A likely cause.
        hint: Option<String>,
    },
    /// The run was interrupted before it finished.
    #[error("interrupted after {done} of {total} trials; nothing was written to {}", out.display())]
    Interrupted {
        /// Trials completed.
        done: u64,
        /// Trials asked for.
        total: u64,
        /// The output folder left untouched.
        out: PathBuf,
    },
}

fn list(source_name: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("  {}", p.report_line(source_name)))
        .collect();
    lines.join("\n")
}

impl Error {
    /// An interruption, placed at the output folder the user gave: the engine that noticed the
    /// signal does not know it. Any other error is returned as it is.
    pub fn at(self, out: &std::path::Path) -> Error {
        match self {
            Error::Interrupted { done, total, .. } => Error::Interrupted {
                done,
                total,
                out: out.to_path_buf(),
            },
            e => e,
        }
    }

    /// Exit code: 1 runtime error, 2 usage error, 65 invalid scenario, 66 missing input (sysexits.h),
    /// 130 interrupted (128 + SIGINT, as shells report it).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::MissingInput { .. } => 66,
            Error::InvalidScenario { .. } => 65,
            Error::Usage(_) => 2,
            // Writing failed, whether the file, its CSV, its template or its drawing.
            Error::Io { .. }
            | Error::Csv { .. }
            | Error::Template { .. }
            | Error::Drawing { .. } => 1,
            // A scenario whose numbers the model cannot carry: a data error, like an invalid scenario.
            Error::NonFinite { .. } | Error::TooLarge { .. } => 65,
            Error::Interrupted { .. } => 130,
        }
    }
}

/// Library result type.
pub type Result<T> = std::result::Result<T, Error>;
