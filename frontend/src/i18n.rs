//! Every string the interface shows, in Danish and English, in one place.
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// From a stored choice, else from the browser's languages.
    pub fn detect() -> Lang {
        let stored = crate::platform::local_get(STORAGE_KEY);
        let pick = |code: &str| {
            if code.to_ascii_lowercase().starts_with("da") {
                Some(Lang::Da)
            } else if code.to_ascii_lowercase().starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        };
        if let Some(lang) = stored.as_deref().and_then(pick) {
            return lang;
        }
        crate::platform::browser_languages()
            .iter()
            .find_map(|l| pick(l))
            .unwrap_or(Lang::En)
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }
}

const STORAGE_KEY: &str = "samskab.lang";

#[derive(Debug)]
pub struct Strings {
    pub tagline: &'static str,
    pub title_label: &'static str,
    pub title_placeholder: &'static str,
    pub create_board: &'static str,
    pub creating: &'static str,
    pub create_failed: &'static str,
    pub add_note: &'static str,
    pub delete_note: &'static str,
    pub note_label: &'static str,
    pub move_note: &'static str,
    pub link_copied: &'static str,
    pub untitled: &'static str,
    pub saved: &'static str,
    pub saving: &'static str,
    pub connecting: &'static str,
    pub offline: &'static str,
    /// Followed by the count and `offline_kept_tail`.
    pub offline_kept: &'static str,
    pub offline_kept_tail: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub unreachable_title: &'static str,
    pub unreachable_body: &'static str,
    pub try_again: &'static str,
    pub to_start: &'static str,
    pub loading: &'static str,
    pub note_too_long: &'static str,
    pub refused: &'static str,
    pub switch_language: &'static str,
    pub empty_board: &'static str,
    pub undo: &'static str,
    pub share: &'static str,
    pub here: &'static str,
    pub guest: &'static str,
    pub share_editor: &'static str,
    pub share_viewer: &'static str,
    pub share_this: &'static str,
    pub share_hint: &'static str,
    pub copy: &'static str,
    pub revoked_title: &'static str,
    pub revoked_body: &'static str,
    pub redo: &'static str,
}

pub static EN: Strings = Strings {
    tagline: "Co-create ideas and policy: on the tablet in the meeting room, and from home between meetings.",
    title_label: "Name of the board",
    title_placeholder: "e.g. When should citizens be involved?",
    create_board: "Create board",
    creating: "Creating…",
    create_failed: "The board could not be created. Check the connection and try again.",
    add_note: "Add note",
    delete_note: "Delete note",
    note_label: "Note",
    move_note: "Drag to move the note",
    link_copied: "Link copied",
    untitled: "Untitled board",
    saved: "Saved",
    saving: "Saving…",
    connecting: "Connecting…",
    offline: "Offline",
    offline_kept: "Offline: ",
    offline_kept_tail: " changes kept on this device",
    not_found_title: "Board not found",
    not_found_body: "There is no board at this address. Check the link, or ask the person who shared it for a new one.",
    unreachable_title: "The server cannot be reached",
    unreachable_body: "Check the network connection. Samskab keeps trying.",
    try_again: "Try again",
    to_start: "Go to the start page",
    loading: "Loading board…",
    note_too_long: "The note is too long. Split it into two notes.",
    refused: "The server refused a change: ",
    switch_language: "Dansk",
    empty_board: "The board is empty. Add the first note, or double-click the board.",
    undo: "Undo",
    share: "Share",
    here: "Here now",
    guest: "Guest",
    share_editor: "Link for participants (can edit)",
    share_viewer: "Link for the public (can only view)",
    share_this: "Link to this board",
    share_hint: "Anyone with a link can open the board with that link's rights. Keep the facilitator link to yourself.",
    copy: "Copy",
    revoked_title: "This link has been replaced",
    revoked_body: "The facilitator has issued a new link for this board. Ask them for it.",
    redo: "Redo",
};

pub static DA: Strings = Strings {
    tagline: "Skab idéer og politik sammen: på tabletten i mødelokalet og hjemmefra mellem møderne.",
    title_label: "Tavlens navn",
    title_placeholder: "fx Hvornår skal borgerne inddrages?",
    create_board: "Opret tavle",
    creating: "Opretter…",
    create_failed: "Tavlen kunne ikke oprettes. Tjek forbindelsen og prøv igen.",
    add_note: "Ny seddel",
    delete_note: "Slet seddel",
    note_label: "Seddel",
    move_note: "Træk for at flytte sedlen",
    link_copied: "Link kopieret",
    untitled: "Tavle uden navn",
    saved: "Gemt",
    saving: "Gemmer…",
    connecting: "Forbinder…",
    offline: "Offline",
    offline_kept: "Offline: ",
    offline_kept_tail: " ændringer gemt på denne enhed",
    not_found_title: "Tavlen findes ikke",
    not_found_body: "Der er ingen tavle på denne adresse. Tjek linket, eller bed den, der delte det, om et nyt.",
    unreachable_title: "Serveren kan ikke nås",
    unreachable_body: "Tjek netværksforbindelsen. Samskab bliver ved med at prøve.",
    try_again: "Prøv igen",
    to_start: "Gå til forsiden",
    loading: "Henter tavlen…",
    note_too_long: "Sedlen er for lang. Del den i to sedler.",
    refused: "Serveren afviste en ændring: ",
    switch_language: "English",
    empty_board: "Tavlen er tom. Tilføj den første seddel, eller dobbeltklik på tavlen.",
    undo: "Fortryd",
    share: "Del",
    here: "Her nu",
    guest: "Gæst",
    share_editor: "Link til deltagere (kan redigere)",
    share_viewer: "Link til offentligheden (kan kun se)",
    share_this: "Link til denne tavle",
    share_hint: "Alle med et link kan åbne tavlen med linkets rettigheder. Behold facilitator-linket for dig selv.",
    copy: "Kopiér",
    revoked_title: "Dette link er erstattet",
    revoked_body: "Facilitatoren har udstedt et nyt link til tavlen. Bed om det.",
    redo: "Gentag",
};

/// The current language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn provide() -> I18n {
        let i18n = I18n(RwSignal::new(Lang::detect()));
        provide_context(i18n);
        Effect::new(move |_| {
            let lang = i18n.0.get();
            crate::platform::set_document_lang(lang.code());
        });
        i18n
    }

    pub fn get() -> I18n {
        expect_context::<I18n>()
    }

    /// A reactive string: `i18n.t(|s| s.add_note)`.
    pub fn t(
        self,
        pick: fn(&'static Strings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || pick(self.0.get().strings())
    }

    pub fn now(self) -> &'static Strings {
        self.0.get_untracked().strings()
    }

    pub fn toggle(self) {
        let next = match self.0.get_untracked() {
            Lang::Da => Lang::En,
            Lang::En => Lang::Da,
        };
        crate::platform::local_set(STORAGE_KEY, next.code());
        self.0.set(next);
    }
}
