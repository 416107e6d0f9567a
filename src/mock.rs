//! A local mock of the API, served from the specs (work in progress).
