//! The workshop tests (workshop_http): see main.rs.
