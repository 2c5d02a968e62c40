//! The integration tests: the real binary on real files, one test binary.

mod calibration;
mod cli;
mod end_to_end;
mod generate;
mod properties;
mod rules;
mod store;
mod util;
