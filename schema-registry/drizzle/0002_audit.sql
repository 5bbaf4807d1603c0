CREATE TABLE "registry"."audit" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"target" text NOT NULL,
	"action" text NOT NULL,
	"actor" text,
	"token" text,
	"outcome" text NOT NULL,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_target_idx" ON "registry"."audit" USING btree ("target","id");