/** The value types of environment variables, validated with zod: lists, Slack and GCE identifiers, flags. */
import { z } from 'zod';

export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
);

export const slackUserIds = csv.pipe(z.array(z.string().regex(/^[UW][A-Z0-9_]{2,}$/, 'each must be a Slack user ID like U0123ABCD')));

export const positiveInt = (fallback: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().positive()).default(fallback);

export const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .default(false);

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');

export const labelPair = z.string().regex(/^[a-z][a-z0-9_-]{0,62}=[a-z0-9_-]{0,63}$/, 'must be a GCE label like key=value (lowercase)');

export const gceZone = z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'must be a GCE zone like us-central1-a');

// A subnetwork per region: `europe-west1=projects/P/regions/europe-west1/subnetworks/demo` (a full URL works too).
const SUBNET_ENTRY =
  /^([a-z]+-[a-z]+\d+)=((?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[^/]+\/regions\/([a-z]+-[a-z]+\d+)\/subnetworks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;
export const subnets = csv.pipe(
  z.array(z.string().regex(SUBNET_ENTRY, 'each must be region=projects/P/regions/REGION/subnetworks/NAME')).superRefine((entries, c) => {
    for (const e of entries) {
      // Runs even when an entry failed the regex (zod reports both): skip those.
      const [, region, , inRegion] = SUBNET_ENTRY.exec(e) ?? [];
      if (region !== inRegion)
        c.addIssue({ code: 'custom', message: `${region}: the subnetwork is in ${inRegion}; a VM can only use a subnet of its own region` });
    }
  }),
);

// Network tags are RFC 1035 names, like GCE resource names.
export const networkTag = z.string().regex(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, 'each must be a network tag (lowercase letters, digits, dashes)');

export const slackChannelId = z.string().regex(/^[CG][A-Z0-9_]{2,}$/, 'must be a Slack channel ID like C0123ABCD (not a #name)');

// Cloud Storage bucket names: 3–63 characters of lowercase letters, digits, -, _ and dots, starting and ending alphanumeric.
export const bucketName = z.string().regex(/^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/, 'must be a Cloud Storage bucket name (lowercase, no gs://)');
