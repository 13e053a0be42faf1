"""``pbcfg migrate``: old configs to today's format, every change visible, nothing lost.

    migrations.py  the migrations, in the order they run
    engine.py      runs them over one file, as edits that keep everything else
    relocation.py  the move out of ~/.ponybunny
"""
