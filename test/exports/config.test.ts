import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('export configuration', () => {
  test('defaults: exports are off without a bucket; the default bucket is on the allow-list', () => {
    expect(loadConfig({}).exports).toEqual({
      defaultBucket: undefined,
      buckets: [],
      signedUrlDays: 7,
      pollMs: 15_000,
      cloudBuildEndpoint: undefined,
      storageEndpoint: undefined,
    });
    expect(loadConfig({ EXPORT_BUCKET: 'acme-exports' }).exports).toMatchObject({ defaultBucket: 'acme-exports', buckets: ['acme-exports'] });
    expect(loadConfig({ EXPORT_BUCKETS: 'a-exports, b-exports' }).exports).toMatchObject({ defaultBucket: 'a-exports', buckets: ['a-exports', 'b-exports'] });
  });

  test('a default bucket off the allow-list, a gs:// URL instead of a name, or zero days are refused, all at once', () => {
    try {
      loadConfig({ EXPORT_BUCKET: 'c-exports', EXPORT_BUCKETS: 'a-exports,gs://b', EXPORT_SIGNED_URL_DAYS: '0' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('EXPORT_BUCKETS');
      expect(problems).toContain('EXPORT_SIGNED_URL_DAYS');
    }
    expect(() => loadConfig({ EXPORT_BUCKET: 'c-exports', EXPORT_BUCKETS: 'a-exports' })).toThrow(
      'EXPORT_BUCKET: c-exports is not in EXPORT_BUCKETS (a-exports)',
    );
    // More than V4's 7 days is accepted here and shortened when signing (the DM says so).
    expect(loadConfig({ EXPORT_SIGNED_URL_DAYS: '30' }).exports.signedUrlDays).toBe(30);
  });
});
