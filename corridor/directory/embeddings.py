"""The embeddings of a profile's offers and needs: computed by the background task
(`tasks.profile_embed`) when they change, or here in this process for the demo loader and
`manage.py directory_embed`; never by a page that reads them."""

import hashlib

from django.db import transaction
from django.utils import timezone

from corridor.directory import matching
from corridor.directory.models import Profile, Statement


def texts_hash(profile: Profile) -> str:
    """The hash of what the embeddings are computed from (the texts and the way they are
    encoded): a change of either means they are stale."""
    key = f"{matching.ENCODING_VERSION}\x00{profile.offers}\x00{profile.needs}"
    return hashlib.sha256(key.encode()).hexdigest()


def profile_embeddings_store(*, profile_id: int) -> bool:
    """Compute and store the embeddings of one profile's offers and needs (the background
    task calls this). Returns False when nothing needed doing (already up to date)."""
    profile = Profile.objects.select_related("organisation").filter(pk=profile_id).first()
    if profile is None:
        return False
    wanted = texts_hash(profile)
    if profile.embedded_hash == wanted and profile.embedded_at is not None:
        return False
    offers, needs = profile.offer_lines(), profile.need_lines()
    vectors = matching.encoder().encode(offers + needs)
    offer_vectors, need_vectors = vectors[: len(offers)], vectors[len(offers) :]
    with transaction.atomic():
        current = Profile.objects.select_for_update().get(pk=profile_id)
        if texts_hash(current) != wanted:  # changed again meanwhile: its own task will run
            return False
        Statement.objects.filter(profile=current).delete()
        Statement.objects.bulk_create(
            [
                Statement(
                    profile=current,
                    kind=kind,
                    position=position,
                    text=text,
                    vector=matching.to_bytes(vector),
                )
                for kind, texts, matrix in (
                    (Statement.Kind.OFFER, offers, offer_vectors),
                    (Statement.Kind.NEED, needs, need_vectors),
                )
                for position, (text, vector) in enumerate(zip(texts, matrix, strict=True))
            ]
        )
        current.offer_vector = matching.to_bytes(matching.mean_vector(offer_vectors))
        current.need_vector = matching.to_bytes(matching.mean_vector(need_vectors))
        current.embedded_hash = wanted
        current.embedded_at = timezone.now()
        current.save(update_fields=["offer_vector", "need_vector", "embedded_hash", "embedded_at"])
    return True


def profile_embed_all(*, stale_only: bool = True) -> int:
    """Embed every profile (or only those whose texts changed) in this process; for the demo
    loader and the `directory_embed` command. Returns how many were computed."""
    done = 0
    for pk in Profile.objects.order_by("pk").values_list("pk", flat=True):
        if not stale_only:
            Profile.objects.filter(pk=pk).update(embedded_hash="")
        done += profile_embeddings_store(profile_id=pk)
    return done
