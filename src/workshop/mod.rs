//! The workshop (`orgsim serve`): a room plays the roles, robots fill the empty seats, and the
//! debrief shows the room against thousands of plays of the same scenario.
//!
//! The layer above the writers. Its parts, from the pure core outwards:
//! - [`game`]: one act's teams, each a trial (an organisation's [`crate::sim::trial::Trial`] or a
//!   network's [`crate::sim::network::NetworkTrial`]) advanced a round at a time with
//!   participants' decisions supplied from outside: the batch engine's own code;
//! - [`event`]: the session's event log, one JSON line per change;
//! - [`room`]: the session's state, changed only by applying events, live or on replay;
//! - [`views`]: what each audience's page is sent about the game;
//! - [`debrief`]: each team placed on the distribution of simulated plays, decisions explained;
//! - [`session`]: a session's thread, which owns its room, its log and its round timer;
//! - [`server`]: the HTTP routes, the pages shipped in the binary, and the event streams.

pub mod debrief;
pub mod event;
pub mod game;
pub mod room;
pub mod server;
pub mod session;
pub mod views;
