//! The export panel: a format, what part of the board, paper and
//! orientation for PDF, then a download. The server makes the file
//! (`GET /api/boards/{id}/export`, any link, viewers too); when it cannot be
//! reached, SVG, Markdown, CSV, JSON and `.automerge` are made in the
//! browser from the board on this device (`local_export`), so an offline
//! person can still take the picture and the minutes with them.
use leptos::prelude::*;
use leptos::task::spawn_local;
use samskab_export::{Format, Options, Orientation, Paper, Scope};

use crate::components::floating_panel::FloatingPanel;
use crate::components::snapshot_section::SnapshotSection;
use crate::controller::{self, BoardSignals, Status};
use crate::export_api::{self, CallError};
use crate::i18n::{ExportStrings, I18n};
use crate::{local_export, platform};

/// Where an export is.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Idle,
    Preparing,
    /// Downloaded; `url` stays valid for "download again" until the next one.
    Done {
        name: String,
        url: String,
        offline: bool,
    },
    Failed(String),
}

fn format_label(f: Format) -> fn(&'static ExportStrings) -> &'static str {
    match f {
        Format::Png => |s| s.fmt_png,
        Format::Svg => |s| s.fmt_svg,
        Format::Pdf => |s| s.fmt_pdf,
        Format::Markdown => |s| s.fmt_md,
        Format::Csv => |s| s.fmt_csv,
        Format::Json => |s| s.fmt_json,
        Format::Automerge => |s| s.fmt_automerge,
    }
}

/// Whether the format covers a chosen part of the board (the others always
/// hold all of it).
fn uses_scope(f: Format) -> bool {
    !matches!(f, Format::Json | Format::Automerge)
}

/// The scope as the select's value: "board", "frame:ID" or "mindmap:ID".
fn parse_scope(v: &str) -> Scope {
    if let Some(id) = v.strip_prefix("frame:") {
        Scope::Frame(id.to_string())
    } else if let Some(id) = v.strip_prefix("mindmap:") {
        Scope::MindMap(id.to_string())
    } else {
        Scope::Board
    }
}

/// The server's query for these choices (`server/src/export.rs::options_from`).
fn server_query(format: Format, opts: &Options) -> String {
    let mut q = vec![("format", format.extension().to_string())];
    match &opts.scope {
        Scope::Board => {}
        Scope::Frame(id) => q.push(("frame", id.clone())),
        Scope::MindMap(id) => q.push(("mindmap", id.clone())),
    }
    if format == Format::Pdf {
        q.push((
            "paper",
            match opts.paper {
                Paper::A4 => "a4",
                Paper::A3 => "a3",
            }
            .into(),
        ));
        q.push((
            "orientation",
            match opts.orientation {
                Orientation::Portrait => "portrait",
                Orientation::Landscape => "landscape",
            }
            .into(),
        ));
    }
    q.push(("lang", opts.language.clone()));
    export_api::query(&q)
}

/// Makes the file: on the server, or on this device when the server is out
/// of reach and the browser can make the format.
async fn make(
    id: String,
    format: Format,
    opts: Options,
    offline: bool,
    s: &'static ExportStrings,
) -> Result<(export_api::File, bool), String> {
    let fallback =
        samskab_export::file_name(&controller::read(|b| b.title()).unwrap_or_default(), format);
    // The websocket is down: don't wait on the network for what this
    // device can make itself.
    let answer = if offline && local_export::can_make(format) {
        Err(CallError::Unreachable)
    } else {
        let key = export_api::key(&id);
        export_api::export(&id, &key, &server_query(format, &opts), &fallback).await
    };
    match answer {
        Ok(file) => Ok((file, false)),
        Err(CallError::Unreachable) if local_export::can_make(format) => {
            local_export::render(format, &opts)
                .map(|f| (f, true))
                .map_err(|e| format!("{}{e}", s.export_failed))
        }
        Err(CallError::Unreachable) => Err(s.needs_server.to_string()),
        Err(e) => Err(format!("{}{}", s.export_failed, e.message(s.unreachable))),
    }
}

#[component]
pub fn ExportPanel(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let format = RwSignal::new(Format::Pdf);
    let scope = RwSignal::new("board".to_string());
    let paper = RwSignal::new(Paper::A4);
    let orientation = RwSignal::new(Orientation::Landscape);
    let progress = RwSignal::new(Progress::Idle);
    // The last file's object URL, freed when the next one is made or the
    // panel closes.
    let last_url = StoredValue::new(None::<String>);
    on_cleanup(move || {
        if let Some(Some(u)) = last_url.try_get_value() {
            export_api::revoke(&u);
        }
    });
    let id = controller::board_id().unwrap_or_default();
    let download = move |_: leptos::ev::MouseEvent| {
        if progress.get_untracked() == Progress::Preparing {
            return;
        }
        let fmt = format.get_untracked();
        let opts = Options {
            scope: if uses_scope(fmt) {
                parse_scope(&scope.get_untracked())
            } else {
                Scope::Board
            },
            paper: paper.get_untracked(),
            orientation: orientation.get_untracked(),
            language: i18n.now_lang_code().to_string(),
            ..Options::default()
        };
        let offline = matches!(signals.status.get_untracked(), Status::Offline { .. });
        let s = i18n.now_export();
        progress.set(Progress::Preparing);
        let id = id.clone();
        spawn_local(async move {
            let made = make(id, fmt, opts, offline, s)
                .await
                .and_then(|(file, offline)| {
                    let url = export_api::object_url(&file).map_err(|e| format!("{e:?}"))?;
                    export_api::save_as(&url, &file.name).map_err(|e| format!("{e:?}"))?;
                    Ok((file.name, url, offline))
                });
            // The panel may have been closed meanwhile (its values are
            // gone): the download has started; free its URL a minute later.
            let Some(previous) = last_url.try_get_value() else {
                if let Ok((_, url, _)) = made {
                    platform::set_timeout(60_000, move || export_api::revoke(&url));
                }
                return;
            };
            progress.set(match made {
                Ok((name, url, offline)) => {
                    if let Some(old) = previous {
                        export_api::revoke(&old);
                    }
                    last_url.set_value(Some(url.clone()));
                    Progress::Done { name, url, offline }
                }
                Err(message) => Progress::Failed(message),
            });
        });
    };
    let format_choices = Format::ALL
        .iter()
        .map(|&f| {
            view! {
                <label class="choice" data-testid=format!("export-format-{}", f.extension())>
                    <input type="radio" name="export-format" value=f.extension()
                        prop:checked=move || format.get() == f
                        on:change=move |_| format.set(f)/>
                    <span>{i18n.x(format_label(f))}</span>
                </label>
            }
        })
        .collect::<Vec<_>>();
    let scope_options = move || {
        let frames = signals.frames.get();
        let maps = signals.mindmaps.get();
        let s = i18n.export_strings();
        let mut out = vec![("board".to_string(), s.scope_board.to_string())];
        out.extend(frames.into_iter().map(|f| {
            (
                format!("frame:{}", f.id),
                format!("{}{}", s.scope_frame, f.name),
            )
        }));
        out.extend(maps.into_iter().map(|m| {
            let root = m.nodes.first().map(|n| n.text.clone()).unwrap_or_default();
            (
                format!("mindmap:{}", m.id),
                format!("{}{root}", s.scope_mindmap),
            )
        }));
        out.into_iter()
            .map(|(value, label)| {
                let v = value.clone();
                view! { <option value=value selected=move || scope.get() == v>{label}</option> }
            })
            .collect::<Vec<_>>()
    };
    let radio = move |name: &'static str,
                      testid: &'static str,
                      label: fn(&'static ExportStrings) -> &'static str,
                      checked: Signal<bool>,
                      pick: Box<dyn Fn() + Send + Sync>| {
        view! {
            <label class="choice" data-testid=testid>
                <input type="radio" name=name prop:checked=move || checked.get() on:change=move |_| pick()/>
                <span>{i18n.x(label)}</span>
            </label>
        }
    };
    let status_line = move || {
        match progress.get() {
        Progress::Idle => ().into_any(),
        Progress::Preparing => view! {
            <p class="export-status" data-testid="export-status" data-state="preparing">{i18n.x(|s| s.preparing)}</p>
        }
        .into_any(),
        Progress::Done { name, url, offline } => view! {
            <div class="export-status" data-testid="export-status" data-state="done">
                <p>{i18n.x(|s| s.downloaded)}<strong data-testid="export-name">{name.clone()}</strong></p>
                <a class="btn" data-testid="export-link" href=url download=name>{i18n.x(|s| s.download_again)}</a>
                <Show when=move || offline>
                    <p class="export-note" data-testid="export-offline">{i18n.x(|s| s.made_offline)}</p>
                </Show>
            </div>
        }
        .into_any(),
        Progress::Failed(message) => view! {
            <p class="export-status error" role="alert" data-testid="export-error" data-state="failed">{message}</p>
        }
        .into_any(),
    }
    };
    view! {
        <FloatingPanel name="export" label=|s| s.export testid="export-panel" extra_class="export-panel">
            <div class="export-grid">
                <fieldset class="export-field">
                    <legend>{i18n.x(|s| s.format)}</legend>
                    <div class="choices">{format_choices}</div>
                </fieldset>
                <div class="export-options">
                    <label class="export-field">
                        <span class="field-label">{i18n.x(|s| s.scope)}</span>
                        <select data-testid="export-scope" prop:disabled=move || !uses_scope(format.get())
                            on:change=move |ev| scope.set(event_target_value(&ev))>
                            {scope_options}
                        </select>
                        <Show when=move || !uses_scope(format.get())>
                            <span class="export-note">{i18n.x(|s| s.scope_unused)}</span>
                        </Show>
                    </label>
                    <Show when=move || format.get() == Format::Pdf>
                        <fieldset class="export-field">
                            <legend>{i18n.x(|s| s.paper)}</legend>
                            <div class="choices row">
                                {radio("export-paper", "export-paper-a4", |_| "A4", Signal::derive(move || paper.get() == Paper::A4), Box::new(move || paper.set(Paper::A4)))}
                                {radio("export-paper", "export-paper-a3", |_| "A3", Signal::derive(move || paper.get() == Paper::A3), Box::new(move || paper.set(Paper::A3)))}
                            </div>
                        </fieldset>
                        <fieldset class="export-field">
                            <legend>{i18n.x(|s| s.orientation)}</legend>
                            <div class="choices row">
                                {radio("export-orientation", "export-landscape", |s| s.landscape, Signal::derive(move || orientation.get() == Orientation::Landscape), Box::new(move || orientation.set(Orientation::Landscape)))}
                                {radio("export-orientation", "export-portrait", |s| s.portrait, Signal::derive(move || orientation.get() == Orientation::Portrait), Box::new(move || orientation.set(Orientation::Portrait)))}
                            </div>
                        </fieldset>
                    </Show>
                    <div class="export-actions">
                        <button class="btn btn-primary" data-testid="export-download"
                            prop:disabled=move || progress.get() == Progress::Preparing
                            aria-busy=move || (progress.get() == Progress::Preparing).to_string()
                            on:click=download>
                            {move || if progress.get() == Progress::Preparing { i18n.x(|s| s.preparing)() } else { i18n.x(|s| s.download)() }}
                        </button>
                    </div>
                    <div role="status" aria-live="polite">{status_line}</div>
                </div>
            </div>
            <SnapshotSection/>
        </FloatingPanel>
    }
}
