/** The catalog benchmark's data: 100,000 images of a large sales org, and what people type to find them. */
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';

// Words of demo-image titles, most common first (picked with a skew, as real catalogs repeat themes).
export const WORDS = `demo crm sales analytics dashboard retail storefront banking insurance healthcare logistics supply
chain inventory warehouse kubernetes cluster postgres mysql oracle sap salesforce marketing campaign pipeline
forecast finance ledger payroll onboarding portal customer support ticketing helpdesk chatbot vision search
recommendation iot sensor fleet telematics energy billing subscription ecommerce checkout payments fraud risk
compliance audit security siem firewall identity sso windows linux ubuntu debian rhel docker nodejs java spring
python django dotnet sharepoint jira confluence gitlab jenkins grafana prometheus elastic kibana kafka spark
airflow tableau powerbi looker sandbox trial workshop training poc pilot legacy modern migration acme globex
initech umbrella contoso fabrikam northwind hooli stark wayne edge gateway mobile app web api graphql rest
microservices serverless lakehouse warehouse etl streaming realtime batch reporting kpi executive board
pharma clinical trials manufacturing factory robotics quality maintenance predictive telecom network 5g
media streaming video gaming education campus library government tax permits travel booking hotel airline`
  .split(/\s+/)
  .filter(Boolean);

/** 100,000 images in one statement; deterministic (setseed). pk[k] is the k-th word picked for a row. */
export async function loadImages(db: Db, n: number): Promise<void> {
  await sql`SELECT setseed(0.42)`.execute(db);
  await sql`
    WITH w AS (SELECT ${WORDS}::text[] AS words, ${WORDS.length}::int AS n),
    r AS (
      SELECT i, random() AS vis, random() AS del, (random() * 2000)::int AS owner, random() * 730 AS age
        FROM generate_series(1, ${n}) AS i
    )
    INSERT INTO images (project, gce_name, title, description, owner_id, visibility, origin, status, tags, created_at, updated_at, deleted_at)
    SELECT 'demo-bench-project', 'img-bench-' || r.i,
           initcap(pk[1] || ' ' || pk[2] || CASE WHEN r.i % 3 = 0 THEN '' ELSE ' ' || pk[3] END) || ' ' || (r.i % 97),
           'A ' || pk[4] || ' ' || pk[5] || ' demo for ' || pk[6] || ' teams: ' || pk[7] || ', ' || pk[8] || ' and ' || pk[9] ||
             ' with sample data, a preconfigured ' || pk[10] || ' and a guided ' || pk[11] || ' walkthrough.',
           CASE WHEN r.vis < 0.10 THEN NULL ELSE 'U' || lpad(r.owner::text, 6, '0') END,
           CASE WHEN r.vis < 0.10 THEN 'official' WHEN r.vis < 0.50 THEN 'shared' WHEN r.vis < 0.95 THEN 'private' ELSE 'pending' END,
           CASE WHEN r.vis < 0.10 THEN 'published' ELSE 'saved' END,
           CASE WHEN r.del < 0.03 THEN 'deleted' ELSE 'ready' END,
           ARRAY[pk[12], pk[13]],
           now() - make_interval(days => r.age::int), now(),
           CASE WHEN r.del < 0.03 THEN now() ELSE NULL END
      FROM r CROSS JOIN w
      -- Correlated (r.i), so the words are drawn again for every row; squared random() skews to the common words.
      CROSS JOIN LATERAL (
        SELECT array_agg(w.words[1 + floor(w.n * power(random(), 2))::int] ORDER BY k) AS pk
          FROM generate_series(1, 13) AS k WHERE r.i > 0
      ) pick
  `.execute(db);
  await sql`ANALYZE images`.execute(db);
}

/** What people type: prefixes of 1–3 word phrases, from the first letter on (as min_query_length 1 sends). */
export function typedPrefixes(count: number): string[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const word = () => WORDS[Math.floor(WORDS.length * rand() ** 2)]!;
  const out: string[] = [];
  while (out.length < count) {
    const phrase = Array.from({ length: 1 + Math.floor(rand() * 3) }, word).join(' ');
    const cut = 1 + Math.floor(rand() * phrase.length);
    out.push(phrase.slice(0, cut).trimEnd() || phrase[0]!);
  }
  return out;
}
