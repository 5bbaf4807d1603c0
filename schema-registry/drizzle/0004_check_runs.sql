CREATE TABLE "registry"."check_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"kind" text NOT NULL,
	"subgraph" text,
	"sdl_hash" text,
	"sdl" text,
	"url" text,
	"author" text,
	"commit" text,
	"status" text NOT NULL,
	"ok" boolean NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry"."check_runs" ADD CONSTRAINT "check_runs_target_targets_name_fk" FOREIGN KEY ("target") REFERENCES "registry"."targets"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "check_runs_target_idx" ON "registry"."check_runs" USING btree ("target","id");--> statement-breakpoint
CREATE INDEX "check_runs_target_subgraph_idx" ON "registry"."check_runs" USING btree ("target","subgraph","id");