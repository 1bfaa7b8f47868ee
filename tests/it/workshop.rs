//! The workshop tests (workshop): see main.rs.
