//! STUB — to be written (issue 10).
