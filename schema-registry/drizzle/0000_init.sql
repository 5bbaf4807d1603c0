CREATE SCHEMA "registry";
--> statement-breakpoint
CREATE TABLE "registry"."subgraphs" (
	"target" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"sdl" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry"."targets" (
	"name" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry"."versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"number" integer NOT NULL,
	"supergraph_sdl" text NOT NULL,
	"hash" text NOT NULL,
	"subgraphs" jsonb NOT NULL,
	"author" text,
	"change" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry"."subgraphs" ADD CONSTRAINT "subgraphs_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry"."versions" ADD CONSTRAINT "versions_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "subgraphs_target_name_key" ON "registry"."subgraphs" USING btree ("target","name");--> statement-breakpoint
CREATE UNIQUE INDEX "versions_target_number_key" ON "registry"."versions" USING btree ("target","number");--> statement-breakpoint
CREATE INDEX "versions_target_idx" ON "registry"."versions" USING btree ("target","id");