//! STUB — to be written (issue 5).
