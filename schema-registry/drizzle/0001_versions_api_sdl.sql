ALTER TABLE "registry"."versions" ADD COLUMN "api_sdl" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."versions" ADD COLUMN "commit" text;--> statement-breakpoint
ALTER TABLE "registry"."versions" ADD COLUMN "forced" boolean DEFAULT false NOT NULL;