//! Tier 3: the built web app in real headless Chromium (Debian's chromium and
//! chromedriver), against the real server on port 0. One test binary for all
//! browser tests.
mod canvas;
mod export;
mod facilitation;
mod meeting;
mod mindmap;
mod offline;
mod touch;
mod two_users;
