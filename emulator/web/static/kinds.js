// Discord's numbers by name, as emulator/enums.py names them (the page reads the wire shapes).

export const ChannelType = Object.freeze({
  TEXT: 0, DM: 1, VOICE: 2, CATEGORY: 4, ANNOUNCEMENT: 5,
  ANNOUNCEMENT_THREAD: 10, PUBLIC_THREAD: 11, PRIVATE_THREAD: 12, STAGE: 13, FORUM: 15, MEDIA: 16,
});

export const ComponentType = Object.freeze({
  ACTION_ROW: 1, BUTTON: 2, STRING_SELECT: 3, TEXT_INPUT: 4, USER_SELECT: 5, ROLE_SELECT: 6,
  MENTIONABLE_SELECT: 7, CHANNEL_SELECT: 8, SECTION: 9, TEXT_DISPLAY: 10, THUMBNAIL: 11,
  MEDIA_GALLERY: 12, FILE: 13, SEPARATOR: 14, CONTAINER: 17, LABEL: 18, FILE_UPLOAD: 19,
  RADIO_GROUP: 21, CHECKBOX_GROUP: 22, CHECKBOX: 23,
});

export const SELECT_TYPES = Object.freeze([
  ComponentType.STRING_SELECT, ComponentType.USER_SELECT, ComponentType.ROLE_SELECT,
  ComponentType.MENTIONABLE_SELECT, ComponentType.CHANNEL_SELECT,
]);

export const ButtonStyle = Object.freeze({
  PRIMARY: 1, SECONDARY: 2, SUCCESS: 3, DANGER: 4, LINK: 5, PREMIUM: 6,
});

export const TextInputStyle = Object.freeze({ SHORT: 1, PARAGRAPH: 2 });

export const CallbackType = Object.freeze({
  CHANNEL_MESSAGE: 4, DEFERRED_CHANNEL_MESSAGE: 5, DEFERRED_UPDATE_MESSAGE: 6, UPDATE_MESSAGE: 7,
  AUTOCOMPLETE_RESULT: 8, MODAL: 9,
});

export const CommandType = Object.freeze({ CHAT_INPUT: 1, USER: 2, MESSAGE: 3 });

export const OptionType = Object.freeze({
  SUB_COMMAND: 1, SUB_COMMAND_GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7,
  ROLE: 8, MENTIONABLE: 9, NUMBER: 10, ATTACHMENT: 11,
});

export const MessageType = Object.freeze({
  DEFAULT: 0, THREAD_CREATED: 18, REPLY: 19, CHAT_INPUT_COMMAND: 20, CONTEXT_MENU_COMMAND: 23,
});

export const MessageFlag = Object.freeze({ EPHEMERAL: 1 << 6, LOADING: 1 << 7 });
