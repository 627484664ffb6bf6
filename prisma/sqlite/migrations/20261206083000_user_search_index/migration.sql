-- The console's search by a piece of the e-mail or the name (ADR 016), indexed: an FTS5 table of
-- trigrams that holds no copy of the text (content="User"), kept in step by triggers. Prisma's
-- schema cannot describe it: prisma.config.ts and the engine's diffs list its tables as external
-- (prisma/external-tables.mjs), so that no later migration drops them.
-- Written by hand: `db:migrate:dev` does not write virtual tables or triggers.

-- CreateVirtualTable
-- columnsize=0: no per-row sizes (only ranking needs them); the trigram tokenizer folds case.
CREATE VIRTUAL TABLE "UserSearch" USING fts5("email", "name", content='User', content_rowid='id', tokenize='trigram', columnsize=0);

-- CreateTrigger
CREATE TRIGGER "UserSearch_insert" AFTER INSERT ON "User" BEGIN
  INSERT INTO "UserSearch" ("rowid", "email", "name") VALUES (new."id", new."email", new."name");
END;

-- CreateTrigger
-- An external-content index forgets a row by the values it indexed: the old ones.
CREATE TRIGGER "UserSearch_delete" AFTER DELETE ON "User" BEGIN
  INSERT INTO "UserSearch" ("UserSearch", "rowid", "email", "name") VALUES ('delete', old."id", old."email", old."name");
END;

-- CreateTrigger
-- Only a change of the e-mail or the name: a sign-in's update of lastLoginAt leaves the index alone.
CREATE TRIGGER "UserSearch_update" AFTER UPDATE OF "email", "name" ON "User" BEGIN
  INSERT INTO "UserSearch" ("UserSearch", "rowid", "email", "name") VALUES ('delete', old."id", old."email", old."name");
  INSERT INTO "UserSearch" ("rowid", "email", "name") VALUES (new."id", new."email", new."name");
END;

-- Backfill: the accounts there already.
INSERT INTO "UserSearch" ("UserSearch") VALUES ('rebuild');
