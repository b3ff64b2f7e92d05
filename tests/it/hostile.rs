//! Hostile requests: what an editor with some rights might try, refused.

mod secrets;
