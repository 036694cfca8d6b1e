"""Background work for the directory: embeddings are computed here when a profile's offers or
needs change (services enqueue it on commit), never by a page that reads them.

Safe to run again after its worker died (corridor/core/tasks.py): it compares the profile's
texts with the hash of what was embedded, writes in one transaction, and a profile whose
embedding is stale simply keeps its previous vectors (no "running" state to clear); if it
fails for good, `manage.py directory_embed` embeds every stale profile."""

from django_tasks import task

from corridor.directory import embeddings


@task()
def profile_embed(profile_id: int) -> bool:
    return embeddings.profile_embeddings_store(profile_id=profile_id)
