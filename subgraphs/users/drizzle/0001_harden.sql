CREATE TYPE "users"."dealer_application_status" AS ENUM('PENDING', 'APPROVED', 'REJECTED');--> statement-breakpoint
CREATE TABLE "users"."dealer_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" "users"."dealer_application_status" DEFAULT 'PENDING' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid
);
--> statement-breakpoint
CREATE TABLE "users"."login_attempts" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failed_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users"."users" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users"."dealer_applications" ADD CONSTRAINT "dealer_applications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dealer_applications_pending_key" ON "users"."dealer_applications" USING btree ("user_id") WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX "dealer_applications_user_idx" ON "users"."dealer_applications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "dealer_applications_status_idx" ON "users"."dealer_applications" USING btree ("status","created_at","id");--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): deactivating an account revokes its refresh
-- tokens however it is done, through the API or a plain UPDATE. Deleting the row deletes them (cascade).
CREATE FUNCTION "users"."revoke_tokens_of_deactivated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "users"."refresh_tokens" SET "revoked_at" = now() WHERE "user_id" = NEW."id" AND "revoked_at" IS NULL;
	RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "users_deactivated_revoke_tokens" AFTER UPDATE OF "deactivated_at" ON "users"."users"
	FOR EACH ROW WHEN (OLD."deactivated_at" IS NULL AND NEW."deactivated_at" IS NOT NULL)
	EXECUTE FUNCTION "users"."revoke_tokens_of_deactivated"();
