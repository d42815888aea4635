import { sql, type Kysely } from 'kysely';

/**
 * Sharing, comments and catalog search (issue 6).
 * - Owners' names (from users.info, cached in user_names) join the search text, so "alice crm" finds
 *   Alice's CRM images. The generated `search` column is rebuilt to include them (same GIN index).
 * - Launch and comment counts are kept on the image by triggers, so "most launched" and "most
 *   commented" sort from an index instead of counting 100,000 images per request.
 * - The expiry sweep finds old pending share requests by index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE user_names (
      user_id text PRIMARY KEY,
      name text NOT NULL DEFAULT '',
      real_name text NOT NULL DEFAULT '',
      display_name text NOT NULL DEFAULT '',
      fetched_at timestamptz NOT NULL
    )`.execute(db);

  await sql`ALTER TABLE images ADD COLUMN owner_name text`.execute(db);
  // New images (saved by any flow) pick up their owner's known names without that flow knowing.
  await sql`
    CREATE FUNCTION images_owner_name() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.owner_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id) THEN
        NEW.owner_name := (SELECT concat_ws(' ', u.display_name, u.real_name, u.name) FROM user_names u WHERE u.user_id = NEW.owner_id);
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER images_owner_name BEFORE INSERT OR UPDATE OF owner_id ON images FOR EACH ROW EXECUTE FUNCTION images_owner_name()`.execute(db);

  await sql`DROP INDEX images_search`.execute(db);
  await sql`ALTER TABLE images DROP COLUMN search`.execute(db);
  await sql`
    ALTER TABLE images ADD COLUMN search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('simple'::regconfig, title), 'A') ||
      setweight(to_tsvector('simple'::regconfig, tags_text(tags)), 'B') ||
      setweight(to_tsvector('simple'::regconfig, coalesce(owner_id, '') || ' ' || coalesce(owner_name, '')), 'B') ||
      setweight(to_tsvector('simple'::regconfig, description), 'C')
    ) STORED`.execute(db);
  await sql`CREATE INDEX images_search ON images USING gin (search) WHERE deleted_at IS NULL`.execute(db);

  await sql`ALTER TABLE images ADD COLUMN launch_count integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE images ADD COLUMN comment_count integer NOT NULL DEFAULT 0`.execute(db);
  await sql`UPDATE images i SET launch_count = (SELECT count(*) FROM demos d WHERE d.image_id = i.id)`.execute(db);
  await sql`UPDATE images i SET comment_count = (SELECT count(*) FROM comments c WHERE c.image_id = i.id AND c.deleted_at IS NULL)`.execute(db);
  await sql`
    CREATE FUNCTION images_count_launch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE images SET launch_count = launch_count + 1 WHERE id = NEW.image_id;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER demos_count_launch AFTER INSERT ON demos FOR EACH ROW EXECUTE FUNCTION images_count_launch()`.execute(db);
  // A comment counts while it is not deleted; Slack deletions set deleted_at.
  await sql`
    CREATE FUNCTION images_count_comment() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE delta integer := 0;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NULL THEN delta := 1; END IF;
        UPDATE images SET comment_count = comment_count + delta WHERE id = NEW.image_id AND delta <> 0;
      ELSIF TG_OP = 'DELETE' THEN
        IF OLD.deleted_at IS NULL THEN delta := -1; END IF;
        UPDATE images SET comment_count = comment_count + delta WHERE id = OLD.image_id AND delta <> 0;
      ELSE
        IF (OLD.deleted_at IS NULL) AND (NEW.deleted_at IS NOT NULL) THEN delta := -1;
        ELSIF (OLD.deleted_at IS NOT NULL) AND (NEW.deleted_at IS NULL) THEN delta := 1; END IF;
        UPDATE images SET comment_count = comment_count + delta WHERE id = NEW.image_id AND delta <> 0;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER comments_count AFTER INSERT OR DELETE OR UPDATE OF deleted_at ON comments FOR EACH ROW EXECUTE FUNCTION images_count_comment()`.execute(
    db,
  );
  await sql`CREATE INDEX images_most_launched ON images (launch_count DESC, created_at DESC) WHERE deleted_at IS NULL`.execute(db);
  // The default browse (newest first, no query) walks this instead of sorting every visible image.
  await sql`CREATE INDEX images_recent ON images (created_at DESC, id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX images_most_commented ON images (comment_count DESC, created_at DESC) WHERE deleted_at IS NULL`.execute(db);

  await sql`CREATE INDEX share_requests_pending_age ON share_requests (created_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX share_requests_by_image ON share_requests (image_id, created_at DESC)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
