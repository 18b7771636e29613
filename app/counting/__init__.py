"""What statistics count, below both the incidents and the statistics that answer queries.

`rules` states which incidents and victims are counted and shared, `rollup` keeps the counts on
every write to an incident (and recounts them), `periods` says what a quarter is. The incidents
(`app/incidents`, `app/imports`) write through `rollup`; the statistics (`app/stats`) read what it
keeps and count with the same rules. Nothing here imports `app.incidents` or `app.stats`
(tests/test_package_layers.py).
"""
