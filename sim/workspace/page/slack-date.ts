/** Slack's <!date^epoch^format|fallback>: tokens rendered in the reader's own time zone. */

const ORDINAL = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

function parts(date: Date, tz: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hour12: true,
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return out;
}

function dayKey(date: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function ago(date: Date, now: Date): string {
  const s = Math.round((now.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] =
    abs < 60
      ? [abs, 'second']
      : abs < 3600
        ? [Math.round(abs / 60), 'minute']
        : abs < 86400
          ? [Math.round(abs / 3600), 'hour']
          : [Math.round(abs / 86400), 'day'];
  const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return s >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

export function formatSlackDate(epochSec: number, format: string, tz: string, now = new Date()): string {
  const date = new Date(epochSec * 1000);
  const p = parts(date, tz);
  const day = Number(p['day']);
  const monthShort = (p['month'] ?? '').slice(0, 3);
  const dateLong = `${p['month']} ${ORDINAL(day)}, ${p['year']}`;
  const dateShort = `${monthShort} ${day}, ${p['year']}`;
  const pretty = (fallback: string) => {
    const diff = (Date.parse(dayKey(date, tz)) - Date.parse(dayKey(now, tz))) / 86_400_000;
    return diff === 0 ? 'today' : diff === -1 ? 'yesterday' : diff === 1 ? 'tomorrow' : fallback;
  };
  const tokens: Record<string, string> = {
    date_num: dayKey(date, tz),
    date: dateLong,
    date_short: dateShort,
    date_long: `${p['weekday']}, ${dateLong}`,
    date_pretty: pretty(dateLong),
    date_short_pretty: pretty(dateShort),
    date_long_pretty: pretty(`${p['weekday']}, ${dateLong}`),
    time: `${p['hour']}:${p['minute']} ${p['dayPeriod']}`,
    time_secs: `${p['hour']}:${p['minute']}:${p['second']} ${p['dayPeriod']}`,
    ago: ago(date, now),
  };
  return format.replace(/\{(\w+)\}/g, (whole, name: string) => tokens[name] ?? whole);
}

/** `YYYY-MM-DDTHH:MM` on the wall clock of `tz` (a datetime-local input's value; Slack shows a datetimepicker in the user's zone). */
export function wallClock(epochSec: number, tz: string): string {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(new Date(epochSec * 1000))) p[part.type] = part.value;
  return `${p['year']}-${p['month']}-${p['day']}T${p['hour']}:${p['minute']}`;
}

/** The instant (Unix seconds) a wall-clock `YYYY-MM-DDTHH:MM` in `tz` names: corrected by the zone's offset until it reads back. */
export function fromWallClock(value: string, tz: string): number {
  const target = Date.parse(`${value}:00Z`);
  let guess = target;
  for (let i = 0; i < 3; i++) guess += target - Date.parse(`${wallClock(guess / 1000, tz)}:00Z`);
  return Math.floor(guess / 1000);
}
