//! The meeting of docs/model.md, as both engines hold it: who voices a doubt, what the room states,
//! who leaves, and whether enough voices force a decision.
//!
//! What a reading and a doubt are, what a decision settles and which option it rules out
//! belong to the engine: the organisation's roles read the strategy's weights and play lever
//! menus ([`crate::sim::trial`]); a network's players believe a demand figure and play an
//! ordering heuristic ([`crate::sim::network`]). The ritual itself, the threshold cascade and
//! its record, is this module, so the two cannot drift apart.

use crate::scenario::model::MeetingSpec;
use crate::sim::rng;
use rand_chacha::ChaCha8Rng;

/// A doubt smaller than this is not worth saying: readings that differ by less than 1% agree.
pub const MIN_DOUBT: f64 = 0.01;

/// What a trial's meetings did, summed over its meetings: the per-trial metrics
/// `meetings_held`, `meetings_with_dissent`, `decisions_made`, `options_excluded`,
/// `stated_agreement` (as a sum, divided by the meetings held) and `departures`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    /// Meetings held.
    pub held: f64,
    /// Meetings in which at least one doubt was voiced.
    pub with_dissent: f64,
    /// Meetings whose voices forced a decision.
    pub decisions: f64,
    /// Options ruled out by decisions.
    pub excluded: f64,
    /// Sum over meetings of the share of the room that stayed silent (stated agreement).
    pub stated: f64,
    /// Holders who left after too much unvoiced doubt.
    pub departures: f64,
}

impl Record {
    /// Stated agreement: the mean share of the room that stayed silent, 0 where no meeting
    /// was held (nothing was stated).
    pub fn stated_agreement(&self) -> f64 {
        self.stated / self.held.max(1.0)
    }
}

/// One meeting's scratch space, made once per trial so that a meeting allocates nothing:
/// per participant (in the order of [`MeetingSpec::roles`]) its fear, its doubt, and whether it
/// spoke.
#[derive(Debug, Clone)]
pub struct Room {
    /// This meeting's fear draw per participant, uniform on (0, 1).
    pub fear: Vec<f64>,
    /// This meeting's doubt per participant, 0 to 1.
    pub doubt: Vec<f64>,
    /// Whether the participant voiced its doubt.
    pub voiced: Vec<bool>,
}

impl Room {
    /// Space for a room of up to `seats` participants.
    pub fn new(seats: usize) -> Room {
        Room {
            fear: vec![0.0; seats],
            doubt: vec![0.0; seats],
            voiced: vec![false; seats],
        }
    }

    /// Seats participant `i` with doubt `doubt`, drawing its fear from the meetings' stream.
    /// Always draws, so the stream's use never depends on what was said.
    pub fn seat(&mut self, i: usize, doubt: f64, rng: &mut ChaCha8Rng) {
        self.fear[i] = rng::open01(rng);
        self.doubt[i] = doubt;
        self.voiced[i] = false;
    }

    /// The threshold cascade over the first `n` seats, in rounds: a participant speaks when its
    /// doubt outweighs its fear, and fear falls with psychological safety and with the share of
    /// the others already heard. Everyone in a round hears the same voices, so the order of the
    /// seats does not matter. Returns how many spoke.
    pub fn voice(&mut self, g: &MeetingSpec, n: usize) -> usize {
        let others = |c: usize| {
            if n > 1 {
                c as f64 / (n - 1) as f64
            } else {
                0.0
            }
        };
        let mut count = 0;
        loop {
            let heard = count;
            for i in 0..n {
                let fear = g.fear * (1.0 - g.safety) * (1.0 - others(heard)) * self.fear[i];
                if !self.voiced[i] && self.doubt[i] >= MIN_DOUBT && self.doubt[i] >= fear {
                    self.voiced[i] = true;
                    count += 1;
                }
            }
            if count == heard {
                return count;
            }
        }
    }

    /// The loudest dissent among the first `n` seats: the largest doubt voiced (the first such
    /// seat on a tie), if anyone spoke.
    pub fn loudest(&self, n: usize) -> Option<usize> {
        (0..n)
            .filter(|&i| self.voiced[i])
            .fold(None, |best: Option<usize>, i| match best {
                Some(b) if self.doubt[b] >= self.doubt[i] => Some(b),
                _ => Some(i),
            })
    }
}

/// Per role, what its seat carries from one meeting to the next: doubt left unvoiced since it
/// last spoke, and the week (on the engine's clock) its seat is filled again after a departure.
#[derive(Debug, Clone)]
pub struct Seats {
    /// Per role: unvoiced doubt summed since it last spoke.
    pub unvoiced: Vec<f64>,
    /// Per role: the first week its seat is filled again (0: never emptied).
    pub vacant_until: Vec<usize>,
}

impl Seats {
    /// Seats for `roles` roles, all filled, no doubt held back.
    pub fn new(roles: usize) -> Seats {
        Seats {
            unvoiced: vec![0.0; roles],
            vacant_until: vec![0; roles],
        }
    }

    /// Back to the trial's start.
    pub fn reset(&mut self) {
        self.unvoiced.fill(0.0);
        self.vacant_until.fill(0);
    }

    /// Whether role `r`'s seat is empty in week `week`.
    pub fn vacant(&self, r: usize, week: usize) -> bool {
        self.vacant_until[r] > week
    }
}

/// Records a meeting held in week `week` whose room has voiced (see [`Room::voice`]): the
/// stated agreement, unvoiced doubt carried forward and the departures it ends in. Returns
/// whether enough voices force a decision (then also counted); what the decision settles and
/// rules out is the engine's.
pub fn close(
    g: &MeetingSpec,
    room: &Room,
    seats: &mut Seats,
    rec: &mut Record,
    week: usize,
) -> bool {
    let n = g.roles.len();
    let count = room.voiced[..n].iter().filter(|v| **v).count();
    rec.held += 1.0;
    rec.with_dissent += (count > 0) as u8 as f64;
    rec.stated += 1.0 - count as f64 / n.max(1) as f64;
    for (i, &r) in g.roles.iter().enumerate() {
        if room.voiced[i] {
            seats.unvoiced[r] = 0.0;
            continue;
        }
        seats.unvoiced[r] += room.doubt[i];
        if g.departure.is_some_and(|d| seats.unvoiced[r] >= d) {
            rec.departures += 1.0;
            seats.unvoiced[r] = 0.0;
            seats.vacant_until[r] = week + g.vacancy;
        }
    }
    if n == 0 || (count as f64) < g.quorum * n as f64 {
        return false; // stated agreement; nothing operational changes
    }
    rec.decisions += 1.0;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(safety: f64, roles: usize) -> MeetingSpec {
        MeetingSpec {
            every: 4,
            safety,
            fear: 2.0,
            quorum: 0.5,
            departure: Some(1.0),
            vacancy: 3,
            roles: (0..roles).collect(),
        }
    }

    /// One voice lowers the others' fear: a doubt too small to speak alone is voiced once
    /// another has spoken, and full safety voices every doubt worth saying.
    #[test]
    fn the_cascade_lowers_fear_as_voices_are_heard() {
        let g = spec(0.0, 3);
        let mut room = Room::new(3);
        room.fear = vec![0.1, 0.5, 0.9];
        room.doubt = vec![0.3, 0.6, 0.001];
        // Alone, seat 1 would need 0.6 >= 2 * 0.5 = 1; seat 0 speaks first (0.3 >= 0.2), then
        // seat 1's fear halves to 0.5. Seat 2's doubt is below MIN_DOUBT: never said.
        assert_eq!(room.voice(&g, 3), 2);
        assert_eq!(room.voiced, [true, true, false]);
        assert_eq!(room.loudest(3), Some(1));
        let mut safe = Room::new(3);
        safe.fear = vec![0.9; 3];
        safe.doubt = vec![0.02, 0.02, 0.0];
        assert_eq!(safe.voice(&spec(1.0, 3), 3), 2);
    }

    /// Silence is stated agreement and carries the doubt forward until the holder leaves; a
    /// quorum of voices is a decision.
    #[test]
    fn silence_is_recorded_as_agreement_and_ends_in_departures() {
        let g = spec(0.0, 2);
        let mut room = Room::new(2);
        room.doubt = vec![0.6, 0.1];
        let (mut seats, mut rec) = (Seats::new(2), Record::default());
        assert!(!close(&g, &room, &mut seats, &mut rec, 0));
        assert!(!close(&g, &room, &mut seats, &mut rec, 4));
        assert_eq!(rec.stated_agreement(), 1.0);
        assert_eq!(rec.departures, 1.0, "1.2 unvoiced doubt passes 1.0");
        assert!(seats.vacant(0, 6) && !seats.vacant(0, 7) && !seats.vacant(1, 6));
        room.voiced = vec![true, false];
        assert!(
            close(&g, &room, &mut seats, &mut rec, 8),
            "1 of 2 is a quorum of 0.5"
        );
        assert_eq!((rec.held, rec.with_dissent, rec.decisions), (3.0, 1.0, 1.0));
        assert!((rec.stated_agreement() - (1.0 + 1.0 + 0.5) / 3.0).abs() < 1e-12);
    }
}
