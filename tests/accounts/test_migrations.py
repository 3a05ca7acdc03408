import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_users_made_before_verification_existed_count_as_verified():
    # Given: the schema before email verification, and a user made then
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0004_idempotency_keys_and_sync_changes")])
    old_apps = executor.loader.project_state([("accounts", "0004_idempotency_keys_and_sync_changes")]).apps
    joined = timezone.now().replace(microsecond=0)
    old_apps.get_model("accounts", "User").objects.create(email="old@example.com", password="!", date_joined=joined)

    # When
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then
    from accounts.models import User

    assert User.objects.get(email="old@example.com").email_verified_at == joined
