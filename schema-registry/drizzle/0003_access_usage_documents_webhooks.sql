CREATE TABLE "registry"."webhook_deliveries" (
	"id" serial PRIMARY KEY NOT NULL,
	"webhook_id" integer NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "registry"."documents" (
	"target" text NOT NULL,
	"client" text NOT NULL,
	"hash" text NOT NULL,
	"name" text,
	"document" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_target_client_hash_pk" PRIMARY KEY("target","client","hash")
);
--> statement-breakpoint
CREATE TABLE "registry"."operations" (
	"target" text NOT NULL,
	"hash" text NOT NULL,
	"name" text,
	"document" text NOT NULL,
	"coordinates" text[] NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "operations_target_hash_pk" PRIMARY KEY("target","hash")
);
--> statement-breakpoint
CREATE TABLE "registry"."tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "registry"."usage" (
	"target" text NOT NULL,
	"hash" text NOT NULL,
	"client" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_target_hash_client_hour_pk" PRIMARY KEY("target","hash","client","hour")
);
--> statement-breakpoint
CREATE TABLE "registry"."webhooks" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"events" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry"."targets" ADD COLUMN "usage_window_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."targets" ADD COLUMN "usage_threshold_percent" real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."targets" ADD COLUMN "plan_check_operations" integer DEFAULT 25 NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "registry"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."documents" ADD CONSTRAINT "documents_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."operations" ADD CONSTRAINT "operations_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."tokens" ADD CONSTRAINT "tokens_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."webhooks" ADD CONSTRAINT "webhooks_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_webhook_idx" ON "registry"."webhook_deliveries" USING btree ("webhook_id","id");--> statement-breakpoint
CREATE INDEX "documents_target_hash_idx" ON "registry"."documents" USING btree ("target","hash");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_hash_key" ON "registry"."tokens" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "usage_target_hour_idx" ON "registry"."usage" USING btree ("target","hour");