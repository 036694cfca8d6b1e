"""After a refused stale save (optimistic locking): `core.views.post_form` marks the form's
`stale_fields`, and the page shows the values saved meanwhile beside the person's, whose
form (a `core.forms.VersionedFormMixin`) now carries the saved version."""


def is_stale(form) -> bool:
    """The service refused the save: someone else saved the record since it was opened."""
    return "version" in getattr(form, "stale_fields", ())


def saved_values_if_stale(form, record, initial_for) -> list[tuple[str, str]] | None:
    """After a stale save: the saved record's values (`initial_for(record)`, read again),
    shown beside the person's, whose form now carries the saved version (so that saving
    again, knowingly, replaces them). None when the save was not stale."""
    if not is_stale(form):
        return None
    record.refresh_from_db()
    form.take_version(record.version)
    return form.saved_values(initial_for(record))
