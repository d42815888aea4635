/**
 * Slack's emoji shortcodes, from the map the workspace server builds out of emoji-datasource
 * (sim/workspace/emoji-map.ts). Until it has loaded, or for a name it lacks, a shortcode stays as its
 * :code: text, as Slack shows unknown ones.
 */
const EMOJI: Record<string, string> = {};

/** Resolves once the map has loaded (or failed to: shortcodes then stay as text). */
export const emojiReady: Promise<void> = fetch('/local/emoji.json')
  .then((res) => (res.ok ? (res.json() as Promise<Record<string, string>>) : {}))
  .then(addEmoji)
  .catch(() => {});

/** Add shortcodes to the map (the page: what the server sent; a test: the same map, built in-process). */
export function addEmoji(map: Record<string, string>): void {
  Object.assign(EMOJI, map);
}

export function emoji(name: string): string | undefined {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}

/** Replace :shortcodes: in plain text (plain_text objects with emoji: true). */
export function withEmoji(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => emoji(name) ?? whole);
}
