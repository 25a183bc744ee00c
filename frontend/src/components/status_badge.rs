use leptos::prelude::*;

use crate::controller::Status;
use crate::i18n::I18n;

/// "Saved", "Saving…", or "Offline: N changes kept on this device".
/// It says "Saved" only for what the server has acknowledged.
#[component]
pub fn StatusBadge(status: RwSignal<Status>) -> impl IntoView {
    let i18n = I18n::get();
    let text = move || {
        let s = i18n.0.get().strings();
        match status.get() {
            Status::Saved => s.saved.to_string(),
            Status::Saving { .. } => s.saving.to_string(),
            Status::Connecting { unsaved: 0 } => s.connecting.to_string(),
            Status::Offline { unsaved: 0 } => s.offline.to_string(),
            Status::Connecting { unsaved } | Status::Offline { unsaved } => {
                let tail = if unsaved == 1 {
                    s.offline_kept_tail_one
                } else {
                    s.offline_kept_tail
                };
                format!("{}{unsaved}{tail}", s.offline_kept)
            }
        }
    };
    let state = move || match status.get() {
        Status::Saved => "saved",
        Status::Saving { .. } => "saving",
        Status::Connecting { .. } => "connecting",
        Status::Offline { .. } => "offline",
    };
    view! {
        <span class="status" data-testid="status" data-state=state role="status" aria-live="polite">
            <span class="status-dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}
