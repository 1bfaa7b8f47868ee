//! The workshop tests (workshop_browser): see main.rs.
