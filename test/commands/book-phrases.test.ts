import { describe, expect, test } from 'vitest';
import { inZone, parseWhen } from '../../src/demos/booking-when.ts';
import { splitBooking } from '../../src/demos/booking-slack.ts';

/**
 * `/demo book` times, read in the user's own zone (users.info `tz`). Said on Friday 27 March 2026 at
 * 10:00 UTC: 11:00 in Berlin (CET, UTC+1, two days before Europe's switch to summer time) and 03:00 in
 * Los Angeles (PDT, UTC−7, already on summer time since 8 March). Expected instants are literal.
 */
const NOW = new Date('2026-03-27T10:00:00Z');

const CASES: Array<[string, string, string]> = [
  // phrase              Europe/Berlin                America/Los_Angeles
  ['tomorrow 9:00', '2026-03-28T08:00:00.000Z', '2026-03-28T16:00:00.000Z'],
  ['today 17:30', '2026-03-27T16:30:00.000Z', '2026-03-28T00:30:00.000Z'],
  ['in 2h', '2026-03-27T12:00:00.000Z', '2026-03-27T12:00:00.000Z'],
  ['in 45m', '2026-03-27T10:45:00.000Z', '2026-03-27T10:45:00.000Z'],
  ['in 1h30m', '2026-03-27T11:30:00.000Z', '2026-03-27T11:30:00.000Z'],
  ['in 90 minutes', '2026-03-27T11:30:00.000Z', '2026-03-27T11:30:00.000Z'],
  // Monday is across Berlin's DST switch: 9:00 CEST is 07:00 UTC, not 08:00.
  ['mon 9:00', '2026-03-30T07:00:00.000Z', '2026-03-30T16:00:00.000Z'],
  ['mon 14:30', '2026-03-30T12:30:00.000Z', '2026-03-30T21:30:00.000Z'],
  ['Monday 2:30pm', '2026-03-30T12:30:00.000Z', '2026-03-30T21:30:00.000Z'],
  // Friday: today if that time is still ahead there, else a week on.
  ['fri 12:00', '2026-03-27T11:00:00.000Z', '2026-03-27T19:00:00.000Z'],
  ['fri 10:00', '2026-04-03T08:00:00.000Z', '2026-03-27T17:00:00.000Z'],
  // A bare time: the next one (today if still ahead, else tomorrow).
  ['9am', '2026-03-28T08:00:00.000Z', '2026-03-27T16:00:00.000Z'],
  ['2:30pm', '2026-03-27T13:30:00.000Z', '2026-03-27T21:30:00.000Z'],
  ['2026-12-08 09:00', '2026-12-08T08:00:00.000Z', '2026-12-08T17:00:00.000Z'],
  ['2026-12-08T09:00', '2026-12-08T08:00:00.000Z', '2026-12-08T17:00:00.000Z'],
];

describe('parseWhen(text, now, tz)', () => {
  test.each(CASES)('%s → %s in Berlin, %s in Los Angeles', (phrase, berlin, losAngeles) => {
    expect(parseWhen(phrase, NOW, 'Europe/Berlin')).toEqual({ at: new Date(berlin) });
    expect(parseWhen(phrase, NOW, 'America/Los_Angeles')).toEqual({ at: new Date(losAngeles) });
  });

  test.each(['', 'soon', 'tomorrow', 'in a while', '25:00', 'mon 9:75', 'fri 13pm', '9'])('%j is refused with what to type', (phrase) => {
    const read = parseWhen(phrase, NOW, 'Europe/Berlin');
    expect(read).toEqual({ error: expect.stringMatching(/e\.g\.|try|Try/) });
  });

  test('the answer names the instant as the user’s zone reads it', () => {
    expect(inZone(new Date('2026-03-30T07:00:00Z'), 'Europe/Berlin')).toBe('Mon 30 Mar 09:00 Europe/Berlin');
    expect(inZone(new Date('2026-03-28T00:30:00Z'), 'America/Los_Angeles')).toBe('Fri 27 Mar 17:30 America/Los_Angeles');
  });
});

describe('splitBooking: image words, then when', () => {
  test('the shortest image prefix whose rest reads as a time', () => {
    expect(splitBooking('acme crm tomorrow 9:00', NOW, 'Europe/Berlin')).toEqual({
      image: 'acme crm',
      when: 'tomorrow 9:00',
      at: new Date('2026-03-28T08:00:00.000Z'),
    });
    expect(splitBooking('crm-demo in 2h', NOW, 'UTC')).toMatchObject({ image: 'crm-demo', when: 'in 2h' });
    expect(splitBooking('retail 2 mon 14:30', NOW, 'UTC')).toMatchObject({ image: 'retail 2', when: 'mon 14:30' });
    expect(splitBooking('acme crm', NOW, 'UTC')).toBeNull();
    expect(splitBooking('tomorrow 9:00', NOW, 'UTC')).toMatchObject({ image: 'tomorrow', when: '9:00' });
  });
});
