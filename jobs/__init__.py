"""The job system: the only code that knows the order generate -> choose -> build -> review ->
print. It calls down into generator, products and print; nothing below imports it.

    store.py     jobs, states, leases, audit log (SQLAlchemy; schema.py upgrades the schema)
    records.py   typed records of what crosses the database
    files.py     the var/ file store
    runner.py    the one door for designs and visitors' edits (validate, moderate, queue) and
                 what the kiosk pages call (start, poll, submit, abandon, edit, version)
    worker.py    the loop; generate.py, edit.py and build.py are its steps
    staff.py     approve (with the check rule), print, reprint; staff_auth.py: login
    backup.py    backup and restore of the database and the job files (one tar archive)
    services.py  systemd units of a kiosk appliance (server, workers, screen, backup timer)
    stats.py     staff statistics: per day and hour, motif, product, text path, waits, rejects
    cli.py       `python -m jobs ...`
"""
