-- Personal fields encrypted at rest. Existing rows keep their clear e-mail and name until the
-- users subgraph starts: it encrypts them and fills email_index in batches before it serves
-- (crypto/field-cipher.ts, reencryptUsers), as the keys are never in the database.
CREATE TABLE "users"."data_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"master_key_id" text NOT NULL,
	"wrapped_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "users"."users_email_key";--> statement-breakpoint
ALTER TABLE "users"."users" ADD COLUMN "email_index" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_index_key" ON "users"."users" USING btree ("email_index");