"""``pbcfg migrate``: old configs to today's format, every change visible, nothing lost.

migrations.py      the migrations, in the order they run
file_migration.py  runs them over one file, as edits that keep everything else
migration_plan.py  a whole run, decided before anything is written
relocation.py      the move out of ~/.ponybunny
"""
