"""Local, private, crash-safe history: one SQLite database under the user's data directory.

- WAL journal, `synchronous=FULL`: a committed rep survives a crash or a kill.
- One writer thread owns the write connection; callers enqueue writes (the analysis thread never
  waits on the disk) and may wait for the result. Every completed rep is its own transaction,
  committed when the rep completes.
- Schema migrations by `PRAGMA user_version`: `MIGRATIONS[i]` upgrades version i to i + 1; a
  database made by any earlier schema opens and upgrades.
- The data directory is created 0700 and every file written here 0600 (readable by the user
  only), whatever the umask.
- Damage is found in one place: opening a `Store` runs `PRAGMA quick_check` and checks the schema,
  and any "malformed"/"not a database" error later on becomes `DatabaseDamaged`, whose one-line
  message names the file and the way out (`fitcoach data restore` / `fitcoach data salvage`).
- Every `Store` holds a shared advisory lock (`fitcoach.db.lock`, `flock`) for its lifetime;
  `restore` takes it exclusively, so it refuses while any FitCoach process (a session being
  saved, the desktop app while it runs) has the history open, and no `Store` opens mid-restore.
- `restore` checks the backup completely before touching anything, keeps the history it replaces
  as a dated copy, and swaps files atomically (temp file in the same folder, fsync, rename).
- `salvage` copies whatever is still readable from a damaged database into a new one, row by
  row around the damaged pages, and never modifies the damaged file.
Nothing here touches the network.

Modules: `store` (`Store`: opening, checking, the writes), `reads` (its queries, typed records
from `fitcoach.core.records`), `writer` (the writer thread), `schema` (migrations, connections,
schema checks), `locking` (the advisory lock), `files` (the data folder, private files, fsync),
`errors`, `backup`, `restore` (with `check`) and `salvage`. Import from the package.
"""

from fitcoach.io.store.errors import WAY_OUT, DatabaseDamaged, StoreError, is_damage
from fitcoach.io.store.files import DB_NAME, default_data_dir, private_file
from fitcoach.io.store.locking import LOCK_NAME, LOCK_WAIT_S, DbLock
from fitcoach.io.store.restore import CheckResult, RestoreResult, check, read_sha256_file, restore, restore_backup
from fitcoach.io.store.salvage import SalvageResult, TableSalvage, salvage
from fitcoach.io.store.schema import MIGRATIONS, SCHEMA_VERSION, expected_schema, migrate, schema_problem
from fitcoach.io.store.store import Store

__all__ = ["DB_NAME", "LOCK_NAME", "LOCK_WAIT_S", "MIGRATIONS", "SCHEMA_VERSION", "WAY_OUT", "CheckResult",
           "DatabaseDamaged", "DbLock", "RestoreResult", "SalvageResult", "Store", "StoreError", "TableSalvage",
           "check", "default_data_dir", "expected_schema", "is_damage", "migrate", "private_file",
           "read_sha256_file", "restore", "restore_backup", "salvage", "schema_problem"]
