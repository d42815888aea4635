import { sql, type Kysely } from 'kysely';

/**
 * Display names (issue 19): every demo and image gets a short, unique, human name such as
 * `acme-crm-alice-7f3k` (a slug of the image title, the owner's Slack handle when known, a random
 * suffix), the name people read and type. GCE names stay derived from ids (idempotency needs them).
 * The database picks the name on insert, so every flow that creates a row gets one without knowing;
 * names are unique across demos and images together, so one word names one thing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // `Acme CRM — EMEA edition` → `acme-crm-emea`: at most three words and about 20 characters.
  await sql`
    CREATE FUNCTION name_slug(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
      words text[] := regexp_split_to_array(trim(both '-' from regexp_replace(lower(coalesce(t, '')), '[^a-z0-9]+', '-', 'g')), '-');
      slug text := '';
    BEGIN
      FOR i IN 1 .. least(coalesce(array_length(words, 1), 0), 3) LOOP
        EXIT WHEN slug <> '' AND length(slug) + length(words[i]) > 20;
        slug := concat_ws('-', nullif(slug, ''), left(words[i], 20));
      END LOOP;
      RETURN slug;
    END $$`.execute(db);

  // Stem (title slug + owner handle) plus four random letters or digits, retried until unused.
  await sql`
    CREATE FUNCTION pick_display_name(title text, fallback text, owner text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      alphabet constant text := 'abcdefghjkmnpqrstuvwxyz23456789';
      handle text := (SELECT split_part(name_slug(coalesce(nullif(u.name, ''), u.display_name)), '-', 1) FROM user_names u WHERE u.user_id = owner);
      stem text := concat_ws('-', coalesce(nullif(name_slug(title), ''), fallback), nullif(left(handle, 12), ''));
      candidate text;
    BEGIN
      LOOP
        candidate := stem || '-' || (SELECT string_agg(substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1), '') FROM generate_series(1, 4));
        EXIT WHEN NOT EXISTS (SELECT 1 FROM demos WHERE display_name = candidate) AND NOT EXISTS (SELECT 1 FROM images WHERE display_name = candidate);
      END LOOP;
      RETURN candidate;
    END $$`.execute(db);

  await sql`ALTER TABLE images ADD COLUMN display_name text`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN display_name text`.execute(db);
  await sql`CREATE UNIQUE INDEX images_display_name ON images (display_name)`.execute(db);
  await sql`CREATE UNIQUE INDEX demos_display_name ON demos (display_name)`.execute(db);
  // Prefix look-ups (`/demo launch acme`) walk this one instead of scanning the catalog.
  await sql`CREATE INDEX images_display_name_prefix ON images (display_name text_pattern_ops)`.execute(db);

  await sql`
    CREATE FUNCTION images_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.display_name IS NULL THEN NEW.display_name := pick_display_name(NEW.title, 'image', NEW.owner_id); END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER images_display_name BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION images_display_name()`.execute(db);
  await sql`
    CREATE FUNCTION demos_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.display_name IS NULL THEN
        NEW.display_name := pick_display_name((SELECT title FROM images WHERE id = NEW.image_id), 'demo', NEW.owner_id);
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER demos_display_name BEFORE INSERT ON demos FOR EACH ROW EXECUTE FUNCTION demos_display_name()`.execute(db);

  // Existing rows, one statement each so every pick sees the names picked before it.
  await sql`
    DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT id, title, owner_id FROM images ORDER BY created_at LOOP
        UPDATE images SET display_name = pick_display_name(r.title, 'image', r.owner_id) WHERE id = r.id;
      END LOOP;
      FOR r IN SELECT d.id, i.title, d.owner_id FROM demos d LEFT JOIN images i ON i.id = d.image_id ORDER BY d.created_at LOOP
        UPDATE demos SET display_name = pick_display_name(r.title, 'demo', r.owner_id) WHERE id = r.id;
      END LOOP;
    END $$`.execute(db);
  await sql`ALTER TABLE images ALTER COLUMN display_name SET NOT NULL`.execute(db);
  await sql`ALTER TABLE demos ALTER COLUMN display_name SET NOT NULL`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
