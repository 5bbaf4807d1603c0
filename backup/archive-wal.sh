#!/bin/sh
# The primary's archive_command: archive-wal.sh "%p" "%f" copies one finished WAL segment into
# wal/ beside this script (bun ops archive-setup installs it in BACKUP_DIR and prints the setting).
#
# Atomic: the copy is written as <name>.part, flushed to disk, then renamed, and the directory is
# flushed, so a restore never reads a torn segment (a crash mid-copy leaves only a .part, which
# PostgreSQL copies again). Idempotent: after a crash PostgreSQL may hand over a segment it had
# already archived; an identical copy counts as done, a different one is an error and is never
# overwritten (two clusters archiving into one directory, or a damaged archive).
set -eu
wal_dir="$(dirname "$0")/wal"
source_path="$1"
name="$2"
destination="$wal_dir/$name"

if [ -f "$destination" ]; then
  if cmp -s "$source_path" "$destination"; then exit 0; fi
  echo "archive-wal.sh: $destination exists with different content; not overwritten" >&2
  exit 1
fi
cp "$source_path" "$destination.part"
sync "$destination.part"
mv "$destination.part" "$destination"
sync "$wal_dir"
