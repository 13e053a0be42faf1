"""Reading the files: where they are, their text, their parse, and positions in them.

locations.py   the config directory: --config-dir, then the environment, then ~/.config/ponybunny
reading.py     paths in, decoded text and kind out (:class:`Source`)
jsonparse.py   strict JSON as PonyBunny's JSON.parse reads it; jsonscan.py, the lenient scanner behind it
yamlparse.py   YAML sources, held to what JSON can express
document.py    a parsed file and the one way to attach a diagnostic to a place in it
positions.py   offsets, lines and columns, caret snippets
json_edit.py   editing JSON text in place, every other byte kept
"""
