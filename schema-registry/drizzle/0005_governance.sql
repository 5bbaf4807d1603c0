CREATE TABLE "registry"."contract_versions" (
	"contract_id" integer NOT NULL,
	"number" integer NOT NULL,
	"supergraph_sdl" text NOT NULL,
	"api_sdl" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contract_versions_contract_id_number_pk" PRIMARY KEY("contract_id","number")
);
--> statement-breakpoint
CREATE TABLE "registry"."contracts" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"name" text NOT NULL,
	"include_tags" text[] NOT NULL,
	"exclude_tags" text[] NOT NULL,
	"remove_unreachable_types" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry"."usage_batches" (
	"target" text NOT NULL,
	"batch_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_batches_target_batch_id_pk" PRIMARY KEY("target","batch_id")
);
--> statement-breakpoint
ALTER TABLE "registry"."webhook_deliveries" ADD COLUMN "leased_by" text;--> statement-breakpoint
ALTER TABLE "registry"."webhook_deliveries" ADD COLUMN "leased_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "registry"."targets" ADD COLUMN "policy" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."contract_versions" ADD CONSTRAINT "contract_versions_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "registry"."contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."contracts" ADD CONSTRAINT "contracts_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_target_name_key" ON "registry"."contracts" USING btree ("target","name");--> statement-breakpoint
CREATE INDEX "usage_batches_received_idx" ON "registry"."usage_batches" USING btree ("received_at");