"""Delta sync for the mobile app: what changed since a cursor, for everything the user may see.

The cursor is a watermark. On PostgreSQL it is the oldest transaction of this database still
running when the sync was read (or the next transaction id, if none runs): every change of an
older transaction is final, so the window [previous watermark, current watermark) never misses
a change that committed late, out of order; a long transaction only delays its changes to a
later sync. (SQLite writes one transaction at a time, so there the change ids serve.)
"""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Max, QuerySet

from accounts.models import Change, Mentorship, User
from accounts.selectors import mentees_of, mentorship_list
from careerhub.exceptions import ApplicationError
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.selectors.learning import milestone_queryset, roadmap_visible_list, visible_to
from roadmaps.selectors.reviews import visible_submissions

SALT = "careerhub.sync"
Entity = Change.Entity
LEARNER_DATA = (Entity.ROADMAP, Entity.MILESTONE, Entity.ENTRY, Entity.REVIEW)


@dataclass
class SyncBatch:
    cursor: str
    full: bool
    upserted: dict[str, list] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


XID_SPAN = 2**32


def _watermark() -> int:
    if not _on_postgresql():
        return (Change.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    # Transactions of other databases on the same server cannot write here: only this
    # database's running transactions hold the watermark back.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
            "array(SELECT backend_xid::text::bigint FROM pg_stat_activity "
            "      WHERE datname = current_database() AND backend_xid IS NOT NULL)"
        )
        next_xid, running = cursor.fetchone()
    # backend_xid is 32 bits; widen it to the 64-bit ids (with epoch) that Change.txid holds.
    epoch, low = divmod(next_xid, XID_SPAN)
    widened = [(epoch - (1 if xid > low else 0)) * XID_SPAN + xid for xid in running]
    return min([next_xid, *widened])


def _encode(watermark: int) -> str:
    return signing.dumps({"w": watermark}, salt=SALT, compress=True)


def _decode(cursor: str) -> int:
    try:
        return int(signing.loads(cursor, salt=SALT, max_age=settings.SYNC_RETENTION)["w"])
    except signing.SignatureExpired:
        raise ApplicationError(
            "This cursor is older than the changes kept; sync again from scratch (no cursor).",
            code="resync_required",
            status_code=410,
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ApplicationError("This is not a sync cursor.", code="invalid_cursor") from None


def learner_data_ids(learner_ids: list[int]) -> dict[str, set[str]]:
    """Every roadmap, milestone, entry and review of these learners."""

    def ids(queryset: QuerySet) -> set[str]:
        return {str(pk) for pk in queryset.values_list("pk", flat=True)}

    return {
        Entity.ROADMAP: ids(Roadmap.objects.filter(learner_id__in=learner_ids)),
        Entity.MILESTONE: ids(Milestone.objects.filter(roadmap__learner_id__in=learner_ids)),
        Entity.ENTRY: ids(ProgressEntry.objects.filter(learner_id__in=learner_ids)),
        Entity.REVIEW: ids(ReviewSubmission.objects.filter(learner_id__in=learner_ids)),
    }


def sync_pull(*, user: User, cursor: str | None) -> SyncBatch:
    low = None if cursor is None else _decode(cursor)
    high = _watermark()
    mentee_ids = list(mentees_of(mentor=user).values_list("pk", flat=True))
    wanted: dict[str, set[str]] = {entity: set() for entity in Entity.values}
    gone: dict[str, set[str]] = {entity: set() for entity in Entity.values}

    if low is None:  # everything there is
        for entity, ids in learner_data_ids([user.pk, *mentee_ids]).items():
            wanted[entity] = ids
        wanted[Entity.NOTE] = {
            str(pk)
            for pk in Milestone.objects.filter(roadmap__learner=user).exclude(note="").values_list("pk", flat=True)
        }
        wanted[Entity.MENTORSHIP] = {str(pk) for pk in mentorship_list(user=user).values_list("pk", flat=True)}
    else:
        position = "txid" if _on_postgresql() else "id"
        window = Change.objects.filter(
            owner_id__in=[user.pk, *mentee_ids], **{f"{position}__gte": low, f"{position}__lt": high}
        ).values_list("owner_id", "entity", "entity_id", "deleted")
        links = set()
        for owner_id, entity, entity_id, deleted in window:
            if entity == Entity.NOTE and owner_id != user.pk:
                continue  # notes are private
            if entity == Entity.MENTORSHIP and owner_id != user.pk:
                continue  # the other side's view of their links is theirs
            (gone if deleted else wanted)[entity].add(entity_id)
            if entity == Entity.MENTORSHIP:
                links.add(entity_id)
        # A mentor who gained a mentee gets all of their data; one who lost a mentee, tombstones.
        for link in Mentorship.objects.filter(pk__in=links, mentor=user).exclude(learner=None):
            target = wanted if link.learner_id in mentee_ids else gone
            for entity, ids in learner_data_ids([link.learner_id]).items():
                target[entity] |= ids

    roadmaps = list(roadmap_visible_list(user=user).filter(pk__in=_ints(wanted[Entity.ROADMAP])))
    milestones = list(
        milestone_queryset().filter(visible_to(user, "roadmap__learner"), pk__in=_ints(wanted[Entity.MILESTONE]))
    )
    entries = list(ProgressEntry.objects.filter(visible_to(user, "learner"), pk__in=_uuids(wanted[Entity.ENTRY])))
    notes = list(Milestone.objects.filter(roadmap__learner=user, pk__in=_ints(wanted[Entity.NOTE])).only("id", "note"))
    reviews = list(visible_submissions(user).filter(pk__in=_ints(wanted[Entity.REVIEW])))
    mentorships = list(mentorship_list(user=user).filter(pk__in=_ints(wanted[Entity.MENTORSHIP])))

    found = {
        Entity.ROADMAP: roadmaps,
        Entity.MILESTONE: milestones,
        Entity.ENTRY: entries,
        Entity.NOTE: [{"milestone": m.pk, "note": m.note} for m in notes],
        Entity.REVIEW: reviews,
        Entity.MENTORSHIP: mentorships,
    }
    present = {
        entity: {str(item["milestone"] if isinstance(item, dict) else item.pk) for item in items}
        for entity, items in found.items()
    }
    batch = SyncBatch(cursor=_encode(high), full=low is None)
    for entity in Entity.values:
        batch.upserted[entity] = found[entity]
        # Asked for but no longer visible (deleted, or access lost) is a tombstone too.
        batch.deleted[entity] = sorted((gone[entity] | wanted[entity]) - present[entity])
    return batch


def _ints(ids: set[str]) -> list[int]:
    return [int(pk) for pk in ids if pk.isdigit()]


def _uuids(ids: set[str]) -> list[uuid.UUID]:
    valid = []
    for pk in ids:
        try:
            valid.append(uuid.UUID(pk))
        except ValueError:
            continue
    return valid
