//! A session's event log: one JSON object a line, appended as things happen and synced to disk at
//! the end of every round. The engine is seeded, so a session *is* its setup and the decisions made:
//! replaying the log rebuilds it exactly, after a restart or for a test.

use serde::{Deserialize, Serialize};

/// What the second act changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActTwo {
    /// Every role sees every stock point's stock, without delay.
    SeeEverything,
    /// Overrides, as `orgsim compare --arm 'LABEL: PATH=VALUE ...'` takes them (a changed incentive).
    Arm {
        /// What the facilitator calls it.
        label: String,
        /// `PATH=VALUE` overrides on top of the session's own.
        sets: Vec<String>,
    },
}

impl ActTwo {
    /// The label the pages show.
    pub fn label(&self) -> &str {
        match self {
            ActTwo::SeeEverything => "everyone sees everything",
            ActTwo::Arm { label, .. } => label,
        }
    }
}

/// How a session was set up: the first line of its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The orgsim version that wrote the log (a replay by another version may differ).
    pub orgsim: String,
    /// The join code (also the session's folder name).
    pub code: String,
    /// The facilitator's token.
    pub facilitator: String,
    /// The session's title.
    pub title: String,
    /// Where the scenario came from: `built-in NAME` or `uploaded NAME`.
    pub scenario: String,
    /// The scenario's text, so that the log alone rebuilds the session.
    pub scenario_text: String,
    /// `PATH=VALUE` overrides for both acts.
    pub sets: Vec<String>,
    /// Teams, each one trial.
    pub teams: usize,
    /// The seed of the trials' family.
    pub seed: u64,
    /// Seconds a round waits for the room before robots decide (None: no timer).
    pub round_seconds: Option<u32>,
    /// The second act, if any.
    pub act_two: Option<ActTwo>,
}

/// One line of the log. `at` is the wall-clock time in Unix milliseconds: for people reading the
/// log; a replay never reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The session was created.
    Created {
        /// When.
        at: u64,
        /// How.
        setup: Setup,
    },
    /// A participant took a seat.
    Joined {
        /// When.
        at: u64,
        /// Team index.
        team: usize,
        /// Role index.
        role: usize,
        /// The participant's name.
        name: String,
        /// The seat's token.
        token: String,
    },
    /// The facilitator freed a seat (a robot plays it until someone takes it).
    Freed {
        /// When.
        at: u64,
        /// Team index.
        team: usize,
        /// Role index.
        role: usize,
    },
    /// The act's clock started.
    Started {
        /// When.
        at: u64,
    },
    /// The round's clock stopped.
    Paused {
        /// When.
        at: u64,
    },
    /// The round's clock runs again.
    Resumed {
        /// When.
        at: u64,
    },
    /// The round timer changed.
    Timer {
        /// When.
        at: u64,
        /// Seconds a round (None: no timer).
        seconds: Option<u32>,
    },
    /// The facilitator's message to the room.
    Broadcast {
        /// When.
        at: u64,
        /// The text.
        message: String,
    },
    /// A participant's decision for a week.
    Decided {
        /// When.
        at: u64,
        /// Act (1 or 2).
        act: usize,
        /// Week (1-based).
        week: usize,
        /// Team index.
        team: usize,
        /// Role index.
        role: usize,
        /// (lever name, option index) for each lever open that week.
        choices: Vec<(String, usize)>,
    },
    /// A round closed and the week was played.
    Advanced {
        /// When.
        at: u64,
        /// Act (1 or 2).
        act: usize,
        /// The week played (1-based).
        week: usize,
        /// Seats `[team, role]` the robot played.
        robots: Vec<[usize; 2]>,
    },
    /// The second act began.
    NextAct {
        /// When.
        at: u64,
    },
    /// The session ended (any weeks left are played by robots).
    Ended {
        /// When.
        at: u64,
    },
}

/// Milliseconds since the Unix epoch, for `at`.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
