//! The simulation: random streams by source ([`rng`]), the supply chain ([`world`]), the
//! roles and their scorecards (`org`), one trial's tick loop ([`trial`]), the
//! plan that sets targets ([`plan`]) and the fit of each role's playbook ([`fit`]); the
//! real-valued stock-point network of the supply-chain classics ([`network`]).

pub mod certificate;
pub mod fit;
pub(crate) mod meeting;
pub mod network;
pub(crate) mod org;
pub mod plan;
pub(crate) mod race;
pub mod rng;
pub(crate) mod sample;
pub mod trial;
pub mod world;
