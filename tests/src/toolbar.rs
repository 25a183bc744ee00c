//! The board's toolbar in browser tests: the tools used less often (frame,
//! arrow, redo, the list view) sit in its "More" menu.
use fantoccini::{Client, Locator};

use crate::pages::T;

/// Clicks the tool `testid` in the toolbar's "More" menu, opening the menu
/// first, as a person does.
pub async fn click_more(c: &Client, testid: &str) -> anyhow::Result<()> {
    let open = c
        .execute(
            "return !!document.querySelector('[data-testid=toolbar-more-items]').offsetParent;",
            vec![],
        )
        .await?;
    if open != serde_json::json!(true) {
        c.find(Locator::Css("[data-testid=toolbar-more]"))
            .await?
            .click()
            .await?;
    }
    c.wait()
        .at_most(T)
        .for_element(Locator::Css(&format!(
            "[data-testid=toolbar-more-items] [data-testid={testid}]"
        )))
        .await?
        .click()
        .await?;
    Ok(())
}
