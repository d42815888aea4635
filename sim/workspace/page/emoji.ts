/** Shortcodes Slack apps commonly use; anything else stays as its :code: text, as Slack shows unknown ones. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', warning: '⚠️', no_entry: '⛔', no_entry_sign: '🚫', lock: '🔒', unlock: '🔓',
  rocket: '🚀', gear: '⚙️', hourglass: '⌛', hourglass_flowing_sand: '⏳', stopwatch: '⏱️', alarm_clock: '⏰', clock1: '🕐',
  arrows_counterclockwise: '🔄', arrow_forward: '▶️', double_vertical_bar: '⏸️', black_square_for_stop: '⏹️', repeat: '🔁',
  wastebasket: '🗑️', floppy_disk: '💾', package: '📦', inbox_tray: '📥', outbox_tray: '📤', link: '🔗', paperclip: '📎',
  large_green_circle: '🟢', large_yellow_circle: '🟡', large_blue_circle: '🔵', red_circle: '🔴', black_circle: '⚫', white_circle: '⚪',
  large_orange_circle: '🟠', large_purple_circle: '🟣', star: '⭐', sparkles: '✨', tada: '🎉', fire: '🔥', zap: '⚡', bulb: '💡',
  bar_chart: '📊', chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', moneybag: '💰', money_with_wings: '💸', dollar: '💵',
  calendar: '📅', spiral_calendar_pad: '🗓️', memo: '📝', pencil: '📝', pencil2: '✏️', speech_balloon: '💬', thought_balloon: '💭',
  mag: '🔍', mag_right: '🔎', bell: '🔔', no_bell: '🔕', email: '📧', envelope: '✉️', wave: '👋', thumbsup: '👍', '+1': '👍',
  thumbsdown: '👎', '-1': '👎', eyes: '👀', raised_hands: '🙌', pray: '🙏', ok_hand: '👌', point_right: '👉', computer: '💻',
  desktop_computer: '🖥️', cloud: '☁️', globe_with_meridians: '🌐', earth_americas: '🌎', key: '🔑', shield: '🛡️', hammer_and_wrench: '🛠️',
  wrench: '🔧', construction: '🚧', information_source: 'ℹ️', question: '❓', exclamation: '❗', heavy_plus_sign: '➕', heavy_minus_sign: '➖',
  arrow_right: '➡️', arrow_left: '⬅️', arrow_up: '⬆️', arrow_down: '⬇️', leftwards_arrow_with_hook: '↩️', recycle: '♻️', hourglass_done: '⌛',
  smile: '😄', slightly_smiling_face: '🙂', thinking_face: '🤔', sweat_smile: '😅', white_circle_small: '◽', small_blue_diamond: '🔹',
  small_orange_diamond: '🔸', new: '🆕', up: '🆙', sos: '🆘', stop_sign: '🛑', crown: '👑', trophy: '🏆', medal: '🏅', busts_in_silhouette: '👥',
  bust_in_silhouette: '👤', label: '🏷️', bookmark: '🔖', card_index_dividers: '🗂️', file_folder: '📁', open_file_folder: '📂', page_facing_up: '📄',
};

export function emoji(name: string): string | undefined {
  return EMOJI[name];
}

/** Replace :shortcodes: in plain text (plain_text objects with emoji: true). */
export function withEmoji(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
}
