pub mod board_page;
pub mod home;
pub mod language_switch;
pub mod message_page;
pub mod note_card;
pub mod presence_list;
pub mod share_panel;
pub mod status_badge;
