"""Plain SQL statements for a model's rows, for the few hot writes where building them with the ORM
costs more than running them (and where several go to PostgreSQL in one round trip)."""

from django.db import connection, models

# A statement and its parameters, as ``cursor.execute`` takes them.
Statement = tuple[str, list]


def insert_columns(instance: models.Model) -> tuple[str, list]:
    """Every column of ``instance``'s table, and its values as ``instance`` holds them
    (``auto_now_add`` fields included: set them first)."""
    quote = connection.ops.quote_name
    fields = instance._meta.concrete_fields
    return (
        ", ".join(quote(field.column) for field in fields),
        [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields],
    )


def insert_statement(instance: models.Model) -> Statement:
    """The insert of ``instance`` with every column as it holds it."""
    columns, values = insert_columns(instance)
    return (
        f"INSERT INTO {connection.ops.quote_name(instance._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(values))})",
        values,
    )


def update_statement(instance: models.Model, names: list[str]) -> Statement:
    """``instance.save(update_fields=names)`` as a statement: the values as ``instance`` holds them
    (``auto_now`` fields included: set them first)."""
    meta = instance._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    return (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(field.column)} = %s' for field in fields)} "
        f"WHERE {quote(meta.pk.column)} = %s",
        [
            *(field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields),
            meta.pk.get_db_prep_value(instance.pk, connection),
        ],
    )
