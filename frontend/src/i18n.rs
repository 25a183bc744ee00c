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

    pub fn export_strings(self) -> &'static ExportStrings {
        match self {
            Lang::Da => &EXPORT_DA,
            Lang::En => &EXPORT_EN,
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
    /// The note's corner handle; arrow keys on it resize the note.
    pub resize_note: &'static str,
    pub link_copied: &'static str,
    pub untitled: &'static str,
    pub saved: &'static str,
    pub saving: &'static str,
    pub connecting: &'static str,
    pub offline: &'static str,
    /// Followed by the count and `offline_kept_tail`.
    pub offline_kept: &'static str,
    pub offline_kept_tail: &'static str,
    /// `offline_kept_tail` for exactly one change.
    pub offline_kept_tail_one: &'static str,
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
    pub empty_note: &'static str,
    pub connect_here: &'static str,
    pub not_kept: &'static str,
    pub canvas_label: &'static str,
    pub minimap: &'static str,
    pub frame_label: &'static str,
    pub frame_name: &'static str,
    pub delete_frame: &'static str,
    pub tools: &'static str,
    pub add_frame: &'static str,
    pub tool_area: &'static str,
    pub tool_connect: &'static str,
    pub views: &'static str,
    pub view_canvas: &'static str,
    pub view_mindmap: &'static str,
    pub view_list: &'static str,
    pub zoom: &'static str,
    pub zoom_out: &'static str,
    pub zoom_in: &'static str,
    pub zoom_fit: &'static str,
    pub selection: &'static str,
    pub selected_count: &'static str,
    pub color: &'static str,
    pub to_mindmap: &'static str,
    pub delete: &'static str,
    pub connect_first: &'static str,
    pub connect_second: &'static str,
    pub view_only: &'static str,
    pub following: &'static str,
    pub stop_following: &'static str,
    pub follow: &'static str,
    pub your_name: &'static str,
    pub your_role: &'static str,
    pub join_title: &'static str,
    pub join_body: &'static str,
    pub join: &'static str,
    pub outside_frames: &'static str,
    pub notes_heading: &'static str,
    pub no_notes: &'static str,
    pub empty_node: &'static str,
    pub edit_node: &'static str,
    pub expand: &'static str,
    pub collapse: &'static str,
    pub add_child: &'static str,
    pub add_sibling: &'static str,
    pub to_board: &'static str,
    pub mindmap_keys: &'static str,
    pub no_mindmap: &'static str,
    pub new_board: &'static str,
    pub theme_label: &'static str,
    pub theme_placeholder: &'static str,
    pub template_label: &'static str,
    pub template_blank: &'static str,
    pub template_postits: &'static str,
    pub template_mindmap: &'static str,
    pub recent_boards: &'static str,
    pub template_frames: [&'static str; 3],
    pub color_names: [&'static str; 6],
    /// The toolbar's menu of rarely used tools.
    pub more: &'static str,
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
    resize_note: "Resize the note: drag, or arrow keys (Shift for small steps)",
    link_copied: "Link copied",
    untitled: "Untitled board",
    saved: "Saved",
    saving: "Saving…",
    connecting: "Connecting…",
    offline: "Offline",
    offline_kept: "Offline: ",
    offline_kept_tail: " changes kept on this device",
    offline_kept_tail_one: " change kept on this device",
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
    empty_note: "empty",
    connect_here: "Connect to this note",
    not_kept: "This device could not keep the board (storage full or blocked). Your edits are still sent when online.",
    canvas_label: "Board. Drag to move around, pinch or Ctrl+wheel to zoom, double-tap to add a note.",
    minimap: "Overview of the whole board; tap to go there",
    frame_label: "Frame",
    frame_name: "Name of the frame",
    delete_frame: "Delete frame (its notes stay)",
    tools: "Tools",
    add_frame: "Frame",
    tool_area: "Select area",
    tool_connect: "Arrow",
    views: "Views",
    view_canvas: "Board",
    view_mindmap: "Mind map",
    view_list: "List",
    zoom: "Zoom",
    zoom_out: "Zoom out",
    zoom_in: "Zoom in",
    zoom_fit: "Show all",
    selection: "Selected notes",
    selected_count: "selected",
    color: "Colour",
    to_mindmap: "To mind map",
    delete: "Delete",
    connect_first: "Tap the note the arrow starts from.",
    connect_second: "Now tap the note the arrow points to.",
    view_only: "View only",
    following: "Following",
    stop_following: "Stop following",
    follow: "Tap to follow their view",
    your_name: "Your name (shown to the others)",
    your_role: "You take part as",
    join_title: "Join the board",
    join_body: "Tell the others who you are. No account is needed; this device remembers it.",
    join: "Join",
    outside_frames: "Not in a frame",
    notes_heading: "Notes",
    no_notes: "No notes.",
    empty_node: "(empty)",
    edit_node: "Edit text",
    expand: "Expand",
    collapse: "Collapse",
    add_child: "Add child (Tab)",
    add_sibling: "Add sibling (Enter)",
    to_board: "To the board as a note",
    mindmap_keys: "Arrows move, F2 or typing edits, Delete removes, Ctrl+←/→ fold.",
    no_mindmap: "This board has no mind map yet.",
    new_board: "New board",
    theme_label: "Theme question (optional)",
    theme_placeholder: "e.g. Who should take part?",
    template_label: "Start from",
    template_blank: "Blank board",
    template_postits: "Post-it board (ideas, questions, actions)",
    template_mindmap: "Mind map",
    recent_boards: "Boards on this device",
    template_frames: ["Ideas", "Questions", "Actions"],
    color_names: ["yellow", "pink", "blue", "green", "orange", "purple"],
    more: "More",
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
    resize_note: "Ændr sedlens størrelse: træk, eller brug piletasterne (Shift for små skridt)",
    link_copied: "Link kopieret",
    untitled: "Tavle uden navn",
    saved: "Gemt",
    saving: "Gemmer…",
    connecting: "Forbinder…",
    offline: "Offline",
    offline_kept: "Offline: ",
    offline_kept_tail: " ændringer gemt på denne enhed",
    offline_kept_tail_one: " ændring gemt på denne enhed",
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
    empty_note: "tom",
    connect_here: "Forbind til denne seddel",
    not_kept: "Enheden kunne ikke gemme tavlen (lageret er fuldt eller blokeret). Dine ændringer sendes stadig, når du er online.",
    canvas_label: "Tavle. Træk for at flytte rundt, knib eller Ctrl+hjul for at zoome, dobbelttryk for at tilføje en seddel.",
    minimap: "Oversigt over hele tavlen; tryk for at gå dertil",
    frame_label: "Ramme",
    frame_name: "Rammens navn",
    delete_frame: "Slet ramme (sedlerne bliver)",
    tools: "Værktøjer",
    add_frame: "Ramme",
    tool_area: "Vælg område",
    tool_connect: "Pil",
    views: "Visninger",
    view_canvas: "Tavle",
    view_mindmap: "Mindmap",
    view_list: "Liste",
    zoom: "Zoom",
    zoom_out: "Zoom ud",
    zoom_in: "Zoom ind",
    zoom_fit: "Vis alt",
    selection: "Valgte sedler",
    selected_count: "valgt",
    color: "Farve",
    to_mindmap: "Til mindmap",
    delete: "Slet",
    connect_first: "Tryk på den seddel, pilen skal starte fra.",
    connect_second: "Tryk nu på den seddel, pilen skal pege på.",
    view_only: "Kun visning",
    following: "Følger",
    stop_following: "Stop med at følge",
    follow: "Tryk for at følge deres visning",
    your_name: "Dit navn (vises for de andre)",
    your_role: "Du deltager som",
    join_title: "Deltag på tavlen",
    join_body: "Fortæl de andre, hvem du er. Du behøver ingen konto; denne enhed husker det.",
    join: "Deltag",
    outside_frames: "Uden for rammer",
    notes_heading: "Sedler",
    no_notes: "Ingen sedler.",
    empty_node: "(tom)",
    edit_node: "Redigér tekst",
    expand: "Fold ud",
    collapse: "Fold sammen",
    add_child: "Tilføj underpunkt (Tab)",
    add_sibling: "Tilføj punkt (Enter)",
    to_board: "Til tavlen som seddel",
    mindmap_keys: "Pile flytter, F2 eller skriv for at redigere, Delete sletter, Ctrl+←/→ folder.",
    no_mindmap: "Tavlen har endnu ingen mindmap.",
    new_board: "Ny tavle",
    theme_label: "Temaspørgsmål (valgfrit)",
    theme_placeholder: "fx Hvem skal deltage?",
    template_label: "Start med",
    template_blank: "Tom tavle",
    template_postits: "Post-it-tavle (idéer, spørgsmål, handlinger)",
    template_mindmap: "Mindmap",
    recent_boards: "Tavler på denne enhed",
    template_frames: ["Idéer", "Spørgsmål", "Handlinger"],
    color_names: ["gul", "lyserød", "blå", "grøn", "orange", "lilla"],
    more: "Mere",
};

impl Strings {
    pub fn color_name(&self, c: samskab_board::Color) -> &'static str {
        let i = samskab_board::Color::ALL
            .iter()
            .position(|x| *x == c)
            .unwrap_or(0);
        self.color_names[i]
    }
}

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

    /// A role group's name in the current language (reactive). The names
    /// are those of the exports (`samskab_export::role_label`), so a
    /// person's group reads the same on the board, in the facilitation
    /// panel and in a public snapshot.
    pub fn role(self, r: samskab_board::RoleGroup) -> &'static str {
        samskab_export::role_label(r, self.0.get().code())
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

/// The facilitation panel's strings (`components/facilitation`).
#[derive(Debug)]
pub struct FacilStrings {
    pub panel: &'static str,
    pub timer: &'static str,
    pub start_5: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub extend_1: &'static str,
    pub stop: &'static str,
    pub round: &'static str,
    pub round_question: &'static str,
    pub start_round: &'static str,
    pub speaking: &'static str,
    pub next_up: &'static str,
    pub done_turn: &'static str,
    pub pass: &'static str,
    pub round_over: &'static str,
    pub ideation: &'static str,
    pub start_ideation: &'static str,
    pub reveal: &'static str,
    pub private_hint: &'static str,
    pub add_private: &'static str,
    pub vote: &'static str,
    pub open_vote: &'static str,
    pub by_role: &'static str,
    pub dots_left: &'static str,
    pub results: &'static str,
    pub balance: &'static str,
    pub share_balance: &'static str,
    pub notes: &'static str,
    pub words: &'static str,
    pub votes: &'static str,
    pub turns: &'static str,
    pub chair: &'static str,
    pub hand_over: &'static str,
    pub you_chair: &'static str,
    pub my_role: &'static str,
    pub templates: &'static str,
    pub swot: &'static str,
    pub question_board: &'static str,
    pub minutes: &'static str,
    pub action: &'static str,
    pub from_note: &'static str,
    pub owner: &'static str,
    pub done_when: &'static str,
    pub create_action: &'static str,
}

pub const FACIL_EN: FacilStrings = FacilStrings {
    panel: "Facilitation",
    timer: "Timer",
    start_5: "Start 5 min",
    pause: "Pause",
    resume: "Resume",
    extend_1: "+1 min",
    stop: "Stop",
    round: "Round",
    round_question: "Question for the round",
    start_round: "Start round",
    speaking: "Speaking now: ",
    next_up: "Next: ",
    done_turn: "Next person",
    pass: "Pass",
    round_over: "The round is over",
    ideation: "Private ideation",
    start_ideation: "Start private ideation",
    reveal: "Reveal all at once",
    private_hint: "Only you can see these notes until the facilitator reveals them.",
    add_private: "Add my note",
    vote: "Dot voting",
    open_vote: "Open a vote on the notes",
    by_role: "Show results by role group",
    dots_left: "Dots left: ",
    results: "Results",
    balance: "Balance by role group",
    share_balance: "Show the balance to everyone",
    notes: "notes",
    words: "words",
    votes: "votes",
    turns: "turns",
    chair: "Chair",
    hand_over: "Hand the chair to",
    you_chair: "You are chairing this meeting",
    my_role: "I am a",
    templates: "Templates",
    swot: "SWOT",
    question_board: "Question board",
    minutes: "Mind-map minutes",
    action: "New action",
    from_note: "From note",
    owner: "Owner",
    done_when: "Done when",
    create_action: "Create action",
};

pub const FACIL_DA: FacilStrings = FacilStrings {
    panel: "Facilitering",
    timer: "Tid",
    start_5: "Start 5 min",
    pause: "Pause",
    resume: "Fortsæt",
    extend_1: "+1 min",
    stop: "Stop",
    round: "Runde",
    round_question: "Spørgsmål til runden",
    start_round: "Start runde",
    speaking: "Ordet har: ",
    next_up: "Næste: ",
    done_turn: "Næste person",
    pass: "Pas",
    round_over: "Runden er slut",
    ideation: "Idéer hver for sig",
    start_ideation: "Start idéer hver for sig",
    reveal: "Vis alle på én gang",
    private_hint: "Kun du kan se disse sedler, indtil facilitatoren viser dem.",
    add_private: "Tilføj min seddel",
    vote: "Prikafstemning",
    open_vote: "Åbn en afstemning om sedlerne",
    by_role: "Vis resultatet pr. rollegruppe",
    dots_left: "Prikker tilbage: ",
    results: "Resultat",
    balance: "Balance mellem rollegrupper",
    share_balance: "Vis balancen for alle",
    notes: "sedler",
    words: "ord",
    votes: "stemmer",
    turns: "taleture",
    chair: "Ordstyrer",
    hand_over: "Giv ordstyrerrollen til",
    you_chair: "Du er ordstyrer på dette møde",
    my_role: "Jeg er",
    templates: "Skabeloner",
    swot: "SWOT",
    question_board: "Spørgsmålstavle",
    minutes: "Referat som mindmap",
    action: "Ny handling",
    from_note: "Fra seddel",
    owner: "Ansvarlig",
    done_when: "Færdig når",
    create_action: "Opret handling",
};

impl I18n {
    /// A reactive facilitation string: `i18n.f(|s| s.timer)`.
    pub fn f(
        self,
        pick: fn(&'static FacilStrings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || {
            pick(match self.0.get() {
                Lang::Da => &FACIL_DA,
                Lang::En => &FACIL_EN,
            })
        }
    }
}

impl I18n {
    /// The language shown now, as "da" or "en".
    pub fn now_lang_code(self) -> &'static str {
        self.0.get_untracked().code()
    }
}

/// The current strings, outside any component (event handlers, the
/// controller): the stored choice, else the browser's language.
pub fn strings() -> &'static Strings {
    Lang::detect().strings()
}

/// The export, history and public snapshot panels' strings
/// (`components/export_panel.rs`, `history_panel.rs`, `snapshot_section.rs`).
#[derive(Debug)]
pub struct ExportStrings {
    pub export: &'static str,
    pub history: &'static str,
    pub format: &'static str,
    pub fmt_png: &'static str,
    pub fmt_svg: &'static str,
    pub fmt_pdf: &'static str,
    pub fmt_md: &'static str,
    pub fmt_csv: &'static str,
    pub fmt_json: &'static str,
    pub fmt_automerge: &'static str,
    pub scope: &'static str,
    pub scope_board: &'static str,
    pub scope_frame: &'static str,
    pub scope_mindmap: &'static str,
    pub scope_unused: &'static str,
    pub paper: &'static str,
    pub orientation: &'static str,
    pub portrait: &'static str,
    pub landscape: &'static str,
    pub download: &'static str,
    pub preparing: &'static str,
    pub downloaded: &'static str,
    pub download_again: &'static str,
    pub made_offline: &'static str,
    pub needs_server: &'static str,
    pub export_failed: &'static str,
    pub unreachable: &'static str,
    pub snapshot: &'static str,
    pub snapshot_hint: &'static str,
    pub snapshot_create: &'static str,
    pub snapshot_creating: &'static str,
    pub snapshot_failed: &'static str,
    pub snapshot_link: &'static str,
    pub open_link: &'static str,
    pub history_loading: &'static str,
    pub history_failed: &'static str,
    pub since_last: &'static str,
    pub last_ended: &'static str,
    pub first_session: &'static str,
    pub sessions: &'static str,
    pub sessions_hint: &'static str,
    pub changes: &'static str,
    pub change: &'static str,
    pub current: &'static str,
    pub show: &'static str,
    pub preview_of: &'static str,
    pub preview_hint: &'static str,
    pub preview_failed: &'static str,
    pub restore: &'static str,
    pub restore_confirm: &'static str,
    pub restore_yes: &'static str,
    pub cancel: &'static str,
    pub restoring: &'static str,
    pub restored: &'static str,
    pub restore_failed: &'static str,
    pub reload: &'static str,
    pub close: &'static str,
}

pub const EXPORT_EN: ExportStrings = ExportStrings {
    export: "Export",
    history: "History",
    format: "Format",
    fmt_png: "Image (PNG)",
    fmt_svg: "Image (SVG)",
    fmt_pdf: "For printing (PDF)",
    fmt_md: "Minutes (Markdown)",
    fmt_csv: "Notes as a spreadsheet (CSV)",
    fmt_json: "Data (JSON)",
    fmt_automerge: "Whole board with its history (.automerge)",
    scope: "What to export",
    scope_board: "The whole board",
    scope_frame: "Frame: ",
    scope_mindmap: "Mind map: ",
    scope_unused: "This format always holds the whole board.",
    paper: "Paper",
    orientation: "Orientation",
    portrait: "Portrait",
    landscape: "Landscape",
    download: "Download",
    preparing: "Preparing the file…",
    downloaded: "Ready: ",
    download_again: "Download again",
    made_offline: "Made on this device from your copy of the board, because the server cannot be reached.",
    needs_server: "PNG and PDF are made by the server, which cannot be reached now. Choose SVG, or try again when you are online.",
    export_failed: "The export failed: ",
    unreachable: "the server cannot be reached.",
    snapshot: "Public snapshot",
    snapshot_hint: "A read-only copy of the board as it is now, for people outside the group. Names are replaced by role groups, and later changes to the board do not show in it.",
    snapshot_create: "Publish a snapshot",
    snapshot_creating: "Publishing…",
    snapshot_failed: "The snapshot could not be published: ",
    snapshot_link: "Public link",
    open_link: "Open",
    history_loading: "Loading the history…",
    history_failed: "The history could not be loaded: ",
    since_last: "What changed since the last meeting",
    last_ended: "The last meeting ended ",
    first_session: "This is the board's first meeting: there is nothing earlier to compare with.",
    sessions: "Versions by meeting",
    sessions_hint: "A new meeting starts after 30 minutes without changes.",
    changes: "changes",
    change: "change",
    current: "Current version",
    show: "Show",
    preview_of: "The board at the end of the meeting on ",
    preview_hint: "Choose a meeting to see how the board looked at its end.",
    preview_failed: "The version could not be shown: ",
    restore: "Restore this version",
    restore_confirm: "Bring the board back to how it was at the end of this meeting? It is done as a new change for everyone: nothing is lost, and the present version stays in the history.",
    restore_yes: "Yes, restore",
    cancel: "Cancel",
    restoring: "Restoring…",
    restored: "The version is restored. The version before it is still in the history.",
    restore_failed: "The version could not be restored: ",
    reload: "Try again",
    close: "Close",
};

pub const EXPORT_DA: ExportStrings = ExportStrings {
    export: "Eksportér",
    history: "Historik",
    format: "Format",
    fmt_png: "Billede (PNG)",
    fmt_svg: "Billede (SVG)",
    fmt_pdf: "Til udskrift (PDF)",
    fmt_md: "Referat (Markdown)",
    fmt_csv: "Sedler som regneark (CSV)",
    fmt_json: "Data (JSON)",
    fmt_automerge: "Hele tavlen med historik (.automerge)",
    scope: "Hvad skal med",
    scope_board: "Hele tavlen",
    scope_frame: "Ramme: ",
    scope_mindmap: "Mindmap: ",
    scope_unused: "Dette format indeholder altid hele tavlen.",
    paper: "Papir",
    orientation: "Retning",
    portrait: "Stående",
    landscape: "Liggende",
    download: "Hent",
    preparing: "Gør filen klar…",
    downloaded: "Klar: ",
    download_again: "Hent igen",
    made_offline: "Lavet på denne enhed ud fra din kopi af tavlen, fordi serveren ikke kan nås.",
    needs_server: "PNG og PDF laves af serveren, som ikke kan nås lige nu. Vælg SVG, eller prøv igen, når du er online.",
    export_failed: "Eksporten mislykkedes: ",
    unreachable: "serveren kan ikke nås.",
    snapshot: "Offentligt øjebliksbillede",
    snapshot_hint: "En skrivebeskyttet kopi af tavlen, som den er nu, til folk uden for gruppen. Navne erstattes af rollegrupper, og senere ændringer på tavlen kommer ikke med.",
    snapshot_create: "Udgiv et øjebliksbillede",
    snapshot_creating: "Udgiver…",
    snapshot_failed: "Øjebliksbilledet kunne ikke udgives: ",
    snapshot_link: "Offentligt link",
    open_link: "Åbn",
    history_loading: "Henter historikken…",
    history_failed: "Historikken kunne ikke hentes: ",
    since_last: "Hvad er ændret siden sidste møde",
    last_ended: "Sidste møde sluttede ",
    first_session: "Dette er tavlens første møde: der er intet tidligere at sammenligne med.",
    sessions: "Versioner pr. møde",
    sessions_hint: "Et nyt møde begynder efter 30 minutter uden ændringer.",
    changes: "ændringer",
    change: "ændring",
    current: "Nuværende version",
    show: "Vis",
    preview_of: "Tavlen ved slutningen af mødet ",
    preview_hint: "Vælg et møde for at se, hvordan tavlen så ud, da det sluttede.",
    preview_failed: "Versionen kunne ikke vises: ",
    restore: "Gendan denne version",
    restore_confirm: "Skal tavlen tilbage til, som den var ved slutningen af dette møde? Det sker som en ny ændring for alle: intet går tabt, og den nuværende version bliver i historikken.",
    restore_yes: "Ja, gendan",
    cancel: "Annullér",
    restoring: "Gendanner…",
    restored: "Versionen er gendannet. Versionen før den er stadig i historikken.",
    restore_failed: "Versionen kunne ikke gendannes: ",
    reload: "Prøv igen",
    close: "Luk",
};

impl I18n {
    /// A reactive export/history string: `i18n.x(|s| s.export)`.
    pub fn x(
        self,
        pick: fn(&'static ExportStrings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || pick(self.0.get().export_strings())
    }

    /// The export/history strings in the language shown now (tracked).
    pub fn export_strings(self) -> &'static ExportStrings {
        self.0.get().export_strings()
    }

    /// The export/history strings now, outside a reactive scope.
    pub fn now_export(self) -> &'static ExportStrings {
        self.0.get_untracked().export_strings()
    }
}

/// Strings of the workspace (meetings in a series) and its links.
#[derive(Debug)]
pub struct SeriesStrings {
    pub series: &'static str,
    pub new_series: &'static str,
    pub series_hint: &'static str,
    pub series_name: &'static str,
    pub series_name_placeholder: &'static str,
    pub create_series: &'static str,
    pub series_failed: &'static str,
    pub series_not_found_title: &'static str,
    pub series_not_found_body: &'static str,
    pub meetings: &'static str,
    pub no_meetings: &'static str,
    pub meeting: &'static str,
    pub open_board: &'static str,
    pub chaired_by: &'static str,
    pub planned_chair: &'static str,
    pub current_item: &'static str,
    pub agenda: &'static str,
    pub next_meeting: &'static str,
    pub date: &'static str,
    pub theme: &'static str,
    pub agenda_hint: &'static str,
    pub from_previous: &'static str,
    pub carry_actions: &'static str,
    pub add_meeting: &'static str,
    pub adding: &'static str,
    pub meeting_failed: &'static str,
    pub need_date_theme: &'static str,
    pub rotation: &'static str,
    pub rotation_hint: &'static str,
    pub save_rotation: &'static str,
    pub rotation_saved: &'static str,
    pub series_links: &'static str,
    pub link_facilitator: &'static str,
    pub link_editor: &'static str,
    pub link_viewer: &'static str,
    pub copy: &'static str,
    pub back_to_series: &'static str,
    pub role_facilitator: &'static str,
    pub role_participant: &'static str,
}

pub const SERIES_EN: SeriesStrings = SeriesStrings {
    series: "Meetings in a series",
    new_series: "New series of meetings",
    series_hint: "A committee's meetings in order, each with a date, a theme question, an agenda and its own board.",
    series_name: "Name of the committee or series",
    series_name_placeholder: "e.g. Committee on citizen participation",
    create_series: "Create series",
    series_failed: "The series could not be created. Give it a name and try again.",
    series_not_found_title: "No series here",
    series_not_found_body: "There is no series of meetings at this address, or the link is not complete. Ask the facilitator for the link.",
    meetings: "Meetings",
    no_meetings: "No meetings yet.",
    meeting: "Meeting",
    open_board: "Open the board",
    chaired_by: "Chaired by: ",
    planned_chair: "Planned chair: ",
    current_item: "Now: ",
    agenda: "Agenda",
    next_meeting: "Next meeting",
    date: "Date",
    theme: "Theme question",
    agenda_hint: "Agenda items, one per line",
    from_previous: "Start from the previous meeting's mind-map minutes",
    carry_actions: "Bring its open actions too",
    add_meeting: "Add the meeting",
    adding: "Adding…",
    meeting_failed: "The meeting could not be added: ",
    need_date_theme: "Give the meeting a date and a theme question.",
    rotation: "Rotation of the chair",
    rotation_hint: "Who chairs the meetings, in order. The plan starts again from the top when there are more meetings.",
    save_rotation: "Save the plan",
    rotation_saved: "Plan saved.",
    series_links: "Links to the series",
    link_facilitator: "Facilitator (can add meetings)",
    link_editor: "Participants",
    link_viewer: "Read only",
    copy: "Copy",
    back_to_series: "Series: ",
    role_facilitator: "You are the facilitator of this series.",
    role_participant: "You take part in this series.",
};

pub const SERIES_DA: SeriesStrings = SeriesStrings {
    series: "Møderække",
    new_series: "Ny møderække",
    series_hint: "Et udvalgs møder i rækkefølge, hvert med en dato, et temaspørgsmål, en dagsorden og sin egen tavle.",
    series_name: "Udvalgets eller møderækkens navn",
    series_name_placeholder: "fx Udvalget for borgerinddragelse",
    create_series: "Opret møderække",
    series_failed: "Møderækken kunne ikke oprettes. Giv den et navn, og prøv igen.",
    series_not_found_title: "Ingen møderække her",
    series_not_found_body: "Der er ingen møderække på denne adresse, eller linket er ikke helt. Bed facilitatoren om linket.",
    meetings: "Møder",
    no_meetings: "Ingen møder endnu.",
    meeting: "Møde",
    open_board: "Åbn tavlen",
    chaired_by: "Ordstyrer: ",
    planned_chair: "Planlagt ordstyrer: ",
    current_item: "Nu: ",
    agenda: "Dagsorden",
    next_meeting: "Næste møde",
    date: "Dato",
    theme: "Temaspørgsmål",
    agenda_hint: "Dagsordenspunkter, ét pr. linje",
    from_previous: "Start fra forrige mødes referat som mindmap",
    carry_actions: "Tag også de åbne handlinger med",
    add_meeting: "Tilføj mødet",
    adding: "Tilføjer…",
    meeting_failed: "Mødet kunne ikke tilføjes: ",
    need_date_theme: "Giv mødet en dato og et temaspørgsmål.",
    rotation: "Rotation af ordstyrer",
    rotation_hint: "Hvem der er ordstyrer på møderne, i rækkefølge. Planen begynder forfra, når der er flere møder.",
    save_rotation: "Gem planen",
    rotation_saved: "Planen er gemt.",
    series_links: "Links til møderækken",
    link_facilitator: "Facilitator (kan tilføje møder)",
    link_editor: "Deltagere",
    link_viewer: "Kun læse",
    copy: "Kopiér",
    back_to_series: "Møderække: ",
    role_facilitator: "Du er facilitator for denne møderække.",
    role_participant: "Du deltager i denne møderække.",
};

impl I18n {
    /// A reactive string of this group: `i18n.w(|s| s.series)`.
    pub fn w(
        self,
        pick: fn(&'static SeriesStrings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || {
            pick(match self.0.get() {
                Lang::Da => &SERIES_DA,
                Lang::En => &SERIES_EN,
            })
        }
    }

    /// The same, read once (event handlers).
    pub fn w_now(self, pick: fn(&'static SeriesStrings) -> &'static str) -> &'static str {
        pick(match self.0.get_untracked() {
            Lang::Da => &SERIES_DA,
            Lang::En => &SERIES_EN,
        })
    }
}

/// Strings of the outcomes panel (actions, decisions, dissent, the concreteness check) and mixed groups.
#[derive(Debug)]
pub struct OutcomeStrings {
    pub outcomes: &'static str,
    pub actions: &'static str,
    pub no_actions: &'static str,
    pub action_text: &'static str,
    pub deadline: &'static str,
    pub status: &'static str,
    pub status_open: &'static str,
    pub status_doing: &'static str,
    pub status_done: &'static str,
    pub status_dropped: &'static str,
    pub decisions: &'static str,
    pub no_decisions: &'static str,
    pub new_decision: &'static str,
    pub decision_text: &'static str,
    pub agreement: &'static str,
    pub covers: &'static str,
    pub record_decision: &'static str,
    pub need_decision_text: &'static str,
    pub dissent: &'static str,
    pub my_dissent: &'static str,
    pub save_dissent: &'static str,
    pub withdraw_dissent: &'static str,
    pub concreteness: &'static str,
    pub all_concrete: &'static str,
    pub no_action: &'static str,
    pub no_owner: &'static str,
    pub no_deadline: &'static str,
    pub make_action: &'static str,
    pub someone: &'static str,
    pub by: &'static str,
    pub anonymous: &'static str,
    pub anonymous_on: &'static str,
    pub groups: &'static str,
    pub group_size: &'static str,
    pub split_groups: &'static str,
    pub groups_together: &'static str,
    pub together: &'static str,
    pub item_missing: &'static str,
}

pub const OUTCOME_EN: OutcomeStrings = OutcomeStrings {
    outcomes: "Outcomes",
    actions: "Actions",
    no_actions: "No actions yet.",
    action_text: "What is to be done",
    deadline: "Deadline",
    status: "Status",
    status_open: "Open",
    status_doing: "Under way",
    status_done: "Done",
    status_dropped: "Dropped",
    decisions: "Decisions",
    no_decisions: "No decisions yet.",
    new_decision: "Record a decision",
    decision_text: "The decision",
    agreement: "What we agreed",
    covers: "The notes it covers",
    record_decision: "Record the decision",
    need_decision_text: "Write the decision and pick at least one note.",
    dissent: "Dissent",
    my_dissent: "My dissent, in my own words",
    save_dissent: "Save my dissent",
    withdraw_dissent: "Withdraw",
    concreteness: "Concreteness check",
    all_concrete: "Every idea in this decision has an owner and a deadline.",
    no_action: "no action",
    no_owner: "no owner",
    no_deadline: "no deadline",
    make_action: "Make it an action",
    someone: "A participant",
    by: "by ",
    anonymous: "Anonymous mode: hide who wrote what",
    anonymous_on: "Anonymous mode is on: authors are hidden.",
    groups: "Mixed groups",
    group_size: "People per group",
    split_groups: "Split into mixed groups",
    groups_together: "Bring the groups together",
    together: "The groups are together again; their frames stay on the board.",
    item_missing: "(note removed)",
};

pub const OUTCOME_DA: OutcomeStrings = OutcomeStrings {
    outcomes: "Resultater",
    actions: "Handlinger",
    no_actions: "Ingen handlinger endnu.",
    action_text: "Hvad skal gøres",
    deadline: "Frist",
    status: "Status",
    status_open: "Åben",
    status_doing: "I gang",
    status_done: "Færdig",
    status_dropped: "Droppet",
    decisions: "Beslutninger",
    no_decisions: "Ingen beslutninger endnu.",
    new_decision: "Noter en beslutning",
    decision_text: "Beslutningen",
    agreement: "Det blev vi enige om",
    covers: "De sedler den omfatter",
    record_decision: "Gem beslutningen",
    need_decision_text: "Skriv beslutningen, og vælg mindst én seddel.",
    dissent: "Uenighed",
    my_dissent: "Min uenighed, med mine egne ord",
    save_dissent: "Gem min uenighed",
    withdraw_dissent: "Træk tilbage",
    concreteness: "Er det konkret?",
    all_concrete: "Alle idéer i beslutningen har en ansvarlig og en frist.",
    no_action: "ingen handling",
    no_owner: "ingen ansvarlig",
    no_deadline: "ingen frist",
    make_action: "Gør det til en handling",
    someone: "En deltager",
    by: "af ",
    anonymous: "Anonym tilstand: skjul hvem der skrev hvad",
    anonymous_on: "Anonym tilstand er slået til: forfattere er skjult.",
    groups: "Blandede grupper",
    group_size: "Personer pr. gruppe",
    split_groups: "Del i blandede grupper",
    groups_together: "Saml grupperne igen",
    together: "Grupperne er samlet igen; deres rammer bliver på tavlen.",
    item_missing: "(sedlen er fjernet)",
};

impl I18n {
    /// A reactive string of this group: `i18n.o(|s| s.outcomes)`.
    pub fn o(
        self,
        pick: fn(&'static OutcomeStrings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || {
            pick(match self.0.get() {
                Lang::Da => &OUTCOME_DA,
                Lang::En => &OUTCOME_EN,
            })
        }
    }
}

/// Strings of consent to be named, series links on any device, the
/// rotation by participant and the committee's own templates.
#[derive(Debug)]
pub struct MoreStrings {
    pub name_consent: &'static str,
    pub name_consent_hint: &'static str,
    pub need_name: &'static str,
    pub meeting_links: &'static str,
    pub next_chair: &'static str,
    pub add_to_rotation: &'static str,
    pub remove: &'static str,
    pub no_participants: &'static str,
    pub pick_participant: &'static str,
    pub save_as_template: &'static str,
    pub save_template_hint: &'static str,
    pub template_name: &'static str,
    pub template_with_content: &'static str,
    pub scope_series: &'static str,
    pub scope_installation: &'static str,
    pub save_template: &'static str,
    pub template_saved: &'static str,
    pub template_failed: &'static str,
    pub need_template_name: &'static str,
    pub start_from_template: &'static str,
    pub no_own_template: &'static str,
    pub private_waiting: &'static str,
    pub passes: &'static str,
    pub dots_waiting: &'static str,
    pub dots_too_late: &'static str,
}

/// These strings outside any component (the controller).
pub fn more_strings() -> &'static MoreStrings {
    match Lang::detect() {
        Lang::Da => &MORE_DA,
        Lang::En => &MORE_EN,
    }
}

pub const MORE_EN: MoreStrings = MoreStrings {
    name_consent: "My name may appear in public snapshots of this board",
    name_consent_hint: "Otherwise a public snapshot shows only your role group (citizen, politician, administrator). You can change this later in the Facilitation panel.",
    need_name: "Write your name first.",
    meeting_links: "Links to this meeting's board",
    next_chair: "Add a chair",
    add_to_rotation: "Add",
    remove: "Remove",
    no_participants: "Nobody has joined a meeting of this series yet. People who join a meeting's board can be planned as chair.",
    pick_participant: "Pick a participant of the series.",
    save_as_template: "Save this board as a template",
    save_template_hint: "Keeps the frames, the agenda and the mind maps' main branches, so the next meeting or a new board can start from them.",
    template_name: "Name of the template",
    template_with_content: "Keep the notes and every mind-map point too",
    scope_series: "for this series",
    scope_installation: "for every board on this server",
    save_template: "Save the template",
    template_saved: "Template saved: ",
    template_failed: "The template was not saved: ",
    need_template_name: "Give the template a name.",
    start_from_template: "Start from a template",
    no_own_template: "No template (mind-map minutes)",
    private_waiting: "(kept on this device: sent when the connection is back)",
    passes: "passed",
    dots_waiting: "(waiting to be sent)",
    dots_too_late: "Your dots came too late: the vote was closed before they reached the server, so they were not counted.",
};

pub const MORE_DA: MoreStrings = MoreStrings {
    name_consent: "Mit navn må stå i offentlige øjebliksbilleder af tavlen",
    name_consent_hint: "Ellers viser et offentligt øjebliksbillede kun din rollegruppe (borger, politiker, embedsperson). Du kan ændre det senere i panelet Facilitering.",
    need_name: "Skriv dit navn først.",
    meeting_links: "Links til mødets tavle",
    next_chair: "Tilføj en ordstyrer",
    add_to_rotation: "Tilføj",
    remove: "Fjern",
    no_participants: "Ingen har deltaget i et møde i denne række endnu. De, der går ind på et mødes tavle, kan planlægges som ordstyrer.",
    pick_participant: "Vælg en deltager i møderækken.",
    save_as_template: "Gem tavlen som skabelon",
    save_template_hint: "Gemmer rammerne, dagsordenen og mindmappenes hovedgrene, så næste møde eller en ny tavle kan begynde med dem.",
    template_name: "Skabelonens navn",
    template_with_content: "Gem også sedlerne og alle punkter i mindmappet",
    scope_series: "til denne møderække",
    scope_installation: "til alle tavler på denne server",
    save_template: "Gem skabelonen",
    template_saved: "Skabelonen er gemt: ",
    template_failed: "Skabelonen blev ikke gemt: ",
    need_template_name: "Giv skabelonen et navn.",
    start_from_template: "Begynd med en skabelon",
    no_own_template: "Ingen skabelon (mindmap-referat)",
    private_waiting: "(gemt på denne enhed: sendes, når forbindelsen er tilbage)",
    passes: "sprang over",
    dots_waiting: "(venter på at blive sendt)",
    dots_too_late: "Dine prikker kom for sent: afstemningen blev lukket, før de nåede frem til serveren, så de blev ikke talt med.",
};

impl I18n {
    /// A reactive string of this group: `i18n.r(|s| s.name_consent)`.
    pub fn r(
        self,
        pick: fn(&'static MoreStrings) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + 'static {
        move || pick(self.r_lang(self.0.get()))
    }

    /// The same, read once (event handlers).
    pub fn r_now(self, pick: fn(&'static MoreStrings) -> &'static str) -> &'static str {
        pick(self.r_lang(self.0.get_untracked()))
    }

    fn r_lang(self, lang: Lang) -> &'static MoreStrings {
        match lang {
            Lang::Da => &MORE_DA,
            Lang::En => &MORE_EN,
        }
    }
}
