//! The top level: picks the page from the URL.
use leptos::prelude::*;

use crate::components::board_page::BoardPage;
use crate::components::home::Home;
use crate::components::message_page::MessagePage;
use crate::components::workspace_page::WorkspacePage;
use crate::i18n::I18n;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Home,
    Board(String),
    Workspace(String),
    NotFound,
}

fn route(path: &str) -> Route {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Route::Home;
    }
    if let Some(id) = path.strip_prefix("/w/") {
        return match id {
            id if !id.is_empty() && !id.contains('/') => Route::Workspace(id.to_string()),
            _ => Route::NotFound,
        };
    }
    match path.strip_prefix("/b/") {
        Some(id) if !id.is_empty() && !id.contains('/') => Route::Board(id.to_string()),
        _ => Route::NotFound,
    }
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::provide();
    match route(&crate::platform::pathname()) {
        Route::Home => view! { <Home/> }.into_any(),
        Route::Board(id) => view! { <BoardPage id=id/> }.into_any(),
        Route::Workspace(id) => view! { <WorkspacePage id=id/> }.into_any(),
        Route::NotFound => view! {
            <MessagePage
                testid="page-not-found"
                title=i18n.t(|s| s.not_found_title)
                body=i18n.t(|s| s.not_found_body)
            />
        }
        .into_any(),
    }
}
