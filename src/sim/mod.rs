//! The simulation: random streams by source ([`rng`]), the supply chain ([`world`]), the
//! roles and their scorecards ([`org`]), one trial's tick loop ([`trial`]), the
//! plan that sets targets ([`plan`]) and the fit of each role's playbook ([`fit`]); the
//! real-valued stock-point network of the supply-chain classics ([`network`]).

pub mod certificate;
pub mod fit;
pub mod meeting;
pub mod network;
pub mod org;
pub mod plan;
pub mod race;
pub mod rng;
pub mod sample;
pub mod trial;
pub mod world;
