//! The history panel: "what changed since the last meeting" at the top,
//! then the board's versions grouped into meetings (sessions: a new one
//! starts after 30 minutes without changes), newest first. "Show" previews
//! the board as it was at the end of a meeting (the server's SVG export at
//! those heads, shown as an image, which cannot run script); "Restore this
//! version" brings it back as a new change for everyone (facilitators and
//! editors; nothing is lost, the history keeps every version).
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::floating_panel::FloatingPanel;
use crate::controller::{self, BoardSignals};
use crate::export_api::{self, History, Session};
use crate::i18n::{ExportStrings, I18n};
use crate::platform;

/// Seconds without a change after which a new session starts
/// (`samskab_export::history::SESSION_GAP_SECS`).
const GAP_SECS: i64 = samskab_export::history::SESSION_GAP_SECS;

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Failed(String),
    Ready {
        sessions: Vec<Session>,
        /// The last meeting's end and what changed since.
        since: Option<(i64, Vec<String>)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Preview {
    None,
    Loading(usize),
    Shown { index: usize, url: String },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Restore {
    Idle,
    Confirm(usize),
    Working(usize),
    Done,
    Failed(String),
}

/// A date and time in the interface's language ("12. maj 2025 14.02").
fn when(secs: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &"short".into());
    let locale = if lang == "da" { "da-DK" } else { "en-GB" };
    date.to_locale_string(locale, &opts).into()
}

/// A time of day only.
fn time_of_day(secs: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &"short".into());
    let locale = if lang == "da" { "da-DK" } else { "en-GB" };
    date.to_locale_time_string_with_options(locale, &opts)
        .into()
}

fn same_day(a: i64, b: i64) -> bool {
    let d = |s: i64| js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(s as f64 * 1000.0));
    let (x, y) = (d(a), d(b));
    (x.get_full_year(), x.get_month(), x.get_date())
        == (y.get_full_year(), y.get_month(), y.get_date())
}

fn span(s: &Session, lang: &str) -> String {
    if same_day(s.start, s.end) {
        format!("{}–{}", when(s.start, lang), time_of_day(s.end, lang))
    } else {
        format!("{} – {}", when(s.start, lang), when(s.end, lang))
    }
}

/// The session the "since the last meeting" summary starts from: while a
/// meeting is going on (a change in the last 30 minutes), the one before
/// it; otherwise the latest. None for a board with one ongoing session.
fn last_meeting(sessions: &[Session], now_secs: i64) -> Option<&Session> {
    let latest = sessions.last()?;
    if now_secs - latest.end <= GAP_SECS {
        sessions.len().checked_sub(2).map(|i| &sessions[i])
    } else {
        Some(latest)
    }
}

async fn load_history(id: &str, lang: &str, s: &'static ExportStrings) -> Load {
    let key = export_api::key(id);
    let fail = |e: export_api::CallError| {
        Load::Failed(format!("{}{}", s.history_failed, e.message(s.unreachable)))
    };
    let History { sessions, .. } = match export_api::history(id, &key, None, lang).await {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    let since = match last_meeting(&sessions, platform::now_ms() / 1000) {
        Some(last) => match export_api::history(id, &key, Some(&last.heads), lang).await {
            Ok(h) => Some((last.end, h.since.map(|s| s.summary).unwrap_or_default())),
            Err(e) => return fail(e),
        },
        None => None,
    };
    Load::Ready { sessions, since }
}

#[component]
pub fn HistoryPanel(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let id = StoredValue::new(controller::board_id().unwrap_or_default());
    let load = RwSignal::new(Load::Loading);
    let preview = RwSignal::new(Preview::None);
    let restore = RwSignal::new(Restore::Idle);
    let preview_url = StoredValue::new(None::<String>);
    // (What runs after an `await` below reads with `try_`: the panel may
    // have been closed while a request was under way.)
    let free_preview = move || {
        if let Some(Some(u)) = preview_url.try_get_value() {
            export_api::revoke(&u);
        }
        preview_url.set_value(None);
    };
    on_cleanup(free_preview);
    let reload = move || {
        let Some(id) = id.try_get_value() else { return };
        load.set(Load::Loading);
        let lang = i18n.now_lang_code();
        let s = i18n.now_export();
        spawn_local(async move {
            let got = load_history(&id, lang, s).await;
            load.set(got);
        });
    };
    reload();
    let show = move |index: usize, session: Session| {
        preview.set(Preview::Loading(index));
        let s = i18n.now_export();
        let lang = i18n.now_lang_code();
        let id = id.get_value();
        spawn_local(async move {
            let key = export_api::key(&id);
            let q = export_api::query(&[
                ("format", "svg".into()),
                ("at", session.heads.join(",")),
                ("lang", lang.into()),
            ]);
            let shown = export_api::export(&id, &key, &q, "version.svg")
                .await
                .map_err(|e| e.message(s.unreachable))
                .and_then(|file| export_api::object_url(&file).map_err(|e| format!("{e:?}")));
            // Another version may have been asked for meanwhile, or the
            // panel closed.
            if preview.try_get_untracked() != Some(Preview::Loading(index)) {
                if let Ok(url) = shown {
                    export_api::revoke(&url);
                }
                return;
            }
            free_preview();
            preview.set(match shown {
                Ok(url) => {
                    preview_url.set_value(Some(url.clone()));
                    Preview::Shown { index, url }
                }
                Err(e) => Preview::Failed(format!("{}{e}", s.preview_failed)),
            });
        });
    };
    let do_restore = move |index: usize, heads: Vec<String>| {
        restore.set(Restore::Working(index));
        let s = i18n.now_export();
        let id = id.get_value();
        spawn_local(async move {
            let key = export_api::key(&id);
            match export_api::restore(&id, &key, &heads).await {
                Ok(()) => {
                    restore.set(Restore::Done);
                    preview.set(Preview::None);
                    free_preview();
                    reload();
                }
                Err(e) => restore.set(Restore::Failed(format!(
                    "{}{}",
                    s.restore_failed,
                    e.message(s.unreachable)
                ))),
            }
        });
    };
    let since_view = move |since: Option<(i64, Vec<String>)>| {
        let lang = i18n.0.get().code();
        match since {
            None => view! {
                <section class="since" data-testid="history-since">
                    <h3>{i18n.x(|s| s.since_last)}</h3>
                    <p>{i18n.x(|s| s.first_session)}</p>
                </section>
            }
            .into_any(),
            Some((ended, lines)) => view! {
                <section class="since" data-testid="history-since">
                    <h3>{i18n.x(|s| s.since_last)}</h3>
                    <p class="export-note">{i18n.x(|s| s.last_ended)}{when(ended, lang)}</p>
                    <ul data-testid="history-summary">
                        {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect::<Vec<_>>()}
                    </ul>
                </section>
            }
            .into_any(),
        }
    };
    let row = move |index: usize, session: Session, latest: bool| {
        let lang = i18n.0.get().code();
        let label = span(&session, lang);
        let strings = i18n.export_strings();
        let noun = if session.changes == 1 {
            strings.change
        } else {
            strings.changes
        };
        let count = format!("{} {noun}", session.changes);
        let shown = move || matches!(preview.get(), Preview::Shown { index: i, .. } | Preview::Loading(i) if i == index);
        let s_show = session.clone();
        let heads = session.heads.clone();
        view! {
            <li class="session" data-testid="history-session" data-index=index.to_string()
                class:selected=shown>
                <div class="session-text">
                    <span class="session-when">{label}</span>
                    <span class="session-count">{count}</span>
                    <Show when=move || latest>
                        <span class="session-tag">{i18n.x(|s| s.current)}</span>
                    </Show>
                </div>
                <div class="session-actions">
                    <button class="btn" data-testid="history-show" aria-pressed=move || shown().to_string()
                        on:click=move |_| show(index, s_show.clone())>
                        {i18n.x(|s| s.show)}
                    </button>
                    <Show when=move || !latest && signals.can_edit.get()>
                        <button class="btn" data-testid="history-restore"
                            prop:disabled=move || matches!(restore.get(), Restore::Working(_))
                            on:click=move |_| restore.set(Restore::Confirm(index))>
                            {i18n.x(|s| s.restore)}
                        </button>
                    </Show>
                </div>
                {
                    let heads = heads.clone();
                    move || match restore.get() {
                        Restore::Confirm(i) | Restore::Working(i) if i == index => {
                            let heads = heads.clone();
                            view! {
                                <div class="restore-confirm" role="alertdialog" data-testid="restore-confirm">
                                    <p>{i18n.x(|s| s.restore_confirm)}</p>
                                    <button class="btn btn-primary" data-testid="restore-yes"
                                        prop:disabled=move || matches!(restore.get(), Restore::Working(_))
                                        on:click=move |_| do_restore(index, heads.clone())>
                                        {move || if matches!(restore.get(), Restore::Working(_)) { i18n.x(|s| s.restoring)() } else { i18n.x(|s| s.restore_yes)() }}
                                    </button>
                                    <button class="btn" data-testid="restore-cancel"
                                        on:click=move |_| restore.set(Restore::Idle)>
                                        {i18n.x(|s| s.cancel)}
                                    </button>
                                </div>
                            }
                            .into_any()
                        }
                        _ => ().into_any(),
                    }
                }
            </li>
        }
    };
    let body = move || {
        match load.get() {
        Load::Loading => view! { <p class="export-note" data-testid="history-loading">{i18n.x(|s| s.history_loading)}</p> }.into_any(),
        Load::Failed(message) => view! {
            <div class="history-failed">
                <p class="error" role="alert" data-testid="history-error">{message}</p>
                <button class="btn" on:click=move |_| reload()>{i18n.x(|s| s.reload)}</button>
            </div>
        }
        .into_any(),
        Load::Ready { sessions, since } => {
            let n = sessions.len();
            let rows = sessions
                .into_iter()
                .enumerate()
                .rev()
                .map(|(i, s)| row(i, s, i + 1 == n))
                .collect::<Vec<_>>();
            view! {
                {since_view(since)}
                <h3>{i18n.x(|s| s.sessions)}</h3>
                <p class="export-note">{i18n.x(|s| s.sessions_hint)}</p>
                <ol class="sessions" data-testid="history-sessions">{rows}</ol>
            }
            .into_any()
        }
    }
    };
    let restore_message = move || {
        match restore.get() {
        Restore::Done => view! { <p class="export-status success" data-testid="restore-done">{i18n.x(|s| s.restored)}</p> }.into_any(),
        Restore::Failed(m) => view! { <p class="error" data-testid="restore-error">{m}</p> }.into_any(),
        _ => ().into_any(),
    }
    };
    let preview_view = move || {
        match preview.get() {
        Preview::None => view! { <p class="export-note">{i18n.x(|s| s.preview_hint)}</p> }.into_any(),
        Preview::Loading(_) => view! { <p class="export-note" data-testid="preview-loading">{i18n.x(|s| s.preparing)}</p> }.into_any(),
        Preview::Failed(m) => view! { <p class="error" role="alert" data-testid="preview-error">{m}</p> }.into_any(),
        Preview::Shown { index, url } => {
            let when_text = match load.get_untracked() {
                Load::Ready { sessions, .. } => sessions
                    .get(index)
                    .map(|s| when(s.end, i18n.0.get().code()))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let alt = format!("{}{when_text}", i18n.export_strings().preview_of);
            view! {
                <figure class="preview" data-testid="history-preview">
                    <figcaption>{alt.clone()}</figcaption>
                    <img src=url alt=alt data-testid="history-preview-image"/>
                </figure>
            }
            .into_any()
        }
    }
    };
    view! {
        <FloatingPanel name="history" label=|s| s.history testid="history-panel" extra_class="history-panel">
            <div class="history-grid">
                <div class="history-list">
                    <div role="status" aria-live="polite">{restore_message}</div>
                    {body}
                </div>
                <div class="history-preview">{preview_view}</div>
            </div>
        </FloatingPanel>
    }
}
