from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from roadmaps.catalog import CatalogError, catalog_read
from roadmaps.services.catalog import catalog_write


class Command(BaseCommand):
    help = "Validate the catalog files and upsert them by slug (docs/catalog.md). Running it twice changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=settings.CATALOG_DIR, help="Folder with skills.yaml and paths/."
        )
        parser.add_argument("--check", action="store_true", help="Only validate the files; write nothing.")

    def handle(self, *args, dir: Path, check: bool, **options) -> None:
        try:
            catalog = catalog_read(dir)
        except CatalogError as error:
            raise CommandError(
                f"The catalog in {dir} is invalid; nothing was loaded.\n" + "\n".join(error.problems)
            ) from None
        if check:
            self.stdout.write(f"Catalog valid: {len(catalog.skills)} skills, {len(catalog.paths)} paths.")
            return
        report = catalog_write(catalog=catalog)
        self.stdout.write(
            f"Skills: {len(report.skills_created)} created, {len(report.skills_updated)} updated. "
            f"Paths: {len(report.paths_created)} created, {len(report.paths_updated)} updated, "
            f"{len(report.paths_unchanged)} unchanged."
        )
