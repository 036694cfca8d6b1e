"""Background work for the directory: embeddings are computed here when a profile's offers or
needs change (services enqueue it on commit), never by a page that reads them."""

from django_tasks import task

from corridor.directory import services
from corridor.directory.models import Profile


@task()
def profile_embed(profile_id: int) -> bool:
    return services.profile_embeddings_store(profile_id=profile_id)


def profile_embed_all(*, stale_only: bool = True) -> int:
    """Embed every profile (or only those whose texts changed) in this process; for the demo
    loader and the `directory_embed` command. Returns how many were computed."""
    done = 0
    for pk in Profile.objects.order_by("pk").values_list("pk", flat=True):
        if not stale_only:
            Profile.objects.filter(pk=pk).update(embedded_hash="")
        done += services.profile_embeddings_store(profile_id=pk)
    return done
