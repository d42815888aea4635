/**
 * Control characters: C0 except tab and newline, DEL, C1. Nothing a person types or an image's
 * description needs them, and PostgreSQL refuses NUL in text outright ("invalid byte sequence"), which
 * turned a stray \0 in a command, a comment or a machine image's description into a failed request.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}
